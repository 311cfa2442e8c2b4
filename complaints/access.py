"""The one door to a complaint: load it, ask the policy about its dossier, log the read.

A complaint is read or answered only through ``complaint_for``: it asks ``dossiers.access.dossier_for`` (the
policy's question, the access log), and a complaint on a dossier one may not see fails exactly like an unknown
one (404, with the same words).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.policy import Ask, is_logged_reader
from audit.models import AccessWhat
from audit.services import access_record
from complaints.models import Complaint
from dossiers.access import dossier_for
from portal.errors import NotFound
from portal.pagination import parse_id


def _not_found() -> NotFound:
    return NotFound(str(_("No such complaint.")))


def read_detail(complaint: Complaint) -> str:
    """What the access log says was read: the dossier, and which complaint of it."""
    return f"complaint {complaint.pk}"


def complaint_for(
    user: Any, pk: Any, *, ask: Ask = Ask.COMPLAINTS, log: bool = False, lock: bool = False
) -> Complaint:
    """The complaint ``pk`` if ``user`` may ``ask`` about its dossier (403/409 as the dossier's door answers);
    ``log`` writes the read to the dossier's access log; ``lock`` takes the row (inside the caller's
    transaction)."""
    complaint_id = parse_id(str(pk))
    rows = Complaint.objects.select_related("dossier")
    if lock:
        rows = rows.select_for_update(of=("self",))
    complaint = rows.filter(pk=complaint_id).first() if complaint_id is not None else None
    if complaint is None:
        raise _not_found()
    try:
        dossier_for(
            user,
            complaint.dossier_id,
            ask=ask,
            log=AccessWhat.DOSSIER if log else None,
            detail=read_detail(complaint),
        )
    except NotFound:
        raise _not_found() from None
    return complaint


def record_reads(user: Any, complaints: list[Complaint]) -> None:
    """Log a list of complaints read by staff, a leader or an admin: one row per complaint, on its dossier."""
    if not is_logged_reader(user):
        return
    for complaint in complaints:
        access_record(
            dossier_id=complaint.dossier_id, user=user, what=AccessWhat.DOSSIER, detail=read_detail(complaint)
        )
