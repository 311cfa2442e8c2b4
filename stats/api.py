"""The service index's API (API.md, "Statistics"): ``GET /api/v1/stats/`` for staff and leaders, with its CSV and
XLSX exports, and the public ``GET /api/v1/stats/public/``."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from portal.api.schema import error_responses
from portal.errors import ServiceError
from portal.replicas import ReplicaReads
from stats import exports, public, selectors
from stats.filters import scope_for


class _FormatIsOurs:
    """DRF's settings, less its ``?format=`` override: here ``format`` asks for a file (csv, xlsx), and a bad one is
    a 400 with a reason, not DRF's 404."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name: str) -> Any:
        return getattr(api_settings, name)


class FileFormatNegotiation(DefaultContentNegotiation):
    settings = _FormatIsOurs()  # type: ignore[assignment]


PERIOD = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="The first day (1 January by default)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="The last day (today by default)"),
]


class StatsView(ReplicaReads, APIView):
    """The service index from `from` to `to` (dates, inclusive; whole months; this year by default), for `agency`
    (code; with its children), `sector` (code), `procedure` (code) and `channel` (`online`, `counter`, `post`).

    `{"counts": {state: n}, "rates": {"on_time", "online", "full_online", "online_payment", "digitised",
    "satisfaction"}, "scores": {"total", "max", "known_max", "groups": {group: points}, "groups_max",
    "groups_known_max"}, "indicators": [{"code", "group", "name", "definition", "numerator", "denominator",
    "ratio", "target", "points", "max_points", "known"}], "complaints": {"due", "answered_on_time",
    "answered_late", "open", "overdue"}, "totals", "agency", "from", "to"}`; each rate a fraction from 0 to 1, or
    null where nothing counts. An indicator the portal cannot know (`known: false`) has no figures. Counter staff
    see their own agency and its children (403 for another); leaders and province admins any, or the whole
    province without `agency`. `format=csv` or `format=xlsx` gives the same figures as a file. 400 for an unknown
    agency, sector, procedure or channel, or bad dates.
    """

    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("agency", str, description="An agency's code (with its children)"),
            OpenApiParameter("sector", str, description="A sector's code"),
            OpenApiParameter("procedure", str, description="A procedure's code"),
            OpenApiParameter("channel", str, enum=["online", "counter", "post"]),
            *PERIOD,
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx"]),
        ],
        responses={
            (200, "application/json"): inline_serializer(
                "ServiceIndex",
                {
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                    "rates": serializers.DictField(child=serializers.FloatField(allow_null=True)),
                    "scores": serializers.DictField(),
                    "indicators": serializers.ListField(child=serializers.DictField()),
                    "complaints": serializers.DictField(child=serializers.IntegerField()),
                    "agency": serializers.CharField(allow_null=True),
                    "from": serializers.DateField(),
                    "to": serializers.DateField(),
                },
            ),
            **{(200, media): OpenApiTypes.BINARY for media in exports.CONTENT_TYPES.values()},
            **error_responses(400, 403),
        },
    )
    def get(self, request: Request) -> Response | HttpResponse:
        kind = request.query_params.get("format", "json")
        if kind not in ("json", "csv", "xlsx"):
            raise ServiceError("format: one of json, csv, xlsx.", code="invalid")
        params = {k: v for k, v in request.query_params.items() if k != "format"}
        scope, chosen = scope_for(request.user, params)
        data = selectors.index(scope)
        body: dict[str, Any] = {
            "counts": selectors.counts(data),
            "rates": data["rates"],
            "scores": data["scores"],
            "indicators": data["indicators"],
            "complaints": data["complaints"],
            "totals": data["totals"],
            "agency": chosen["agency"].code if chosen["agency"] else None,
            "from": scope.start.isoformat(),
            "to": scope.end.isoformat(),
        }
        if kind == "json":
            return Response(body)
        return exports.response(kind, scope=scope, data=data, chosen=chosen)


class PublicStatsView(ReplicaReads, APIView):
    """Each agency's on-time, online and satisfaction rates by month and its points, from `from` to `to` (this year
    by default), as the public transparency page shows them: figures only, nothing personal. Anyone may read it.
    400 for bad dates."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        parameters=PERIOD,
        responses={
            200: inline_serializer(
                "PublicServiceIndex",
                {
                    "from": serializers.DateField(),
                    "to": serializers.DateField(),
                    "months": serializers.ListField(child=serializers.CharField()),
                    "province": serializers.DictField(),
                    "agencies": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **error_responses(400),
        },
    )
    def get(self, request: Request) -> Response:
        return Response(public.figures(public.period(request.query_params)))
