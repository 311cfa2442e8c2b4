"""The complaints API (API.md): filing, answering once, reading and listing, as the policy says."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.models import AccessLog
from complaints.models import Complaint
from dossiers.sla import Calendar
from tests.contract import assert_error
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db
TEXT = {"text": "Quá hạn hẹn mà chưa có kết quả."}


def _file(api: Any, user: Any, dossier: Any, body: dict[str, Any] | None = None) -> Any:
    return api(user).post(
        f"/api/v1/dossiers/{dossier.pk}/complaints/", TEXT if body is None else body, format="json"
    )


def test_the_applicant_files_a_complaint_due_in_ten_working_days(
    api: Any, citizen: Any, dossier: Any
) -> None:
    response = _file(api, citizen, dossier)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "open" and body["dossier"] == dossier.pk and body["text"] == TEXT["text"]
    complaint = Complaint.objects.get(pk=body["id"])
    assert complaint.due_at == Calendar().due_at(complaint.filed_at, 10)
    assert parse_datetime(body["due_at"]) == complaint.due_at
    assert body["overdue"] is False and body["answer"] == "" and body["answered_at"] is None


def test_the_deadline_is_the_provinces_setting(api: Any, citizen: Any, dossier: Any, settings: Any) -> None:
    settings.COMPLAINT_ANSWER_DAYS = 3
    complaint = Complaint.objects.get(pk=_file(api, citizen, dossier).json()["id"])
    assert complaint.due_at == Calendar().due_at(complaint.filed_at, 3)


def test_a_draft_takes_no_complaint(api: Any, citizen: Any, version_a: Any) -> None:
    draft = DossierFactory(version=version_a, applicant=citizen)
    assert_error(_file(api, citizen, draft), 409, "invalid_state")


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 4001}, {"text": ["a"]}])
def test_a_complaint_without_a_readable_text_is_400(
    api: Any, citizen: Any, dossier: Any, body: dict[str, Any]
) -> None:
    assert_error(_file(api, citizen, dossier, body), 400)
    assert not Complaint.objects.exists()


def test_another_citizen_cannot_file_on_a_dossier_not_theirs(api: Any, citizen2: Any, dossier: Any) -> None:
    assert_error(_file(api, citizen2, dossier), 404, "not_found")


def test_staff_do_not_file_complaints(api: Any, assessor: Any, dossier: Any) -> None:
    assert_error(_file(api, assessor, dossier), 403, "permission_denied")


def test_anonymous_visitors_log_in_first(anonymous: Any, dossier: Any) -> None:
    assert_error(anonymous.post(f"/api/v1/dossiers/{dossier.pk}/complaints/", TEXT, format="json"), 401)


def test_staff_of_the_agency_answer_once(
    api: Any, assessor: Any, citizen: Any, dossier: Any, make_complaint: Any
) -> None:
    complaint = make_complaint(dossier)
    response = api(assessor).post(
        f"/api/v1/complaints/{complaint.pk}/answer/", {"text": "Đã trả."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "answered" and response.json()["answer"] == "Đã trả."
    complaint.refresh_from_db()
    assert complaint.answered_by == assessor and complaint.answered_at is not None
    again = api(assessor).post(
        f"/api/v1/complaints/{complaint.pk}/answer/", {"text": "Lần hai"}, format="json"
    )
    assert_error(again, 409, "already_answered")
    mine = api(citizen).get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert mine["answer"] == "Đã trả."


def test_an_answer_needs_a_text(api: Any, assessor: Any, dossier: Any, make_complaint: Any) -> None:
    complaint = make_complaint(dossier)
    assert_error(api(assessor).post(f"/api/v1/complaints/{complaint.pk}/answer/", {}, format="json"), 400)


@pytest.mark.parametrize(("persona", "status"), [("citizen", 403), ("leader", 403), ("assessor_b", 404)])
def test_only_the_competent_agency_answers(
    request: pytest.FixtureRequest, api: Any, dossier: Any, make_complaint: Any, persona: str, status: int
) -> None:
    complaint = make_complaint(dossier)
    user = request.getfixturevalue(persona)
    response = api(user).post(f"/api/v1/complaints/{complaint.pk}/answer/", TEXT, format="json")
    assert_error(response, status)
    complaint.refresh_from_db()
    assert complaint.state == "open"


def test_another_s_complaint_is_answered_like_an_unknown_one(
    api: Any, citizen2: Any, dossier: Any, make_complaint: Any
) -> None:
    complaint = make_complaint(dossier)
    theirs = api(citizen2).get(f"/api/v1/complaints/{complaint.pk}/")
    unknown = api(citizen2).get("/api/v1/complaints/987654321/")
    assert_error(theirs, 404)
    assert_error(unknown, 404)
    assert theirs.json() == unknown.json()


def test_the_list_is_the_callers_and_filters_by_state(
    api: Any, citizen: Any, citizen2: Any, assessor: Any, assessor_b: Any, dossier: Any, make_complaint: Any
) -> None:
    open_one = make_complaint(dossier)
    answered = make_complaint(dossier, answered_at=timezone.now())

    def ids(user: Any, query: str = "") -> list[int]:
        return [row["id"] for row in api(user).get(f"/api/v1/complaints/{query}").json()["results"]]

    assert ids(citizen) == [answered.pk, open_one.pk]
    assert ids(citizen, "?state=open") == [open_one.pk]
    assert ids(assessor, "?state=answered") == [answered.pk]
    assert ids(citizen2) == [] and ids(assessor_b) == []
    assert_error(api(citizen).get("/api/v1/complaints/?state=closed"), 400)


def test_the_list_pages_with_a_cursor(api: Any, citizen: Any, dossier: Any, make_complaint: Any) -> None:
    made = [make_complaint(dossier) for _ in range(3)]
    first = api(citizen).get("/api/v1/complaints/?page_size=2").json()
    assert [r["id"] for r in first["results"]] == [made[2].pk, made[1].pk] and first["next"]
    second = api(citizen).get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [made[0].pk] and second["next"] is None


def test_a_dossiers_complaints_are_listed_on_it(
    api: Any, citizen: Any, leader: Any, dossier: Any, make_complaint: Any
) -> None:
    first, second = make_complaint(dossier), make_complaint(dossier)
    for user in (citizen, leader):
        rows = api(user).get(f"/api/v1/dossiers/{dossier.pk}/complaints/").json()
        assert [r["id"] for r in rows] == [first.pk, second.pk]


def test_every_read_by_staff_is_logged_and_the_applicants_are_not(
    api: Any, citizen: Any, assessor: Any, leader: Any, dossier: Any, make_complaint: Any
) -> None:
    complaint = make_complaint(dossier)
    for user in (citizen, assessor, leader):
        api(user).get(f"/api/v1/complaints/{complaint.pk}/")
        api(user).get("/api/v1/complaints/")
        api(user).get(f"/api/v1/dossiers/{dossier.pk}/complaints/")
    logged = list(AccessLog.objects.filter(dossier=dossier).values_list("user__username", "what", "detail"))
    assert sorted(logged) == sorted(
        [
            (who, "dossier", detail)
            for who in ("assessor", "leader")
            for detail in (f"complaint {complaint.pk}", f"complaint {complaint.pk}", "complaints")
        ]
    )


def test_an_open_complaint_past_its_due_time_is_overdue(
    api: Any, citizen: Any, dossier: Any, make_complaint: Any
) -> None:
    late = make_complaint(dossier, due_at=timezone.now() - timedelta(hours=1))
    assert api(citizen).get(f"/api/v1/complaints/{late.pk}/").json()["overdue"] is True
