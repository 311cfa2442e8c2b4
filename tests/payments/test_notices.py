"""The provider's server notice (VNPay 2.1 IPN) at ``/api/v1/payments/{provider}/callback/``: the whole table of good
and bad notices. Only a genuine, fresh, exact, successful notice marks an invoice paid; every other one changes
nothing, leaves a "rejected" PaymentEvent with its reason, and is answered in VNPay's format (never a 500).

The notices are built and signed in ``conftest.py`` by the rule of API.md, not by the portal's own code.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments import services
from payments.constants import EventKind
from payments.models import Invoice, Payment, PaymentEvent
from payments.providers import register
from tests.payments.conftest import (
    CALLBACK,
    attempt_reference,
    good_notice,
    invoice_state,
    notice_fields,
    reload,
    signed,
    submit_dossier,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
METHODS = ["get", "post"]


def assert_vnpay_answer(response: Any, code: str) -> dict[str, Any]:
    """VNPay expects HTTP 200 with a JSON ``{"RspCode", "Message"}``, whatever the outcome."""
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["RspCode"] == code, body
    assert isinstance(body["Message"], str) and body["Message"]
    return body


def rejected_events() -> list[PaymentEvent]:
    return list(PaymentEvent.objects.filter(kind=EventKind.REJECTED).order_by("id"))


@pytest.fixture
def other_invoice(version_a: Any, citizen2: Any) -> Invoice:
    """Another open invoice of the same amount, another citizen's."""
    return Invoice.objects.get(dossier=submit_dossier(version_a, citizen2))


# --- Good notices ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_a_genuine_notice_marks_the_invoice_paid_and_is_confirmed(
    send_notice: Callable[..., Any], invoice: Invoice, method: str
) -> None:
    response = send_notice(good_notice(invoice, transaction_no="14123456"), method=method)

    assert_vnpay_answer(response, "00")
    invoice = reload(invoice)
    assert invoice.status == "paid"
    assert invoice.paid_at == datetime(2026, 11, 23, 10, 15, 30, tzinfo=HCM)
    assert invoice.provider == "sandbox"
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.provider, payment.transaction_no, payment.amount) == ("sandbox", "14123456", 50_000)
    paid = PaymentEvent.objects.get(invoice=invoice, kind=EventKind.PAID)
    assert paid.transaction_no == "14123456"
    assert paid.payload["vnp_TxnRef"] == attempt_reference(invoice)
    assert rejected_events() == []


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda invoice: {**good_notice(invoice)}, id="as-signed"),
        pytest.param(
            lambda invoice: {**(n := good_notice(invoice)), "vnp_SecureHash": n["vnp_SecureHash"].upper()},
            id="hash-in-upper-case",
        ),
        pytest.param(
            lambda invoice: {**good_notice(invoice), "vnp_SecureHashType": "HmacSHA512"},
            id="with-the-hash-type-field",
        ),
        pytest.param(
            lambda invoice: good_notice(invoice, vnp_OrderInfo="Lệ phí hồ sơ H12.01/2026 & 50% + phí"),
            id="order-info-with-spaces-diacritics-and-reserved-characters",
        ),
        pytest.param(
            lambda invoice: {**good_notice(invoice), "utm_source": "bank-app"},
            id="with-a-field-outside-vnp",
        ),
        pytest.param(
            lambda invoice: signed({k: v for k, v in notice_fields(invoice).items() if k != "vnp_PayDate"}),
            id="without-a-pay-date",
        ),
    ],
)
def test_a_genuine_notice_is_accepted_in_each_form_vnpay_sends(
    send_notice: Callable[..., Any], invoice: Invoice, variant: Callable[[Invoice], dict[str, str]]
) -> None:
    response = send_notice(variant(invoice))

    assert_vnpay_answer(response, "00")
    assert reload(invoice).status == "paid"


