"""The dossier services a citizen and a counter clerk rely on: uploads, give-once, walk-in filing, no administrative
boundaries, and the public lookup by code and key."""

import hashlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import Profile
from dossiers import history, schedule, services, workflow
from dossiers.models import Document, Dossier
from payments.services import counter_payment_record
from portal.errors import InvalidState
from procedures.constants import FeeDue
from procedures.models import Fee
from tests.dossiers.conftest import PDF_BYTES, PNG_BYTES, attach_required_papers, multipart
from tests.factories import DossierFactory, ProcedureVersionFactory

APPLICANT = {
    "full_name": "Nguyễn Văn An",
    "id_number": "001088000123",
    "date_of_birth": "1988-05-17",
    "phone": "0912345678",
    "email": "an.nguyen@example.vn",
    "address": "12 Lê Lợi, phường Hòa Bình",
}
FORM = {"full_name": "Nguyễn Văn An", "sex": "Nam"}


def documents_url(dossier: Any) -> str:
    return f"/api/v1/dossiers/{getattr(dossier, 'pk', dossier)}/documents/"


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.fixture
def draft(version_a: Any, citizen: Any) -> Dossier:
    return DossierFactory(version=version_a, applicant=citizen)


# --- Uploads -------------------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_as_too_large(
    api: Any, citizen: Any, draft: Dossier, required_component: Any, settings: Any
) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = len(PDF_BYTES) + 10
    just_fits = PDF_BYTES + b" " * 10
    too_big = PDF_BYTES + b" " * 11

    refused = api(citizen).post(
        documents_url(draft), multipart(required_component, "to-khai.pdf", too_big), format="multipart"
    )
    accepted = api(citizen).post(
        documents_url(draft), multipart(required_component, "to-khai.pdf", just_fits), format="multipart"
    )

    assert_error(refused, 413, "too_large")
    assert accepted.status_code == 201, accepted.content
    assert draft.documents.count() == 1


def test_a_dossiers_files_together_may_not_pass_the_dossier_limit(
    api: Any, citizen: Any, draft: Dossier, required_component: Any, optional_component: Any, settings: Any
) -> None:
    settings.UPLOAD_MAX_DOSSIER_BYTES = 2 * len(PDF_BYTES) - 1
    first = api(citizen).post(
        documents_url(draft), multipart(required_component, "to-khai.pdf", PDF_BYTES), format="multipart"
    )

    second = api(citizen).post(
        documents_url(draft), multipart(optional_component, "ban-sao.pdf", PDF_BYTES), format="multipart"
    )

    assert first.status_code == 201
    assert_error(second, 413, "too_large")
    assert list(draft.documents.values_list("component", flat=True)) == [required_component.pk]


def test_a_png_named_pdf_is_refused_where_only_a_pdf_is_accepted(
    api: Any, citizen: Any, draft: Dossier, required_component: Any
) -> None:
    response = api(citizen).post(
        documents_url(draft), multipart(required_component, "to-khai.pdf", PNG_BYTES), format="multipart"
    )

    assert_error(response, 415, "unsupported_type")
    assert draft.documents.count() == 0


def test_a_pdf_named_jpg_is_accepted_as_a_pdf(
    api: Any, citizen: Any, draft: Dossier, required_component: Any
) -> None:
    response = api(citizen).post(
        documents_url(draft), multipart(required_component, "scan.jpg", PDF_BYTES), format="multipart"
    )

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/pdf"
    assert Document.objects.get().storage_key.endswith(".pdf")


def test_content_of_no_known_type_is_refused_whatever_its_name(
    api: Any, citizen: Any, draft: Dossier, optional_component: Any
) -> None:
    response = api(citizen).post(
        documents_url(draft),
        multipart(optional_component, "anh.png", b"MZ\x90\x00 this is not a picture"),
        format="multipart",
    )

    assert_error(response, 415, "unsupported_type")


def test_a_picture_is_accepted_where_the_component_takes_the_default_types(
    api: Any, citizen: Any, draft: Dossier, optional_component: Any
) -> None:
    response = api(citizen).post(
        documents_url(draft), multipart(optional_component, "ban-sao", PNG_BYTES), format="multipart"
    )

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"


