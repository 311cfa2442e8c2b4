"""The service index's pages: the leaders' dashboard and its scope, its exports and dossier page, the public page
linked from every page's footer; ratings that dislike with a reason; the applicant told of a complaint's answer."""

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AccessLog
from complaints import services as complaints
from notifications.models import Message
from stats import selectors, services
from tests.english import in_english
from tests.factories import AgencyFactory, DossierFactory, ProcedureVersionFactory
from tests.stats.conftest import add_complaint


def _client(user: Any) -> Client:
    client = in_english(Client())
    client.force_login(user)
    return client


@pytest.fixture
def world(agency_a: Any, agency_b: Any, citizen: Any) -> dict[str, Any]:
    late = DossierFactory(
        version=ProcedureVersionFactory(published=True, agency=agency_a),
        applicant=citizen,
        received=True,
        due_at=timezone.now() - datetime.timedelta(days=3),
    )
    other = DossierFactory(
        version=ProcedureVersionFactory(published=True, agency=agency_b), applicant=citizen, returned=True
    )
    complaint = add_complaint(other, due_in_hours=-5)
    services.rebuild()
    return {"late": late, "other": other, "complaint": complaint}


def test_a_leader_sees_the_province_its_groups_indicators_charts_league_and_overdue_lists(
    leader: Any, world: dict[str, Any]
) -> None:
    response = _client(leader).get("/dashboard/")

    assert response.status_code == 200
    page = response.content.decode()
    for words in (
        "Transparency",
        "Progress",
        "Online payment",
        "Digitisation",
        "Satisfaction",
        "Not known to the portal",
        "Agencies' league table",
        'id="dashboard-chart"',
        "vendor/chartjs/chart.umd",
        "Sở Tư pháp",
        "Sở Xây dựng",
    ):
        assert words in page
    assert page.count('class="chart-table"') == 6  # a table under each chart
    assert f'href="/dashboard/dossiers/{world["late"].pk}/"' in page  # the overdue dossier leads to its page
    assert (
        f'href="/dashboard/dossiers/{world["other"].pk}/"' in page
    )  # ... and the overdue complaint to its own
    assert "<script>" not in page and "style=" not in page


def test_staff_see_their_agency_and_its_children_and_a_citizen_is_refused(
    receiver: Any, citizen: Any, agency_a: Any, agency_b: Any, world: dict[str, Any]
) -> None:
    AgencyFactory(code="H12.01.7", name="Phòng con", parent=agency_a)
    staff = _client(receiver)

    page = staff.get("/dashboard/").content.decode()
    assert world["late"].code in page and world["other"].code not in page
    assert 'value="H12.01.7"' in page and f'value="{agency_b.code}"' not in page
    assert f'href="/console/dossiers/{world["late"].pk}/"' in page
    assert staff.get("/dashboard/", {"agency": agency_b.code}).status_code == 403
    assert _client(citizen).get("/dashboard/").status_code == 403
    assert Client().get("/dashboard/").status_code == 302


def test_a_bad_filter_shows_the_page_with_its_reason(leader: Any, world: dict[str, Any]) -> None:
    response = _client(leader).get("/dashboard/", {"from": "2026-13-45"})

    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


def test_the_dashboard_exports_its_figures(leader: Any, world: dict[str, Any]) -> None:
    client = _client(leader)

    assert client.get("/dashboard/", {"format": "csv"})["Content-Type"].startswith("text/csv")
    book = load_workbook(io.BytesIO(client.get("/dashboard/", {"format": "xlsx"}).content))
    assert any(row[0] == "2.1" for row in book.active.iter_rows(values_only=True))


def test_the_leaders_dossier_page_shows_no_one_personal_and_logs_the_read(
    leader: Any, citizen: Any, world: dict[str, Any]
) -> None:
    response = _client(leader).get(f"/dashboard/dossiers/{world['other'].pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert world["other"].code in page and "Chậm" in page  # its complaint
    assert world["other"].applicant_data["id_number"] not in page
    assert AccessLog.objects.filter(dossier=world["other"], user=leader).exists()
    assert _client(citizen).get(f"/dashboard/dossiers/{world['other'].pk}/").status_code == 403


def test_every_page_links_the_service_index_from_its_footer(client: Any, db: Any) -> None:
    for path in ("/", "/procedures/", "/dossiers/lookup/"):
        page = in_english(client).get(path).content.decode()
        assert 'href="/service-index/"' in page and "as the national index scores it" in page


def test_the_public_page_shows_each_agencys_rates_by_month_and_the_definitions(
    client: Any, world: dict[str, Any]
) -> None:
    page = in_english(client).get("/service-index/").content.decode()

    assert "Sở Tư pháp" in page and "Sở Xây dựng" in page
    assert "On time by month" in page and "How the index is counted" in page
    assert "Not known to the portal" in page
    assert world["late"].applicant_data["full_name"] not in page and world["late"].code not in page
    assert in_english(client).get("/service-index/", {"from": "nope"}).status_code == 400


def test_a_rating_may_dislike_the_service_with_a_reason(
    api: Any, citizen: Any, world: dict[str, Any]
) -> None:
    response = api(citizen).post(
        f"/api/v1/dossiers/{world['other'].pk}/rating/", {"score": 2, "dislike_reason": "slow"}, format="json"
    )

    assert response.status_code == 201 and response.json()["dislike_reason"] == "slow"
    assert selectors.index(services_scope())["totals"]["disliked"] == 1  # counted at once


def test_a_dislike_with_an_unknown_reason_is_refused(api: Any, citizen: Any, world: dict[str, Any]) -> None:
    response = api(citizen).post(
        f"/api/v1/dossiers/{world['other'].pk}/rating/", {"score": 2, "dislike_reason": "meh"}, format="json"
    )

    assert response.status_code == 400
    assert not hasattr(type(world["other"]).objects.get(pk=world["other"].pk), "rating_cache")


def test_the_applicant_is_told_of_the_answer_to_their_complaint(
    citizen: Any, assessor: Any, world: dict[str, Any], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the task runs in process, also where REDIS_URL is set
    complaint = complaints.complaint_file(dossier_id=world["late"].pk, actor=citizen, text="Quá hạn rồi")

    with django_capture_on_commit_callbacks(execute=True):
        complaints.complaint_answer(complaint_id=complaint.pk, actor=assessor, text="Sẽ trả trong hôm nay")

    told = Message.objects.filter(event="complaint_answered", recipient=citizen)
    assert told.exists()
    assert "portal" in {m.channel for m in told}  # and each channel the citizen can be reached by
    assert all(world["late"].code in m.body for m in told)
    assert all("Sẽ trả trong hôm nay" in m.body for m in told if m.channel != "sms")  # an SMS is kept short


def services_scope() -> Any:
    from tests.stats.conftest import this_month

    return this_month()
