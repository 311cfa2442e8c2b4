"""A payment whose server notice never arrives: the beat task asks the provider (VNPay's ``querydr``, the sandbox's
equivalent) about attempts still open after PAYMENT_QUERY_AFTER_MINUTES and settles them through the same path as a
notice, so a late notice and the query never pay twice, in either order."""

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from payments import services
from payments.constants import AttemptStatus, EventKind
from payments.models import Invoice, Payment, PaymentAttempt, PaymentEvent, SandboxTransaction
from payments.providers import Signed, register
from payments.providers.sandbox import SandboxProvider, bank_answer
from payments.tasks import query_open_attempts
from tests.payments.conftest import CALLBACK, pay_in_sandbox, reload

QUERY_FIELDS = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip


def age(reference: str, minutes: int) -> None:
    """The attempt started ``minutes`` ago."""
    PaymentAttempt.objects.filter(reference=reference).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def late_notice(reference: str) -> dict[str, str]:
    """The notice the sandbox's bank would have sent for the attempt, as its ledger has it."""
    sandbox = register.get("sandbox")
    txn = SandboxTransaction.objects.get(txn_ref=reference)
    asked = Signed(reference=reference, amount=txn.amount, success=True, fields={
        "vnp_TxnRef": reference, "vnp_Amount": str(txn.amount * 100), "vnp_TmnCode": "SANDBOX1",
        "vnp_OrderInfo": txn.order_info,
    })  # fmt: skip
    return sandbox.pay_page_notice(asked, paid=True)


def test_a_payment_whose_notice_was_lost_is_settled_by_asking_the_provider(
    invoice: Invoice, citizen: Any, settings: Any
) -> None:
    settings.PAYMENT_QUERY_AFTER_MINUTES = 15
    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)
    assert reload(invoice).status == "open"

    assert query_open_attempts() == {}  # not yet: the notice may still be on its way
    age(reference, 16)
    assert query_open_attempts() == {"paid": 1}

    invoice = reload(invoice)
    assert (invoice.status, invoice.provider, invoice.online) == ("paid", "sandbox", True)
    payment = Payment.objects.get(invoice=invoice)
    txn = SandboxTransaction.objects.get(txn_ref=reference)
    assert (payment.transaction_no, payment.amount, payment.attempt.reference) == (
        txn.transaction_no,
        50_000,
        reference,
    )
    kinds = list(PaymentEvent.objects.filter(invoice=invoice).values_list("kind", flat=True))
    assert kinds == ["opened", "started", "queried", "paid"]
    assert query_open_attempts() == {}  # settled: nothing left to ask


def test_a_notice_arriving_after_the_query_settled_it_is_already_confirmed_and_pays_nothing(
    invoice: Invoice, citizen: Any, api: Any
) -> None:
    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)
    age(reference, 60)
    assert query_open_attempts() == {"paid": 1}

    response = api(None).get(CALLBACK, late_notice(reference))

    assert response.json() == {"RspCode": "02", "Message": "Order already confirmed"}
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert PaymentEvent.objects.filter(invoice=invoice, kind=EventKind.PAID).count() == 1