def test_a_file_is_stored_under_a_random_name_with_its_sha256(
    api: Any, citizen: Any, draft: Dossier, required_component: Any, optional_component: Any
) -> None:
    name = "Tờ khai đăng ký khai sinh - Nguyễn Văn An.pdf"
    first = api(citizen).post(
        documents_url(draft), multipart(required_component, name, PDF_BYTES), format="multipart"
    )
    second = api(citizen).post(
        documents_url(draft), multipart(optional_component, name, PDF_BYTES), format="multipart"
    )

    assert first.status_code == second.status_code == 201
    assert first.json()["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    stored = [Path(document.file.path) for document in Document.objects.order_by("id")]
    assert stored[0] != stored[1]
    for path in stored:
        assert "Nguy" not in path.name and "khai" not in path.name
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", path.name)
        assert path.read_bytes() == PDF_BYTES
        assert path.is_relative_to(Path(django_settings.MEDIA_ROOT))


def test_a_paper_goes_only_to_a_component_of_the_dossiers_procedure(
    api: Any, citizen: Any, draft: Dossier, agency_a: Any
) -> None:
    other = ProcedureVersionFactory(published=True, agency=agency_a).components.get(required=True)

    response = api(citizen).post(
        documents_url(draft), multipart(other, "to-khai.pdf", PDF_BYTES), format="multipart"
    )

    assert_error(response, 400, "unknown_component")


def test_no_paper_is_added_once_the_dossier_is_submitted(
    api: Any, citizen: Any, version_a: Any, required_component: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)

    response = api(citizen).post(
        documents_url(dossier), multipart(required_component, "to-khai.pdf", PDF_BYTES), format="multipart"
    )

    assert_error(response, 409)


def test_another_citizen_cannot_upload_to_a_dossier(
    api: Any, citizen2: Any, draft: Dossier, required_component: Any
) -> None:
    response = api(citizen2).post(
        documents_url(draft), multipart(required_component, "to-khai.pdf", PDF_BYTES), format="multipart"
    )

    assert_error(response, 404)
    assert draft.documents.count() == 0


@pytest.fixture
def submitted_with_paper(
    api: Any, citizen: Any, draft: Dossier, required_component: Any
) -> tuple[Dossier, int]:
    """The citizen's dossier with one uploaded paper, submitted to agency A."""
    response = api(citizen).post(
        documents_url(draft), multipart(required_component, "to-khai.pdf", PDF_BYTES), format="multipart"
    )
    assert response.status_code == 201
    assert api(citizen).post(f"/api/v1/dossiers/{draft.pk}/actions/submit/").status_code == 200
    return draft, response.json()["id"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("citizen", 200),
        ("citizen2", 404),
        ("receiver", 200),
        ("assessor", 200),
        ("approver", 200),
        ("assessor_b", 404),
        ("approver_b", 404),
    ],
)
def test_a_paper_is_downloaded_only_by_those_who_see_the_dossier(
    api: Any, request: Any, submitted_with_paper: tuple[Dossier, int], persona: str, status: int
) -> None:
    dossier, document_id = submitted_with_paper

    response = api(request.getfixturevalue(persona)).get(f"{documents_url(dossier)}{document_id}/")

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Type"] == "application/pdf"


def test_a_receiver_of_another_agency_no_longer_sees_the_papers_once_the_competent_agency_received_it(
    api: Any, receiver: Any, receiver_b: Any, submitted_with_paper: tuple[Dossier, int]
) -> None:
    dossier, document_id = submitted_with_paper
    counter_payment_record(dossier_id=dossier.pk, user=receiver, method="bank_qr")
    workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)

    response = api(receiver_b).get(f"{documents_url(dossier)}{document_id}/")

    assert response.status_code == 404


def test_a_paper_is_not_reachable_through_another_dossier(
    api: Any, citizen: Any, version_a: Any, submitted_with_paper: tuple[Dossier, int]
) -> None:
    _dossier, document_id = submitted_with_paper
    own_other = DossierFactory(version=version_a, applicant=citizen)

    response = api(citizen).get(f"{documents_url(own_other)}{document_id}/")

    assert response.status_code == 404


# --- Give once -----------------------------------------------------------------------------------------------


