"""The province's calendar, which ``dossiers.sla`` lays over the national one: its extra days off, the Saturdays it
works, and 24 November while the law leaves it open (sla.ANNOUNCED). Changed only by the province admin's page;
every change is kept as a ``CalendarChange`` row (what the day was, what it became, who, when), shown on that page.

A change counts for the due dates given from then on (receptions, resumed clocks, apologies); a dossier already
received keeps the date on its receipt."""

import logging
from datetime import date

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from dossiers.models import CalendarChange, CalendarDay

logger = logging.getLogger(__name__)


def _record(*, day: date, before: str, after: str, note: str, actor: User) -> None:
    if before == after and not note:
        return
    CalendarChange.objects.create(date=day, kind_before=before, kind_after=after, note=note, actor=actor)
    logger.info(
        "calendar day %s: %s -> %s by user %s", day, before or "national", after or "national", actor.pk
    )


@transaction.atomic
def calendar_day_set(*, day: date, kind: str, note: str, actor: User) -> CalendarDay:
    """Make ``day`` a day off or a working day of the province (replacing what it said of that day before)."""
    before = CalendarDay.objects.select_for_update().filter(date=day).first()
    if before is not None and before.kind == kind and before.note == note:
        return before
    row, _ = CalendarDay.objects.update_or_create(date=day, defaults={"kind": kind, "note": note})
    _record(day=day, before=before.kind if before else "", after=kind, note=note, actor=actor)
    return row


@transaction.atomic
def calendar_day_remove(*, day: date, actor: User) -> None:
    """Give ``day`` back to the national calendar."""
    before = CalendarDay.objects.select_for_update().filter(date=day).first()
    if before is None:
        return
    before.delete()
    _record(day=day, before=before.kind, after="", note="", actor=actor)


def calendar_changes(limit: int = 100) -> QuerySet[CalendarChange]:
    """The newest changes first, with who made them."""
    return CalendarChange.objects.select_related("actor")[:limit]
