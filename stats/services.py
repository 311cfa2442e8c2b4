"""The statistics rollup: each agency's and the province's index for this year and this month, kept as snapshots."""

from django.db import transaction
from django.utils import timezone

from dossiers.sla import TZ
from stats import selectors
from stats.models import Snapshot


@transaction.atomic
def rollup() -> int:
    """Recompute this year's and this month's snapshots; returns how many were written."""
    today = timezone.localtime(timezone.now(), TZ).date()
    periods = {f"{today:%Y}": today.replace(month=1, day=1), f"{today:%Y-%m}": today.replace(day=1)}
    written = 0
    for period, start in periods.items():
        by_agency = selectors.index(start=start, end=today, by_agency=True)
        for agency_id, data in by_agency.items():
            Snapshot.objects.update_or_create(agency_id=agency_id, period=period, defaults={"data": data})
            written += 1
        province = selectors.index(start=start, end=today)[None]
        Snapshot.objects.update_or_create(agency=None, period=period, defaults={"data": province})
        written += 1
    return written
