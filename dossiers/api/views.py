"""The dossier API (API.md, "Dossiers"). Views parse input, call a service or the workflow, and render."""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
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
from dossiers.constants import Channel
from dossiers.filters import DossierFilter
from dossiers.models import Dossier
from portal.api.pagination import KeysetPagination
from portal.api.parsers import JSONParser
from portal.api.schema import FILE_RESPONSE, error_responses
from portal.downloads import private_file_response
from portal.errors import NotFound
from portal.replicas import ReplicaReads
from portal.throttling import DossierCreateThrottle, LookupThrottle, UploadThrottle

MAX_PAGE_SIZE = 100


def _detail(request: Request, pk: int, status_code: int = 200, *, log: str | None = None) -> Response:
    dossier = dossier_for(request.user, pk, log=log, queryset=selectors.dossier_detail_queryset())
    return Response(DossierSerializer(dossier, context={"request": request}).data, status=status_code)


class DossierListView(generics.ListAPIView):
    """The caller's dossiers, newest first: a citizen's own; staff their agency's queue.

    Filters (``dossiers.filters.DossierFilter``, the console's too): `state`, `procedure` (code), `overdue`
    (true/false), `assigned=me`, `code` (any part of it). Keyset pagination: `next` carries the `cursor`. Bad
    filter values are 400.
    """

    throttle_classes = [DossierCreateThrottle]
    serializer_class = DossierListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DossierFilter
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Dossier]:
        return selectors.with_list_data(selectors.visible_dossiers(self.request.user))

    class InputSerializer(serializers.Serializer):
        procedure = serializers.CharField(max_length=32)
        applicant = serializers.DictField(required=False, default=dict)
        form = serializers.DictField(required=False, default=dict)
        channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.ONLINE)

    @extend_schema(operation_id="dossiers_list", responses={200: DossierListSerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=InputSerializer, responses={201: DossierSerializer, **error_responses(403, 404, 409)}
    )
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

    @extend_schema(responses={200: DossierSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk, log=AccessWhat.DOSSIER)

    @extend_schema(request=UpdateSerializer, responses={200: DossierSerializer, **error_responses(403, 409)})
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

    @extend_schema(request=InputSerializer, responses={201: DocumentSerializer, **error_responses(403, 409)})
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

    @extend_schema(responses={**FILE_RESPONSE, **error_responses(403, 409)})
    def get(self, request: Request, pk: int, document_id: int) -> FileResponse:
        dossier = dossier_for(
            request.user, pk, ask=Ask.DOCUMENTS, log=AccessWhat.DOCUMENT, detail=str(document_id)
        )
        document = dossier.documents.filter(pk=document_id).first()
        if document is None:
            raise NotFound("No such document.")
        return private_file_response(document.file.open("rb"), filename=document.original_name)

    @extend_schema(responses={204: None, **error_responses(403, 409)})
    def delete(self, request: Request, pk: int, document_id: int) -> Response:
        services.document_remove(dossier_id=pk, actor=request.user, document_id=document_id)
        return Response(status=204)


class ActionView(APIView):
    """Apply a workflow action: submit, receive, refuse, request_supplement, resubmit, assess, send_back,
    approve, return, withdraw.

    409 from the wrong state, 403 for the wrong role, 404 for a dossier one may not see or an unknown action;
    `refuse`, `request_supplement` and `send_back` need a `comment`; `assess` needs `outcome` (grant or deny);
    `request_supplement` may name the missing `components` (400 `unknown_component` for an id not of the procedure),
    and `resubmit` answers 409 `supplement_incomplete` while one of them has no paper uploaded since the request.
    """

    parser_classes = [JSONParser, FormParser, MultiPartParser]

    # The widest of the actions' inputs (each action validates its body with its own, workflow.TRANSITIONS).
    @extend_schema(
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(workflow.PUBLIC_ACTIONS))
        ],
        request=workflow.ActionBodySerializer,
        responses={200: DossierSerializer, **error_responses(403, 409)},
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        given = workflow.input_for(action, request.data)
        if action == "submit":
            services.submit(dossier_id=pk, actor=request.user)
        else:
            workflow.apply(dossier_id=pk, action=action, actor=request.user, input=given)
        return _detail(request, pk)


class AssignView(APIView):
    """Take the dossier ("assign to me"); staff of the competent agency only."""

    @extend_schema(request=None, responses={200: DossierSerializer, **error_responses(403, 409)})
    def post(self, request: Request, pk: int) -> Response:
        services.dossier_assign(dossier_id=pk, actor=request.user)
        return _detail(request, pk)


class LookupView(ReplicaReads, APIView):
    """Public lookup by code and key: state and dates, nothing personal. A wrong key is 404, like an unknown code."""

    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]

    class QuerySerializer(serializers.Serializer):
        code = serializers.CharField(max_length=48)
        key = serializers.CharField(max_length=32)

    @extend_schema(parameters=[QuerySerializer], responses={200: LookupSerializer, **error_responses(404)})
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
            **error_responses(403, 409),
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

    @extend_schema(
        request=InputSerializer, responses={200: DossierSerializer, **error_responses(403, 404, 409)}
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dossier = services.dossier_claim(actor=request.user, **data.validated_data)
        return _detail(request, dossier.pk)
