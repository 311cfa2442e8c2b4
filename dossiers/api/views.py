"""The dossier API (API.md, "Dossiers"). Views parse input, call a service or the workflow, and render."""

from django.http import FileResponse
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from accounts.policy import Ask
from audit.models import AccessWhat
from audit.selectors import access_log
from dossiers import selectors, services, workflow
from dossiers.access import dossier_for
from dossiers.api.serializers import (
    DocumentSerializer,
    DossierListSerializer,
    DossierSerializer,
    LookupSerializer,
)
from dossiers.constants import Channel, State
from portal.api.parsers import JSONParser
from portal.api.schema import ERROR_RESPONSES, FILE_RESPONSE
from portal.api.throttling import DossierCreateThrottle, LookupThrottle, UploadThrottle
from portal.downloads import private_file_response
from portal.errors import NotFound

MAX_PAGE_SIZE = 100


def _detail(request: Request, pk: int, status_code: int = 200, *, log: str | None = None) -> Response:
    dossier = dossier_for(request.user, pk, log=log, queryset=selectors.dossier_detail_queryset())
    return Response(DossierSerializer(dossier, context={"request": request}).data, status=status_code)


class DossierListView(APIView):
    """The caller's dossiers, newest first: a citizen's own; staff their agency's queue.

    Filters: `state`, `procedure` (code), `overdue` (true/false), `assigned=me`, `code`. Keyset pagination: `next`
    carries the `cursor`. Bad filter values are 400.
    """

    throttle_classes = [DossierCreateThrottle]

    class QuerySerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=State.choices, required=False)
        procedure = serializers.CharField(max_length=32, required=False)
        overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
        assigned = serializers.ChoiceField(choices=["me"], required=False)
        code = serializers.CharField(max_length=48, required=False)
        cursor = serializers.IntegerField(min_value=1, required=False)
        page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=20)

    class InputSerializer(serializers.Serializer):
        procedure = serializers.CharField(max_length=32)
        applicant = serializers.DictField(required=False, default=dict)
        form = serializers.DictField(required=False, default=dict)
        channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.ONLINE)

    @extend_schema(
        parameters=[QuerySerializer], responses={200: DossierListSerializer(many=True), **ERROR_RESPONSES}
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        dossiers = selectors.with_list_data(selectors.visible_dossiers(request.user))
        if "state" in params:
            dossiers = dossiers.filter(state=params["state"])
        if "procedure" in params:
            dossiers = dossiers.filter(version__procedure__code=params["procedure"])
        if "code" in params:
            dossiers = dossiers.filter(code=params["code"].strip())
        if params.get("overdue") is True:
            dossiers = dossiers.filter(selectors.overdue_filter())
        elif params.get("overdue") is False:
            dossiers = dossiers.exclude(selectors.overdue_filter())
        if params.get("assigned") == "me":
            dossiers = dossiers.filter(assignee=request.user)
        page = selectors.keyset_page(dossiers, after=params.get("cursor"), size=params["page_size"])
        next_url = None
        if page.next_cursor is not None:
            rest = {k: v for k, v in request.query_params.items() if k != "cursor"}
            next_url = request.build_absolute_uri(
                reverse("dossiers-api:list") + "?" + urlencode({**rest, "cursor": page.next_cursor})
            )
        data = DossierListSerializer(page.items, many=True, context={"request": request}).data
        return Response({"results": data, "next": next_url})

    @extend_schema(request=InputSerializer, responses={201: DossierSerializer, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        """Create a draft. A citizen's omitted applicant fields come from their profile; counter staff may create
        one for a person at the desk with `"channel": "counter"`. 400 for invalid fields, 404 for an unknown
        procedure, 403 for a role that does not file."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dossier = services.dossier_create(
            actor=request.user,
            procedure_code=data.validated_data["procedure"],
            applicant=data.validated_data["applicant"],
            form=data.validated_data["form"],
            channel=data.validated_data["channel"],
        )
        return _detail(request, dossier.pk, status.HTTP_201_CREATED)


class DossierDetailView(APIView):
    """One dossier with its documents and history; another citizen's or another agency's dossier is 404."""

    class UpdateSerializer(serializers.Serializer):
        applicant = serializers.DictField(required=False)
        form = serializers.DictField(required=False)

    @extend_schema(responses={200: DossierSerializer, **ERROR_RESPONSES})
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk, log=AccessWhat.DOSSIER)

    @extend_schema(request=UpdateSerializer, responses={200: DossierSerializer, **ERROR_RESPONSES})
    def patch(self, request: Request, pk: int) -> Response:
        """Change the applicant's details or form values of a draft (or while a supplement is requested)."""
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dossier_update(
            dossier_id=pk,
            actor=request.user,
            applicant=data.validated_data.get("applicant"),
            form=data.validated_data.get("form"),
        )
        return _detail(request, pk)


class DocumentUploadView(APIView):
    """Upload one paper: multipart `component` (its id) and `file`.

    413 when the file or the dossier's files together are too large; 415 when the content (sniffed, not the
    name) is not a type the component accepts; 409 once the dossier is submitted.
    """

    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [UploadThrottle]

    class InputSerializer(serializers.Serializer):
        component = serializers.IntegerField(min_value=1)
        file = serializers.FileField(allow_empty_file=False)

    @extend_schema(request=InputSerializer, responses={201: DocumentSerializer, **ERROR_RESPONSES})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_add(
            dossier_id=pk,
            actor=request.user,
            component_id=data.validated_data["component"],
            upload=data.validated_data["file"],
        )
        return Response(DocumentSerializer(document, context={"request": request}).data, status=201)


class DocumentView(APIView):
    """Download a paper of a dossier one may see; DELETE takes it out of a draft."""

    @extend_schema(responses=FILE_RESPONSE)
    def get(self, request: Request, pk: int, document_id: int) -> FileResponse:
        dossier = dossier_for(
            request.user, pk, ask=Ask.DOCUMENTS, log=AccessWhat.DOCUMENT, detail=str(document_id)
        )
        document = dossier.documents.filter(pk=document_id).first()
        if document is None:
            raise NotFound("No such document.")
        return private_file_response(document.file.open("rb"), filename=document.original_name)

    @extend_schema(responses={204: None, **ERROR_RESPONSES})
    def delete(self, request: Request, pk: int, document_id: int) -> Response:
        services.document_remove(dossier_id=pk, actor=request.user, document_id=document_id)
        return Response(status=204)


class ActionView(APIView):
    """Apply a workflow action: submit, receive, refuse, request_supplement, resubmit, assess, send_back,
    approve, return, withdraw.

    409 from the wrong state, 403 for the wrong role, 404 for a dossier one may not see or an unknown action;
    `refuse`, `request_supplement` and `send_back` need a `comment`; `assess` needs `outcome` (grant or deny).
    """

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    # The widest of the actions' inputs (each action validates its body with its own, workflow.TRANSITIONS).
    @extend_schema(request=workflow.OutcomeSerializer, responses={200: DossierSerializer, **ERROR_RESPONSES})
    def post(self, request: Request, pk: int, action: str) -> Response:
        given = workflow.input_for(action, request.data)
        if action == "submit":
            services.submit(dossier_id=pk, actor=request.user)
        else:
            workflow.apply(dossier_id=pk, action=action, actor=request.user, input=given)
        return _detail(request, pk)


class AssignView(APIView):
    """Take the dossier ("assign to me"); staff of the competent agency only."""

    @extend_schema(request=None, responses={200: DossierSerializer, **ERROR_RESPONSES})
    def post(self, request: Request, pk: int) -> Response:
        services.dossier_assign(dossier_id=pk, actor=request.user)
        return _detail(request, pk)


class LookupView(APIView):
    """Public lookup by code and key: state and dates, nothing personal. A wrong key is 404, like an unknown code."""

    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]

    class QuerySerializer(serializers.Serializer):
        code = serializers.CharField(max_length=48)
        key = serializers.CharField(max_length=32)

    @extend_schema(parameters=[QuerySerializer], responses={200: LookupSerializer, **ERROR_RESPONSES})
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        dossier = selectors.lookup(query.validated_data["code"], query.validated_data["key"])
        if dossier is None:
            raise NotFound("No dossier has this code and key.")
        return Response(LookupSerializer(dossier).data)


class AccessLogView(APIView):
    """Who opened the dossier, its papers, slips or result: `{"results": [{"at", "agency", "role", "what"}]}`,
    newest first. The applicant sees the agency and role, not the person; staff of the agency see the person too.
    404 for a dossier the caller may not see."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "AccessLog",
                {
                    "results": serializers.ListField(
                        child=inline_serializer(
                            "AccessLogRow",
                            {
                                "at": serializers.DateTimeField(),
                                "agency": serializers.CharField(allow_null=True),
                                "role": serializers.CharField(),
                                "what": serializers.CharField(),
                            },
                        )
                    )
                },
            ),
            **ERROR_RESPONSES,
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        dossier = dossier_for(request.user, pk, ask=Ask.ACCESS_LOG)
        rows = access_log(
            dossier_id=dossier.pk, with_people=policy.may(request.user, Ask.ACCESS_LOG_PEOPLE, dossier)
        )
        return Response({"results": AccessLogRowSerializer(rows, many=True).data})


class AccessLogRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    agency = serializers.CharField(allow_null=True)
    agency_code = serializers.CharField(allow_null=True)
    role = serializers.CharField()
    what = serializers.CharField()
    detail = serializers.CharField()
    who = serializers.CharField(required=False)


class ClaimView(APIView):
    """Add a dossier filed for you at a counter to your account: `{"code", "key"}` from the receipt.

    200 with the dossier; 404 for a wrong code or key (alike); 409 when it already belongs to an account; 403 for
    anyone but a citizen; 429 past the `lookup` scope's rate (a key is guessed no faster here than at the lookup)."""

    throttle_classes = [LookupThrottle]

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=48)
        key = serializers.CharField(max_length=32)

    @extend_schema(request=InputSerializer, responses={200: DossierSerializer, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dossier = services.dossier_claim(actor=request.user, **data.validated_data)
        return _detail(request, dossier.pk)
