"""How payments takes part in the dossier workflow: the invoice opens on submit; reception or return waits for
the fee when the procedure version says so (409 with the reason); the dossier pages show the fee panel.

``register()`` is called once, from ``PaymentsConfig.ready()``.
"""

from dossiers import workflow
from dossiers.models import Dossier
from dossiers.panels import PANELS
from dossiers.workflow import Action
from payments import services
from payments.panels import invoice_panel
from procedures.constants import FeeDue


def open_invoice(dossier: Dossier, actor: object) -> None:
    services.invoice_open(dossier=dossier)


def fee_before_reception(dossier: Dossier) -> str | None:
    return services.blocking_reason(dossier_id=dossier.pk, step=FeeDue.BEFORE_RECEPTION)


def fee_before_return(dossier: Dossier) -> str | None:
    return services.blocking_reason(dossier_id=dossier.pk, step=FeeDue.BEFORE_RETURN)


def register() -> None:
    PANELS.register(invoice_panel)
    workflow.IN_TRANSACTION[Action.SUBMIT].register(open_invoice)
    workflow.GUARDS[Action.RECEIVE].register(fee_before_reception)
    workflow.GUARDS[Action.RETURN].register(fee_before_return)
