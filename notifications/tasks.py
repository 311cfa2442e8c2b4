"""Celery tasks of notifications: thin shells that take ids, reload, and call a service; safe to run twice."""

import logging
from collections.abc import Iterable

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import DatabaseError
from django.utils import timezone

from notifications import services
from notifications.backends import DeliveryFailed
from notifications.constants import Event

log = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def notify(dossier_id: int, event_id: int) -> int:
    """Make and send the citizen's messages about one step of their dossier (services.notify_dossier_event)."""
    return len(services.notify_dossier_event(dossier_id=dossier_id, event_id=event_id))


@shared_task(
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def notify_complaint_answered(complaint_id: int) -> int:
    """Tell the applicant of the answer to their complaint (services.notify_complaint_answered)."""
    return len(services.notify_complaint_answered(complaint_id=complaint_id))


@shared_task(
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=4,
    acks_late=True,
)
def send_message(self: Task, message_id: int) -> bool:
    """Deliver one stored message (services.message_send). A failed delivery is recorded on the message; a worker
    retries it with backoff, and ``resend_pending`` tries again whatever is still unsent after that."""
    request = self.request
    try:
        return services.message_send(message_id=message_id) is not None
    except DeliveryFailed as exc:
        if request.is_eager:
            # In process (no worker), retrying at once would only hold up the request; the beat tries again.
            return False
        countdown = get_exponential_backoff_interval(
            factor=60, retries=request.retries, maximum=1800, full_jitter=True
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


def queue_sending(message_ids: Iterable[int]) -> None:
    """Queue the delivery of each message; one the broker does not take is left to ``resend_pending``."""
    for message_id in message_ids:
        try:
            send_message.delay(message_id)
        except Exception:
            log.exception("could not queue message %s; resend_pending will send it", message_id)


@shared_task
def resend_pending() -> int:
    """Queue again the messages still unsent a minute after they were made (broker down, worker died, back end
    failed), each after its back-off, until NOTIFY_MAX_ATTEMPTS."""
    message_ids = services.pending_message_ids()
    queue_sending(message_ids)
    if message_ids:
        log.info("queued %d unsent message(s) again", len(message_ids))
    return len(message_ids)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)
def notify_due() -> dict[str, int]:
    """Tell staff of the dossiers due soon and overdue at their step, once a day each (dossiers.schedule finds
    them)."""
    # Imported here: dossiers.schedule is the scheduling helpers' module, loaded only when the beat asks.
    from dossiers.schedule import due_dossiers

    now = timezone.now()
    due_soon, overdue = due_dossiers(now)
    sent = {
        Event.DUE_SOON: services.notify_staff_due(dossier_ids=due_soon, event=Event.DUE_SOON, now=now),
        Event.OVERDUE: services.notify_staff_due(dossier_ids=overdue, event=Event.OVERDUE, now=now),
    }
    return {str(event): len(messages) for event, messages in sent.items()}
