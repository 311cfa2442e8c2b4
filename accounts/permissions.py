"""Every permission of the portal is decided here, from the user's role and agency.

``PERMISSIONS`` is the table: a permission name to the roles that hold it and whether it is limited to the user's
own agency. ``has_permission`` reads it; views, API permission classes and services all ask it. What a user may
see and do with a dossier, and what hangs off it, is ``accounts.policy``.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser

from accounts.constants import Role
from accounts.models import User

if TYPE_CHECKING:
    from procedures.models import Agency


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    own_agency_only: bool = False


PERMISSIONS: dict[str, Rule] = {
    # The catalogue.
    "catalogue.manage": Rule(frozenset({Role.PROVINCE_ADMIN})),
    "catalogue.import": Rule(frozenset({Role.PROVINCE_ADMIN})),
    # Staff accounts: create, give a role and an agency, move, switch off, force a password reset.
    "staff.manage": Rule(frozenset({Role.PROVINCE_ADMIN})),
    # The province's calendar of days off and working Saturdays (dossiers.sla).
    "calendar.manage": Rule(frozenset({Role.PROVINCE_ADMIN})),
    # Staff consoles and statistics.
    "console.view": Rule(frozenset({Role.RECEIVER, Role.ASSESSOR, Role.APPROVER}), own_agency_only=True),
    # A counter clerk who checked a citizen's ID card records the account's ID number as verified.
    "identity.verify": Rule(frozenset({Role.RECEIVER})),
    "payments.reconcile": Rule(frozenset({Role.PROVINCE_ADMIN, Role.LEADER})),
    # The province's finance office: refunds with their legal reason (the same people who reconcile).
    "payments.refund": Rule(frozenset({Role.PROVINCE_ADMIN, Role.LEADER})),
    "stats.view": Rule(
        frozenset({Role.RECEIVER, Role.ASSESSOR, Role.APPROVER, Role.LEADER, Role.PROVINCE_ADMIN})
    ),
}


def has_permission(
    user: User | AnonymousUser | None, permission: str, *, agency: "Agency | int | None" = None
) -> TypeGuard[User]:
    """Whether ``user`` holds ``permission``, for ``agency`` where the permission is limited to one's own agency.

    Superusers hold every permission; anonymous and inactive users none.
    """
    rule = PERMISSIONS[permission]
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.role not in rule.roles:
        return False
    if rule.own_agency_only and agency is not None:
        return user.agency_id is not None and user.agency_id == getattr(agency, "pk", agency)
    return True
