"""Every permission of the portal is decided here, from the user's role and agency.

``PERMISSIONS`` is the table: a permission name to the roles that hold it and whether it is limited to the user's
own agency. ``has_permission`` reads it; views, API permission classes and services all ask it.
"""

from dataclasses import dataclass
from typing import Any

from accounts.constants import Role


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    own_agency_only: bool = False


PERMISSIONS: dict[str, Rule] = {
    # The catalogue.
    "catalogue.manage": Rule(frozenset({Role.PROVINCE_ADMIN})),
    "catalogue.import": Rule(frozenset({Role.PROVINCE_ADMIN})),
    # Staff consoles and statistics.
    "console.view": Rule(frozenset({Role.RECEIVER, Role.ASSESSOR, Role.APPROVER}), own_agency_only=True),
    "payments.reconcile": Rule(frozenset({Role.PROVINCE_ADMIN, Role.LEADER})),
    "stats.view": Rule(
        frozenset({Role.RECEIVER, Role.ASSESSOR, Role.APPROVER, Role.LEADER, Role.PROVINCE_ADMIN})
    ),
}


def has_permission(user: Any, permission: str, *, agency: Any = None) -> bool:
    """Whether ``user`` holds ``permission``, for ``agency`` where the permission is limited to one's own agency.

    Superusers hold every permission; anonymous and inactive users none.
    """
    rule = PERMISSIONS[permission]
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.role not in rule.roles:
        return False
    if rule.own_agency_only and agency is not None:
        return user.agency_id is not None and user.agency_id == getattr(agency, "pk", agency)
    return True


# Dossiers. The rules read plain attributes (agency_id, applicant_id, ...), so accounts knows nothing of dossiers.
# "No administrative boundaries": any receiver of the province may take in a dossier still waiting for reception.
RECEPTION_STATE = "submitted"
DRAFT_STATE = "draft"
PROVINCE_WIDE_VIEWERS = frozenset({Role.PROVINCE_ADMIN, Role.LEADER})


def can_view_dossier(user: Any, dossier: Any) -> bool:
    """Whether ``user`` may see ``dossier`` at all; a dossier one may not see is answered as unknown (404)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if dossier.state == DRAFT_STATE and user.pk not in (dossier.applicant_id, dossier.created_by_id):
        # A draft is its author's until it is submitted (a walk-in draft is the receiver's who entered it).
        return False
    if user.role in PROVINCE_WIDE_VIEWERS:
        return True
    if user.role == Role.CITIZEN:
        return dossier.applicant_id == user.pk or (
            dossier.applicant_id is None and dossier.created_by_id == user.pk
        )
    if user.role not in (Role.RECEIVER, Role.ASSESSOR, Role.APPROVER) or user.agency_id is None:
        return False
    if dossier.agency_id == user.agency_id:
        return True
    if user.role == Role.RECEIVER:
        return (
            dossier.received_at_agency_id == user.agency_id
            or dossier.state == RECEPTION_STATE
            or (dossier.created_by_id == user.pk)
        )
    return False


def may_act_on_dossier(user: Any, dossier: Any, *, action: str, roles: frozenset[str]) -> bool:
    """Whether ``user``'s role and agency allow ``action`` on a dossier they can see (roles from the workflow)."""
    if user.role not in roles:
        return False
    if user.role == Role.CITIZEN:
        return dossier.applicant_id == user.pk or (
            dossier.applicant_id is None and dossier.created_by_id == user.pk
        )
    if user.role == Role.RECEIVER:
        if action == "submit":
            # Walk-in: the receiver who entered a counter dossier submits it on the citizen's behalf.
            return dossier.channel == "counter" and dossier.created_by_id == user.pk
        if dossier.state == RECEPTION_STATE or action in ("receive", "refuse"):
            return True
        return user.agency_id in (dossier.agency_id, dossier.received_at_agency_id)
    return user.agency_id is not None and user.agency_id == dossier.agency_id