def test_a_query_after_a_late_notice_finds_nothing_to_settle(
    invoice: Invoice, citizen: Any, api: Any
) -> None:
    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)
    age(reference, 60)
    assert api(None).get(CALLBACK, late_notice(reference)).json()["RspCode"] == "00"

    assert query_open_attempts() == {}
    assert services.attempt_query(attempt_id=PaymentAttempt.objects.get(reference=reference).pk) == "settled"
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_the_notice_arriving_while_the_query_is_under_way_is_paid_once(
    invoice: Invoice, citizen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider answered the query; before the query settles, the late notice is taken. The query then meets
    an attempt already paid: it records its answer and pays nothing."""
    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)
    age(reference, 60)
    answer_of = SandboxProvider.query

    def query_then_notice(self: SandboxProvider, **kwargs: Any) -> Any:
        answer = answer_of(self, **kwargs)
        result = services.notice_handle(
            provider_name="sandbox", params=late_notice(reference), remote_addr=None
        )
        assert result.body["RspCode"] == "00"
        return answer

    monkeypatch.setattr(SandboxProvider, "query", query_then_notice)
    outcome = services.attempt_query(attempt_id=PaymentAttempt.objects.get(reference=reference).pk)

    assert outcome == "settled"
    assert Payment.objects.filter(invoice=invoice).count() == 1
    (rejected,) = PaymentEvent.objects.filter(invoice=invoice, kind=EventKind.REJECTED)
    assert rejected.reason.startswith("replayed: ")


def test_an_attempt_the_citizen_never_paid_is_closed_after_the_give_up_time(
    invoice: Invoice, citizen: Any, settings: Any
) -> None:
    settings.PAYMENT_QUERY_GIVE_UP_HOURS = 24
    url = services.payment_start(
        dossier_id=invoice.dossier_id, user=citizen, provider_name="sandbox", return_url="", client_ip=""
    )
    assert url
    attempt = PaymentAttempt.objects.get(invoice=invoice)
    age(attempt.reference, 30)
    assert query_open_attempts() == {"not_found": 1}
    assert reload(attempt).status == AttemptStatus.PENDING

    age(attempt.reference, 25 * 60)
    assert query_open_attempts() == {"closed": 1}
    attempt = reload(attempt)
    assert (attempt.status, attempt.queries) == (AttemptStatus.FAILED, 2)
    assert reload(invoice).status == "open"  # the citizen may pay again, with a new attempt


def test_a_cancelled_payment_found_by_the_query_closes_the_attempt_only(
    invoice: Invoice, citizen: Any
) -> None:
    from urllib.parse import parse_qsl, urlsplit

    url = services.payment_start(
        dossier_id=invoice.dossier_id, user=citizen, provider_name="sandbox", return_url="", client_ip=""
    )
    sandbox = register.get("sandbox")
    asked = sandbox.read_signed(dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)))
    assert asked is not None
    sandbox.pay_page_notice(asked, paid=False)  # cancelled at the bank, and that notice lost too
    age(asked.reference, 60)

    assert query_open_attempts() == {"failed": 1}
    assert reload(invoice).status == "open"
    assert PaymentAttempt.objects.get().status == AttemptStatus.FAILED


# --- The sandbox's querydr, to VNPay's letter -----------------------------------------------------------------


def pipe_hash(fields: dict[str, str], order: tuple[str, ...]) -> str:
    """VNPay 2.1's merchant API checksum: HMAC-SHA512 of the fields' values in order, joined by "|" (written here,
    not with the portal's code)."""
    data = "|".join(fields.get(name, "") for name in order)
    return hmac.new(
        django_settings.PAYMENT_SANDBOX_SECRET.encode(), data.encode(), hashlib.sha512
    ).hexdigest()


def querydr(reference: str, **changes: str) -> dict[str, str]:
    request = {
        "vnp_RequestId": "req0001",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "SANDBOX1",
        "vnp_TxnRef": reference,
        "vnp_OrderInfo": "Truy van",
        "vnp_TransactionDate": "20261123101530",
        "vnp_CreateDate": "20261123103000",
        "vnp_IpAddr": "127.0.0.1",
    }
    request["vnp_SecureHash"] = pipe_hash(request, QUERY_FIELDS)
    return request | changes


def test_the_sandboxs_querydr_answers_from_its_ledger_signed_with_vnpays_checksum(
    invoice: Invoice, citizen: Any
) -> None:
    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)
    txn = SandboxTransaction.objects.get(txn_ref=reference)
    sandbox = register.get("sandbox")

    answer = bank_answer(querydr(reference), merchant="SANDBOX1", secret=sandbox.secret())

    assert (answer["vnp_ResponseCode"], answer["vnp_TransactionStatus"]) == ("00", "00")
    assert (answer["vnp_TxnRef"], answer["vnp_Amount"], answer["vnp_TransactionNo"]) == (
        reference,
        "5000000",
        txn.transaction_no,
    )
    order = (
        "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
        "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
        "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
    )  # fmt: skip
    assert answer["vnp_SecureHash"] == pipe_hash(answer, order)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"vnp_SecureHash": "0" * 128}, "97"),
        ({"vnp_TxnRef": "HP00000000000000001"}, "97"),  # changed after signing
        ({"vnp_TmnCode": "OTHER123"}, "97"),
    ],
    ids=["bad-checksum", "reference-changed", "merchant-changed"],
)
def test_the_sandboxs_querydr_refuses_a_request_it_cannot_trust(
    invoice: Invoice, citizen: Any, changes: dict[str, str], code: str
) -> None:
    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)

    answer = bank_answer(
        querydr(reference, **changes), merchant="SANDBOX1", secret=register.get("sandbox").secret()
    )

    assert answer["vnp_ResponseCode"] == code


def test_an_unknown_attempt_is_not_found_at_the_sandbox(db: Any) -> None:
    answer = bank_answer(
        querydr("HP99999999999999001"), merchant="SANDBOX1", secret=register.get("sandbox").secret()
    )

    assert answer["vnp_ResponseCode"] == "91"


def test_a_query_whose_answer_is_not_signed_settles_nothing(
    invoice: Invoice, citizen: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)
    age(reference, 60)
    # A forged "paid" answer (a man in the middle of the merchant API): no checksum with the merchant's secret.
    monkeypatch.setattr(
        SandboxProvider,
        "transport",
        lambda self, request: {
            "vnp_ResponseCode": "00",
            "vnp_TxnRef": reference,
            "vnp_TransactionStatus": "00",
        },
    )

    assert query_open_attempts() == {"unavailable": 1}

    assert reload(invoice).status == "open"
    event = PaymentEvent.objects.get(kind=EventKind.QUERIED)
    assert event.reason.startswith("unavailable: ")
