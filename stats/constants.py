"""The counters a dossier or a complaint adds to the rollups (``stats.models.Tally``), and the month each is kept in.

By the month the dossier was filed (submitted):
  ``filed`` every dossier that left the draft; ``online`` of them filed online; ``full_eligible`` of a procedure
  offered full online, ``full_online`` of them filed online; ``fee_bearing`` with a fee to pay, ``paid_online`` of them
  paid through an online provider; ``reused`` filed by a citizen the portal already knew (an earlier dossier: the
  form came filled from what they gave before); ``open`` received and not yet returned, kept on the row of the
  month it is due (judged on time or late when asked, at the period's end); ``rated``, ``satisfied`` (4 or 5 out of 5), ``disliked`` (a dislike, with its reason);
  ``complained_or_disliked`` with a complaint or a dislike; ``in_<state>`` one for the state it is in now.
By the month the dossier was returned:
  ``finished``; ``finished_on_time`` by its due date with at most one supplement request; ``e_result`` with a signed
  electronic result; ``digitised`` with its papers as files and an electronic result; ``processing_hours`` from
  reception to return.
By the month a complaint is due:
  ``complaints``; ``complaints_on_time`` answered by the due time; ``complaints_late`` answered after it;
  ``complaints_open`` not answered yet (late once the due time passed, judged when asked); ``complaints_satisfied``
  answered on time and not filed again (no later complaint on the same dossier).
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# The ``due_month`` of the tally rows that hold no dossier in hand (see stats.models.Tally).
NO_DUE_MONTH = datetime.date(1970, 1, 1)

FILED_COUNTERS = (
    "filed",
    "online",
    "full_eligible",
    "full_online",
    "fee_bearing",
    "paid_online",
    "reused",
    "open",
    "rated",
    "satisfied",
    "disliked",
    "complained_or_disliked",
)
FINISHED_COUNTERS = ("finished", "finished_on_time", "e_result", "digitised", "processing_hours")
COMPLAINT_COUNTERS = (
    "complaints",
    "complaints_on_time",
    "complaints_late",
    "complaints_open",
    "complaints_satisfied",
)
# The states a filed dossier can be in (all but the draft), as dossiers.constants.State has them.
STATES = (
    "submitted",
    "assessing",
    "approving",
    "signing",
    "result_ready",
    "returned",
    "supplement_requested",
    "rejected",
    "withdrawn",
)
STATE_COUNTERS = tuple(f"in_{state}" for state in STATES)
COUNTERS = (*FILED_COUNTERS, *STATE_COUNTERS, *FINISHED_COUNTERS, *COMPLAINT_COUNTERS)


class Group(models.TextChoices):
    """The six groups of the index as the national portal shows them, with their points."""

    TRANSPARENCY = "transparency", _("Transparency")
    PROGRESS = "progress", _("Progress")
    ONLINE = "online", _("Online service")
    PAYMENT = "payment", _("Online payment")
    DIGITISATION = "digitisation", _("Digitisation")
    SATISFACTION = "satisfaction", _("Satisfaction")


GROUP_POINTS = {
    Group.TRANSPARENCY: 18,
    Group.PROGRESS: 20,
    Group.ONLINE: 12,
    Group.PAYMENT: 10,
    Group.DIGITISATION: 22,
    Group.SATISFACTION: 18,
}