def test_a_failed_payment_first_and_a_successful_one_after_pays_the_invoice(
    send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    assert_vnpay_answer(send_notice(good_notice(invoice, transaction_no="1", code="24")), "00")
    assert reload(invoice).status == "open"
    # VNPay: the failed attempt is confirmed (02 from now on); paying again is a new attempt with its own vnp_TxnRef.
    first = attempt_reference(invoice)
    assert_vnpay_answer(send_notice(good_notice(invoice, transaction_no="2")), "02")
    second = services.attempt_open(invoice=invoice, provider=register.get("sandbox")).reference
    assert second != first

    assert_vnpay_answer(send_notice(good_notice(invoice, transaction_no="2")), "00")

    assert reload(invoice).status == "paid"
    assert Payment.objects.get(invoice=invoice).transaction_no == "2"


# --- The table of bad notices ---------------------------------------------------------------------------------

# Each row: how to build the notice from (invoice, another open invoice), VNPay's answer code, the recorded reason.
BAD_NOTICES = [
    # Forged: the signature does not cover what was received.
    pytest.param(
        lambda i, o: signed(notice_fields(i), "guessed-secret"),
        "97",
        "forged",
        id="signed-with-another-secret",
    ),
    pytest.param(lambda i, o: signed(notice_fields(i), ""), "97", "forged", id="signed-with-an-empty-secret"),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_Amount": "100"}, "97", "forged", id="amount-changed-after-signing"
    ),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_TxnRef": o.reference},
        "97",
        "forged",
        id="reference-changed-to-another-invoice-after-signing",
    ),
    pytest.param(
        lambda i, o: good_notice(i, code="24") | {"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"},
        "97",
        "forged",
        id="failure-turned-into-success-after-signing",
    ),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_TransactionNo": "99999999"},
        "97",
        "forged",
        id="transaction-changed-after-signing",
    ),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_Extra": "1"}, "97", "forged", id="a-vnp-field-added-after-signing"
    ),
    pytest.param(lambda i, o: notice_fields(i), "97", "forged", id="no-hash"),
    pytest.param(lambda i, o: notice_fields(i) | {"vnp_SecureHash": ""}, "97", "forged", id="empty-hash"),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_SecureHash": good_notice(i)["vnp_SecureHash"][:64]},
        "97",
        "forged",
        id="truncated-hash",
    ),
    pytest.param(
        lambda i, o: notice_fields(i) | {"vnp_SecureHash": good_notice(o)["vnp_SecureHash"]},
        "97",
        "forged",
        id="hash-of-another-notice",
    ),
    pytest.param(
        lambda i, o: notice_fields(i) | {"vnp_SecureHash": "zz" * 64}, "97", "forged", id="hash-not-hex"
    ),
    pytest.param(
        lambda i, o: notice_fields(i) | {"vnp_SecureHash": "đ" * 128}, "97", "forged", id="hash-not-ascii"
    ),
    # Garbage, huge and control characters: refused before anything is looked up.
    pytest.param(lambda i, o: {}, "97", "forged", id="no-parameters"),
    pytest.param(lambda i, o: {"foo": "bar", "vnp_": "", "": "x"}, "97", "forged", id="garbage-parameters"),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_OrderInfo": "A" * 100_000}, "97", "forged", id="a-huge-value"
    ),
    pytest.param(
        lambda i, o: {f"vnp_F{n}": "x" * 500 for n in range(200)}, "97", "forged", id="many-large-fields"
    ),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_TxnRef": i.reference + "\x00"},
        "97",
        "forged",
        id="a-nul-character",
    ),
    pytest.param(
        lambda i, o: good_notice(i) | {"vnp_TransactionNo": "1\r\n2\t\x1b[31m\x7f"},
        "97",
        "forged",
        id="control-characters",
    ),
    # Genuinely signed, but wrong.
    pytest.param(
        lambda i, o: good_notice(i, vnp_TxnRef="HP26112399999999"),
        "01",
        "unknown_invoice",
        id="unknown-invoice",
    ),
    pytest.param(lambda i, o: good_notice(i, vnp_TxnRef=""), "01", "unknown_invoice", id="empty-reference"),
    pytest.param(
        lambda i, o: good_notice(i, vnp_Amount=str((i.amount - 1000) * 100)),
        "04",
        "amount_mismatch",
        id="amount-too-small",
    ),
    pytest.param(
        lambda i, o: good_notice(i, vnp_Amount=str((i.amount + 1000) * 100)),
        "04",
        "amount_mismatch",
        id="amount-too-large",
    ),
    pytest.param(
        lambda i, o: good_notice(i, vnp_Amount=str(i.amount)),
        "04",
        "amount_mismatch",
        id="amount-not-multiplied-by-100",
    ),
    pytest.param(
        lambda i, o: good_notice(i, vnp_Amount=str(i.amount * 100 + 50)),
        "04",
        "amount_mismatch",
        id="amount-not-divisible-by-100",
    ),
    pytest.param(lambda i, o: good_notice(i, vnp_Amount="0"), "04", "amount_mismatch", id="amount-zero"),
    pytest.param(
        lambda i, o: good_notice(i, vnp_Amount=str(-i.amount * 100)),
        "04",
        "amount_mismatch",
        id="amount-negative",
    ),
    pytest.param(lambda i, o: good_notice(i, vnp_Amount="5e6"), "99", "malformed", id="amount-not-a-number"),
    pytest.param(
        lambda i, o: good_notice(i, vnp_Amount="9" * 398 + "00"),
        "04",
        "amount_mismatch",
        id="amount-enormous",
    ),
    pytest.param(lambda i, o: good_notice(i, vnp_PayDate="23/11/2026"), "99", "malformed", id="bad-pay-date"),
    pytest.param(
        lambda i, o: good_notice(i, transaction_no="7" * 65),
        "99",
        "malformed",
        id="transaction-number-longer-than-64",
    ),
    pytest.param(
        lambda i, o: good_notice(i, transaction_no=""), "99", "malformed", id="empty-transaction-number"
    ),
    pytest.param(
        lambda i, o: good_notice(i, vnp_TxnRef=i.reference + "X" * 300),
        "01",
        "unknown_invoice",
        id="reference-far-too-long",
    ),
    *[
        pytest.param(
            lambda i, o, missing=missing: signed({k: v for k, v in notice_fields(i).items() if k != missing}),
            "99",
            "malformed",
            id=f"missing-{missing}",
        )
        for missing in ("vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo", "vnp_ResponseCode")
    ],
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("build", "code", "outcome"), BAD_NOTICES)
def test_a_bad_notice_changes_nothing_is_recorded_and_answered_with_the_reason(
    send_notice: Callable[..., Any],
    invoice: Invoice,
    other_invoice: Invoice,
    build: Callable[[Invoice, Invoice], dict[str, str]],
    code: str,
    outcome: str,
    method: str,
) -> None:
    before = invoice_state(invoice), invoice_state(other_invoice)
    events_before = PaymentEvent.objects.count()

    response = send_notice(build(invoice, other_invoice), method=method)

    assert_vnpay_answer(response, code)
    assert (invoice_state(invoice), invoice_state(other_invoice)) == before
    assert Payment.objects.count() == 0
    assert PaymentEvent.objects.count() == events_before + 1
    (event,) = rejected_events()
    assert event.reason.startswith(f"{outcome}: ")
    assert event.provider == "sandbox"
    assert event.invoice_id in (None, invoice.pk)


