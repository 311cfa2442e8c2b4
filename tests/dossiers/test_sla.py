"""The SLA clock (dossiers.sla) as tables of cases with hand-written dates, and the clock through the workflow.

Calendar reminders for the expected dates below (Asia/Ho_Chi_Minh):
- New Year 2026: Thu 1 and Fri 2 Jan off, Sat 10 Jan worked in exchange (as announced; the holidays package has
  neither the 2nd nor the 10th).
- 2025: Sat 26 Apr worked for Fri 2 May.
- Tết 2026: Mon 16 – Fri 20 Feb off. Tết 2027: Thu 4 – Wed 10 Feb off.
- Giỗ Tổ 2026 (10/3 lunar) is Sun 26 Apr, observed Mon 27 Apr; 30/4 and 1/5 2026 are Thu and Fri.
- 2027: Giỗ Tổ Fri 16 Apr; 30/4 Fri; 1/5 Sat, observed Mon 3 May.
- 2/9 2026: Mon 31 Aug (swapped with Sat 22 Aug, which is worked), Tue 1 and Wed 2 Sep off.
- 24/11 (Vietnam Cultural Day): a working day unless the province's calendar says otherwise (the law is not
  settled; the holidays package counts it off from 2026): Tue 24 Nov 2026, Wed 24 Nov 2027.
- Received at or after 15:00 counts from the next working day; a result is due at 17:00 of its due day.
"""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from dossiers import workflow
from dossiers.constants import DayKind, State
from dossiers.models import CalendarDay, Dossier
from dossiers.sla import ANNOUNCED, Calendar, timeliness
from tests.dossiers.conftest import attach_required_papers
from tests.factories import DossierFactory, ProcedureVersionFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")