def test_a_new_dossier_is_filled_in_from_the_citizens_profile_and_account(
    api: Any, citizen: Any, version_a: Any
) -> None:
    citizen.email = "an.nguyen@example.vn"
    citizen.save(update_fields=["email"])
    Profile.objects.create(
        user=citizen,
        full_name="Nguyễn Văn An",
        id_number="001088000123",
        phone="0912345678",
        address="12 Lê Lợi, phường Hòa Bình",
        date_of_birth="1988-05-17",
    )

    response = api(citizen).post(
        "/api/v1/dossiers/",
        {"procedure": version_a.procedure.code, "applicant": {"phone": "0987654321"}, "form": FORM},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["applicant"] == {
        "full_name": "Nguyễn Văn An",
        "id_number": "001088000123",
        "date_of_birth": "1988-05-17",
        "phone": "0987654321",  # what they typed this time wins over the profile
        "email": "an.nguyen@example.vn",  # from the account
        "address": "12 Lê Lợi, phường Hòa Bình",
    }


def test_the_profile_learns_what_the_citizen_entered_when_they_submit(
    api: Any, citizen: Any, version_a: Any, required_component: Any
) -> None:
    created = api(citizen).post(
        "/api/v1/dossiers/",
        {"procedure": version_a.procedure.code, "applicant": APPLICANT, "form": FORM},
        format="json",
    )
    dossier_id = created.json()["id"]
    api(citizen).post(
        documents_url(dossier_id), multipart(required_component, "to-khai.pdf", PDF_BYTES), format="multipart"
    )
    assert not Profile.objects.filter(user=citizen, id_number=APPLICANT["id_number"]).exists()

    submitted = api(citizen).post(f"/api/v1/dossiers/{dossier_id}/actions/submit/")
    next_one = api(citizen).post(
        "/api/v1/dossiers/", {"procedure": version_a.procedure.code, "form": FORM}, format="json"
    )

    assert submitted.status_code == 200, submitted.content
    profile = Profile.objects.get(user=citizen)
    assert (profile.id_number, profile.phone, profile.address, str(profile.date_of_birth)) == (
        "001088000123",
        "0912345678",
        "12 Lê Lợi, phường Hòa Bình",
        "1988-05-17",
    )
    assert next_one.json()["applicant"] == APPLICANT


# --- Walk-in at the counter ----------------------------------------------------------------------------------


@pytest.fixture
def fee_at_return(version_a: Any) -> Any:
    """Agency A's procedure, its fee paid when the result is handed over (so reception does not wait for it)."""
    version_a.fee_due = FeeDue.BEFORE_RETURN
    version_a.save(update_fields=["fee_due"])
    return version_a


def _walk_in(api: Any, clerk: Any, version: Any, component: Any, applicant: dict[str, Any]) -> int:
    created = api(clerk).post(
        "/api/v1/dossiers/",
        {"procedure": version.procedure.code, "applicant": applicant, "form": FORM, "channel": "counter"},
        format="json",
    )
    assert created.status_code == 201, created.content
    dossier_id = created.json()["id"]
    uploaded = api(clerk).post(
        documents_url(dossier_id), multipart(component, "scan.pdf", PDF_BYTES), format="multipart"
    )
    assert uploaded.status_code == 201, uploaded.content
    return dossier_id


def test_a_walk_in_dossier_is_received_at_once_and_joins_the_citizens_account(
    api: Any, receiver: Any, citizen: Any, citizen2: Any, fee_at_return: Any, required_component: Any
) -> None:
    # The citizen's ID number was verified by a clerk who checked the ID card (a typed one links nothing).
    Profile.objects.create(
        user=citizen, id_number=APPLICANT["id_number"], id_verified_at=timezone.now(), id_verified_by=receiver
    )
    dossier_id = _walk_in(api, receiver, fee_at_return, required_component, APPLICANT)

    dossier = services.receive_walk_in(dossier_id=dossier_id, actor=receiver)

    dossier.refresh_from_db()
    assert dossier.state == "assessing"
    assert dossier.channel == "counter"
    assert re.fullmatch(r"H12\.01-\d{6}-0001", dossier.code)
    assert dossier.due_at is not None
    assert dossier.applicant == citizen
    assert list(dossier.events.values_list("action", "actor__username")) == [
        ("create", "receiver"),
        ("submit", "receiver"),
        ("receive", "receiver"),
    ]
    followed = api(citizen).get(f"/api/v1/dossiers/{dossier_id}/")
    assert followed.status_code == 200
    assert followed.json()["code"] == dossier.code
    assert [row["id"] for row in api(citizen).get("/api/v1/dossiers/").json()["results"]] == [dossier_id]
    assert api(citizen2).get(f"/api/v1/dossiers/{dossier_id}/").status_code == 404


def test_a_walk_in_without_an_account_has_no_applicant_account(
    api: Any, receiver: Any, citizen: Any, fee_at_return: Any, required_component: Any
) -> None:
    Profile.objects.create(user=citizen, id_number="001088000999")
    dossier_id = _walk_in(api, receiver, fee_at_return, required_component, APPLICANT)

    dossier = services.receive_walk_in(dossier_id=dossier_id, actor=receiver)

    assert Dossier.objects.get(pk=dossier.pk).applicant is None
    assert api(citizen).get(f"/api/v1/dossiers/{dossier_id}/").status_code == 404


def test_a_walk_in_whose_fee_is_due_before_reception_is_not_received_until_it_is_paid(
    api: Any, receiver: Any, version_a: Any, required_component: Any
) -> None:
    dossier_id = _walk_in(api, receiver, version_a, required_component, APPLICANT)

    with pytest.raises(InvalidState) as refused:
        services.receive_walk_in(dossier_id=dossier_id, actor=receiver)

    assert "50.000" in refused.value.message
    dossier = Dossier.objects.get(pk=dossier_id)
    assert (dossier.state, dossier.code) == ("draft", None)  # nothing half done
    assert list(dossier.events.values_list("action", flat=True)) == ["create"]


def test_a_walk_in_is_received_once_its_fee_is_taken_at_the_counter(
    api: Any, receiver: Any, version_a: Any, required_component: Any
) -> None:
    dossier_id = _walk_in(api, receiver, version_a, required_component, APPLICANT)
    submitted = api(receiver).post(f"/api/v1/dossiers/{dossier_id}/actions/submit/")
    refused = api(receiver).post(f"/api/v1/dossiers/{dossier_id}/actions/receive/")

    counter_payment_record(dossier_id=dossier_id, user=receiver, method="card")
    received = api(receiver).post(f"/api/v1/dossiers/{dossier_id}/actions/receive/")

    assert submitted.status_code == 200, submitted.content
    assert_error(refused, 409)
    assert received.status_code == 200, received.content
    assert received.json()["state"] == "assessing"


@pytest.mark.parametrize(
    ("persona", "channel"), [("citizen", "counter"), ("assessor", "counter"), ("receiver", "online")]
)
def test_only_a_receiver_files_a_walk_in_dossier(
    api: Any, request: Any, version_a: Any, persona: str, channel: str
) -> None:
    response = api(request.getfixturevalue(persona)).post(
        "/api/v1/dossiers/",
        {"procedure": version_a.procedure.code, "applicant": APPLICANT, "form": FORM, "channel": channel},
        format="json",
    )

    assert_error(response, 403)
    assert not Dossier.objects.exists()


# --- No administrative boundaries ----------------------------------------------------------------------------


def test_a_receiver_of_another_agency_receives_a_dossier_into_the_competent_agencys_queue(
    api: Any, citizen: Any, receiver_b: Any, assessor: Any, assessor_b: Any, version_a: Any, agency_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)
    attach_required_papers(dossier)

    response = api(receiver_b).post(f"/api/v1/dossiers/{dossier.pk}/actions/receive/", {}, format="json")

    assert response.status_code == 200, response.content
    dossier.refresh_from_db()
    assert (dossier.state, dossier.agency, dossier.received_at_agency.code) == (
        "assessing",
        agency_a,
        "H12.02",
    )
    event = dossier.events.get(action="receive")
    assert (event.actor, event.actor_agency.code) == (receiver_b, "H12.02")
    assert response.json()["history"][-1]["by_agency"] == "H12.02"
    queue = api(assessor).get("/api/v1/dossiers/", {"state": "assessing"}).json()["results"]
    assert [row["id"] for row in queue] == [dossier.pk]
    assert api(assessor_b).get("/api/v1/dossiers/", {"state": "assessing"}).json()["results"] == []


def test_a_walk_in_at_another_agencys_counter_goes_to_the_competent_agency(
    api: Any, receiver_b: Any, assessor: Any, fee_at_return: Any, required_component: Any, agency_a: Any
) -> None:
    dossier_id = _walk_in(api, receiver_b, fee_at_return, required_component, APPLICANT)

    dossier = services.receive_walk_in(dossier_id=dossier_id, actor=receiver_b)

    dossier.refresh_from_db()
    assert (dossier.state, dossier.agency, dossier.received_at_agency.code) == (
        "assessing",
        agency_a,
        "H12.02",
    )
    assert dossier.code.startswith("H12.01-")
    assert api(assessor).get(f"/api/v1/dossiers/{dossier_id}/").status_code == 200


def test_a_dossier_refused_at_another_agencys_counter_stays_in_view_of_that_counter(
    api: Any, citizen: Any, receiver_b: Any, version_a: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)

    response = api(receiver_b).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/refuse/", {"comment": "Không thuộc thẩm quyền"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "rejected"
    assert api(receiver_b).get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 200


# --- Public lookup -------------------------------------------------------------------------------------------


@pytest.fixture
def received(citizen: Any, version_a: Any, receiver: Any) -> Dossier:
    dossier = DossierFactory(
        version=version_a,
        applicant=citizen,
        submitted=True,
        code="H12.01-260302-0007",
        lookup_key="ACDE3479KM",
        applicant_data={**APPLICANT, "full_name": "Phạm Thị Hoa"},
    )
    attach_required_papers(dossier)
    workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)
    dossier.refresh_from_db()
    return dossier


