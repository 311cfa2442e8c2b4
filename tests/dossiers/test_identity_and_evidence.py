"""The trust issue's identity and evidence rules, as an attacker and an auditor try them.

- A self-declared ID number never links a walk-in to an account; a verified one does; otherwise the citizen claims
  the dossier with the code and key of the receipt.
- The history is a hash chain that ``verify_history`` checks.
- Every read by staff of a dossier, a paper, a slip or the result is logged, and the applicant sees who (agency and
  role) opened their dossier.
"""

from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Profile
from audit.models import AccessLog
from dossiers import services, workflow
from dossiers.models import Dossier, DossierEvent
from procedures.constants import FeeDue
from tests.contract import assert_error
from tests.dossiers.conftest import PDF_BYTES, multipart

VICTIM = {
    "full_name": "Lê Thị Hoa",
    "id_number": "001190000777",
    "date_of_birth": "1990-02-03",
    "phone": "0987654321",
    "address": "5 Trần Phú",
}
FORM = {"full_name": "Lê Thị Hoa", "sex": "Nữ"}


@pytest.fixture
def version(version_a: Any) -> Any:
    version_a.fee_due = FeeDue.BEFORE_RETURN
    version_a.save(update_fields=["fee_due"])
    return version_a


def walk_in(api: Any, clerk: Any, version: Any, applicant: dict[str, Any] = VICTIM) -> Dossier:
    created = api(clerk).post(
        "/api/v1/dossiers/",
        {"procedure": version.procedure.code, "applicant": applicant, "form": FORM, "channel": "counter"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    component = version.components.get(required=True)
    uploaded = api(clerk).post(
        f"/api/v1/dossiers/{pk}/documents/", multipart(component, "scan.pdf", PDF_BYTES), format="multipart"
    )
    assert uploaded.status_code == 201, uploaded.content
    return services.receive_walk_in(dossier_id=pk, actor=clerk)


# --- Identity -------------------------------------------------------------------------------------------------


def test_a_citizen_who_types_a_victims_id_number_cannot_take_over_their_walk_in(
    api: Any, citizen2: Any, receiver: Any, version: Any
) -> None:
    # The attacker files a draft with the victim's ID number: the profile learns it, unverified.
    draft = api(citizen2).post(
        "/api/v1/dossiers/",
        {"procedure": version.procedure.code, "applicant": VICTIM, "form": FORM},
        format="json",
    )
    assert draft.status_code == 201
    Profile.objects.update_or_create(user=citizen2, defaults={"id_number": VICTIM["id_number"]})

    dossier = walk_in(api, receiver, version)

    dossier.refresh_from_db()
    assert dossier.applicant is None
    attacker = api(citizen2)
    base = f"/api/v1/dossiers/{dossier.pk}/"
    assert_error(attacker.get(base), 404)
    assert_error(attacker.patch(base, {"form": {"sex": "Nam"}}, format="json"), 404)
    assert_error(attacker.post(f"{base}actions/withdraw/", {}, format="json"), 404)
    assert_error(attacker.get(f"{base}access-log/"), 404)
    assert dossier.pk not in [row["id"] for row in attacker.get("/api/v1/dossiers/").json()["results"]]


def test_a_walk_in_joins_the_account_whose_id_number_a_clerk_verified(
    api: Any, citizen: Any, citizen2: Any, receiver: Any, version: Any
) -> None:
    Profile.objects.create(user=citizen2, id_number=VICTIM["id_number"])  # self-declared: links nothing
    answer = api(receiver).post(
        "/api/v1/identity/verify/",
        {"username": citizen.username, "id_number": VICTIM["id_number"]},
        format="json",
    )
    assert answer.status_code == 200, answer.content

    dossier = walk_in(api, receiver, version)

    dossier.refresh_from_db()
    assert dossier.applicant == citizen
    profile = Profile.objects.get(user=citizen)
    assert (profile.id_verified_by, profile.id_verified_source) == (receiver, "counter")
    assert api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/").status_code == 200
    assert_error(api(citizen2).get(f"/api/v1/dossiers/{dossier.pk}/"), 404)


@pytest.mark.parametrize(
    ("who", "id_number", "status"),
    [
        ("assessor", "001190000777", 403),
        ("citizen2", "001190000777", 403),
        ("leader", "001190000777", 403),
        ("receiver", "0011900", 400),
        ("receiver", "00119000077x", 400),
    ],
)
def test_only_a_receiver_verifies_an_id_number_and_only_a_real_one(
    request: Any, api: Any, citizen: Any, who: str, id_number: str, status: int
) -> None:
    user = request.getfixturevalue(who)

    answer = api(user).post(
        "/api/v1/identity/verify/", {"username": citizen.username, "id_number": id_number}, format="json"
    )

    assert_error(answer, status)
    assert not Profile.objects.filter(user=citizen, id_verified_at__isnull=False).exists()


def test_one_id_number_is_verified_for_one_account_only(
    api: Any, citizen: Any, citizen2: Any, receiver: Any
) -> None:
    body = {"username": citizen.username, "id_number": VICTIM["id_number"]}
    assert api(receiver).post("/api/v1/identity/verify/", body, format="json").status_code == 200

    again = api(receiver).post(
        "/api/v1/identity/verify/", {**body, "username": citizen2.username}, format="json"
    )

    assert_error(again, 409, "id_number_taken")
    assert not Profile.objects.filter(user=citizen2, id_verified_at__isnull=False).exists()


def test_a_verified_id_number_is_not_overwritten_by_what_the_citizen_types(
    api: Any, citizen: Any, receiver: Any, version: Any, complete_draft: Any
) -> None:
    Profile.objects.create(
        user=citizen, id_number=VICTIM["id_number"], id_verified_at=timezone.now(), id_verified_by=receiver
    )
    complete_draft.applicant_data = {**complete_draft.applicant_data, "id_number": "001088000999"}
    complete_draft.save()

    services.submit(dossier_id=complete_draft.pk, actor=citizen)

    assert Profile.objects.get(user=citizen).id_number == VICTIM["id_number"]


def test_a_citizen_claims_a_counter_dossier_with_the_code_and_key_of_the_receipt(
    api: Any, citizen: Any, citizen2: Any, receiver: Any, version: Any
) -> None:
    dossier = walk_in(api, receiver, version)
    assert_error(api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/"), 404)
    assert_error(
        api(citizen).post(
            "/api/v1/dossiers/claim/", {"code": dossier.code, "key": "WRONGKEY99"}, format="json"
        ),
        404,
    )

    claimed = api(citizen).post(
        "/api/v1/dossiers/claim/", {"code": dossier.code, "key": dossier.lookup_key}, format="json"
    )

    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["id"] == dossier.pk
    assert [e["action"] for e in claimed.json()["history"]][-1] == "claim"
    second = api(citizen2).post(
        "/api/v1/dossiers/claim/", {"code": dossier.code, "key": dossier.lookup_key}, format="json"
    )
    assert_error(second, 409, "already_claimed")
    dossier.refresh_from_db()
    assert dossier.applicant == citizen


def test_an_online_dossier_cannot_be_claimed_by_someone_holding_its_receipt(
    api: Any, citizen2: Any, receiver: Any, complete_draft: Any
) -> None:
    dossier = services.submit(dossier_id=complete_draft.pk, actor=complete_draft.applicant)

    answer = api(citizen2).post(
        "/api/v1/dossiers/claim/", {"code": dossier.code, "key": dossier.lookup_key}, format="json"
    )

    assert_error(answer, 409, "already_claimed")


def test_the_claim_page_adds_the_dossier_and_opens_it(
    client: Any, api: Any, citizen: Any, receiver: Any, version: Any
) -> None:
    dossier = walk_in(api, receiver, version)
    client.force_login(citizen)

    response = client.post("/dossiers/claim/", {"code": dossier.code, "key": dossier.lookup_key.lower()})

    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_the_counter_records_a_checked_id_card_from_the_console(
    client: Any, citizen: Any, receiver: Any
) -> None:
    client.force_login(receiver)

    unchecked = client.post(
        "/console/identity/", {"username": citizen.username, "id_number": VICTIM["id_number"]}
    )
    checked = client.post(
        "/console/identity/",
        {"username": citizen.username, "id_number": VICTIM["id_number"], "checked": "on"},
    )

    assert unchecked.status_code == 400
    assert checked.status_code == 302
    profile = Profile.objects.get(user=citizen)
    assert (profile.id_number, profile.id_verified_by) == (VICTIM["id_number"], receiver)


# --- The history's hash chain ----------------------------------------------------------------------------------


@pytest.fixture
def worked(api: Any, receiver: Any, assessor: Any, version: Any) -> Dossier:
    dossier = walk_in(api, receiver, version)
    services.dossier_assign(dossier_id=dossier.pk, actor=assessor)
    workflow.apply(
        dossier_id=dossier.pk,
        action="assess",
        actor=assessor,
        input=workflow.Assessment(outcome="grant", comment="note"),
    )
    return dossier


def test_every_history_row_is_chained_to_the_one_before(api: Any, receiver: Any, worked: Dossier) -> None:
    history = api(receiver).get(f"/api/v1/dossiers/{worked.pk}/").json()["history"]

    assert [e["action"] for e in history] == ["create", "submit", "receive", "assign", "assess"]
    assert history[0]["prev_hash"] == ""
    assert all(row["prev_hash"] == before["hash"] for before, row in zip(history, history[1:], strict=False))
    assert all(len(row["hash"]) == 64 for row in history)
    worked.refresh_from_db()
    assert worked.history_head == history[-1]["hash"]
    call_command("verify_history")


def _broken(capsys: Any) -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_history")
    return str(failure.value)


def test_verify_history_finds_a_changed_row(capsys: Any, worked: Dossier) -> None:
    row = DossierEvent.objects.filter(dossier=worked, action="assess").get()
    DossierEvent.objects.filter(pk=row.pk).update(comment="a kinder note")

    message = _broken(capsys)

    assert f"dossier {worked.pk}, row {row.pk}" in message
    assert "changed" in message


def test_verify_history_finds_a_removed_row(capsys: Any, worked: Dossier) -> None:
    rows = list(DossierEvent.objects.filter(dossier=worked).order_by("id"))
    rows[1].delete()

    message = _broken(capsys)

    assert f"dossier {worked.pk}, row {rows[2].pk}" in message


def test_verify_history_finds_the_last_row_removed(capsys: Any, worked: Dossier) -> None:
    DossierEvent.objects.filter(dossier=worked).order_by("-id").first().delete()

    assert f"dossier {worked.pk}, its last row" in _broken(capsys)


def test_verify_history_finds_an_inserted_row(capsys: Any, worked: Dossier, receiver: Any) -> None:
    first = DossierEvent.objects.filter(dossier=worked).order_by("id").first()
    forged = DossierEvent.objects.create(
        dossier=worked, action="receive", actor=receiver, at=first.at, prev_hash=first.hash, hash="0" * 64
    )

    assert f"dossier {worked.pk}" in _broken(capsys)
    assert forged.pk


# --- The access log -------------------------------------------------------------------------------------------


def test_staff_reads_are_logged_and_the_applicant_sees_agency_and_role_not_the_person(
    api: Any, client: Any, citizen: Any, receiver: Any, assessor: Any, complete_draft: Any
) -> None:
    dossier = services.submit(dossier_id=complete_draft.pk, actor=citizen)
    api(receiver).get(f"/api/v1/dossiers/{dossier.pk}/")
    api(receiver).get(f"/api/v1/dossiers/{dossier.pk}/slips/control/")
    api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/")  # the applicant's own reads are not logged
    client.force_login(assessor)
    client.get(f"/console/dossiers/{dossier.pk}/")

    assert list(
        AccessLog.objects.filter(dossier=dossier).order_by("id").values_list("user", "what", "detail")
    ) == [
        (receiver.pk, "dossier", ""),
        (receiver.pk, "slip", "control"),
        (assessor.pk, "dossier", ""),
    ]
    mine = api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/access-log/").json()["results"]
    assert [(r["agency"], r["role"], r["what"]) for r in mine] == [
        ("Sở Tư pháp", "assessor", "dossier"),
        ("Sở Tư pháp", "receiver", "slip"),
        ("Sở Tư pháp", "receiver", "dossier"),
    ]
    assert all("who" not in row for row in mine)
    theirs = api(assessor).get(f"/api/v1/dossiers/{dossier.pk}/access-log/").json()["results"]
    assert theirs[-1]["who"] == receiver.get_full_name()


def test_the_citizens_page_says_who_opened_the_dossier(
    api: Any, client: Any, citizen: Any, receiver: Any, complete_draft: Any
) -> None:
    dossier = services.submit(dossier_id=complete_draft.pk, actor=citizen)
    api(receiver).get(f"/api/v1/dossiers/{dossier.pk}/")
    client.force_login(citizen)

    page = client.get(f"/dossiers/{dossier.pk}/").content.decode()

    section = page.split('id="h-access"')[1].split("</section>")[0]
    assert "Sở Tư pháp" in section
    assert "Cán bộ tiếp nhận" in section
    assert receiver.username not in section and receiver.get_full_name() not in section


def test_a_stranger_cannot_read_a_dossiers_access_log(
    api: Any, citizen2: Any, assessor_b: Any, complete_draft: Any
) -> None:
    dossier = services.submit(dossier_id=complete_draft.pk, actor=complete_draft.applicant)

    assert_error(api(citizen2).get(f"/api/v1/dossiers/{dossier.pk}/access-log/"), 404)
    assert_error(api(assessor_b).get(f"/api/v1/dossiers/{dossier.pk}/access-log/"), 404)
    assert_error(api(assessor_b).get(f"/api/v1/dossiers/{dossier.pk}/"), 404)
    assert AccessLog.objects.count() == 0
