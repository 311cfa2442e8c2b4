"""Notices for one invoice arriving at once, over real parallel connections on PostgreSQL: the invoice is paid once.

Each thread is the provider's server (or a clerk) calling the portal with its own database connection; a barrier
releases them together, so the transactions overlap and the invoice's row lock must serialise them. CI runs on
PostgreSQL, where these never skip; SQLite has no row locks to test.
"""

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from payments.constants import EventKind
from payments.models import Invoice, Payment, PaymentEvent
from tests.concurrency import run_at_once
from tests.payments.conftest import CALLBACK, good_notice, pay_in_sandbox, reload

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def notify(params: dict[str, str]) -> Callable[[], tuple[int, str]]:
    """A job: the provider's server posting ``params`` to the callback; returns (status, RspCode)."""

    def job() -> tuple[int, str]:
        response = APIClient().post(CALLBACK, params)
        return response.status_code, response.json()["RspCode"]

    return job


def assert_paid_once(invoice: Invoice, transaction_nos: set[str]) -> Payment:
    invoice = reload(invoice)
    assert invoice.status == "paid"
    (payment,) = Payment.objects.filter(invoice=invoice)
    assert payment.transaction_no in transaction_nos
    assert PaymentEvent.objects.filter(invoice=invoice, kind=EventKind.PAID).count() == 1
    return payment


def test_two_identical_notices_at_once_pay_the_invoice_once(invoice: Invoice) -> None:
    notice = good_notice(invoice, transaction_no="14000001")

    results = run_at_once([notify(notice), notify(notice)])

    assert sorted(results) == [(200, "00"), (200, "02")]
    assert_paid_once(invoice, {"14000001"})
    (rejected,) = PaymentEvent.objects.filter(kind=EventKind.REJECTED)
    assert rejected.reason.startswith("replayed: ")


def test_two_transactions_for_one_invoice_at_once_pay_it_once(invoice: Invoice) -> None:
    results = run_at_once(
        [notify(good_notice(invoice, transaction_no=number)) for number in ("14000001", "14000002")]
    )

    assert sorted(results) == [(200, "00"), (200, "02")]
    payment = assert_paid_once(invoice, {"14000001", "14000002"})
    (rejected,) = PaymentEvent.objects.filter(kind=EventKind.REJECTED)
    # One attempt, two transactions: VNPay's "order already confirmed" for the one that came second.
    assert rejected.reason.startswith("replayed: ")
    assert rejected.transaction_no != payment.transaction_no


@pytest.mark.parametrize("same_transaction", [True, False], ids=["one-transaction", "eight-transactions"])
def test_eight_notices_at_once_pay_the_invoice_once(invoice: Invoice, same_transaction: bool) -> None:
    numbers = [f"1400000{1 if same_transaction else n}" for n in range(8)]

    results = run_at_once([notify(good_notice(invoice, transaction_no=number)) for number in numbers])

    assert Counter(results) == {(200, "00"): 1, (200, "02"): 7}
    assert_paid_once(invoice, set(numbers))
    # The same notice again is counted on its row (payments.services._reject), not stored again.
    rejected = PaymentEvent.objects.filter(kind=EventKind.REJECTED)
    assert sum(event.payload["count"] for event in rejected) == 7


def test_a_counter_payment_and_an_online_notice_at_once_pay_the_invoice_once(
    receiver: Any, invoice: Invoice
) -> None:
    def counter() -> tuple[int, str]:
        client = APIClient()
        client.force_authenticate(receiver)
        response = client.post(
            f"/api/v1/dossiers/{invoice.dossier_id}/invoice/counter-payment/", {"method": "card"}
        )
        return response.status_code, response.json().get("status", response.json().get("code"))

    online, at_desk = run_at_once([notify(good_notice(invoice)), counter])

    assert not isinstance(online, Exception) and not isinstance(at_desk, Exception), (online, at_desk)
    assert Payment.objects.filter(invoice=invoice).count() == 1
    paid_by = reload(invoice).provider
    if paid_by == "sandbox":
        assert (online, at_desk[0]) == ((200, "00"), 409)
    else:
        assert (paid_by, online, at_desk) == ("counter", (200, "02"), (200, "paid"))


def test_the_query_and_late_notices_at_once_pay_a_lost_notices_invoice_once(
    invoice: Invoice, citizen: Any
) -> None:
    """The notice was lost, the beat task asks the provider; meanwhile the provider retries its notice. Two of
    each, at once, on their own connections: one payment, one ``paid`` event, whoever wins."""
    from payments import services
    from payments.models import PaymentAttempt
    from tests.payments.test_lost_notices import age, late_notice

    reference = pay_in_sandbox(invoice, citizen, lose_notice=True)
    age(reference, 60)
    attempt_id = PaymentAttempt.objects.get(reference=reference).pk
    notice = late_notice(reference)

    def query() -> str:
        return services.attempt_query(attempt_id=attempt_id)

    results = run_at_once([query, notify(notice), query, notify(notice)])

    assert not any(isinstance(result, Exception) for result in results), results
    queries, notices = [results[0], results[2]], [results[1], results[3]]
    paid_by_notice = notices.count((200, "00"))
    paid_by_query = queries.count("paid")
    assert paid_by_notice + paid_by_query == 1, results
    assert all(result == (200, "02") for result in notices if result != (200, "00"))
    assert all(result in ("paid", "settled") for result in queries)
    payment = assert_paid_once(invoice, {notice["vnp_TransactionNo"]})
    assert payment.attempt_id == attempt_id