def test_anyone_with_the_code_and_key_sees_the_state_and_dates_and_nothing_personal(
    anonymous: Any, received: Dossier
) -> None:
    response = anonymous.get("/api/v1/lookup/", {"code": received.code, "key": received.lookup_key})

    assert response.status_code == 200
    body = response.json()
    assert {"code", "procedure", "state", "received_at", "due_at", "returned_at"} <= set(body)
    assert (body["code"], body["state"], body["returned_at"]) == (received.code, "assessing", None)
    assert body["due_at"] is not None and body["received_at"] is not None
    text = response.content.decode()
    for personal in (
        "Phạm Thị Hoa",
        "001088000123",
        "0912345678",
        "Lê Lợi",
        "an.nguyen@example.vn",
        "citizen",
    ):
        assert personal not in text


def test_the_lookup_key_is_read_whatever_its_case_and_spaces(anonymous: Any, received: Dossier) -> None:
    response = anonymous.get("/api/v1/lookup/", {"code": f" {received.code} ", "key": " acde3479km "})

    assert response.status_code == 200


def test_a_wrong_key_is_answered_like_an_unknown_code(anonymous: Any, received: Dossier) -> None:
    wrong_key = anonymous.get("/api/v1/lookup/", {"code": received.code, "key": "ACDE3479KN"})
    unknown_code = anonymous.get(
        "/api/v1/lookup/", {"code": "H12.01-260302-0008", "key": received.lookup_key}
    )

    assert wrong_key.status_code == unknown_code.status_code == 404
    assert wrong_key.json() == unknown_code.json()


