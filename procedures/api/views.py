"""The catalogue's public read API (API.md, "Catalogue")."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.errors import NotFound
from portal.replicas import ReplicaReads
from procedures import selectors
from procedures.api.serializers import (
    AgencySerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
    SectorSerializer,
)
from procedures.filters import ProcedureFilter
from procedures.models import Agency, ProcedureVersion, Sector


class ProcedureListView(ReplicaReads, generics.ListAPIView):
    """Search the published catalogue.

    `q` ignores case and Vietnamese diacritics and must hold every word; a code-like `q` (`1.001193`) matches codes
    that start with it. `sector` and `agency` take codes, `level` one of central, province, commune.
    An unknown filter value, a `q` longer than 200 characters or with control characters is 400;
    a page past the end is 404.
    """

    permission_classes = [AllowAny]
    serializer_class = ProcedureListSerializer
    filterset_class = ProcedureFilter

    def get_queryset(self) -> QuerySet[ProcedureVersion]:
        return selectors.published_versions()

    @extend_schema(responses={200: ProcedureListSerializer(many=True)})
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class ProcedureDetailView(ReplicaReads, APIView):
    """A procedure's published version: what to bring, fees, time, steps, legal basis and the applicant's form.

    404 when no procedure has this code or it has no published version.
    """

    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProcedureDetailSerializer})
    def get(self, request: Request, code: str) -> Response:
        version = selectors.published_version_by_code(code)
        if version is None:
            raise NotFound(f"No published procedure has the code {code}.")
        return Response(ProcedureDetailSerializer(version, context={"request": request}).data)


class AgencyListView(ReplicaReads, generics.ListAPIView):
    """The province's agencies, by code."""

    permission_classes = [AllowAny]
    serializer_class = AgencySerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Agency]:
        return selectors.agencies()


class SectorListView(ReplicaReads, generics.ListAPIView):
    """The sectors of the catalogue, by name."""

    permission_classes = [AllowAny]
    serializer_class = SectorSerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Sector]:
        return selectors.sectors()