@pytest.mark.parametrize("code", ["24", "11", "51", "99"])
def test_a_genuine_failed_payment_is_recorded_and_confirmed_and_the_invoice_stays_open(
    send_notice: Callable[..., Any], invoice: Invoice, code: str
) -> None:
    before = invoice_state(invoice)

    response = send_notice(good_notice(invoice, code=code))

    assert_vnpay_answer(response, "00")
    assert invoice_state(invoice) == before
    (event,) = rejected_events()
    assert event.invoice == invoice
    assert event.reason.startswith("failed_payment: ")
    assert code in event.reason


def test_a_response_code_of_success_with_a_failed_transaction_status_does_not_pay(
    send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    response = send_notice(good_notice(invoice, vnp_ResponseCode="00", vnp_TransactionStatus="02"))

    assert_vnpay_answer(response, "00")
    assert reload(invoice).status == "open"
    assert rejected_events()[0].reason.startswith("failed_payment: ")


def test_an_amount_mismatch_is_recorded_against_the_invoice_it_names(
    send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    assert_vnpay_answer(send_notice(good_notice(invoice, vnp_Amount="100")), "04")

    (event,) = rejected_events()
    assert event.invoice == invoice
    assert "Paid 1, due 50000" in event.reason


# --- Replayed and late ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_a_replayed_notice_is_refused_and_the_invoice_is_paid_once(
    send_notice: Callable[..., Any], invoice: Invoice, method: str
) -> None:
    notice = good_notice(invoice, transaction_no="14000777")
    assert_vnpay_answer(send_notice(notice, method=method), "00")
    paid = invoice_state(invoice)

    response = send_notice(notice, method=method)

    assert_vnpay_answer(response, "02")
    assert invoice_state(invoice) == paid
    assert Payment.objects.count() == 1
    (event,) = rejected_events()
    assert event.reason.startswith("replayed: ")
    assert event.transaction_no == "14000777"


def test_a_transaction_that_paid_one_invoice_cannot_pay_another(
    send_notice: Callable[..., Any], invoice: Invoice, other_invoice: Invoice
) -> None:
    assert_vnpay_answer(send_notice(good_notice(invoice, transaction_no="14000888")), "00")
    before = invoice_state(other_invoice)

    response = send_notice(good_notice(other_invoice, transaction_no="14000888"))

    assert_vnpay_answer(response, "02")
    assert invoice_state(other_invoice) == before
    assert rejected_events()[0].reason.startswith("replayed: ")


def test_a_second_transaction_for_a_paid_invoice_is_late_and_changes_nothing(
    send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    # Two attempts started (two tabs): the first is paid, then the second one's money arrives.
    sandbox = register.get("sandbox")
    first, second = (services.attempt_open(invoice=invoice, provider=sandbox) for _ in range(2))
    assert_vnpay_answer(
        send_notice(good_notice(invoice, transaction_no="1001", vnp_TxnRef=first.reference)), "00"
    )
    paid = invoice_state(invoice)

    response = send_notice(
        good_notice(invoice, transaction_no="1002", vnp_PayDate="20261124080000", vnp_TxnRef=second.reference)
    )

    assert_vnpay_answer(response, "02")
    assert invoice_state(invoice) == paid
    assert list(Payment.objects.values_list("transaction_no", flat=True)) == ["1001"]
    (event,) = rejected_events()
    assert event.reason.startswith("late: ")
    assert event.transaction_no == "1002"


def test_a_notice_for_a_waived_invoice_is_late_and_the_invoice_stays_waived(
    api: Any, receiver: Any, send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    waive = api(receiver).post(
        f"/api/v1/dossiers/{invoice.dossier_id}/invoice/waive/", {"reason": "Người có công với cách mạng"}
    )
    assert waive.status_code == 200, waive.content

    response = send_notice(good_notice(invoice))

    assert_vnpay_answer(response, "02")
    invoice = reload(invoice)
    assert (invoice.status, invoice.paid_at, invoice.provider) == ("waived", None, "")
    assert not Payment.objects.exists()


# --- Providers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["paypal", "SANDBOX", "sandbox2", "..", "%00"])
def test_an_unknown_provider_is_a_json_not_found(anonymous: Any, invoice: Invoice, provider: str) -> None:
    response = anonymous.get(f"/api/v1/payments/{provider}/callback/", good_notice(invoice))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    assert reload(invoice).status == "open"


def test_a_provider_switched_off_in_the_settings_takes_no_notices(
    settings: Any, send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    settings.PAYMENT_PROVIDERS = ["counter"]

    response = send_notice(good_notice(invoice))

    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"
    assert reload(invoice).status == "open"


def test_the_counter_provider_refuses_every_notice(send_notice: Callable[..., Any], invoice: Invoice) -> None:
    before = invoice_state(invoice)

    response = send_notice(good_notice(invoice), provider="counter")

    assert response.status_code == 200
    assert invoice_state(invoice) == before
    (event,) = rejected_events()
    assert event.provider == "counter"


def test_the_vnpay_provider_without_a_secret_refuses_a_notice_signed_with_an_empty_secret(
    settings: Any, send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    settings.PAYMENT_VNPAY_SECRET = ""

    response = send_notice(signed(notice_fields(invoice), ""), provider="vnpay")

    assert_vnpay_answer(response, "97")
    assert reload(invoice).status == "open"


def test_a_sandbox_notice_does_not_pay_through_the_vnpay_provider(
    settings: Any, send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    settings.PAYMENT_VNPAY_SECRET = "the-real-merchant-secret"  # noqa: S105 - a test value

    response = send_notice(good_notice(invoice), provider="vnpay")

    assert_vnpay_answer(response, "97")
    assert reload(invoice).status == "open"


def test_the_vnpay_provider_pays_with_a_notice_signed_with_its_own_secret(
    settings: Any, send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    settings.PAYMENT_VNPAY_SECRET = "the-real-merchant-secret"  # noqa: S105 - a test value

    fields = notice_fields(invoice, vnp_TxnRef=attempt_reference(invoice, "vnpay"))
    response = send_notice(signed(fields, "the-real-merchant-secret"), provider="vnpay")

    assert_vnpay_answer(response, "00")
    invoice = reload(invoice)
    assert (invoice.status, invoice.provider, invoice.online) == ("paid", "vnpay", True)


# --- Whatever is thrown at it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"vnp_TxnRef": "\\u0000", "vnp_SecureHash": "\\u0000"}',
        '{"vnp_TxnRef": "\\ud800", "vnp_Amount": "\\udfff", "\\ud83d": "x"}',
        '{"vnp_TxnRef": {"nested": [1, 2]}, "vnp_Amount": null, "vnp_SecureHash": true}',
        "[1, 2, 3]",
        '"just a string"',
        "{not json",
        "",
    ],
)
def test_a_json_body_of_any_shape_is_refused_without_an_error(
    anonymous: Any, invoice: Invoice, body: str
) -> None:
    before = invoice_state(invoice)

    response = anonymous.post(CALLBACK, body, content_type="application/json")

    assert response.status_code < 500
    assert invoice_state(invoice) == before


def test_a_body_of_an_unknown_type_is_refused_without_an_error(anonymous: Any, invoice: Invoice) -> None:
    response = anonymous.post(CALLBACK, json.dumps(good_notice(invoice)), content_type="text/plain")

    assert response.status_code < 500
    assert reload(invoice).status == "open"


def test_a_query_with_too_many_fields_is_refused_without_an_error(anonymous: Any, invoice: Invoice) -> None:
    response = anonymous.get(CALLBACK, {f"vnp_{n}": "1" for n in range(5000)} | good_notice(invoice))

    assert response.status_code < 500
    assert reload(invoice).status == "open"


VNP_KEYS = [
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_ResponseCode",
    "vnp_TransactionNo",
    "vnp_TransactionStatus",
    "vnp_PayDate",
    "vnp_SecureHash",
    "vnp_SecureHashType",
    "vnp_TmnCode",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(
        keys=st.one_of(st.sampled_from(VNP_KEYS), st.text(max_size=20)),
        values=st.one_of(st.text(max_size=80), st.integers().map(str)),
        max_size=12,
    ),
    name_the_invoice=st.booleans(),
    method=st.sampled_from(METHODS),
)
def test_no_notice_whatever_its_fields_gives_an_error_or_changes_the_invoice(
    send_notice: Callable[..., Any],
    invoice: Invoice,
    data: dict[str, str],
    name_the_invoice: bool,
    method: str,
) -> None:
    before = invoice_state(invoice)
    if name_the_invoice:
        # A notice about the real invoice, with the right amount, whose hash is whatever was generated.
        data = {**data, "vnp_TxnRef": invoice.reference, "vnp_Amount": str(invoice.amount * 100)}

    response = send_notice(data, method=method)

    assert response.status_code < 500
    assert invoice_state(invoice) == before


# --- VNPay's sample answers and order of checks --------------------------------------------------------------

# VNPay's sample IPN handler (vnpay_ipn.php of its integration kit) answers exactly these bodies.
VNPAY_SAMPLE = {
    "00": {"RspCode": "00", "Message": "Confirm Success"},
    "01": {"RspCode": "01", "Message": "Order not found"},
    "02": {"RspCode": "02", "Message": "Order already confirmed"},
    "04": {"RspCode": "04", "Message": "invalid amount"},
    "97": {"RspCode": "97", "Message": "Invalid signature"},
    "99": {"RspCode": "99", "Message": "Unknow error"},
}


@pytest.mark.parametrize(
    ("build", "code"),
    [
        pytest.param(lambda i: good_notice(i), "00", id="paid"),
        pytest.param(lambda i: good_notice(i, code="24"), "00", id="cancelled-is-recorded"),
        pytest.param(lambda i: good_notice(i, vnp_TxnRef="HP26112399999999001"), "01", id="no-such-order"),
        pytest.param(lambda i: good_notice(i, vnp_Amount="100"), "04", id="wrong-amount"),
        pytest.param(lambda i: signed(notice_fields(i), "wrong"), "97", id="bad-checksum"),
        pytest.param(lambda i: good_notice(i, vnp_PayDate="yesterday"), "99", id="unreadable"),
    ],
)
def test_the_ipn_answer_is_exactly_vnpays_sample_body(
    send_notice: Callable[..., Any], invoice: Invoice, build: Callable[[Invoice], dict[str, str]], code: str
) -> None:
    response = send_notice(build(invoice))

    assert response.status_code == 200
    assert response.json() == VNPAY_SAMPLE[code]


def test_vnpays_order_of_checks_checksum_then_order_then_amount_then_confirmed(
    send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    assert send_notice(good_notice(invoice, transaction_no="1")).json() == VNPAY_SAMPLE["00"]

    # Already confirmed and a wrong amount: the amount is checked first (04), as in VNPay's handler.
    assert (
        send_notice(good_notice(invoice, transaction_no="2", vnp_Amount="100")).json() == VNPAY_SAMPLE["04"]
    )
    # Unknown order and a wrong amount: the order first (01).
    unknown = good_notice(invoice, vnp_TxnRef="HP26112399999999001", vnp_Amount="100")
    assert send_notice(unknown).json() == VNPAY_SAMPLE["01"]
    # Forged and unknown: the checksum first (97).
    assert send_notice(unknown | {"vnp_SecureHash": "0" * 128}).json() == VNPAY_SAMPLE["97"]
    # Right amount on the confirmed order: 02.
    assert send_notice(good_notice(invoice, transaction_no="3")).json() == VNPAY_SAMPLE["02"]
    assert Payment.objects.get().transaction_no == "1"


def test_each_attempt_sends_its_own_vnp_txnref(
    api: Any, citizen: Any, dossier: Any, invoice: Invoice
) -> None:
    from urllib.parse import parse_qsl, urlsplit

    refs = []
    for _ in range(3):
        response = api(citizen).post(
            f"/api/v1/dossiers/{dossier.pk}/invoice/pay/", {"provider": "sandbox"}, format="json"
        )
        refs.append(dict(parse_qsl(urlsplit(response.json()["redirect_url"]).query))["vnp_TxnRef"])

    assert len(set(refs)) == 3
    assert all(ref.startswith(invoice.reference) for ref in refs)
