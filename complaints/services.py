"""Every change to complaints: filing one (the applicant) and answering it (the competent agency)."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import Ask
from complaints.access import complaint_for
from complaints.constants import TEXT_MAX_LENGTH, ComplaintState
from complaints.models import Complaint
from dossiers.access import dossier_for
from dossiers.sla import Calendar
from portal.errors import InvalidState, ServiceError
from portal.hooks import Hook

# Other apps' part in a complaint's life, registered from their ready(): ``function(complaint_id, dossier_id)``.
# FILED and ANSWERED run in the transaction (the service index's counters); ANSWERED_COMMITTED after the commit
# (the applicant is told of the answer).
ComplaintEffect = Callable[[int, int], None]
FILED: Hook[ComplaintEffect] = Hook("what runs when a complaint is filed")
ANSWERED: Hook[ComplaintEffect] = Hook("what runs when a complaint is answered")
ANSWERED_COMMITTED: Hook[ComplaintEffect] = Hook("what runs after a complaint's answer is committed")


def _text(value: str, *, code: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(_("Write the text."), code=code)
    if len(text) > TEXT_MAX_LENGTH:
        raise ServiceError(
            _("At most %(count)d characters.") % {"count": TEXT_MAX_LENGTH}, code="text_too_long"
        )
    return text


@transaction.atomic(durable=True)
def complaint_file(*, dossier_id: int, actor: Any, text: str) -> Complaint:
    """The applicant complains about, or suggests something on, their dossier once it is submitted (404 for a
    dossier that is not theirs, 403 for anyone but the applicant, 409 for a draft). It is due at the end of office
    hours of the ``COMPLAINT_ANSWER_DAYS``-th working day (the SLA clock), counted like a dossier's reception."""
    dossier = dossier_for(actor, dossier_id, ask=Ask.COMPLAIN)
    body = _text(text, code="text_required")
    now = timezone.now()
    complaint = Complaint.objects.create(
        dossier=dossier,
        author=actor,
        text=body,
        state=ComplaintState.OPEN,
        filed_at=now,
        due_at=Calendar().due_at(now, settings.COMPLAINT_ANSWER_DAYS),
    )
    for effect in FILED:
        effect(complaint.pk, dossier.pk)
    return complaint


@transaction.atomic(durable=True)
def complaint_answer(*, complaint_id: int, actor: Any, text: str) -> Complaint:
    """Staff of the dossier's agency answer a complaint, once (409 when it was answered already); the answer and
    its time are kept on the row, for the applicant's page and the service index."""
    complaint = complaint_for(actor, complaint_id, ask=Ask.ANSWER_COMPLAINT, lock=True)
    if complaint.state != ComplaintState.OPEN:
        raise InvalidState(_("This complaint was answered already."), code="already_answered")
    complaint.answer = _text(text, code="text_required")
    complaint.answered_by = actor
    complaint.answered_at = timezone.now()
    complaint.state = ComplaintState.ANSWERED
    complaint.save(update_fields=["answer", "answered_by", "answered_at", "state"])
    for effect in ANSWERED:
        effect(complaint.pk, complaint.dossier_id)
    for after in ANSWERED_COMMITTED:
        transaction.on_commit(partial(after, complaint.pk, complaint.dossier_id))
    return complaint
