"""``{% complaints_panel dossier %}`` and ``{% complaints_count %}``: complaints on the dossier pages and the
console, which include them without the dossiers app knowing anything of complaints.

The panel shows the dossier's complaints and their answers to whoever the policy lets read them, the form to file
one to the applicant, and the form to answer to the competent agency's staff. The page that includes it has
already logged the read of the dossier.
"""

from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone

from accounts import policy
from complaints import selectors
from complaints.constants import TEXT_MAX_LENGTH, ComplaintState

register = template.Library()


@register.inclusion_tag("complaints/_panel.html", takes_context=True)
def complaints_panel(context: dict[str, Any], dossier: Any) -> dict[str, Any]:
    user = context["request"].user
    mine = policy.relations(user, dossier)
    may_read = policy.may(user, policy.Ask.COMPLAINTS, dossier, of=mine)
    may_answer = policy.may(user, policy.Ask.ANSWER_COMPLAINT, dossier, of=mine)
    now = timezone.now()
    complaints = selectors.dossier_complaints(dossier.pk) if may_read else []
    return {
        "csrf_token": context.get("csrf_token"),
        "dossier": dossier,
        "rows": [
            {
                "complaint": c,
                "overdue": selectors.is_overdue(c, now),
                "may_answer": may_answer and c.state == ComplaintState.OPEN,
            }
            for c in complaints
        ],
        "may_read": may_read,
        "may_file": policy.may(user, policy.Ask.COMPLAIN, dossier, of=mine),
        # Staff read who answered; the applicant reads the agency (as in the history).
        "staff_view": policy.may(user, policy.Ask.STAFF_HISTORY, dossier, of=mine),
        "max_length": TEXT_MAX_LENGTH,
        "answer_days": settings.COMPLAINT_ANSWER_DAYS,
    }


@register.inclusion_tag("complaints/_count.html", takes_context=True)
def complaints_count(context: dict[str, Any]) -> dict[str, Any]:
    """The user's agency's open and overdue complaints, for the console's bar."""
    agency_id = getattr(context["request"].user, "agency_id", None)
    return {"counts": selectors.open_counts(agency_id=agency_id) if agency_id else None}
