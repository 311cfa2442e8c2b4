"""The fee in the dossier's history: paid online or at the desk, waived, refunded, each a row of the hash chain,
shown on the citizen's page, on the console's page and in the API (issue 14)."""

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from dossiers.models import Dossier
from payments.models import Invoice
from tests.payments.conftest import pay_in_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def invoice_url(dossier: Dossier) -> str:
    return f"/api/v1/dossiers/{dossier.pk}/invoice/"


def history(api: Any, user: Any, dossier: Dossier) -> list[dict[str, Any]]:
    response = api(user).get(f"/api/v1/dossiers/{dossier.pk}/")
    assert response.status_code == 200, response.content
    return response.json()["history"]


def page(user: Any, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_fee_paid_online_is_a_row_of_the_history_on_every_page_and_the_chain_holds(
    api: Any, citizen: Any, receiver: Any, dossier: Dossier, invoice: Invoice
) -> None:
    pay_in_sandbox(invoice, citizen)

    rows = history(api, citizen, dossier)
    assert [row["action"] for row in rows] == ["submit", "fee_paid"]
    assert rows[-1]["by"] == "portal"  # the provider's notice, not a person at a desk
    assert rows[-1]["prev_hash"] == rows[-2]["hash"]
    assert [row["action"] for row in history(api, receiver, dossier)][-1] == "fee_paid"
    assert "Đã nộp phí" in page(citizen, f"/dossiers/{dossier.pk}/")
    assert "Đã nộp phí" in page(receiver, f"/console/dossiers/{dossier.pk}/")
    call_command("verify_history")


def test_a_fee_paid_at_the_desk_is_a_row_of_the_history_by_the_receiver(
    api: Any, citizen: Any, receiver: Any, dossier: Dossier
) -> None:
    paid = api(receiver).post(
        f"{invoice_url(dossier)}counter-payment/", {"method": "card", "reference": "POS-1"}
    )
    assert paid.status_code == 200, paid.content

    staff_rows = history(api, receiver, dossier)
    assert staff_rows[-1]["action"] == "fee_paid"
    assert staff_rows[-1]["by"] == (receiver.get_full_name() or receiver.username)
    # The applicant reads the agency, never the clerk's name.
    assert history(api, citizen, dossier)[-1]["by"] == receiver.agency.name
    call_command("verify_history")


def test_a_waiver_is_a_row_of_the_history_with_its_legal_reason_for_the_applicant(
    api: Any, citizen: Any, receiver: Any, dossier: Dossier
) -> None:
    reason = "Hộ nghèo (Điều 5 Thông tư 85)"
    assert api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": reason}).status_code == 200

    row = history(api, citizen, dossier)[-1]
    assert (row["action"], row["comment"]) == ("fee_waived", reason)
    assert "Được miễn phí, lệ phí" in page(citizen, f"/dossiers/{dossier.pk}/")
    call_command("verify_history")


def test_a_refund_after_a_refusal_is_a_row_after_the_refusal_and_the_chain_holds(
    api: Any, citizen: Any, receiver: Any, dossier: Dossier, invoice: Invoice
) -> None:
    pay_in_sandbox(invoice, citizen)

    refused = api(receiver).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/refuse/", {"comment": "Không thuộc thẩm quyền"}, format="json"
    )
    assert refused.status_code == 200, refused.content

    actions = [row["action"] for row in history(api, citizen, dossier)]
    assert actions == ["submit", "fee_paid", "refuse", "fee_refunded"]
    call_command("verify_history")


def test_a_refused_payment_step_writes_no_row(
    api: Any, citizen: Any, receiver: Any, dossier: Dossier
) -> None:
    assert (
        api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": "Trẻ em dưới 6 tuổi"}).status_code
        == 200
    )
    again = api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": "Trẻ em dưới 6 tuổi"})
    assert again.status_code == 409

    assert [row["action"] for row in history(api, citizen, dossier)].count("fee_waived") == 1
