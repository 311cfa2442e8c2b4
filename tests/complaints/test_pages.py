"""The complaint section of the dossier pages: the applicant files one and reads the answer on their page, staff
answer on the console's dossier page, and the console counts and lists the agency's open ones."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AccessLog
from complaints import hooks
from complaints.models import Complaint
from complaints.panels import complaints_panel
from dossiers.panels import PANELS
from portal.hooks import AlreadyRegistered
from tests.english import in_english
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = in_english(Client())
    client.force_login(user)
    return client


def test_the_applicant_files_a_complaint_from_their_dossier_page(citizen: Any, dossier: Any) -> None:
    client = _client(citizen)
    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert f'action="/dossiers/{dossier.pk}/complaints/"' in page
    response = client.post(
        f"/dossiers/{dossier.pk}/complaints/", {"text": "Chưa nhận được kết quả."}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/dossiers/{dossier.pk}/"
    page = response.content.decode()
    complaint = Complaint.objects.get(dossier=dossier)
    assert "Chưa nhận được kết quả." in page and f'id="complaint-{complaint.pk}"' in page
    assert complaint.due_at.astimezone(timezone.get_default_timezone()).strftime("%d/%m/%Y") in page


def test_an_empty_complaint_is_not_filed(citizen: Any, dossier: Any) -> None:
    response = _client(citizen).post(f"/dossiers/{dossier.pk}/complaints/", {"text": "  "}, follow=True)
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert "This field is required." in response.content.decode()


def test_a_draft_has_no_complaint_form_and_takes_none(citizen: Any, version_a: Any) -> None:
    draft = DossierFactory(version=version_a, applicant=citizen)
    client = _client(citizen)
    assert "/complaints/" not in client.get(f"/dossiers/{draft.pk}/").content.decode()
    assert client.post(f"/dossiers/{draft.pk}/complaints/", {"text": "x"}).status_code == 409


def test_another_citizens_dossier_takes_no_complaint(citizen2: Any, dossier: Any) -> None:
    assert _client(citizen2).post(f"/dossiers/{dossier.pk}/complaints/", {"text": "x"}).status_code == 404
    assert not Complaint.objects.exists()


def test_staff_answer_on_the_console_and_the_applicant_reads_it_from_the_agency(
    citizen: Any, assessor: Any, dossier: Any, make_complaint: Any
) -> None:
    complaint = make_complaint(dossier)
    console = _client(assessor)
    page = console.get(f"/console/dossiers/{dossier.pk}/").content.decode()
    assert complaint.text in page and f'action="/console/complaints/{complaint.pk}/answer/"' in page
    response = console.post(
        f"/console/complaints/{complaint.pk}/answer/", {"text": "Đã trả kết quả hôm nay."}
    )
    assert response.status_code == 302 and response["Location"] == f"/console/dossiers/{dossier.pk}/"
    complaint.refresh_from_db()
    assert complaint.state == "answered" and complaint.answered_by == assessor
    page = _client(citizen).get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Đã trả kết quả hôm nay." in page and dossier.agency.name in page
    assert assessor.username not in page
    again = console.post(f"/console/complaints/{complaint.pk}/answer/", {"text": "Lần hai."})
    assert again.status_code == 409


def test_staff_of_another_agency_cannot_answer(assessor_b: Any, dossier: Any, make_complaint: Any) -> None:
    complaint = make_complaint(dossier)
    response = _client(assessor_b).post(f"/console/complaints/{complaint.pk}/answer/", {"text": "x"})
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.state == "open"


def test_the_console_counts_and_lists_the_agencys_open_complaints(
    assessor: Any, assessor_b: Any, dossier: Any, make_complaint: Any
) -> None:
    make_complaint(dossier)
    late = make_complaint(dossier, due_at=timezone.now() - timedelta(hours=2))
    queue = _client(assessor).get("/console/queue/assess/").content.decode()
    assert "2 open complaints" in queue and "1 overdue" in queue
    listing = _client(assessor).get("/console/complaints/").content.decode()
    assert f"/console/dossiers/{dossier.pk}/#complaint-{late.pk}" in listing
    assert AccessLog.objects.filter(user=assessor, dossier=dossier, detail=f"complaint {late.pk}").exists()
    assert "0 open complaints" in _client(assessor_b).get("/console/queue/assess/").content.decode()
    assert str(dossier.code) not in _client(assessor_b).get("/console/complaints/").content.decode()


def test_the_section_joins_the_dossier_pages_through_the_panels_hook() -> None:
    assert complaints_panel in list(PANELS)
    with pytest.raises(AlreadyRegistered):
        hooks.register()
