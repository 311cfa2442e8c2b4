"""The complaints section of a dossier's pages (``dossiers.panels``): the dossier's complaints and their answers to
whoever the policy lets read them, the form to file one to the applicant, the form to answer to the competent
agency's staff. The page that shows it has already logged the read of the dossier."""

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts import policy
from complaints import selectors
from complaints.constants import TEXT_MAX_LENGTH, ComplaintState
from dossiers.models import Dossier


def complaints_panel(request: HttpRequest, dossier: Dossier) -> str:
    user = request.user
    mine = policy.relations(user, dossier)
    may_read = policy.may(user, policy.Ask.COMPLAINTS, dossier, of=mine)
    may_file = policy.may(user, policy.Ask.COMPLAIN, dossier, of=mine)
    if not (may_read or may_file):
        return ""
    may_answer = policy.may(user, policy.Ask.ANSWER_COMPLAINT, dossier, of=mine)
    now = timezone.now()
    context = {
        "dossier": dossier,
        "rows": [
            {
                "complaint": c,
                "overdue": selectors.is_overdue(c, now),
                "may_answer": may_answer and c.state == ComplaintState.OPEN,
            }
            for c in (selectors.dossier_complaints(dossier.pk) if may_read else [])
        ],
        "may_read": may_read,
        "may_file": may_file,
        # Staff read who answered; the applicant reads the agency (as in the history).
        "staff_view": policy.may(user, policy.Ask.STAFF_HISTORY, dossier, of=mine),
        "max_length": TEXT_MAX_LENGTH,
        "answer_days": settings.COMPLAINT_ANSWER_DAYS,
    }
    return render_to_string("complaints/_panel.html", context, request=request)
