"""GET /api/v1/stats/ (API.md, "Statistics"): counts and rates for staff and leaders."""

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from portal.api.schema import error_responses
from portal.errors import NotAllowed
from procedures.models import Agency
from stats import selectors

# The period a query may ask about: the portal's records start after 2000; a year such as 0001 or 9999 would
# overflow the conversion of local dates to UTC.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class StatsView(APIView):
    """The service index for `agency` (code) from `from` to `to` (dates, inclusive; this year by default).

    `{"counts": {state: n}, "rates": {"on_time", "online", "full_online", "online_payment", "digitised",
    "satisfaction"}, "totals", "agency", "from", "to"}`; each rate a fraction from 0 to 1, or null where nothing
    counts. Counter staff see their own agency (403 for another); leaders and province admins any, or the whole
    province without `agency`. 400 for an unknown agency or bad dates.
    """

    class StatsQuery(serializers.Serializer):
        agency = serializers.SlugRelatedField(
            slug_field="code", queryset=Agency.objects.all(), required=False
        )
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)

        def to_internal_value(self, data: object) -> dict:
            # "from" is a keyword in Python; the query uses it.
            raw = {k: v for k, v in dict(data.items()).items() if k in ("agency", "from", "to")}  # type: ignore[attr-defined]
            raw["start"], raw["end"] = raw.pop("from", None), raw.pop("to", None)
            return super().to_internal_value({k: v for k, v in raw.items() if v not in (None, "")})

        def validate(self, attrs: dict) -> dict:
            start, end = selectors.year_to_date()
            attrs.setdefault("start", start)
            attrs.setdefault("end", end)
            for name, key in (("from", "start"), ("to", "end")):
                if not EARLIEST <= attrs[key] <= LATEST:
                    raise serializers.ValidationError(
                        {name: f"'{name}' must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}."}
                    )
            if attrs["start"] > attrs["end"]:
                raise serializers.ValidationError({"from": "'from' must not be after 'to'."})
            if attrs["end"] - attrs["start"] > datetime.timedelta(days=3660):
                raise serializers.ValidationError({"from": "The period is at most ten years."})
            return attrs

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "agency", str, description="An agency's code; the caller's own for counter staff"
            ),
            OpenApiParameter("from", OpenApiTypes.DATE, description="The first day (1 January by default)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="The last day (today by default)"),
        ],
        responses={
            200: inline_serializer(
                "ServiceIndex",
                {
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                    "rates": serializers.DictField(child=serializers.FloatField(allow_null=True)),
                    "agency": serializers.CharField(allow_null=True),
                    "from": serializers.DateField(),
                    "to": serializers.DateField(),
                },
            ),
            **error_responses(403),
        },
    )
    def get(self, request: Request) -> Response:
        scope = policy.stats_agency_scope(request.user)
        if scope is False:
            raise NotAllowed("Statistics are for staff and leaders.")
        query = self.StatsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        agency = params.get("agency")
        if scope is not None:
            if agency is not None and agency.pk != scope:
                raise NotAllowed("Counter staff see their own agency's statistics.")
            agency = Agency.objects.get(pk=scope)
        data = selectors.index(
            start=params["start"], end=params["end"], agency_ids=[agency.pk] if agency else None
        )[None]
        return Response(
            {
                **data,
                "agency": agency.code if agency else None,
                "from": params["start"].isoformat(),
                "to": params["end"].isoformat(),
            }
        )
