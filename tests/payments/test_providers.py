"""The providers through their base class, and the one service that moves an invoice to paid."""

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from payments import services
from payments.constants import EventKind
from payments.models import Invoice, Payment, PaymentEvent
from payments.providers import register
from portal.errors import InvalidState
from tests.payments.conftest import attempt_reference, notice_fields, reload, signed


def test_the_sandbox_reads_an_address_it_signed(invoice: Invoice) -> None:
    fields = signed(notice_fields(invoice))

    back = register.get("sandbox").read_signed({**fields, "decision": "pay"})

    assert back is not None
    assert (back.reference, back.amount, back.success) == (attempt_reference(invoice), invoice.amount, True)
    assert "decision" not in back.fields


def test_the_sandbox_does_not_read_an_address_changed_after_signing(invoice: Invoice) -> None:
    fields = {**signed(notice_fields(invoice)), "vnp_Amount": "100"}

    assert register.get("sandbox").read_signed(fields) is None


def test_the_counter_signs_no_address_and_has_no_pay_page(invoice: Invoice) -> None:
    counter = register.get("counter")
    back = register.get("sandbox").read_signed(signed(notice_fields(invoice)))
    assert back is not None

    assert counter.read_signed(signed(notice_fields(invoice))) is None
    with pytest.raises(NotImplementedError):
        counter.pay_page_notice(back, paid=True)


def test_the_sandbox_pay_page_notice_is_one_the_sandbox_accepts(invoice: Invoice) -> None:
    sandbox = register.get("sandbox")
    asked = sandbox.read_signed(signed(notice_fields(invoice)))
    assert asked is not None

    notice = sandbox.parse_notice(sandbox.pay_page_notice(asked, paid=False))

    assert (notice.reference, notice.amount, notice.success) == (
        attempt_reference(invoice),
        invoice.amount,
        False,
    )


def test_a_paid_invoice_is_not_marked_paid_again(invoice: Invoice, receiver: Any) -> None:
    services.counter_payment_record(dossier_id=invoice.dossier_id, user=receiver, method="card")

    with pytest.raises(InvalidState), transaction.atomic():
        services.invoice_mark_paid(
            invoice=reload(invoice),
            provider=register.get("sandbox"),
            transaction_no="14000009",
            paid_at=timezone.now(),
            event=EventKind.PAID,
            payload={},
        )

    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert not PaymentEvent.objects.filter(invoice=invoice, kind=EventKind.PAID).exists()


@pytest.mark.django_db(transaction=True)
def test_an_invoice_status_moves_only_inside_the_transaction_that_locked_it(invoice: Invoice) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        services.invoice_mark_waived(invoice=invoice, reason="Nghị định 15/2023", actor=None)

    assert reload(invoice).status == "open"
