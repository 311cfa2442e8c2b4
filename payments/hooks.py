"""How payments takes part in the dossier workflow: the invoice opens on submit; reception or return waits for
the fee when the procedure version says so (409 with the reason)."""

from typing import Any

from dossiers import workflow
from payments import services
from procedures.constants import FeeDue


@workflow.in_transaction("submit")
def open_invoice(dossier: Any, actor: Any) -> None:
    services.invoice_open(dossier=dossier)


@workflow.guard("receive")
def fee_before_reception(dossier: Any) -> str | None:
    return services.blocking_reason(dossier_id=dossier.pk, step=FeeDue.BEFORE_RECEPTION)


@workflow.guard("return")
def fee_before_return(dossier: Any) -> str | None:
    return services.blocking_reason(dossier_id=dossier.pk, step=FeeDue.BEFORE_RETURN)
