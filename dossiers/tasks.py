"""Celery tasks of dossiers: thin shells that take ids, reload, and call a service; safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Q
from django.utils import timezone

from dossiers import results, workflow
from dossiers.constants import State
from dossiers.models import Dossier

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def sign_result(dossier_id: int) -> None:
    """Make, sign and store the result of an approved dossier (results.result_sign)."""
    results.result_sign(dossier_id=dossier_id)


@workflow.in_transaction("approve")
def mark_signing_queued(dossier: Dossier, actor: object) -> None:
    """Stamp the approval with the time its signing is queued, in the approval's own transaction."""
    dossier.signing_queued_at = timezone.now()
    dossier.save(update_fields=["signing_queued_at"])


@workflow.on_commit("approve")
def queue_signing(dossier_id: int) -> None:
    """Queue the signing once the approval is committed. If the broker is unreachable (or, in process, signing
    fails), the dossier stays in ``signing`` and ``sweep_signing`` queues it again: no approval is lost."""
    try:
        sign_result.delay(dossier_id)
    except Exception:  # noqa: BLE001 - the sweep is the safety net
        log.exception("could not queue signing of dossier %s; the sweep will retry", dossier_id)


@shared_task
def sweep_signing() -> int:
    """Queue again each dossier left in ``signing`` longer than SIGNING_SWEEP_AFTER (worker died, broker down).

    Each dossier is claimed with a conditional update, so two sweeps never queue the same one twice.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.SIGNING_SWEEP_AFTER)
    # Never queued at all (the process died between the commit and queue_signing): counted from the decision.
    left = Q(state=State.SIGNING) & (
        Q(signing_queued_at__lt=cutoff) | Q(signing_queued_at__isnull=True, decided_at__lt=cutoff)
    )
    queued = 0
    stuck = Dossier.objects.filter(left).values_list("pk", flat=True)
    for dossier_id in stuck[:1000]:
        claimed = Dossier.objects.filter(left, pk=dossier_id).update(signing_queued_at=timezone.now())
        if claimed == 1:
            try:
                sign_result.delay(dossier_id)
                queued += 1
            except Exception:  # noqa: BLE001
                log.exception("sweep could not queue dossier %s", dossier_id)
    if queued:
        log.info("sweep queued %d dossier(s) for signing again", queued)
    return queued


@shared_task
def flag_due() -> dict[str, dict[str, int]]:
    """Count, per agency, the dossiers due soon and overdue (schedule.flag_due); the beat runs it."""
    from dossiers import schedule

    return schedule.flag_due()


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def issue_apologies() -> int:
    """Issue an apology with a new date for each overdue dossier not yet apologised for (schedule.issue_apologies).

    Safe to run twice, or in two beats at once: each dossier is claimed by its due date.
    """
    from dossiers import schedule

    return schedule.issue_apologies()


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def expire_drafts() -> dict[str, int]:
    """Tell citizens of drafts left unused, then delete the drafts whose time is up (dossiers.schedule)."""
    from dossiers import schedule

    now = timezone.now()
    told = schedule.drafts_warn(now=now)
    deleted = schedule.drafts_delete(now=now)
    return {"told": len(told), "deleted": len(deleted)}
