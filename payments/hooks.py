"""How payments takes part in the dossier workflow: the invoice opens on submit; reception or return waits for
the fee when the procedure version says so (409 with the reason); a fee paid for a dossier refused at reception
or withdrawn before reception is refunded without anyone asking (in the action's transaction; the provider is
called after it commits); the dossier pages show the fee panel.

``register()`` is called once, from ``PaymentsConfig.ready()``.
"""

from dossiers import workflow
from dossiers.models import Dossier
from dossiers.panels import PANELS
from dossiers.workflow import Action
from payments import services
from payments.constants import RefundRule
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


def register() -> None:
    PANELS.register(invoice_panel)
    workflow.IN_TRANSACTION[Action.SUBMIT].register(open_invoice)
    workflow.GUARDS[Action.RECEIVE].register(fee_before_reception)
    workflow.GUARDS[Action.RETURN].register(fee_before_return)
    workflow.IN_TRANSACTION[Action.REFUSE].register(refund_refused)
    workflow.IN_TRANSACTION[Action.WITHDRAW].register(refund_withdrawn)
