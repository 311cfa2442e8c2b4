"""Notifications: the messages of a dossier's steps to its citizen, deadlines to staff, and their delivery.

Messages are stored first, with ``get_or_create`` on their unique key (a retried task finds the ones it made), and
sent after commit, each by the back end of its channel. Sending claims the message with a conditional update, so
two workers never send the same message; a failure is recorded on it and it is tried again later.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import Role
from dossiers.constants import State
from dossiers.models import Dossier, DossierEvent
from dossiers.sla import TZ
from notifications import backends, texts
from notifications.backends import DeliveryFailed
from notifications.constants import CITIZEN_EVENTS, LANGUAGES, STAFF_EVENTS, Channel, Event
from notifications.models import Message, Preference
from portal.errors import NotFound, ServiceError
from portal.hooks import Hook

log = logging.getLogger(__name__)

# How long a sender holds a message before another may take it (longer than any back end's timeout).
CLAIM_FOR = timedelta(minutes=5)
# Who works a dossier in each state: they hear when it is due soon or overdue.
STEP_ROLES: dict[str, str] = {
    State.SUBMITTED: Role.RECEIVER,
    State.ASSESSING: Role.ASSESSOR,
    State.APPROVING: Role.APPROVER,
    State.RESULT_READY: Role.RECEIVER,  # the result waits to be handed over
}
_USER_RELATED = ("profile", "notification_preference")


@dataclass(frozen=True)
class Recipient:
    """Someone a message goes to: an account, or the bare phone and e-mail of a walk-in without one."""

    user: Any | None
    name: str
    language: str
    addresses: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"u{self.user.pk}" if self.user is not None else "applicant"

    def address(self, channel: str) -> str | None:
        """Where ``channel`` reaches them; None when it does not (no phone, no account for the portal)."""
        if channel == Channel.PORTAL:
            return "" if self.user is not None else None
        return self.addresses.get(channel) or None


def _phone(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit() or ch == "+")


def _language(user: Any, fallback: Any = None) -> str:
    preference = getattr(user, "notification_preference", None) if user is not None else None
    return texts.language_or_default(preference.language if preference else fallback)


def citizen_recipient(dossier: Dossier) -> Recipient:
    """The applicant: their account (its profile's phone and e-mail first), or the walk-in's own phone and e-mail."""
    data = dossier.applicant_data or {}
    user = dossier.applicant
    profile = getattr(user, "profile", None) if user is not None else None
    email = (profile and profile.email) or (user and user.email) or data.get("email") or ""
    phone = _phone((profile and profile.phone) or data.get("phone"))
    name = data.get("organisation") or data.get("full_name") or (user.get_full_name() if user else "")
    return Recipient(
        user=user,
        name=name,
        language=_language(user, data.get("language")),
        addresses={Channel.EMAIL: str(email).strip(), Channel.SMS: phone},
    )


def staff_recipient(user: Any) -> Recipient:
    profile = getattr(user, "profile", None)
    return Recipient(
        user=user,
        name=user.get_full_name() or user.username,
        language=_language(user),
        addresses={
            Channel.EMAIL: user.email or (profile.email if profile else ""),
            Channel.SMS: _phone(profile.phone if profile else ""),
        },
    )


def _store(
    *,
    dossier: Dossier,
    kind: str,
    occurrence: str,
    recipients: Iterable[Recipient],
    dossier_event: DossierEvent | None = None,
    for_staff: bool = False,
    extra: dict[str, Any] | None = None,
    keep_dossier: bool = True,
) -> list[Message]:
    """The messages of one occurrence of an event, one per recipient and enabled channel; made once.

    ``keep_dossier=False`` leaves the message unlinked from a dossier that is to be deleted (a draft)."""
    messages = []
    for recipient in recipients:
        context = texts.dossier_context(
            dossier,
            language=recipient.language,
            name=recipient.name,
            event=dossier_event,
            for_staff=for_staff,
        ) | (extra or {})
        for channel in settings.NOTIFY_CHANNELS:
            address = recipient.address(channel)
            if address is None:
                continue
            text = texts.render(kind, recipient.language, channel, context)
            message, _created = Message.objects.get_or_create(
                key=f"{kind}:d{dossier.pk}:{occurrence}:{channel}:{recipient.key}",
                defaults={
                    "recipient": recipient.user,
                    "channel": channel,
                    "to_address": address,
                    "event": kind,
                    "dossier": dossier if keep_dossier else None,
                    "dossier_event": dossier_event,
                    "language": recipient.language,
                    "subject": text.subject,
                    "body": text.body,
                },
            )
            messages.append(message)
    return messages


# Who delivers stored messages once their transaction commits (``notifications.tasks.queue_sending``, registered in
# ``hooks.register()``): services store messages and never import the tasks that send them.
Send = Callable[[Iterable[int]], None]
SEND: Hook[Send] = Hook("the delivery of stored messages")


def _send_after_commit(messages: list[Message]) -> None:
    unsent = [message.pk for message in messages if message.sent_at is None]
    if unsent:
        transaction.on_commit(lambda: _send(unsent))


def _send(message_ids: list[int]) -> None:
    for send in SEND:
        send(message_ids)


def notify_dossier_event(*, dossier_id: int, event_id: int) -> list[Message]:
    """Tell the citizen of a step of their dossier (the history row ``event_id``): submitted, received, more papers
    needed, refused, result ready, handed over. Safe to run twice: the second run finds the same messages and
    sends none again. Returns the messages (an event the citizen is not told of has none)."""
    event = (
        DossierEvent.objects.select_related(
            "dossier__version",
            "dossier__agency",
            *(f"dossier__applicant__{name}" for name in _USER_RELATED),
        )
        .filter(pk=event_id, dossier_id=dossier_id)
        .first()
    )
    if event is None or event.action not in CITIZEN_EVENTS:
        return []
    with transaction.atomic():
        messages = _store(
            dossier=event.dossier,
            kind=CITIZEN_EVENTS[event.action],
            occurrence=f"e{event.pk}",
            recipients=[citizen_recipient(event.dossier)],
            dossier_event=event,
        )
        _send_after_commit(messages)
    return messages


def notify_refund(
    *, dossier_id: int, occurrence: str, amount: int, done: bool, reason: str, counter: bool
) -> list[Message]:
    """Tell the citizen that their fee is being refunded (``done`` False) or was (``done``), ``amount`` đồng, with the
    reason; ``counter`` when it is handed back at the desk. Once per ``occurrence``, however often it runs."""
    dossier = (
        Dossier.objects.select_related("version", "agency", *(f"applicant__{name}" for name in _USER_RELATED))
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        return []
    with transaction.atomic():
        messages = _store(
            dossier=dossier,
            kind=Event.REFUND,
            occurrence=occurrence,
            recipients=[citizen_recipient(dossier)],
            extra={
                "amount": f"{amount:,}".replace(",", "."),
                "done": done,
                "reason": reason,
                "counter": counter,
            },
        )
        _send_after_commit(messages)
    return messages


def notify_complaint_answered(*, complaint_id: int) -> list[Message]:
    """Tell the applicant that the agency answered their complaint or suggestion, with the answer; once per
    complaint however often it runs (the messages' keys)."""
    from complaints.models import Complaint

    complaint = (
        Complaint.objects.select_related(
            "dossier__version",
            "dossier__agency",
            *(f"dossier__applicant__{name}" for name in _USER_RELATED),
        )
        .filter(pk=complaint_id, answered_at__isnull=False)
        .first()
    )
    if complaint is None:
        return []
    with transaction.atomic():
        messages = _store(
            dossier=complaint.dossier,
            kind=Event.COMPLAINT_ANSWERED,
            occurrence=f"c{complaint.pk}",
            recipients=[citizen_recipient(complaint.dossier)],
            extra={"answer": complaint.answer, "answered_date": texts.local_date(complaint.answered_at)},
        )
        _send_after_commit(messages)
    return messages


def notify_drafts_expiring(*, dossier_ids: Iterable[int], now: datetime) -> list[Message]:
    """Tell each citizen that their draft, left unused, will be deleted unless they continue it; once per draft
    and telling (``now``), however often it runs. The messages are not linked to the draft, which may go."""
    from django.urls import reverse

    from dossiers.schedule import draft_expires_on
    from portal.urls_public import absolute_url

    messages: list[Message] = []
    drafts = Dossier.objects.select_related(
        "version", "agency", *(f"applicant__{name}" for name in _USER_RELATED)
    ).filter(pk__in=sorted(set(dossier_ids)), applicant__isnull=False)
    for dossier in drafts:
        extra = {
            "expires_date": texts.local_date(draft_expires_on(now)),
            "edit_url": absolute_url(None, reverse("dossiers:edit", args=[dossier.pk])),
            "idle_days": settings.DRAFT_WARN_DAYS,
        }
        with transaction.atomic():
            stored = _store(
                dossier=dossier,
                kind=Event.DRAFT_EXPIRING,
                occurrence=now.isoformat(),
                recipients=[citizen_recipient(dossier)],
                extra=extra,
                keep_dossier=False,
            )
            _send_after_commit(stored)
        messages += stored
    return messages


def _step_staff(dossier: Dossier, role: str, cache: dict[tuple[int, str], list[Any]]) -> list[Any]:
    assignee = dossier.assignee
    if (
        assignee is not None
        and assignee.is_active
        and assignee.role == role
        and assignee.agency_id == dossier.agency_id
    ):
        return [assignee]
    if (dossier.agency_id, role) not in cache:
        from accounts.models import User

        cache[(dossier.agency_id, role)] = list(
            User.objects.select_related(*_USER_RELATED)
            .filter(agency_id=dossier.agency_id, role=role, is_active=True)
            .order_by("id")
        )
    return cache[(dossier.agency_id, role)]


def notify_staff_due(*, dossier_ids: Iterable[int], event: str, now: datetime | None = None) -> list[Message]:
    """Tell the staff who work each dossier's current step that it is due soon or overdue: its assignee, if the
    dossier is at their step, else every active member of the agency with the step's role (receivers for a
    submitted dossier or a result to hand over, assessors while it is assessed, approvers while it awaits
    approval). Once per dossier, event and day (in the province's time zone), however often it runs."""
    if event not in STAFF_EVENTS:
        raise ValueError(f"{event!r} is not a staff deadline event")
    now = now or timezone.now()
    day = timezone.localtime(now, TZ).date().isoformat()
    ids = sorted(set(dossier_ids))
    messages: list[Message] = []
    staff: dict[tuple[int, str], list[Any]] = {}
    for start in range(0, len(ids), 500):
        dossiers = Dossier.objects.select_related(
            "version", "agency", *(f"assignee__{name}" for name in _USER_RELATED)
        ).filter(pk__in=ids[start : start + 500])
        for dossier in dossiers:
            role = STEP_ROLES.get(dossier.state)
            if role is None:
                continue
            with transaction.atomic():
                stored = _store(
                    dossier=dossier,
                    kind=event,
                    occurrence=day,
                    recipients=[staff_recipient(user) for user in _step_staff(dossier, role, staff)],
                    for_staff=True,
                )
                _send_after_commit(stored)
            messages += stored
    return messages


def _backoff(attempts: int) -> timedelta:
    """The wait before trying a failed message again: 1, 2, 4 ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def message_send(*, message_id: int, now: datetime | None = None) -> Message | None:
    """Deliver one message through its channel's back end, unless it is sent or another sender holds it.

    Returns the sent message, or None when there was nothing to do. A failure is recorded on the message (time,
    error, attempts) and raised as ``DeliveryFailed``, so a worker may retry it; ``resend_pending`` tries again
    later whatever is still unsent.
    """
    now = now or timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_FOR)
    )
    if claimed != 1:
        return None
    message = Message.objects.get(pk=message_id)
    try:
        backend = backends.current(message.channel)
        reference = backend.send(message)
    except Exception as exc:
        error = str(exc) or exc.__class__.__name__
        Message.objects.filter(pk=message_id).update(
            failed_at=timezone.now(), error=error[:2000], attempts=F("attempts") + 1, claimed_until=None
        )
        log.warning(
            "message %s (%s to %s) not sent: %s", message_id, message.channel, message.to_address, error
        )
        if isinstance(exc, DeliveryFailed):
            raise
        raise DeliveryFailed(error) from exc
    Message.objects.filter(pk=message_id).update(
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        claimed_until=None,
        backend=backend.label,
        reference=str(reference or "")[:64],
    )
    message.refresh_from_db()
    return message


def pending_message_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Unsent messages older than a minute, free, under the attempt limit, and past their back-off."""
    now = now or timezone.now()
    rows = (
        Message.objects.filter(
            sent_at__isnull=True,
            created_at__lte=now - timedelta(minutes=1),
            attempts__lt=settings.NOTIFY_MAX_ATTEMPTS,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("id")
        .values_list("id", "attempts", "failed_at")[:limit]
    )
    return [
        pk for pk, attempts, failed_at in rows if failed_at is None or failed_at + _backoff(attempts) <= now
    ]


def message_mark_read(*, message_id: int, user: Any) -> Message:
    """The recipient opened the message: it is read from now on (the first time counts)."""
    message = Message.objects.select_related("dossier").filter(pk=message_id, recipient_id=user.pk).first()
    if message is None:
        raise NotFound("No such message.")
    if message.read_at is None:
        now = timezone.now()
        if Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now):
            message.read_at = now
    return message


def preference_set(*, user: Any, language: str) -> Preference:
    """The language the user's messages are written in from now on."""
    if language not in LANGUAGES:
        raise ServiceError(f"Messages are written in {', '.join(LANGUAGES)}.", code="unknown_language")
    preference, _created = Preference.objects.update_or_create(user=user, defaults={"language": language})
    return preference


def one_time_code_send(channel: str, address: str, code: str, language: str) -> None:
    """Send a sign-up code now, through the channel's back end (``accounts.services.SEND_CODE``): the citizen is
    waiting for it. The message is not stored, so the code is kept nowhere in clear; a failure is a refusal the
    sign-up page shows."""
    text = texts.render(
        "one_time_code", language, channel, {"code": code, "province": settings.PROVINCE_NAME, "minutes": 10}
    )
    message = Message(
        key=f"one_time_code:{uuid.uuid4().hex}",
        channel=channel,
        to_address=address,
        language=language,
        subject=text.subject,
        body=text.body,
    )
    try:
        backends.current(channel).send(message)
    except Exception as exc:
        log.warning("one-time code to %s by %s not sent: %s", address, channel, exc)
        raise ServiceError(
            _("The code could not be sent. Check the number or address, or try again in a moment."),
            code="code_not_sent",
        ) from exc