@pytest.mark.parametrize("query", [{}, {"code": "H12.01-260302-0007"}, {"key": "ACDE3479KM"}])
def test_a_lookup_without_both_code_and_key_is_bad_input(
    anonymous: Any, received: Dossier, query: Any
) -> None:
    assert_error(anonymous.get("/api/v1/lookup/", query), 400)


# --- One history --------------------------------------------------------------------------------------------


def test_the_services_the_workflow_and_the_schedule_write_one_unbroken_history(
    citizen: Any, receiver: Any, assessor: Any, agency_a: Any
) -> None:
    free = ProcedureVersionFactory(published=True, agency=agency_a)
    Fee.objects.filter(version=free).delete()
    dossier = services.dossier_create(
        actor=citizen, procedure_code=free.procedure.code, applicant=APPLICANT, form=FORM
    )
    attach_required_papers(dossier)
    services.submit(dossier_id=dossier.pk, actor=citizen)
    workflow.apply(dossier_id=dossier.pk, action=workflow.Action.RECEIVE, actor=receiver)
    services.dossier_assign(dossier_id=dossier.pk, actor=assessor)
    dossier.refresh_from_db()
    schedule.apology_issue(
        dossier_id=dossier.pk,
        reason="Chờ kết quả xác minh.",
        actor=assessor,
        new_due_at=dossier.due_at + timedelta(days=3),
    )

    dossier.refresh_from_db()
    events = list(dossier.events.order_by("id"))
    assert [event.action for event in events] == ["create", "submit", "receive", "assign", "apology"]
    assert history.verify_dossier(dossier.pk, dossier.history_head, events) is None
