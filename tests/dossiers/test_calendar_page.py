"""The province admin's calendar page: the province says which days are off or worked (24 November among them), and
the next due date counts from it; nobody else may change it."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dossiers.constants import DayKind
from dossiers.models import CalendarChange, CalendarDay
from dossiers.sla import Calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE = "/manage/calendar/"


def test_the_province_admin_makes_24_november_a_day_off_and_due_dates_skip_it(
    client: Any, province_admin: Any
) -> None:
    client.force_login(province_admin)
    received = datetime(2026, 11, 23, 10, tzinfo=VN)
    assert Calendar().due_at(received, 1).date() == date(2026, 11, 24)

    response = client.post(
        PAGE, {"date": "2026-11-24", "kind": DayKind.DAY_OFF, "note": "Ngày Văn hóa Việt Nam"}
    )

    assert response.status_code == 302
    assert Calendar().due_at(received, 1).date() == date(2026, 11, 25)
    assert "Ngày Văn hóa Việt Nam" in client.get(PAGE).content.decode()


def test_the_province_admin_gives_a_day_back_to_the_national_calendar(
    client: Any, province_admin: Any
) -> None:
    CalendarDay.objects.create(date=date(2026, 11, 24), kind=DayKind.DAY_OFF)
    client.force_login(province_admin)

    response = client.post(f"{PAGE}2026-11-24/remove/")

    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert Calendar().is_working_day(date(2026, 11, 24))


def test_saving_a_day_again_replaces_what_the_province_said_of_it(client: Any, province_admin: Any) -> None:
    client.force_login(province_admin)

    client.post(PAGE, {"date": "2026-11-24", "kind": DayKind.DAY_OFF})
    client.post(PAGE, {"date": "2026-11-24", "kind": DayKind.WORKING_DAY, "note": "Luật chưa sửa"})

    assert list(CalendarDay.objects.values_list("date", "kind", "note")) == [
        (date(2026, 11, 24), DayKind.WORKING_DAY, "Luật chưa sửa")
    ]


@pytest.mark.parametrize("persona", ["citizen", "receiver", "approver", "leader"])
def test_no_one_else_may_change_the_calendar(
    client: Any, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"date": "2026-11-24", "kind": DayKind.DAY_OFF}).status_code == 403
    assert not CalendarDay.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client: Any, db: Any) -> None:
    assert client.get(PAGE).status_code == 302


def test_every_change_to_the_calendar_is_kept_with_who_and_what_the_day_was(
    client: Any, province_admin: Any
) -> None:
    client.force_login(province_admin)

    client.post(PAGE, {"date": "2026-11-24", "kind": DayKind.DAY_OFF, "note": "Ngày Văn hóa Việt Nam"})
    client.post(PAGE, {"date": "2026-11-24", "kind": DayKind.DAY_OFF, "note": "Ngày Văn hóa Việt Nam"})
    client.post(PAGE, {"date": "2026-11-24", "kind": DayKind.WORKING_DAY, "note": "Luật chưa sửa"})
    client.post(f"{PAGE}2026-11-24/remove/")

    changes = list(
        CalendarChange.objects.order_by("id").values_list(
            "date", "kind_before", "kind_after", "note", "actor"
        )
    )
    # Saving the same day the same way again changes nothing, so it is not a change.
    assert changes == [
        (date(2026, 11, 24), "", DayKind.DAY_OFF, "Ngày Văn hóa Việt Nam", province_admin.pk),
        (date(2026, 11, 24), DayKind.DAY_OFF, DayKind.WORKING_DAY, "Luật chưa sửa", province_admin.pk),
        (date(2026, 11, 24), DayKind.WORKING_DAY, "", "", province_admin.pk),
    ]
    page = client.get(PAGE).content.decode()
    assert page.count("24/11/2026") >= 3
    assert "Luật chưa sửa" in page


def test_removing_a_day_the_province_never_set_writes_no_history(client: Any, province_admin: Any) -> None:
    client.force_login(province_admin)

    assert client.post(f"{PAGE}2026-11-24/remove/").status_code == 302

    assert not CalendarChange.objects.exists()


def test_a_bad_date_changes_nothing(client: Any, province_admin: Any) -> None:
    client.force_login(province_admin)

    assert client.post(PAGE, {"date": "24/13/2026", "kind": DayKind.DAY_OFF}).status_code == 200
    assert client.post(PAGE, {"date": "2026-11-24", "kind": "holiday"}).status_code == 200
    assert client.post(f"{PAGE}not-a-date/remove/").status_code == 404

    assert not CalendarDay.objects.exists()
    assert not CalendarChange.objects.exists()
