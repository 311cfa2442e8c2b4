"""The complaints API (API.md, "Dossiers": complaints and suggestions)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import Ask
from audit.models import AccessWhat
from complaints import selectors, services
from complaints.access import complaint_for, record_reads
from complaints.api.serializers import ComplaintSerializer, ListQuery, TextInput
from complaints.models import Complaint
from complaints.selectors import dossier_complaints
from dossiers.access import dossier_for
from portal.api.pagination import KeysetPagination
from portal.api.schema import error_responses


class DossierComplaintsView(APIView):
    """A dossier's complaints and suggestions (phản ánh, kiến nghị)."""

    @extend_schema(
        operation_id="dossier_complaints_list",
        responses={200: ComplaintSerializer(many=True), **error_responses(403)},
    )
    def get(self, request: Request, pk: int) -> Response:
        """The dossier's complaints with their answers, oldest first; a read by staff is logged."""
        dossier = dossier_for(
            request.user, pk, ask=Ask.COMPLAINTS, log=AccessWhat.DOSSIER, detail="complaints"
        )
        return Response(ComplaintSerializer(dossier_complaints(dossier.pk), many=True).data)

    @extend_schema(request=TextInput, responses={201: ComplaintSerializer, **error_responses(403, 409)})
    def post(self, request: Request, pk: int) -> Response:
        """The applicant files one: `{"text"}` → 201 with `id, state, due_at` (the province's deadline in working
        days). 400 for an empty or too long text; 403 for anyone but the applicant; 409 for a draft."""
        data = TextInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.complaint_file(
            dossier_id=pk, actor=request.user, text=data.validated_data["text"]
        )
        return Response(ComplaintSerializer(complaint).data, status=201)


class ComplaintListView(generics.ListAPIView):
    """The caller's complaints, newest first: a citizen's own; staff those on the dossiers they may see.

    `state=open|answered` (another value is 400). Keyset pagination: `next` carries the `cursor`."""

    serializer_class = ComplaintSerializer
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[Complaint]:
        query = ListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.visible_complaints(self.request.user)
        if state := query.validated_data.get("state"):
            rows = rows.filter(state=state)
        return rows

    @extend_schema(
        operation_id="complaints_list",
        parameters=[OpenApiParameter("state", str, enum=["open", "answered"], required=False)],
        responses={200: ComplaintSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset: QuerySet[Any, Any]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        record_reads(self.request.user, list(page or []))
        return page


class ComplaintDetailView(APIView):
    """One complaint and its answer; a read by staff is logged."""

    @extend_schema(responses={200: ComplaintSerializer, **error_responses(403)})
    def get(self, request: Request, pk: int) -> Response:
        complaint = complaint_for(request.user, pk, log=True)
        return Response(ComplaintSerializer(complaint).data)


class ComplaintAnswerView(APIView):
    """Staff of the dossier's agency answer: `{"text"}` → 200 with the complaint.

    400 for an empty or too long text; 403 for anyone else who may see the dossier; 409 when already answered."""

    @extend_schema(request=TextInput, responses={200: ComplaintSerializer, **error_responses(403, 409)})
    def post(self, request: Request, pk: int) -> Response:
        data = TextInput(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.complaint_answer(
            complaint_id=pk, actor=request.user, text=data.validated_data["text"]
        )
        return Response(ComplaintSerializer(complaint).data)
