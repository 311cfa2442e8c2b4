"""The province's calendar, which ``dossiers.sla`` lays over the national one: its extra days off, the Saturdays it
works, and 24 November while the law leaves it open (sla.ANNOUNCED). Changed only by the province admin's page."""

import logging
from datetime import date

from django.db import transaction

from accounts.models import User
from dossiers.models import CalendarDay

logger = logging.getLogger(__name__)


@transaction.atomic
def calendar_day_set(*, day: date, kind: str, note: str, actor: User) -> CalendarDay:
    """Make ``day`` a day off or a working day of the province (replacing what it said of that day before)."""
    row, created = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "note": note})
    logger.info(
        "calendar day %s set to %s by user %s (%s)", day, kind, actor.pk, "new" if created else "changed"
    )
    return row


@transaction.atomic
def calendar_day_remove(*, day: date, actor: User) -> None:
    """Give ``day`` back to the national calendar."""
    removed, _ = CalendarDay.objects.filter(date=day).delete()
    if removed:
        logger.info("calendar day %s removed by user %s", day, actor.pk)
