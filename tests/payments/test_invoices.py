"""Fee invoices as API.md's "Payments" promises them: opened on submit from the version's fees, the workflow's gate
on the fee, starting an online payment, counter payments, waivers, the receipt, the online flag of the statistics,
and the append-only payment events of a journey."""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from dossiers.models import Dossier
from payments.constants import EventKind
from payments.models import Invoice, Payment, PaymentAttempt, PaymentEvent
from procedures.constants import FeeDue
from procedures.models import Fee
from tests.factories import DossierFactory, ProcedureVersionFactory
from tests.payments.conftest import (
    attempt_reference,
    good_notice,
    notice_fields,
    reload,
    signed,
    submit_dossier,
    vnp_signature,
)


def invoice_url(dossier: Any) -> str:
    return f"/api/v1/dossiers/{getattr(dossier, 'pk', dossier)}/invoice/"


def action_url(dossier: Any, name: str) -> str:
    return f"/api/v1/dossiers/{getattr(dossier, 'pk', dossier)}/actions/{name}/"


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """API.md's error body ``{"detail", "code"}`` with the right status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code, body
    return body


def pay_online(send_notice: Callable[..., Any], invoice: Invoice, transaction_no: str = "14000001") -> None:
    response = send_notice(good_notice(invoice, transaction_no=transaction_no))
    assert response.json()["RspCode"] == "00", response.content


def as_result_ready(dossier: Dossier) -> None:
    """Jump a received dossier to ``result_ready`` (assessing, approving and signing are not what is tested)."""
    Dossier.objects.filter(pk=dossier.pk).update(state="result_ready", outcome="grant")


# --- Opened on submit -----------------------------------------------------------------------------------------


def test_submitting_opens_an_invoice_for_the_sum_of_the_versions_non_zero_fees(
    api: Any, citizen: Any, agency_a: Any
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    Fee.objects.create(version=version, position=1, name="Phí thẩm định", amount=120_000)
    Fee.objects.create(version=version, position=2, name="Phí cấp bản sao", amount=0)
    dossier = submit_dossier(version, citizen)

    response = api(citizen).get(invoice_url(dossier))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["amount"] == 170_000
    assert body["status"] == "open"
    assert body["paid_at"] is None
    assert body["reference"] == Invoice.objects.get(dossier=dossier).reference
    assert body["items"] == [
        {"name": "Lệ phí", "amount": 50_000},
        {"name": "Phí thẩm định", "amount": 120_000},
    ]
    assert body["due_before"] == "before_reception"
    (event,) = PaymentEvent.objects.filter(invoice__dossier=dossier)
    assert (event.kind, event.payload) == ("opened", {"amount": 170_000})


def test_a_draft_has_no_invoice_yet(api: Any, citizen: Any, version_a: Any) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen)

    assert_error(api(citizen).get(invoice_url(dossier)), 404, "no_invoice")


@pytest.mark.parametrize("fees", [[], [0], [0, 0]], ids=["no-fee", "a-zero-fee", "two-zero-fees"])
def test_a_free_procedure_opens_no_invoice_and_its_invoice_is_not_found(
    api: Any, citizen: Any, receiver: Any, agency_a: Any, fees: list[int]
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    version.fees.all().delete()
    for position, amount in enumerate(fees):
        Fee.objects.create(version=version, position=position, name=f"Phí {position}", amount=amount)
    dossier = submit_dossier(version, citizen)

    assert not Invoice.objects.exists()
    assert_error(api(citizen).get(invoice_url(dossier)), 404, "no_invoice")
    assert api(receiver).post(action_url(dossier, "receive"), {}).status_code == 200


def test_a_free_procedures_invoice_cannot_be_paid(api: Any, citizen: Any, agency_a: Any) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    version.fees.all().delete()
    dossier = submit_dossier(version, citizen)

    assert_error(api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}), 404, "no_invoice")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("citizen", 200),
        ("receiver", 200),
        ("assessor", 200),
        ("leader", 200),
        ("citizen2", 404),
        ("assessor_b", 404),
    ],
)
def test_the_invoice_is_shown_to_whoever_may_see_the_dossier_and_unknown_to_others(
    api: Any, request: pytest.FixtureRequest, dossier: Dossier, who: str, status: int
) -> None:
    response = api(request.getfixturevalue(who)).get(invoice_url(dossier))

    assert response.status_code == status, response.content
    if status == 404:
        assert "reference" not in response.json()


def test_an_anonymous_visitor_must_log_in_to_see_an_invoice(anonymous: Any, dossier: Dossier) -> None:
    assert anonymous.get(invoice_url(dossier)).status_code == 401


# --- The gate -------------------------------------------------------------------------------------------------


def test_reception_waits_for_a_fee_due_before_reception_and_says_why(
    api: Any, receiver: Any, dossier: Dossier, invoice: Invoice
) -> None:
    body = assert_error(api(receiver).post(action_url(dossier, "receive"), {}), 409, "blocked")

    assert "50.000" in body["detail"]
    assert invoice.reference in body["detail"]
    assert reload(dossier).state == "submitted"


def test_reception_goes_ahead_once_the_fee_is_paid_online(
    api: Any, receiver: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    pay_online(send_notice, invoice)

    response = api(receiver).post(action_url(dossier, "receive"), {})

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "assessing"


def test_reception_goes_ahead_once_the_fee_is_paid_at_the_counter(
    api: Any, receiver: Any, dossier: Dossier
) -> None:
    assert (
        api(receiver).post(f"{invoice_url(dossier)}counter-payment/", {"method": "card"}).status_code == 200
    )

    assert api(receiver).post(action_url(dossier, "receive"), {}).status_code == 200


def test_reception_goes_ahead_once_the_fee_is_waived(api: Any, receiver: Any, dossier: Dossier) -> None:
    waive = api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": "Hộ nghèo (Điều 5 Thông tư 85)"})
    assert waive.status_code == 200, waive.content

    assert api(receiver).post(action_url(dossier, "receive"), {}).status_code == 200


def test_a_fee_due_before_return_lets_reception_through_and_holds_the_return_until_paid(
    api: Any, citizen: Any, receiver: Any, agency_a: Any, send_notice: Callable[..., Any]
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a, fee_due=FeeDue.BEFORE_RETURN)
    dossier = submit_dossier(version, citizen)
    invoice = Invoice.objects.get(dossier=dossier)
    assert invoice.due_before == "before_return"

    assert api(receiver).post(action_url(dossier, "receive"), {}).status_code == 200
    as_result_ready(dossier)
    body = assert_error(api(receiver).post(action_url(dossier, "return"), {}), 409, "blocked")
    assert invoice.reference in body["detail"]
    assert reload(dossier).state == "result_ready"

    pay_online(send_notice, invoice)

    response = api(receiver).post(action_url(dossier, "return"), {})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "returned"


def test_a_fee_due_before_reception_does_not_hold_the_return(
    api: Any, receiver: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    pay_online(send_notice, invoice)
    assert api(receiver).post(action_url(dossier, "receive"), {}).status_code == 200
    as_result_ready(dossier)

    assert api(receiver).post(action_url(dossier, "return"), {}).status_code == 200


# --- Starting an online payment -------------------------------------------------------------------------------


def test_the_applicant_starts_paying_and_gets_an_absolute_correctly_signed_redirect(
    api: Any, citizen: Any, dossier: Dossier, invoice: Invoice
) -> None:
    response = api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}, format="json")

    assert response.status_code == 200, response.content
    url = urlsplit(response.json()["redirect_url"])
    assert url.scheme in ("http", "https") and url.netloc
    assert url.path == "/payments/sandbox/pay/"
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    assert query["vnp_SecureHash"] == vnp_signature(query)
    assert query["vnp_Version"] == "2.1.0"
    assert query["vnp_Command"] == "pay"
    # Each attempt has its own vnp_TxnRef: the invoice's reference and the attempt's number.
    assert query["vnp_TxnRef"] == PaymentAttempt.objects.get(invoice=invoice).reference
    assert query["vnp_TxnRef"].startswith(invoice.reference)
    assert query["vnp_Amount"] == "5000000"
    assert query["vnp_CurrCode"] == "VND"
    returning = urlsplit(query["vnp_ReturnUrl"])
    assert returning.scheme in ("http", "https") and returning.netloc
    assert returning.path == "/payments/return/sandbox/"
    (started,) = PaymentEvent.objects.filter(kind=EventKind.STARTED)
    assert (started.invoice, started.actor, started.provider) == (invoice, citizen, "sandbox")
    assert reload(invoice).status == "open"


@pytest.mark.parametrize(
    ("who", "status"),
    [("receiver", 403), ("assessor", 403), ("leader", 403), ("province_admin", 403), ("citizen2", 404)],
)
def test_only_the_applicant_pays_online(
    api: Any, request: pytest.FixtureRequest, dossier: Dossier, who: str, status: int
) -> None:
    response = api(request.getfixturevalue(who)).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"})

    assert_error(response, status)
    assert not PaymentEvent.objects.filter(kind=EventKind.STARTED).exists()


def test_an_anonymous_visitor_cannot_start_a_payment(anonymous: Any, dossier: Dossier) -> None:
    assert anonymous.post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}).status_code == 401


def test_a_paid_invoice_cannot_be_paid_again(
    api: Any, citizen: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    pay_online(send_notice, invoice)

    assert_error(api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}), 409)


def test_a_waived_invoice_cannot_be_paid(api: Any, citizen: Any, receiver: Any, dossier: Dossier) -> None:
    api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": "Trẻ em dưới 6 tuổi"})

    assert_error(api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}), 409)


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"provider": "counter"}, 400, "not_online"),
        ({"provider": "paypal"}, 404, "unknown_provider"),
        ({"provider": ""}, 400, None),
        ({}, 400, None),
        ({"provider": "x" * 100}, 400, None),
        ({"provider": "sand/box"}, 400, None),
        ({"provider": ["sandbox", "vnpay"]}, 400, None),
    ],
    ids=["counter-is-not-online", "unknown", "blank", "missing", "too-long", "with-a-slash", "a-list"],
)
def test_paying_needs_a_known_online_provider(
    api: Any, citizen: Any, dossier: Dossier, data: dict[str, str], status: int, code: str | None
) -> None:
    assert_error(api(citizen).post(f"{invoice_url(dossier)}pay/", data, format="json"), status, code)


def test_a_provider_switched_off_is_unknown(settings: Any, api: Any, citizen: Any, dossier: Dossier) -> None:
    settings.PAYMENT_PROVIDERS = ["counter"]

    assert_error(
        api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}), 404, "unknown_provider"
    )


def test_vnpay_without_its_merchant_code_and_secret_is_not_available(
    settings: Any, api: Any, citizen: Any, dossier: Dossier
) -> None:
    settings.PAYMENT_VNPAY_TMN_CODE = ""
    settings.PAYMENT_VNPAY_SECRET = ""

    body = assert_error(
        api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "vnpay"}), 400, "provider_unavailable"
    )
    assert "PAYMENT_VNPAY_SECRET" in body["detail"]


def test_vnpay_sends_the_citizen_to_its_pay_page_signed_with_the_merchants_secret(
    settings: Any, api: Any, citizen: Any, dossier: Dossier
) -> None:
    settings.PAYMENT_VNPAY_TMN_CODE = "PORTAL01"
    settings.PAYMENT_VNPAY_SECRET = "merchant-secret"  # noqa: S105 - a test value
    settings.PAYMENT_VNPAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"

    response = api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "vnpay"})

    assert response.status_code == 200, response.content
    url = urlsplit(response.json()["redirect_url"])
    assert (url.scheme, url.netloc, url.path) == ("https", "sandbox.vnpayment.vn", "/paymentv2/vpcpay.html")
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    assert query["vnp_TmnCode"] == "PORTAL01"
    assert query["vnp_SecureHash"] == vnp_signature(query, "merchant-secret")


# --- Counter payments -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["card", "bank_qr"])
def test_a_receiver_records_a_payment_taken_at_the_counter(
    api: Any, receiver: Any, dossier: Dossier, invoice: Invoice, method: str
) -> None:
    response = api(receiver).post(
        f"{invoice_url(dossier)}counter-payment/", {"method": method, "reference": "POS-000123"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["provider"], body["online"]) == ("paid", "counter", False)
    assert body["paid_at"]
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.provider, payment.transaction_no, payment.amount, payment.recorded_by) == (
        "counter",
        "POS-000123",
        50_000,
        receiver,
    )
    event = PaymentEvent.objects.get(invoice=invoice, kind=EventKind.COUNTER)
    assert (event.actor, event.payload) == (receiver, {"method": method})


def test_a_receiver_of_another_agency_takes_the_fee_of_a_dossier_waiting_for_reception(
    api: Any, receiver_b: Any, dossier: Dossier, invoice: Invoice
) -> None:
    response = api(receiver_b).post(f"{invoice_url(dossier)}counter-payment/", {"method": "bank_qr"})

    assert response.status_code == 200, response.content
    assert reload(invoice).status == "paid"


def test_a_card_slip_recorded_once_cannot_pay_a_second_invoice(
    api: Any, receiver: Any, citizen2: Any, version_a: Any, dossier: Dossier
) -> None:
    other = submit_dossier(version_a, citizen2)
    first = api(receiver).post(
        f"{invoice_url(dossier)}counter-payment/", {"method": "card", "reference": "POS-7"}
    )
    assert first.status_code == 200

    response = api(receiver).post(
        f"{invoice_url(other)}counter-payment/", {"method": "card", "reference": "POS-7"}
    )

    assert_error(response, 409, "duplicate_transaction")
    assert Invoice.objects.get(dossier=other).status == "open"


def test_a_counter_payment_without_a_slip_number_gets_its_own_transaction_number(
    api: Any, receiver: Any, citizen2: Any, version_a: Any, dossier: Dossier
) -> None:
    other = submit_dossier(version_a, citizen2)

    for each in (dossier, other):
        assert (
            api(receiver).post(f"{invoice_url(each)}counter-payment/", {"method": "card"}).status_code == 200
        )

    numbers = list(Payment.objects.values_list("transaction_no", flat=True))
    assert len(set(numbers)) == 2
    assert all(number.startswith("card-") for number in numbers)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("citizen", 403),
        ("assessor", 403),
        ("approver", 403),
        ("leader", 403),
        ("citizen2", 404),
        ("assessor_b", 404),
    ],
)
def test_only_a_receiver_records_a_counter_payment(
    api: Any, request: pytest.FixtureRequest, dossier: Dossier, invoice: Invoice, who: str, status: int
) -> None:
    response = api(request.getfixturevalue(who)).post(
        f"{invoice_url(dossier)}counter-payment/", {"method": "card"}
    )

    assert_error(response, status)
    assert reload(invoice).status == "open"
    assert not Payment.objects.exists()


def test_a_counter_payment_for_a_paid_invoice_is_refused(
    api: Any, receiver: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    pay_online(send_notice, invoice)

    assert_error(api(receiver).post(f"{invoice_url(dossier)}counter-payment/", {"method": "card"}), 409)
    assert Payment.objects.get().provider == "sandbox"


@pytest.mark.parametrize("data", [{"method": "cash"}, {}, {"method": "card", "reference": "R" * 65}])
def test_a_counter_payment_needs_a_card_or_bank_qr_method(
    api: Any, receiver: Any, dossier: Dossier, invoice: Invoice, data: dict[str, str]
) -> None:
    assert_error(api(receiver).post(f"{invoice_url(dossier)}counter-payment/", data), 400)
    assert reload(invoice).status == "open"


# --- Waivers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["receiver", "assessor", "approver"])
def test_staff_of_the_competent_agency_waive_a_fee_with_its_legal_reason(
    api: Any, request: pytest.FixtureRequest, dossier: Dossier, invoice: Invoice, who: str
) -> None:
    user = request.getfixturevalue(who)
    reason = "Miễn lệ phí: người có công với cách mạng (Điều 4 Thông tư 85/2019/TT-BTC)"

    response = api(user).post(f"{invoice_url(dossier)}waive/", {"reason": reason})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "waived"
    invoice = reload(invoice)
    assert (invoice.waived_reason, invoice.waived_by, invoice.paid_at) == (reason, user, None)
    event = PaymentEvent.objects.get(invoice=invoice, kind=EventKind.WAIVED)
    assert (event.actor, event.reason) == (user, reason)


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "empty", "blank"])
def test_a_waiver_without_a_reason_is_refused(
    api: Any, receiver: Any, dossier: Dossier, invoice: Invoice, data: dict[str, str]
) -> None:
    assert_error(api(receiver).post(f"{invoice_url(dossier)}waive/", data), 400)
    assert reload(invoice).status == "open"


@pytest.mark.parametrize(
    ("who", "status"),
    [("receiver_b", 403), ("citizen", 403), ("province_admin", 403), ("leader", 403), ("assessor_b", 404)],
)
def test_only_staff_of_the_competent_agency_waive_a_fee(
    api: Any, request: pytest.FixtureRequest, dossier: Dossier, invoice: Invoice, who: str, status: int
) -> None:
    response = api(request.getfixturevalue(who)).post(f"{invoice_url(dossier)}waive/", {"reason": "Hộ nghèo"})

    assert_error(response, status)
    assert reload(invoice).status == "open"


def test_a_paid_fee_cannot_be_waived(
    api: Any, receiver: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    pay_online(send_notice, invoice)

    assert_error(api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": "Hộ nghèo"}), 409)
    assert reload(invoice).status == "paid"


# --- The receipt ----------------------------------------------------------------------------------------------


def test_the_receipt_is_refused_while_the_invoice_is_open(api: Any, citizen: Any, dossier: Dossier) -> None:
    assert_error(api(citizen).get(f"{invoice_url(dossier)}receipt/"), 409, "not_paid")
    assert api(citizen).get(invoice_url(dossier)).json()["receipt_url"] is None


def test_a_waived_fee_has_no_receipt(api: Any, citizen: Any, receiver: Any, dossier: Dossier) -> None:
    api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": "Hộ nghèo"})

    assert_error(api(citizen).get(f"{invoice_url(dossier)}receipt/"), 409, "not_paid")


@pytest.mark.parametrize("paid_by", ["sandbox", "counter"])
def test_a_paid_invoice_has_an_electronic_receipt_pdf(
    api: Any,
    citizen: Any,
    receiver: Any,
    send_notice: Callable[..., Any],
    dossier: Dossier,
    invoice: Invoice,
    paid_by: str,
) -> None:
    if paid_by == "sandbox":
        pay_online(send_notice, invoice)
    else:
        api(receiver).post(f"{invoice_url(dossier)}counter-payment/", {"method": "bank_qr"})

    response = api(citizen).get(api(citizen).get(invoice_url(dossier)).json()["receipt_url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert invoice.reference in response["Content-Disposition"]


def test_another_citizen_cannot_fetch_the_receipt(
    api: Any, citizen2: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    pay_online(send_notice, invoice)

    assert_error(api(citizen2).get(f"{invoice_url(dossier)}receipt/"), 404)


# --- The statistics' flag -------------------------------------------------------------------------------------


def test_a_fee_paid_through_the_sandbox_counts_as_paid_online(
    api: Any, citizen: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    pay_online(send_notice, invoice)

    body = api(citizen).get(invoice_url(dossier)).json()
    assert (body["status"], body["provider"], body["online"]) == ("paid", "sandbox", True)
    assert reload(invoice).online is True


@pytest.mark.parametrize("how", ["counter", "waived", "open"])
def test_a_fee_taken_at_the_counter_waived_or_unpaid_does_not_count_as_paid_online(
    api: Any, receiver: Any, dossier: Dossier, invoice: Invoice, how: str
) -> None:
    if how == "counter":
        api(receiver).post(f"{invoice_url(dossier)}counter-payment/", {"method": "card"})
    elif how == "waived":
        api(receiver).post(f"{invoice_url(dossier)}waive/", {"reason": "Hộ nghèo"})

    assert reload(invoice).online is False


# --- The events of a journey ----------------------------------------------------------------------------------


def test_every_step_of_a_payment_journey_appends_an_event_and_earlier_events_never_change(
    api: Any, citizen: Any, send_notice: Callable[..., Any], dossier: Dossier, invoice: Invoice
) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        return list(
            PaymentEvent.objects.filter(invoice=invoice)
            .order_by("id")
            .values_list("id", "kind", "provider", "transaction_no", "reason", "payload", "actor", "at")
        )

    steps: list[Callable[[], Any]] = [
        lambda: api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}),
        lambda: send_notice(good_notice(invoice, code="24", transaction_no="501")),
        lambda: send_notice(good_notice(invoice, vnp_Amount="100", transaction_no="502")),
        lambda: api(citizen).post(f"{invoice_url(dossier)}pay/", {"provider": "sandbox"}),
        lambda: send_notice(good_notice(invoice, transaction_no="503")),
        lambda: send_notice(good_notice(invoice, transaction_no="503")),
        lambda: send_notice(good_notice(invoice, transaction_no="504")),
    ]
    history = snapshot()
    for step in steps:
        step()
        now = snapshot()
        assert now[: len(history)] == history
        assert len(now) == len(history) + 1
        history = now

    kinds = [row[1] for row in history]
    assert kinds == ["opened", "started", "rejected", "rejected", "started", "paid", "rejected", "rejected"]
    reasons = [row[4].split(":")[0] for row in history if row[1] == "rejected"]
    assert reasons == ["failed_payment", "amount_mismatch", "replayed", "replayed"]
    assert [row[0] for row in history] == sorted(row[0] for row in history)
    assert Payment.objects.get().transaction_no == "503"


def test_a_forged_notice_is_recorded_without_an_invoice_and_the_invoices_history_is_untouched(
    send_notice: Callable[..., Any], invoice: Invoice
) -> None:
    send_notice(signed(notice_fields(invoice), "not-the-secret"))

    assert list(PaymentEvent.objects.filter(invoice=invoice).values_list("kind", flat=True)) == ["opened"]
    forged = PaymentEvent.objects.get(invoice=None)
    assert forged.reason.startswith("forged: ")
    assert forged.payload["reference"] == attempt_reference(invoice)
    assert forged.remote_addr == "127.0.0.1"
