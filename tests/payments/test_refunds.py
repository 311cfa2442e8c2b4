"""Refunds: in full or in part, with the legal reason, by the province's finance staff or by the portal where the
rule is clear (refused at reception, withdrawn before reception); online through the provider's refund call (the
sandbox's bank answers it from its ledger), counter payments paid back at the desk; every step an event; a refund
receipt; the citizen told."""

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.conf import settings as django_settings

from dossiers.models import Dossier
from notifications.models import Message
from payments.constants import EventKind
from payments.models import Invoice, PaymentEvent, Refund, SandboxTransaction
from payments.providers.sandbox import SandboxProvider
from tests.english import in_english
from tests.payments.conftest import pay_in_sandbox, reload

REASON = "Thu nhầm lệ phí theo Quyết định công bố thủ tục (khoản 2 mục Lệ phí)"


# Real transactions: what runs after commit (the provider's refund call, the messages) runs as it does outside a test.
pytestmark = pytest.mark.django_db(transaction=True)


def refund_url(dossier: Any) -> str:
    return f"/api/v1/dossiers/{getattr(dossier, 'pk', dossier)}/invoice/refund/"


def events(invoice: Invoice) -> list[tuple[str, int | None]]:
    return list(PaymentEvent.objects.filter(invoice=invoice).values_list("kind", "amount"))


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def refund_kinds(dossier_id: int) -> list[str]:
    return list(
        Message.objects.filter(dossier_id=dossier_id, event="refund", channel="portal").values_list(
            "subject", flat=True
        )
    )


# --- Online, by finance staff ---------------------------------------------------------------------------------


