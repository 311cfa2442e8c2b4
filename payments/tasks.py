"""Daily reconciliation: every report dropped under PAYMENT_SETTLEMENT_DIR/<provider>/ is compared once."""

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from payments.models import Reconciliation
from payments.reconciliation import ReportInvalid, reconcile
from portal.errors import ServiceError

log = logging.getLogger(__name__)


@shared_task
def reconcile_reports() -> int:
    done = 0
    root = Path(settings.PAYMENT_SETTLEMENT_DIR)
    for path in sorted(root.glob("*/*.csv")) if root.exists() else []:
        if Reconciliation.objects.filter(source=str(path)).exists():
            continue
        try:
            reconcile(provider_name=path.parent.name, text=path.read_text(encoding="utf-8"), source=str(path))
            done += 1
        # A bad file (or a folder named for no provider) is logged and stops no other.
        except (ReportInvalid, ServiceError, OSError, UnicodeDecodeError) as exc:
            log.error("cannot reconcile %s: %s", path, exc)
    return done