def at(text: str, tz: ZoneInfo = VN) -> datetime:
    """``"2026-03-02 14:59"`` as an aware datetime (Vietnam time unless told)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


def due(day: str) -> datetime:
    """The end of office hours (17:00) of ``day``: when a result due that day is due."""
    return at(f"{day} 17:00")


NO_PROVINCE_DAYS = Calendar(province_days={})

# (received at, processing days, due day)
DUE_DATES = [
    # Weekends.
    pytest.param("2026-03-02 10:00", 5, "2026-03-09", id="monday-five-days-is-next-monday"),
    pytest.param("2026-03-06 10:00", 1, "2026-03-09", id="friday-one-day-skips-the-weekend"),
    pytest.param("2026-03-07 10:00", 1, "2026-03-10", id="saturday-counts-from-monday"),
    pytest.param("2026-03-08 09:00", 0, "2026-03-09", id="sunday-zero-days-is-monday"),
    # The 15:00 cut-off.
    pytest.param("2026-03-02 14:59", 5, "2026-03-09", id="at-14-59-counts-from-the-same-day"),
    pytest.param("2026-03-02 15:00", 5, "2026-03-10", id="at-15-00-counts-from-the-next-day"),
    pytest.param("2026-03-06 15:00", 1, "2026-03-10", id="friday-after-cut-off-counts-from-monday"),
    # Procedures settled the same day.
    pytest.param("2026-03-02 10:00", 0, "2026-03-02", id="zero-days-before-cut-off-is-due-today"),
    pytest.param("2026-03-02 16:00", 0, "2026-03-03", id="zero-days-after-cut-off-is-due-tomorrow"),
    pytest.param("2026-03-06 15:30", 0, "2026-03-09", id="zero-days-friday-after-cut-off-is-due-monday"),
    # New Year 2026, as announced (reference/calendar-vn.md's checked dates).
    pytest.param("2025-12-31 10:00", 1, "2026-01-05", id="31-dec-2025-one-day-skips-1-and-2-jan"),
    pytest.param("2026-01-01 09:00", 0, "2026-01-05", id="received-on-2-jan-2026-a-day-off"),
    pytest.param("2025-12-31 15:00", 0, "2026-01-05", id="31-dec-2025-after-cut-off-zero-days"),
    pytest.param("2026-01-09 10:00", 1, "2026-01-10", id="saturday-10-jan-2026-is-worked"),
    pytest.param("2026-01-10 09:00", 0, "2026-01-10", id="received-on-the-worked-10-jan-zero-days"),
    pytest.param("2026-01-09 10:00", 2, "2026-01-12", id="two-days-from-9-jan-2026-count-the-worked-10-jan"),
    # 2025's swap.
    pytest.param("2025-04-25 10:00", 1, "2025-04-26", id="saturday-26-apr-2025-is-worked"),
    pytest.param("2025-04-29 10:00", 1, "2025-05-05", id="30-4-to-2-5-2025-are-skipped"),
    # Tết 2026.
    pytest.param("2026-02-13 10:00", 5, "2026-02-27", id="tet-2026-five-days-from-the-friday-before"),
    pytest.param("2026-02-12 10:00", 3, "2026-02-24", id="tet-2026-three-days-from-the-thursday-before"),
    pytest.param("2026-02-13 15:30", 1, "2026-02-24", id="tet-2026-friday-after-cut-off-counts-from-23-feb"),
    pytest.param("2026-02-18 09:00", 0, "2026-02-23", id="tet-2026-received-during-tet-due-after-it"),
    # Tết 2027.
    pytest.param("2027-02-03 09:00", 2, "2027-02-12", id="tet-2027-two-days-from-the-day-before"),
    pytest.param("2027-02-03 15:00", 1, "2027-02-12", id="tet-2027-after-cut-off-counts-from-11-feb"),
    # Giỗ Tổ and 30/4–1/5.
    pytest.param("2026-04-24 10:00", 1, "2026-04-28", id="gio-to-2026-observed-monday-is-skipped"),
    pytest.param("2026-04-28 10:00", 2, "2026-05-04", id="30-4-and-1-5-2026-are-skipped"),
    pytest.param("2026-04-29 16:00", 0, "2026-05-04", id="after-cut-off-before-30-4-is-due-4-may"),
    pytest.param("2026-04-29 16:00", 3, "2026-05-07", id="after-cut-off-before-30-4-three-days"),
    pytest.param("2027-04-15 10:00", 1, "2027-04-19", id="gio-to-2027-friday-is-skipped"),
    pytest.param("2027-04-29 10:00", 1, "2027-05-04", id="30-4-and-observed-1-5-2027-are-skipped"),
    # 2/9 2026 and its swapped days.
    pytest.param("2026-08-28 10:00", 1, "2026-09-03", id="2-9-2026-with-31-aug-off"),
    pytest.param("2026-08-21 10:00", 1, "2026-08-22", id="saturday-22-aug-2026-is-worked"),
    pytest.param("2026-08-22 10:00", 0, "2026-08-22", id="received-on-the-worked-saturday-zero-days"),
    # 24/11: the province's to say (below); without a row of its calendar, a working day.
    pytest.param("2026-11-23 10:00", 1, "2026-11-24", id="24-nov-2026-is-worked-unless-the-province-says"),
    pytest.param("2027-11-23 10:00", 1, "2027-11-24", id="24-nov-2027-is-worked-unless-the-province-says"),
    pytest.param("2025-11-21 10:00", 1, "2025-11-24", id="24-nov-2025-was-still-a-working-day"),
    # New Year.
    pytest.param("2026-12-31 10:00", 1, "2027-01-04", id="new-year-2027-is-skipped"),
]


@pytest.mark.parametrize(("received", "days", "due_day"), DUE_DATES)
def test_the_due_date_counts_working_days_from_reception(received: str, days: int, due_day: str) -> None:
    assert NO_PROVINCE_DAYS.due_at(at(received), days) == due(due_day)


@pytest.mark.parametrize(
    ("received_utc", "due_day"),
    [
        pytest.param("2026-03-02 07:59", "2026-03-09", id="14-59-in-vietnam"),
        pytest.param("2026-03-02 08:00", "2026-03-10", id="15-00-in-vietnam"),
    ],
)
def test_the_cut_off_is_in_vietnam_time_whatever_the_time_zone_of_the_reception(
    received_utc: str, due_day: str
) -> None:
    assert NO_PROVINCE_DAYS.due_at(at(received_utc, UTC), 5) == due(due_day)


# --- The province's own days ---------------------------------------------------------------------------------

PROVINCE_DAYS = [
    # (province day, kind, received at, processing days, due day)
    pytest.param(
        "2026-03-10", DayKind.DAY_OFF, "2026-03-09 10:00", 1, "2026-03-11", id="an-extra-day-off-is-skipped"
    ),
    pytest.param(
        "2026-03-09", DayKind.DAY_OFF, "2026-03-09 10:00", 0, "2026-03-10", id="received-on-an-extra-day-off"
    ),
    pytest.param(
        "2026-10-10",
        DayKind.WORKING_DAY,
        "2026-10-09 10:00",
        1,
        "2026-10-10",
        id="a-make-up-saturday-is-worked",
    ),
    pytest.param(
        "2026-10-10",
        DayKind.WORKING_DAY,
        "2026-10-10 09:00",
        0,
        "2026-10-10",
        id="received-on-a-make-up-saturday",
    ),
    pytest.param(
        "2026-08-22",
        DayKind.DAY_OFF,
        "2026-08-21 10:00",
        1,
        "2026-08-24",
        id="the-province-may-give-a-national-make-up-saturday-off",
    ),
    pytest.param(
        "2026-11-24",
        DayKind.DAY_OFF,
        "2026-11-23 10:00",
        1,
        "2026-11-25",
        id="the-province-says-24-nov-is-a-day-off",
    ),
    pytest.param(
        "2026-01-10",
        DayKind.DAY_OFF,
        "2026-01-09 10:00",
        1,
        "2026-01-12",
        id="the-province-may-give-an-announced-working-saturday-off",
    ),
]


@pytest.mark.parametrize(("day", "kind", "received", "days", "due_day"), PROVINCE_DAYS)
def test_the_provinces_calendar_days_change_the_due_date(
    db: Any, day: str, kind: str, received: str, days: int, due_day: str
) -> None:
    CalendarDay.objects.create(date=date.fromisoformat(day), kind=kind, note="Quyết định của UBND tỉnh")

    assert Calendar().due_at(at(received), days) == due(due_day)


def test_a_province_day_added_later_is_used_by_the_next_calendar(db: Any) -> None:
    assert Calendar().due_at(at("2026-03-09 10:00"), 1) == due("2026-03-10")

    CalendarDay.objects.create(date=date(2026, 3, 10), kind=DayKind.DAY_OFF)

    assert Calendar().due_at(at("2026-03-09 10:00"), 1) == due("2026-03-11")


# Where the portal's national calendar differs from the holidays package: the Government's 2026 announcement, and
# 24 November, which the package counts off and the portal leaves to the province.
DIFFERS_FROM_THE_PACKAGE = {
    date(2026, 1, 2): "off",
    date(2026, 1, 10): "working",
    date(2026, 11, 24): "working",
    date(2027, 11, 24): "working",
}


def _is_day_off(day: date) -> bool:
    """An oracle from the package and the differences above: a weekend not worked in a swap, or a public holiday."""
    if day in DIFFERS_FROM_THE_PACKAGE:
        return DIFFERS_FROM_THE_PACKAGE[day] == "off"
    return _package_says_off(day)


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_the_national_calendar_differs_from_the_holidays_package_only_on_the_announced_days(
    year: int,
) -> None:
    days = map(date.fromordinal, range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()))

    differing = {day for day in days if NO_PROVINCE_DAYS.is_working_day(day) == _package_says_off(day)}

    assert differing == {day for day in DIFFERS_FROM_THE_PACKAGE if day.year == year}


def _package_says_off(day: date) -> bool:
    """The package alone: a weekend not worked in a swap, or a public holiday."""
    national = holidays.country_holidays("VN", years=day.year)
    return day not in national.weekend_workdays and (day.weekday() >= 5 or day in national)


@pytest.mark.parametrize("year", sorted(ANNOUNCED))
def test_each_announced_year_names_weekdays_off_saturdays_worked_and_its_source(year: int) -> None:
    announced = ANNOUNCED[year]

    assert announced.source
    assert {day.year for day in announced.days_off | announced.working_days} == {year}
    assert all(day.weekday() < 5 for day in announced.days_off)
    assert all(day.weekday() == 5 for day in announced.working_days)


@pytest.mark.parametrize("days", [0, 1, 3])
def test_a_due_date_never_falls_on_a_day_off(days: int) -> None:
    first = datetime(2026, 1, 1, 10, tzinfo=VN)
    receptions = [first + timedelta(days=n, hours=hours) for n in range(2 * 365) for hours in (0, 6)]

    on_a_day_off = [
        (received, NO_PROVINCE_DAYS.due_at(received, days).date())
        for received in receptions
        if _is_day_off(NO_PROVINCE_DAYS.due_at(received, days).date())
    ]

    assert on_a_day_off == []


# --- Supplement pauses ---------------------------------------------------------------------------------------

PAUSES = [
    # (due, paused at, resumed at, new due day)
    pytest.param(
        "2026-03-13", "2026-03-10 10:00", "2026-03-12 10:00", "2026-03-17", id="tuesday-to-thursday-is-two"
    ),
    pytest.param(
        "2026-03-13", "2026-03-10 09:00", "2026-03-10 16:00", "2026-03-13", id="the-same-day-is-nothing"
    ),
    pytest.param(
        "2026-04-28", "2026-04-23 10:00", "2026-04-29 10:00", "2026-05-05", id="across-gio-to-and-30-4"
    ),
    pytest.param(
        "2026-02-25", "2026-02-13 10:00", "2026-02-23 10:00", "2026-02-26", id="across-tet-2026-is-one"
    ),
    pytest.param(
        "2026-03-13", "2026-03-06 16:00", "2026-03-09 08:00", "2026-03-16", id="friday-to-monday-is-one"
    ),
]


@pytest.mark.parametrize(("due_day", "paused", "resumed", "new_due_day"), PAUSES)
def test_the_working_days_spent_waiting_for_a_supplement_are_added_to_the_due_date(
    due_day: str, paused: str, resumed: str, new_due_day: str
) -> None:
    assert NO_PROVINCE_DAYS.extend_for_pause(due(due_day), at(paused), at(resumed)) == due(new_due_day)


# --- Due soon, overdue, early / on time / late ---------------------------------------------------------------

DUE_SOON = [
    # (due day, now, due soon)
    pytest.param("2026-03-09", "2026-03-06 10:00", True, id="due-monday-seen-on-friday"),
    pytest.param("2026-03-10", "2026-03-06 10:00", False, id="due-tuesday-seen-on-friday"),
    pytest.param("2026-03-09", "2026-03-09 16:59", True, id="due-today"),
    pytest.param("2026-03-09", "2026-03-09 17:00", False, id="overdue-is-not-due-soon"),
    pytest.param("2026-02-23", "2026-02-13 10:00", True, id="due-on-the-first-day-after-tet"),
    pytest.param("2026-02-24", "2026-02-13 10:00", False, id="due-on-the-second-day-after-tet"),
    pytest.param("2026-03-20", "2026-03-06 10:00", False, id="due-in-two-weeks"),
]


@pytest.mark.parametrize(("due_day", "now", "soon"), DUE_SOON)
def test_a_dossier_is_due_soon_by_the_end_of_the_next_working_day(due_day: str, now: str, soon: bool) -> None:
    assert NO_PROVINCE_DAYS.is_due_soon(due(due_day), at(now)) is soon


TIMELINESS = [
    # (due day, returned at, timeliness)
    pytest.param("2026-03-09", "2026-03-06 10:00", "early", id="days-before"),
    pytest.param("2026-03-09", "2026-03-08 23:30", "early", id="the-evening-before-in-vietnam"),
    pytest.param("2026-03-09", "2026-03-09 00:30", "on_time", id="just-after-midnight-of-the-due-day"),
    pytest.param("2026-03-09", "2026-03-09 09:00", "on_time", id="in-the-morning-of-the-due-day"),
    pytest.param("2026-03-09", "2026-03-09 17:00", "on_time", id="at-the-due-time"),
    pytest.param("2026-03-09", "2026-03-09 17:01", "late", id="a-minute-late"),
    pytest.param("2026-03-09", "2026-03-10 08:00", "late", id="the-next-morning"),
]


@pytest.mark.parametrize(("due_day", "returned", "expected"), TIMELINESS)
def test_a_returned_result_was_early_on_time_or_late(due_day: str, returned: str, expected: str) -> None:
    assert timeliness(due(due_day), at(returned)) == expected


def test_the_evening_before_is_early_even_when_the_return_is_stored_in_utc() -> None:
    returned = at("2026-03-08 16:30", UTC)  # 23:30 on 8 March in Vietnam

    assert timeliness(due("2026-03-09"), returned) == "early"


@pytest.mark.parametrize(
    ("due_at", "returned_at"), [(None, at("2026-03-09 09:00")), (due("2026-03-09"), None)]
)
def test_there_is_no_timeliness_without_a_due_date_and_a_return(due_at: Any, returned_at: Any) -> None:
    assert timeliness(due_at, returned_at) is None


# --- The clock through the workflow -------------------------------------------------------------------------


@pytest.fixture
def five_day_version(agency_a: Any) -> Any:
    return ProcedureVersionFactory(published=True, agency=agency_a, processing_days=5)


@pytest.fixture
def submitted(five_day_version: Any, citizen: Any) -> Dossier:
    dossier = DossierFactory(version=five_day_version, applicant=citizen, submitted=True)
    attach_required_papers(dossier)
    return dossier


def act(dossier: Dossier, action: str, actor: Any, now: str, **params: Any) -> Dossier:
    given = workflow.TRANSITIONS[action].input(**params)
    return workflow.apply(dossier_id=dossier.pk, action=action, actor=actor, input=given, now=at(now))


@pytest.mark.parametrize(
    ("received", "due_day"),
    [
        ("2026-03-02 10:00", "2026-03-09"),
        ("2026-03-02 15:00", "2026-03-10"),
        ("2026-02-13 10:00", "2026-02-27"),
    ],
)
def test_receiving_a_dossier_starts_its_clock(
    submitted: Dossier, receiver: Any, received: str, due_day: str
) -> None:
    dossier = act(submitted, "receive", receiver, received)

    dossier.refresh_from_db()
    assert (dossier.received_at, dossier.due_at) == (at(received), due(due_day))


def test_a_supplement_asked_during_assessment_pauses_the_clock_until_the_citizen_resubmits(
    submitted: Dossier, receiver: Any, assessor: Any, citizen: Any
) -> None:
    act(submitted, "receive", receiver, "2026-03-02 10:00")  # due Mon 9 March

    act(submitted, "request_supplement", assessor, "2026-03-03 10:00", comment="Thiếu bản sao giấy khai sinh")
    submitted.refresh_from_db()
    assert submitted.state == State.SUPPLEMENT_REQUESTED
    assert submitted.paused_at == at("2026-03-03 10:00")
    assert submitted.due_at == due("2026-03-09")

    act(submitted, "resubmit", citizen, "2026-03-05 10:00")  # Tue and Wed were the citizen's
    submitted.refresh_from_db()
    assert submitted.state == State.ASSESSING
    assert submitted.paused_at is None
    assert submitted.due_at == due("2026-03-11")


def test_a_supplement_asked_at_reception_pauses_nothing_and_the_clock_starts_at_reception(
    submitted: Dossier, receiver: Any, citizen: Any
) -> None:
    act(submitted, "request_supplement", receiver, "2026-03-02 10:00", comment="Thiếu tờ khai")
    submitted.refresh_from_db()
    assert (submitted.state, submitted.paused_at, submitted.due_at) == (
        State.SUPPLEMENT_REQUESTED,
        None,
        None,
    )

    act(submitted, "resubmit", citizen, "2026-03-04 10:00")
    submitted.refresh_from_db()
    assert (submitted.state, submitted.due_at) == (State.SUBMITTED, None)

    act(submitted, "receive", receiver, "2026-03-04 11:00")
    submitted.refresh_from_db()
    assert submitted.due_at == due("2026-03-11")
