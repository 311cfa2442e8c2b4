"""Beat tasks: the daily reconciliation (every report dropped under PAYMENT_SETTLEMENT_DIR/<provider>/ is compared
once), and the attempts whose notice never came, asked of their provider."""

from pathlib import Path

from celery import shared_task
from django.conf import settings

from payments import services
from payments.reconciliation import reconcile_folder


@shared_task
def reconcile_reports() -> int:
    """Compare the reports not compared yet; safe to run twice (a compared report is skipped)."""
    return reconcile_folder(root=Path(settings.PAYMENT_SETTLEMENT_DIR))


@shared_task
def query_open_attempts() -> dict[str, int]:
    """Ask the provider of every attempt open for PAYMENT_QUERY_AFTER_MINUTES (querydr) and settle it; returns how
    many ended each way. Safe beside late notices and a second run: settling locks the invoice."""
    outcomes: dict[str, int] = {}
    for attempt_id in services.open_attempt_ids():
        outcome = services.attempt_query(attempt_id=attempt_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
