"""The small interface through which payments sees a dossier: who may see it, its fees, its lookup data."""

from dataclasses import dataclass
from typing import Any

from accounts.constants import Role
from accounts.permissions import can_view_dossier
from dossiers.models import Dossier
from portal.errors import NotFound


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


def visible(dossier_id: int, user: Any) -> DossierInfo:
    """The dossier if ``user`` may see it; 404 otherwise."""
    dossier = (
        Dossier.objects.select_related("version", "agency")
        .prefetch_related("version__fees")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None or not can_view_dossier(user, dossier):
        raise NotFound("No such dossier.")
    return info(dossier)


def is_competent_staff(user: Any, dossier: DossierInfo) -> bool:
    return user.role in (Role.RECEIVER, Role.ASSESSOR, Role.APPROVER) and user.agency_id == dossier.agency_id


def may_take_counter_payment(user: Any, dossier: DossierInfo) -> bool:
    # Any receiver of the province may take the fee at their counter (no administrative boundaries).
    return user.role == Role.RECEIVER and user.agency_id is not None
