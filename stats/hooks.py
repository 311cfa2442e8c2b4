"""How the service index keeps its rollups current, and where leaders land: ``register()`` is called once, from
``StatsConfig.ready()``.

Every workflow action refreshes the dossier's counters in its transaction (``dossiers.workflow.IN_TRANSACTION``),
as do an invoice's change (``payments.services.INVOICE_CHANGED``), a rating (``dossiers.services.RATED``), an
apology's new due date (``dossiers.schedule.DUE_MOVED``) and a
complaint filed or answered (``complaints.services.FILED`` / ``ANSWERED``): a figure moves with the change that moves
it, or not at all.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse

from accounts.constants import Role
from accounts.landing import LANDING
from complaints import services as complaints
from dossiers import schedule, workflow
from dossiers import services as dossiers
from payments import services as payments
from stats import services


def leaders_dashboard(user: AbstractBaseUser) -> str | None:
    """A leader lands on the dashboard after login."""
    return reverse("dashboard") if getattr(user, "role", None) == Role.LEADER else None


def register() -> None:
    for action in workflow.Action:
        if action == workflow.Action.SUBMIT:
            workflow.IN_TRANSACTION[action].register(services.refresh_submitted)
        else:
            workflow.IN_TRANSACTION[action].register(services.refresh_dossier)
    payments.INVOICE_CHANGED.register(services.refresh_for_dossier_id)
    dossiers.RATED.register(services.refresh_for_dossier_id)
    schedule.DUE_MOVED.register(services.refresh_for_dossier_id)
    complaints.FILED.register(services.refresh_complaint)
    complaints.ANSWERED.register(services.refresh_complaint)
    LANDING.register(leaders_dashboard)
