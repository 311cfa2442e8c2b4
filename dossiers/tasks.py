"""Celery tasks of dossiers: thin shells that take ids, reload, and call a service; safe to run twice."""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from dossiers import results, schedule

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


@shared_task
def sweep_signing() -> int:
    """Queue again each dossier left in ``signing`` too long (schedule.signings_claim_stuck claims them, so two
    sweeps never queue the same one twice)."""
    queued = 0
    for dossier_id in schedule.signings_claim_stuck():
        try:
            sign_result.delay(dossier_id)
            queued += 1
        except Exception:  # noqa: BLE001 - claimed again by a later sweep
            log.exception("sweep could not queue dossier %s", dossier_id)
    if queued:
        log.info("sweep queued %d dossier(s) for signing again", queued)
    return queued


@shared_task
def flag_due() -> dict[str, dict[str, int]]:
    """Count, per agency, the dossiers due soon and overdue (schedule.flag_due); the beat runs it."""
    return schedule.flag_due()


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def issue_apologies() -> int:
    """Issue an apology with a new date for each overdue dossier not yet apologised for (schedule.issue_apologies).

    Safe to run twice, or in two beats at once: each dossier is claimed by its due date.
    """
    return schedule.issue_apologies()


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def expire_drafts() -> dict[str, int]:
    """Tell citizens of drafts left unused, then delete the drafts whose time is up (dossiers.schedule)."""
    now = timezone.now()
    told = schedule.drafts_warn(now=now)
    deleted = schedule.drafts_delete(now=now)
    return {"told": len(told), "deleted": len(deleted)}
