"""How payments takes part in the dossier workflow: the invoice opens on submit; reception or return waits for
the fee when the procedure version says so (409 with the reason); a fee paid for a dossier refused at reception
or withdrawn before reception is refunded without anyone asking (in the action's transaction; the provider is
called after it commits); the dossier pages show the fee panel; the fee paid (online or at the desk), waived or
refunded is a row of the dossier's history, written in the payment's transaction.

``register()`` is called once, from ``PaymentsConfig.ready()``.
"""

from dossiers import workflow
from dossiers.constants import EventAction
from dossiers.history import history_write
from dossiers.models import Dossier
from dossiers.panels import PANELS
from dossiers.workflow import Action
from payments import services
from payments.constants import EventKind, RefundRule
from payments.models import Invoice, PaymentEvent
from payments.panels import invoice_panel
from procedures.constants import FeeDue


def open_invoice(dossier: Dossier, actor: object) -> None:
    services.invoice_open(dossier=dossier)


def fee_before_reception(dossier: Dossier) -> str | None:
    return services.blocking_reason(dossier_id=dossier.pk, step=FeeDue.BEFORE_RECEPTION)


def fee_before_return(dossier: Dossier) -> str | None:
    return services.blocking_reason(dossier_id=dossier.pk, step=FeeDue.BEFORE_RETURN)


def refund_refused(dossier: Dossier, actor: object) -> None:
    services.refund_automatic(dossier_id=dossier.pk, rule=RefundRule.REFUSED)


def refund_withdrawn(dossier: Dossier, actor: object) -> None:
    if dossier.received_at is None:  # before reception; after it, finance staff decide where the law says so
        services.refund_automatic(dossier_id=dossier.pk, rule=RefundRule.WITHDRAWN)


HISTORY_ACTIONS = {
    EventKind.PAID: EventAction.FEE_PAID,
    EventKind.COUNTER: EventAction.FEE_PAID,
    EventKind.WAIVED: EventAction.FEE_WAIVED,
    EventKind.REFUNDED: EventAction.FEE_REFUNDED,
}


def fee_in_history(invoice: Invoice, event: PaymentEvent) -> None:
    """The history row of a step of the fee, chained under the dossier's row lock (the notice's path locks the
    invoice first; the workflow's path, which locked the dossier, refunds in its own history row's transaction)."""
    dossier = Dossier.objects.select_for_update().get(pk=invoice.dossier_id)
    history_write(
        dossier=dossier,
        action=HISTORY_ACTIONS[EventKind(event.kind)],
        actor=event.actor,
        comment={EventKind.WAIVED: invoice.waived_reason, EventKind.REFUNDED: event.reason}.get(
            EventKind(event.kind), ""
        ),
        data={
            "invoice": invoice.reference,
            "amount": event.amount or invoice.amount,
            "provider": event.provider,
            "transaction_no": event.transaction_no,
        },
    )


def register() -> None:
    services.FEE_RECORDED.register(fee_in_history)
    PANELS.register(invoice_panel)
    workflow.IN_TRANSACTION[Action.SUBMIT].register(open_invoice)
    workflow.GUARDS[Action.RECEIVE].register(fee_before_reception)
    workflow.GUARDS[Action.RETURN].register(fee_before_return)
    workflow.IN_TRANSACTION[Action.REFUSE].register(refund_refused)
    workflow.IN_TRANSACTION[Action.WITHDRAW].register(refund_withdrawn)
