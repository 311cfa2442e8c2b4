"""The workflow's after-commit hooks: each step the citizen hears of queues ``tasks.notify`` for its history row.

If the broker is unreachable the messages are made here instead, in process, and ``resend_pending`` sends them
once it is back: no step goes untold.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from accounts import services as accounts_services
from complaints import services as complaints
from dossiers import schedule, workflow
from dossiers.models import Apology, DossierEvent
from notifications import services, tasks
from notifications.constants import CITIZEN_EVENTS

log = logging.getLogger(__name__)


def _queue_messages_for(action: str) -> Callable[[int], None]:
    def queue_messages(dossier_id: int) -> None:
        try:
            event_id = (
                DossierEvent.objects.filter(dossier_id=dossier_id, action=action)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
            if event_id is None:
                return
        except Exception:
            log.exception("could not find the %s event of dossier %s to notify", action, dossier_id)
            return
        try:
            tasks.notify.delay(dossier_id, event_id)
        except Exception:
            log.exception(
                "could not queue the %s message of dossier %s; making it in process", action, dossier_id
            )
            try:
                services.notify_dossier_event(dossier_id=dossier_id, event_id=event_id)
            except Exception:
                log.exception("could not make the %s message of dossier %s", action, dossier_id)

    queue_messages.__name__ = queue_messages.__qualname__ = f"queue_{action}_messages"
    return queue_messages


def tell_citizen_of_apology(apology_id: int) -> None:
    """After an apology is committed, the citizen is told of it and of the new date, like a step of the workflow."""
    dossier_id = Apology.objects.filter(pk=apology_id).values_list("dossier_id", flat=True).first()
    if dossier_id is not None:
        _queue_messages_for("apology")(dossier_id)


def tell_citizens_of_expiring_drafts(dossier_ids: list[int], now: datetime) -> None:
    """In the transaction that marks the drafts told: a failure here leaves them untold, to be told next run."""
    services.notify_drafts_expiring(dossier_ids=dossier_ids, now=now)


def tell_citizen_of_answer(complaint_id: int, dossier_id: int) -> None:
    """After a complaint's answer is committed, the applicant is told of it; in process if the broker is down."""
    try:
        tasks.notify_complaint_answered.delay(complaint_id)
    except Exception:
        log.exception("could not queue the answer to complaint %s; making it in process", complaint_id)
        try:
            services.notify_complaint_answered(complaint_id=complaint_id)
        except Exception:
            log.exception("could not make the message of the answer to complaint %s", complaint_id)


def register() -> None:
    """Hook the citizen's messages into the workflow and the schedule; called once, from ``ready()``."""
    for action in workflow.Action:
        if action in CITIZEN_EVENTS:
            workflow.ON_COMMIT[action].register(_queue_messages_for(action))
    schedule.ON_APOLOGY.register(tell_citizen_of_apology)
    schedule.ON_DRAFTS_EXPIRING.register(tell_citizens_of_expiring_drafts)
    services.SEND.register(tasks.queue_sending)
    # Sign-up codes go out through the SMS and e-mail back ends, at once.
    accounts_services.SEND_CODE.register(services.one_time_code_send)
    complaints.ANSWERED_COMMITTED.register(tell_citizen_of_answer)
