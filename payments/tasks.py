"""Daily reconciliation: every report dropped under PAYMENT_SETTLEMENT_DIR/<provider>/ is compared once."""

from pathlib import Path

from celery import shared_task
from django.conf import settings

from payments.reconciliation import reconcile_folder


@shared_task
def reconcile_reports() -> int:
    """Compare the reports not compared yet; safe to run twice (a compared report is skipped)."""
    return reconcile_folder(root=Path(settings.PAYMENT_SETTLEMENT_DIR))
