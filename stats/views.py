"""The public page of the service index: the province's figures and each agency's, this year."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dossiers.sla import TZ
from procedures.models import Agency
from stats import services
from stats.models import Snapshot


def _agency_code(snapshot: Snapshot) -> str:
    return snapshot.agency.code if snapshot.agency else ""


def public_index(request: HttpRequest) -> HttpResponse:
    period = f"{timezone.localtime(timezone.now(), TZ):%Y}"
    snapshots = list(Snapshot.objects.filter(period=period).select_related("agency"))
    if not snapshots:
        services.rollup()  # the first visit before beat's first run
        snapshots = list(Snapshot.objects.filter(period=period).select_related("agency"))
    province = next((s for s in snapshots if s.agency_id is None), None)
    agencies = sorted((s for s in snapshots if s.agency_id), key=_agency_code)
    return render(
        request,
        "stats/public.html",
        {
            "period": period,
            "province": province,
            "agencies": agencies,
            "all_agencies": Agency.objects.count(),
            "rates": ["on_time", "online", "full_online", "online_payment", "digitised", "satisfaction"],
        },
    )
