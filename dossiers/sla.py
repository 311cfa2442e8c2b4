"""The SLA clock: working days in Asia/Ho_Chi_Minh.

A working day is a weekday that is not a Vietnamese public holiday (the ``holidays`` package: Tết and Giỗ Tổ by
the lunar calendar, the government's substituted days off) and not an extra day off of the province, or a weekend
day worked in exchange for a substituted day off (the package's make-up days, or the province's ``CalendarDay``).
The clock starts on the day of reception, or the next working day when the dossier was received after the cut-off
hour or on a day off; the result is due at the end of office hours of the N-th working day after that; time in
``supplement_requested`` is added back on resubmission.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from dossiers.constants import CLOCK_RUNNING_STATES, DayKind, Timeliness
from dossiers.models import CalendarDay, Dossier

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_CACHE_KEY = "sla:calendar-days:v1"


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=year))


@lru_cache(maxsize=64)
def _national_make_up_days(year: int) -> frozenset[date]:
    # The other half of the government's day swaps: the package gives the day off (31 Aug 2026) as a holiday and
    # the Saturday worked for it (22 Aug 2026) here.
    return frozenset(holidays.country_holidays("VN", years=year).weekend_workdays)


def _province_days() -> dict[date, str]:
    days = cache.get(_CACHE_KEY)
    if days is None:
        days = dict(CalendarDay.objects.values_list("date", "kind"))
        cache.set(_CACHE_KEY, days, 3600)
    return days


def _forget_province_days(**kwargs: object) -> None:
    cache.delete(_CACHE_KEY)


post_save.connect(_forget_province_days, sender=CalendarDay, dispatch_uid="sla-calendar-save")
post_delete.connect(_forget_province_days, sender=CalendarDay, dispatch_uid="sla-calendar-delete")


class Calendar:
    """Working days, with the province's days read once per calendar (one query, cached)."""

    def __init__(self, province_days: dict[date, str] | None = None) -> None:
        self.province_days = _province_days() if province_days is None else province_days

    def is_working_day(self, day: date) -> bool:
        kind = self.province_days.get(day)
        if kind == DayKind.WORKING_DAY:
            return True
        if kind == DayKind.DAY_OFF:
            return False
        if day in _national_make_up_days(day.year):
            return True
        return day.weekday() < 5 and day not in _national_holidays(day.year)

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself when ``count`` is 0 and it is working)."""
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end): how many a pause from ``start`` to ``end`` took from the clock."""
        count, day = 0, start
        while day < end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count

    def clock_start(self, received_at: datetime) -> date:
        local = timezone.localtime(received_at, TZ)
        day = local.date()
        if not self.is_working_day(day) or local.time() >= time(settings.SLA_CUTOFF_HOUR):
            return self.next_working_day(day)
        return day

    def due_at(self, received_at: datetime, processing_days: int) -> datetime:
        due_day = self.add_working_days(self.clock_start(received_at), processing_days)
        return end_of_office_day(due_day)

    def extend_for_pause(self, due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
        """The due date moved on by the working days the dossier spent waiting for the citizen."""
        lost = self.working_days_between(
            timezone.localtime(paused_at, TZ).date(), timezone.localtime(resumed_at, TZ).date()
        )
        return end_of_office_day(self.add_working_days(timezone.localtime(due_at, TZ).date(), lost))

    def is_due_soon(self, due_at: datetime, now: datetime) -> bool:
        """Not overdue yet, and due by the end of the next working day."""
        if now >= due_at:
            return False
        today = timezone.localtime(now, TZ).date()
        return timezone.localtime(due_at, TZ).date() <= self.next_working_day(today)


def end_of_office_day(day: date) -> datetime:
    return datetime.combine(day, time(settings.SLA_DUE_HOUR), tzinfo=TZ)


def timeliness(due_at: datetime | None, returned_at: datetime | None) -> str | None:
    """Early (before the due day), on time (on the due day, by the due time) or late."""
    if due_at is None or returned_at is None:
        return None
    if returned_at > due_at:
        return Timeliness.LATE
    if timezone.localtime(returned_at, TZ).date() < timezone.localtime(due_at, TZ).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def clock(dossier: Dossier, calendar: Calendar | None = None) -> dict[str, Any]:
    """The SLA view of a dossier for its pages and its API answer: overdue, due soon, and once returned early /
    on time / late. Pass one ``calendar`` for a list, so that the province's days off are read once."""
    now = timezone.now()
    due = dossier.due_at if dossier.state in CLOCK_RUNNING_STATES else None
    overdue = due is not None and now > due
    due_soon = due is not None and not overdue and (calendar or Calendar()).is_due_soon(due, now)
    return {
        "overdue": overdue,
        "due_soon": due_soon,
        "timeliness": timeliness(dossier.due_at, dossier.returned_at),
    }
