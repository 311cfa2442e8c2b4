"""The small interface through which payments sees a dossier: who may see it, its fees, its lookup data.

Who may do what with a dossier's fee is the policy's (``accounts.policy.Ask``: invoice, receipt, pay online,
counter payment, waive).
"""

from dataclasses import dataclass
from typing import Any

from accounts.policy import Ask
from dossiers.access import dossier_for
from dossiers.models import Dossier


@dataclass(frozen=True)
class DossierInfo:
    id: int
    code: str
    lookup_key: str
    state: str
    agency_id: int
    agency_name: str
    procedure_name: str
    applicant_name: str
    applicant_id: int | None
    fees: list[dict[str, Any]]
    fee_due: str


def info(dossier: Dossier) -> DossierInfo:
    version = dossier.version
    return DossierInfo(
        id=dossier.pk,
        code=dossier.code or "",
        lookup_key=dossier.lookup_key,
        state=dossier.state,
        agency_id=dossier.agency_id,
        agency_name=dossier.agency.name,
        procedure_name=version.name,
        applicant_name=dossier.applicant_data.get("organisation")
        or dossier.applicant_data.get("full_name", ""),
        applicant_id=dossier.applicant_id,
        fees=[{"name": fee.name, "amount": fee.amount} for fee in version.fees.all() if fee.amount],
        fee_due=version.fee_due,
    )


def visible(dossier_id: int, user: Any, *, ask: Ask = Ask.INVOICE, log: str | None = None) -> DossierInfo:
    """The dossier if ``user`` may ``ask`` about it (``accounts.policy``, through the door that logs reads)."""
    dossier = dossier_for(
        user,
        dossier_id,
        ask=ask,
        log=log,
        queryset=Dossier.objects.select_related("version", "agency").prefetch_related("version__fees"),
    )
    return info(dossier)
