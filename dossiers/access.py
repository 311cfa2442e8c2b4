"""The one door to a dossier: load it, ask the policy, log the read.

Every view, API view, PDF and task that needs a dossier for a user goes through ``dossier_for`` (Zulip's
``access_message``): a dossier the user may not see fails exactly like an unknown one (404), a question their
relation does not allow is 403, one that the dossier's state does not allow yet is 409. Reads by staff, leaders
and admins are written to the access log here, so no door can forget it.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.policy import Ask, is_logged_reader, may, may_ask, relations
from audit.services import access_record
from dossiers.models import Dossier
from portal.errors import InvalidState, NotAllowed, NotFound

DEFAULT_NOT_YET = (_("Not possible in the dossier's current state."), "invalid_state")
# Why a question is refused: (403 because of who one is, 409 because of the dossier's state).
REFUSALS: dict[Ask, tuple[Any, tuple[Any, str]]] = {
    Ask.DRAFTED_RESULT: (_("Only the competent agency's staff see the drafted result."), DEFAULT_NOT_YET),
    Ask.RESULT: (
        _("The result is for the applicant and the staff handling it."),
        (_("The result is not ready yet."), "result_not_ready"),
    ),
    Ask.EDIT: (
        _("Only the applicant, or the receiver who entered it, changes a dossier's content."),
        (
            _("A dossier can only be changed while it is a draft or a supplement is requested."),
            "not_editable",
        ),
    ),
    Ask.RATE: (
        _("Only the applicant rates the service."),
        (_("The service can be rated once the result is returned."), "not_returned"),
    ),
    Ask.ASSIGN: (
        _("Only staff of the competent agency take a dossier."),
        (_("This dossier is not in a queue of your step."), "not_your_step"),
    ),
    Ask.PAY_ONLINE: (
        _("Only the applicant pays online; the counter records payments at the desk."),
        DEFAULT_NOT_YET,
    ),
    Ask.COUNTER_PAYMENT: (_("Only counter staff record payments at the desk."), DEFAULT_NOT_YET),
    Ask.WAIVE: (_("Only staff of the competent agency waive a fee."), DEFAULT_NOT_YET),
}
DEFAULT_REFUSAL = (_("You may not do this with this dossier."), DEFAULT_NOT_YET)


def dossier_for(
    user: Any,
    pk: Any,
    *,
    ask: Ask = Ask.VIEW,
    log: str | None = None,
    detail: str = "",
    lock: bool = False,
    queryset: QuerySet[Dossier] | None = None,
) -> Dossier:
    """The dossier ``pk`` if ``user`` may ``ask`` about it; logs the read as ``log`` (``AccessWhat``) when given.

    ``lock`` takes the row with ``select_for_update`` (inside the caller's transaction).
    """
    dossiers = queryset if queryset is not None else Dossier.objects.all()
    if lock:
        dossiers = dossiers.select_for_update(of=("self",))
    dossier = dossiers.filter(pk=pk).first() if str(pk).isdigit() else None
    if dossier is None:
        raise NotFound(str(_("No such dossier.")))
    mine = relations(user, dossier)
    if not may(user, Ask.VIEW, dossier, of=mine):
        raise NotFound(str(_("No such dossier.")))
    if ask != Ask.VIEW:
        forbidden, (not_yet, code) = REFUSALS.get(ask, DEFAULT_REFUSAL)
        if not may_ask(user, ask, dossier, of=mine):
            raise NotAllowed(str(forbidden))
        if not may(user, ask, dossier, of=mine):
            raise InvalidState(str(not_yet), code=code)
    if log is not None and is_logged_reader(user):
        access_record(dossier_id=dossier.pk, user=user, what=log, detail=detail)
    return dossier