def test_finance_staff_refund_an_online_payment_in_full_through_the_provider(
    api: Any, leader: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    reference = pay_in_sandbox(invoice, citizen)

    response = api(leader).post(refund_url(dossier), {"reason": REASON}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["status"], body["rule"], body["reason"]) == (50_000, "done", "staff", REASON)
    invoice = reload(invoice)
    assert (invoice.status, invoice.refunded_amount) == ("refunded", 50_000)
    assert SandboxTransaction.objects.get(txn_ref=reference).refunded == 50_000  # the bank paid it back
    assert events(invoice)[-2:] == [(EventKind.REFUND_REQUESTED, 50_000), (EventKind.REFUNDED, 50_000)]
    seen = api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/invoice/").json()
    assert (seen["status"], seen["refunded_amount"]) == ("refunded", 50_000)
    assert seen["refunds"][0]["receipt_url"].endswith(f"/invoice/refunds/{body['id']}/receipt/")
    # Told twice: the refund is under way, then done.
    assert len(refund_kinds(dossier.pk)) == 2


def test_a_partial_refund_keeps_the_invoice_paid_and_a_second_one_refunds_the_rest(
    api: Any, province_admin: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    reference = pay_in_sandbox(invoice, citizen)
    asked: list[dict[str, Any]] = []
    answer_of = SandboxProvider.transport

    def recorded(self: SandboxProvider, request: dict[str, Any]) -> dict[str, Any]:
        asked.append(request)
        return answer_of(self, request)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SandboxProvider, "transport", recorded)
        first = api(province_admin).post(
            refund_url(dossier), {"amount": 20_000, "reason": REASON}, format="json"
        )
        invoice = reload(invoice)
        assert (first.status_code, invoice.status, invoice.refunded_amount) == (201, "paid", 20_000)

        second = api(province_admin).post(refund_url(dossier), {"reason": REASON}, format="json")

    assert (second.status_code, second.json()["amount"]) == (201, 30_000)
    invoice = reload(invoice)
    assert (invoice.status, invoice.refunded_amount) == ("refunded", 50_000)
    assert SandboxTransaction.objects.get(txn_ref=reference).refunded == 50_000
    # VNPay's refund call: 03 a partial refund, each amount × 100, on the payment's own transaction.
    assert [(r["vnp_Command"], r["vnp_TransactionType"], r["vnp_Amount"]) for r in asked] == [
        ("refund", "03", "2000000"),
        ("refund", "03", "3000000"),
    ]
    assert {r["vnp_TxnRef"] for r in asked} == {reference}
    order = (
        "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
        "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
        "vnp_IpAddr", "vnp_OrderInfo",
    )  # fmt: skip
    for request in asked:
        data = "|".join(str(request[name]) for name in order)
        secret = django_settings.PAYMENT_SANDBOX_SECRET.encode()
        assert request["vnp_SecureHash"] == hmac.new(secret, data.encode(), hashlib.sha512).hexdigest()
    assert asked[0]["vnp_RequestId"] != asked[1]["vnp_RequestId"]


def test_a_full_refund_in_one_call_is_vnpays_type_02(
    province_admin: Any, citizen: Any, dossier: Dossier, invoice: Invoice, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payments import services

    pay_in_sandbox(invoice, citizen)
    asked: list[str] = []
    answer_of = SandboxProvider.transport
    monkeypatch.setattr(
        SandboxProvider,
        "transport",
        lambda self, request: asked.append(request["vnp_TransactionType"]) or answer_of(self, request),
    )

    services.refund_start(dossier_id=dossier.pk, user=province_admin, amount=50_000, reason=REASON)

    assert asked == ["02"]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"amount": 50_001, "reason": REASON}, 400, "invalid_amount"),
        ({"amount": 0, "reason": REASON}, 400, None),
        ({"amount": -5, "reason": REASON}, 400, None),
        ({"amount": "much", "reason": REASON}, 400, None),
        ({"amount": 10**30, "reason": REASON}, 400, None),
        ({"amount": 10_000}, 400, None),
        ({"amount": 10_000, "reason": "   "}, 400, None),
    ],
    ids=["above-the-fee", "zero", "negative", "not-a-number", "enormous", "no-reason", "blank-reason"],
)
def test_a_bad_refund_request_is_refused_and_changes_nothing(
    api: Any,
    leader: Any,
    citizen: Any,
    dossier: Dossier,
    invoice: Invoice,
    data: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    pay_in_sandbox(invoice, citizen)
    before = events(invoice)

    response = api(leader).post(refund_url(dossier), data, format="json")

    assert response.status_code == status, response.content
    assert {"detail", "code"} <= set(response.json())
    if code:
        assert response.json()["code"] == code
    assert (reload(invoice).status, events(invoice), Refund.objects.count()) == ("paid", before, 0)


def test_an_open_invoice_cannot_be_refunded(
    api: Any, leader: Any, dossier: Dossier, invoice: Invoice
) -> None:
    response = api(leader).post(refund_url(dossier), {"reason": REASON}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "not_refundable")


@pytest.mark.parametrize("who", ["citizen", "receiver", "assessor", "approver", "receiver_b"])
def test_only_finance_staff_start_a_refund(
    api: Any, request: pytest.FixtureRequest, citizen: Any, dossier: Dossier, invoice: Invoice, who: str
) -> None:
    pay_in_sandbox(invoice, citizen)

    response = api(request.getfixturevalue(who)).post(refund_url(dossier), {"reason": REASON}, format="json")

    assert response.status_code == 403, response.content
    assert (reload(invoice).status, Refund.objects.count()) == ("paid", 0)


def test_a_refund_the_provider_refuses_leaves_the_invoice_paid_with_the_reason(
    api: Any, leader: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    from tests.payments.conftest import good_notice

    # Paid by a notice the sandbox's bank never took (its ledger has no such transaction): it answers 91.
    assert send_notice(good_notice(invoice)).json()["RspCode"] == "00"

    response = api(leader).post(refund_url(dossier), {"reason": REASON}, format="json")

    assert response.status_code == 201
    refund = Refund.objects.get()
    assert (refund.status, refund.failure.split()[0]) == ("failed", "91")
    assert (reload(invoice).status, reload(invoice).refunded_amount) == ("paid", 0)
    assert [kind for kind, _ in events(invoice)][-2:] == [EventKind.REFUND_REQUESTED, EventKind.REFUND_FAILED]


# --- At the counter -------------------------------------------------------------------------------------------


def test_a_counter_payment_is_refunded_once_the_desk_paid_it_back(
    api: Any, client: Any, leader: Any, receiver: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    api(receiver).post(f"/api/v1/dossiers/{dossier.pk}/invoice/counter-payment/", {"method": "card"})

    response = api(leader).post(refund_url(dossier), {"amount": 10_000, "reason": REASON}, format="json")

    assert (response.status_code, response.json()["status"]) == (201, "pending")
    assert reload(invoice).status == "refund_pending"
    # One refund at a time: another waits until this one is paid back.
    again = api(leader).post(refund_url(dossier), {"amount": 1_000, "reason": REASON}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "not_refundable")

    client.force_login(receiver)
    page = client.post(f"/payments/refunds/{response.json()['id']}/paid-back/", {"reference": "CK-2611-01"})

    assert page.status_code == 302
    refund = Refund.objects.get()
    assert (refund.status, refund.transaction_no, refund.done_by) == ("done", "CK-2611-01", receiver)
    invoice = reload(invoice)
    assert (invoice.status, invoice.refunded_amount) == ("paid", 10_000)
    assert [kind for kind, _ in events(invoice)][-2:] == [EventKind.REFUND_REQUESTED, EventKind.REFUNDED]
    # Paid back once: the second press changes nothing.
    client.post(f"/payments/refunds/{refund.pk}/paid-back/", {"reference": "CK-2611-02"})
    assert reload(refund).transaction_no == "CK-2611-01"


def test_the_applicant_cannot_record_their_own_refund_as_paid_back(
    api: Any, client: Any, leader: Any, receiver: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    api(receiver).post(f"/api/v1/dossiers/{dossier.pk}/invoice/counter-payment/", {"method": "card"})
    refund_id = api(leader).post(refund_url(dossier), {"reason": REASON}, format="json").json()["id"]
    client.force_login(citizen)

    response = in_english(client).post(f"/payments/refunds/{refund_id}/paid-back/", follow=True)

    assert Refund.objects.get().status == "pending"
    assert "paid back at the desk" not in response.content.decode()


# --- Automatic: the rule is clear -----------------------------------------------------------------------------


def test_a_dossier_refused_at_reception_gets_its_fee_back_without_anyone_asking(
    api: Any, receiver: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    reference = pay_in_sandbox(invoice, citizen)

    response = api(receiver).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/refuse/", {"comment": "Không thuộc thẩm quyền"}, format="json"
    )

    assert response.status_code == 200, response.content
    refund = Refund.objects.get()
    assert (refund.rule, refund.status, refund.amount, refund.requested_by) == (
        "refused",
        "done",
        50_000,
        None,
    )
    assert "từ chối tiếp nhận" in refund.reason
    assert reload(invoice).status == "refunded"
    assert SandboxTransaction.objects.get(txn_ref=reference).refunded == 50_000
    assert len(refund_kinds(dossier.pk)) == 2


def test_a_dossier_withdrawn_before_reception_gets_its_fee_back(
    api: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    pay_in_sandbox(invoice, citizen)

    response = api(citizen).post(f"/api/v1/dossiers/{dossier.pk}/actions/withdraw/", {}, format="json")

    assert response.status_code == 200, response.content
    refund = Refund.objects.get()
    assert (refund.rule, refund.status) == ("withdrawn", "done")
    assert reload(invoice).status == "refunded"


def test_a_dossier_withdrawn_after_reception_is_left_to_finance_staff(
    api: Any, receiver: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    pay_in_sandbox(invoice, citizen)
    assert (
        api(receiver).post(f"/api/v1/dossiers/{dossier.pk}/actions/receive/", {}, format="json").status_code
        == 200
    )

    response = api(citizen).post(f"/api/v1/dossiers/{dossier.pk}/actions/withdraw/", {}, format="json")

    assert response.status_code == 200, response.content
    assert not Refund.objects.exists()
    assert reload(invoice).status == "paid"


def test_a_refused_dossier_with_nothing_paid_refunds_nothing(
    api: Any, receiver: Any, dossier: Dossier, invoice: Invoice
) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(due_before="before_return")  # reception does not wait

    response = api(receiver).post(
        f"/api/v1/dossiers/{dossier.pk}/actions/refuse/", {"comment": "Thiếu giấy tờ"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert not Refund.objects.exists()


# --- The refund receipt ---------------------------------------------------------------------------------------


def test_the_refund_receipt_names_the_refund_and_only_the_applicant_and_finance_read_it(
    api: Any, leader: Any, citizen: Any, citizen2: Any, dossier: Dossier, invoice: Invoice
) -> None:
    pay_in_sandbox(invoice, citizen)
    refund_id = (
        api(leader)
        .post(refund_url(dossier), {"amount": 20_000, "reason": REASON}, format="json")
        .json()["id"]
    )
    url = f"/api/v1/dossiers/{dossier.pk}/invoice/refunds/{refund_id}/receipt/"

    response = api(citizen).get(url)

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    text = pdf_text(response.content)
    refund = Refund.objects.get()
    for expected in (
        "Chứng từ hoàn trả phí, lệ phí",
        refund.reference,
        invoice.reference,
        "20.000 đồng",
        REASON,
    ):
        assert expected.upper() in text.replace("\r", "").replace("\n", " ").upper(), expected
    # It names the payer: the applicant's and the case workers', not the province's (like the payment receipt).
    assert api(leader).get(url).status_code == 403
    assert api(citizen2).get(url).status_code == 404
    # The payment receipt stays: the fee was paid before it came back.
    assert api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/invoice/receipt/").status_code == 200


def test_a_refund_not_done_has_no_receipt(
    api: Any, leader: Any, receiver: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    api(receiver).post(f"/api/v1/dossiers/{dossier.pk}/invoice/counter-payment/", {"method": "card"})
    refund_id = api(leader).post(refund_url(dossier), {"reason": REASON}, format="json").json()["id"]

    response = api(citizen).get(f"/api/v1/dossiers/{dossier.pk}/invoice/refunds/{refund_id}/receipt/")

    assert (response.status_code, response.json()["code"]) == (409, "not_refunded")


# --- The pages ------------------------------------------------------------------------------------------------


def test_finance_staff_refund_from_the_finance_page_and_the_counter_pays_back_from_the_dossier(
    api: Any, client: Any, leader: Any, receiver: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    api(receiver).post(f"/api/v1/dossiers/{dossier.pk}/invoice/counter-payment/", {"method": "card"})
    client.force_login(leader)

    page = in_english(client).post(
        "/payments/refunds/",
        {"reference": invoice.reference, "amount": "20.000", "reason": REASON},
        follow=True,
    )

    assert "is under way" in page.content.decode()
    refund = Refund.objects.get()
    assert (refund.amount, refund.requested_by, refund.status) == (20_000, leader, "pending")
    client.force_login(receiver)
    console = in_english(client).get(f"/console/dossiers/{dossier.pk}/").content.decode()
    assert f"/payments/refunds/{refund.pk}/paid-back/" in console
    client.force_login(citizen)
    assert (
        f"/payments/refunds/{refund.pk}/paid-back/"
        not in client.get(f"/dossiers/{dossier.pk}/").content.decode()
    )


def test_the_finance_page_refuses_an_unknown_invoice_or_a_bad_amount(
    client: Any, leader: Any, citizen: Any, invoice: Invoice
) -> None:
    pay_in_sandbox(invoice, citizen)
    client.force_login(leader)

    unknown = in_english(client).post(
        "/payments/refunds/", {"reference": "HP0", "reason": REASON}, follow=True
    )
    bad = in_english(client).post(
        "/payments/refunds/",
        {"reference": invoice.reference, "amount": "lots", "reason": REASON},
        follow=True,
    )

    assert "No invoice has the reference HP0" in unknown.content.decode()
    assert "The amount must be between 1 and 50.000" in bad.content.decode()
    assert not Refund.objects.exists()


def test_the_refund_form_is_for_finance_staff_only(client: Any, receiver: Any, invoice: Invoice) -> None:
    client.force_login(receiver)

    assert (
        client.post("/payments/refunds/", {"reference": invoice.reference, "reason": REASON}).status_code
        == 403
    )
