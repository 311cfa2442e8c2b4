"""The SLA clock: working days in Asia/Ho_Chi_Minh.

A working day is a weekday that is not a national day off and not an extra day off of the province, or a weekend
day worked in exchange for a day off. The national days come from ``ANNOUNCED`` below, the Government's
announcements year by year; a year not in it falls back on the ``holidays`` package (Tết and Giỗ Tổ by the lunar
calendar, its substituted days and the Saturdays worked for them). The province's ``CalendarDay`` rows (its own
days off and working Saturdays, and 24 November, see below) override both.
The clock starts on the day of reception, or the next working day when the dossier was received after the cut-off
hour or on a day off; the result is due at the end of office hours of the N-th working day after that; time in
``supplement_requested`` is added back on resubmission.
"""

from dataclasses import dataclass
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


def _days(*spans: tuple[date, date] | date) -> frozenset[date]:
    """The days named, each a day or a (first, last) span of days, both ends included."""
    days: set[date] = set()
    for span in spans:
        first, last = span if isinstance(span, tuple) else (span, span)
        days |= {first + timedelta(days=n) for n in range((last - first).days + 1)}
    return frozenset(days)


@dataclass(frozen=True)
class NationalYear:
    """A year's national calendar of the public sector: the weekdays off, and the weekend days worked in exchange."""

    days_off: frozenset[date]
    working_days: frozenset[date]
    source: str = ""


# The Government's announcements for the public sector (Labour Code 2019, Art. 112, and each year's decision on how
# the days fall and which are swapped); the reference copy is ../shared/reference/calendar-vn.md. 2026 differs from
# the `holidays` package on Fri 2 Jan (off) and Sat 10 Jan (worked for it). 24 November ("Ngày Văn hóa Việt Nam",
# Resolution 80-NQ/TW) is in no year: whether it is a day off depends on the Labour Code's amendment as enacted, so
# the province says so with a CalendarDay row (the package's own 24 November is left out below for the same reason).
ANNOUNCED: dict[int, NationalYear] = {
    2025: NationalYear(
        days_off=_days(
            date(2025, 1, 1),
            (date(2025, 1, 27), date(2025, 1, 31)),  # Tết
            date(2025, 4, 7),  # Giỗ Tổ
            (date(2025, 4, 30), date(2025, 5, 2)),  # 2 May swapped with Sat 26 Apr
            (date(2025, 9, 1), date(2025, 9, 2)),
        ),
        working_days=_days(date(2025, 4, 26)),
        source="Government's notice of the 2025 holidays (en.sggp.org.vn, vietcetera.com)",
    ),
    2026: NationalYear(
        days_off=_days(
            (date(2026, 1, 1), date(2026, 1, 2)),  # 2 Jan swapped with Sat 10 Jan
            (date(2026, 2, 16), date(2026, 2, 20)),  # Tết: off Sat 14 – Sun 22 Feb
            date(2026, 4, 27),  # Giỗ Tổ falls on Sun 26 Apr
            (date(2026, 4, 30), date(2026, 5, 1)),
            (date(2026, 8, 31), date(2026, 9, 2)),  # 31 Aug swapped with Sat 22 Aug
        ),
        working_days=_days(date(2026, 1, 10), date(2026, 8, 22)),
        source=(
            "Government's agreement of 25 Dec 2025 and the Ministry of Home Affairs' notice of that day "
            "(24h.com.vn, 26 Dec 2025); MoHA notice 9441/TB-BNV (vietnamnews.vn); thanhnien.vn, 23 Feb 2026"
        ),
    ),
}


@lru_cache(maxsize=64)
def national_year(year: int) -> NationalYear:
    """The announced calendar of ``year``, else the ``holidays`` package's (without 24 November, see ANNOUNCED)."""
    if year in ANNOUNCED:
        return ANNOUNCED[year]
    package = holidays.country_holidays("VN", years=year)
    return NationalYear(
        days_off=frozenset(day for day in package if (day.month, day.day) != (11, 24)),
        working_days=frozenset(package.weekend_workdays),
        source=f"holidays {holidays.__version__}",
    )


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
        national = national_year(day.year)
        if day in national.working_days:
            return True
        return day.weekday() < 5 and day not in national.days_off

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
