from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ASSESSING = "assessing", _("Being assessed")
    APPROVING = "approving", _("Awaiting approval")
    SIGNING = "signing", _("Result being signed")
    RESULT_READY = "result_ready", _("Result ready")
    RETURNED = "returned", _("Returned")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    REJECTED = "rejected", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATES = frozenset({State.RETURNED, State.REJECTED, State.WITHDRAWN})
# States in which the legal clock runs (received, not yet handed back, not paused).
CLOCK_RUNNING_STATES = frozenset({State.ASSESSING, State.APPROVING, State.SIGNING, State.RESULT_READY})


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At a counter")
    POST = "post", _("By post")


class DislikeReason(models.TextChoices):
    """Why an applicant disliked the service (a dislike counts against the index's satisfaction with procedures)."""

    SLOW = "slow", _("It took too long")
    EXTRA_PAPERS = "extra_papers", _("I was asked for papers the procedure does not list")
    MANNER = "manner", _("The staff's manner")
    UNCLEAR = "unclear", _("The guidance was unclear")
    OTHER = "other", _("Another reason (in the comment)")


class Outcome(models.TextChoices):
    GRANT = "grant", _("Grant")
    DENY = "deny", _("Deny")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class EventAction(models.TextChoices):
    """Every row of a dossier's history: the workflow's actions, and what is not a change of state."""

    CREATE = "create", _("Created")
    SUBMIT = "submit", _("Submitted")
    RECEIVE = "receive", _("Received")
    REFUSE = "refuse", _("Refused")
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplement requested")
    RESUBMIT = "resubmit", _("Supplement provided")
    ASSESS = "assess", _("Assessed")
    SEND_BACK = "send_back", _("Sent back")
    APPROVE = "approve", _("Approved")
    SIGNED = "signed", _("Result signed")
    RETURN = "return", _("Result returned")
    WITHDRAW = "withdraw", _("Withdrawn")
    ASSIGN = "assign", _("Assigned")
    DOCUMENT = "document", _("Document added")
    APOLOGY = "apology", _("Apology and new date")
    CLAIM = "claim", _("Added to the applicant's account")
    # The fee (payments joins through its hooks): paid online or at the desk, waived, refunded.
    FEE_PAID = "fee_paid", _("Fee paid")
    FEE_WAIVED = "fee_waived", _("Fee waived")
    FEE_REFUNDED = "fee_refunded", _("Fee refunded")


class DayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")
