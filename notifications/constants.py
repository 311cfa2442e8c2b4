from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    PORTAL = "portal", _("Portal")


class Event(models.TextChoices):
    """What a message is about: a step of the citizen's dossier, or a deadline for staff."""

    SUBMIT = "submit", _("Dossier sent")
    RECEIVE = "receive", _("Dossier received")
    REQUEST_SUPPLEMENT = "request_supplement", _("More papers needed")
    REFUSE = "refuse", _("Dossier refused")
    RESULT_READY = "result_ready", _("Result ready")
    RETURN = "return", _("Result handed over")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    DRAFT_EXPIRING = "draft_expiring", _("Unsent draft to be deleted")
    APOLOGY = "apology", _("Apology and new date")
    REFUND = "refund", _("Fee refunded")
    COMPLAINT_ANSWERED = "complaint_answered", _("Complaint answered")


# The workflow's actions that the citizen hears of, and the event each one is told as.
CITIZEN_EVENTS: dict[str, str] = {
    "submit": Event.SUBMIT,
    "receive": Event.RECEIVE,
    "request_supplement": Event.REQUEST_SUPPLEMENT,
    "refuse": Event.REFUSE,
    "signed": Event.RESULT_READY,
    "return": Event.RETURN,
    # Not a workflow action: the apology for a late dossier, with its new date (dossiers.schedule.ON_APOLOGY).
    "apology": Event.APOLOGY,
}
STAFF_EVENTS = frozenset({Event.DUE_SOON, Event.OVERDUE})
# Languages messages are written in; the first is the default.
LANGUAGES = ("vi", "en")
# Each language in its own name, as the choice is offered.
LANGUAGE_CHOICES = [("vi", "Tiếng Việt"), ("en", "English")]
