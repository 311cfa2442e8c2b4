"""Dossiers, their documents, their history, the daily code counters and the province's calendar.

The state of a dossier is assigned only by ``dossiers.workflow``; everything else that changes a dossier goes
through ``dossiers.services``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.constants import Channel, DayKind, DislikeReason, EventAction, Outcome, State
from procedures.models import Agency, Component, ProcedureVersion


class Dossier(models.Model):
    version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("procedure version"),
    )
    # The competent agency, whose queues the dossier is in; copied from the version when it is created.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("agency")
    )
    received_at_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received at"),
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        help_text=_("The citizen's account; empty for a walk-in without one."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    state = models.CharField(_("state"), max_length=32, choices=State.choices, default=State.DRAFT)
    # Where a resubmission returns to (submitted or assessing).
    state_before_supplement = models.CharField(max_length=32, choices=State.choices, blank=True)
    code = models.CharField(_("code"), max_length=48, unique=True, null=True, blank=True)
    lookup_key = models.CharField(_("lookup key"), max_length=16)
    applicant_data = models.JSONField(_("applicant"), default=dict)
    form_data = models.JSONField(_("form"), default=dict)
    proposed_outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # When signing was last queued; the sweep claims a dossier stuck in signing by moving this on.
    signing_queued_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The hash of the newest history row (dossiers.history): deleting the last row breaks the chain too.
    history_head = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    # When the citizen was told that this draft, left unused, will be deleted (dossiers.schedule.drafts_warn).
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            # The staff queues: an agency's dossiers in one state, newest first (keyset on id).
            models.Index(fields=["agency", "state", "-id"], name="dossier_queue"),
            models.Index(fields=["applicant", "-id"], name="dossier_applicant"),
            models.Index(fields=["state", "due_at"], name="dossier_due"),
        ]

    def __str__(self) -> str:
        return self.code or f"draft #{self.pk}"


class DossierEvent(models.Model):
    """Append-only history: who did what to a dossier, when, from which state to which. It is evidence."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, choices=EventAction.choices)
    from_state = models.CharField(max_length=32, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=32, choices=State.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain (dossiers.history): SHA-256 over the row's content and the previous row's hash.
    prev_hash = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    hash = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="dossier_event_time")]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"


def _document_path(instance: "Document", filename: str) -> str:
    # A random name: the citizen's file name never reaches the disk.
    return f"dossiers/{instance.dossier_id}/{instance.storage_key}"


class Document(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to=_document_path, max_length=255)
    storage_key = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=128)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class CodeCounter(models.Model):
    """The last sequence number given to an agency's dossiers on one day; locked to issue the next one."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="code_counter_agency_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class CalendarDay(models.Model):
    """The province's changes to the national calendar: an extra day off, or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class CalendarChange(models.Model):
    """One change the province admin made to the province's calendar, kept for ever (append-only): which day, what
    it was and what it became (blank: as the national calendar has it), by whom and when."""

    date = models.DateField(_("date"))
    kind_before = models.CharField(_("was"), max_length=16, choices=DayKind.choices, blank=True)
    kind_after = models.CharField(_("became"), max_length=16, choices=DayKind.choices, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("calendar change")
        verbose_name_plural = _("calendar changes")

    def __str__(self) -> str:
        return f"{self.date}: {self.kind_before or 'national'} -> {self.kind_after or 'national'}"


def _result_path(instance: "Result", filename: str) -> str:
    # A random name, like a document's: nothing about the dossier (its code is sequential) reaches the name.
    return f"results/{instance.storage_key}"


class Result(models.Model):
    """The signed result of a dossier: one per dossier, never replaced.

    ``verification_token`` is printed in the result's QR code (the PDF is drawn before it is signed, so it cannot
    carry its own hash): whoever holds the result may see its record on the verification page, nobody else.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="result")
    file = models.FileField(upload_to=_result_path, max_length=255)
    storage_key = models.CharField(max_length=64, unique=True)
    verification_token = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64, unique=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    signer = models.CharField(max_length=255)
    certificate_serial = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    # The signature's level (PAdES-B-LT: time-stamped, with its validation data) and its time stamp's time;
    # results signed before time stamps were B-B.
    level = models.CharField(max_length=16, default="PAdES-B-B")
    timestamped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"result of {self.dossier_id}"


class Apology(models.Model):
    """An apology for a late dossier with the new date the result is promised for (phiếu xin lỗi và hẹn lại).

    Issued by ``dossiers.schedule.apology_issue``, by staff or by the beat for an overdue dossier; each moves the
    dossier's due date, so there is at most one apology per due date.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="apologies")
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the portal issued it for an overdue dossier."),
    )
    original_due_at = models.DateTimeField(_("original due date"))
    new_due_at = models.DateTimeField(_("new due date"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("apology")
        verbose_name_plural = _("apologies")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "original_due_at"], name="apology_one_per_due_date"),
            models.CheckConstraint(
                condition=models.Q(new_due_at__gt=models.F("original_due_at")), name="apology_moves_due_on"
            ),
        ]

    def __str__(self) -> str:
        return f"apology for {self.dossier_id}: {self.original_due_at:%Y-%m-%d} → {self.new_due_at:%Y-%m-%d}"


class Rating(models.Model):
    """The applicant's rating of the service once the result is returned: once per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="rating")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    # A dislike, with its reason; empty when the applicant did not dislike the service.
    dislike_reason = models.CharField(
        _("dislike"), max_length=16, choices=DislikeReason.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5")
        ]

    def __str__(self) -> str:
        return f"{self.score}/5"


class ResultNumberCounter(models.Model):
    """The last number an agency gave its documents in one year (sổ đăng ký văn bản đi); locked to give the next."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # Which of the agency's books: its results ("result") or its dossier register (sổ theo dõi hồ sơ, "register").
    book = models.CharField(max_length=20, default="result")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "book", "year"], name="number_counter_agency_book_year")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.book} {self.year}: {self.last}"


class RegisterEntry(models.Model):
    """A dossier's line in its agency's dossier register for the year (sổ theo dõi hồ sơ, form 07), numbered at
    reception by ``dossiers.numbering.register_entry_assign``; the receipt names the book and the number."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="register_entry")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="register_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year}/{self.number}"


class ResultNumber(models.Model):
    """The number and symbol of a dossier's result (Số: 12/QĐ-UBND), given at approval, with who signs it."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="result_number")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    symbol = models.CharField(max_length=40)  # after the slash: QĐ-UBND
    signer_name = models.CharField(max_length=255)
    signer_position = models.CharField(max_length=255, blank=True)
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["agency", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "number"], name="result_number_unique")
        ]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        return f"{self.number}/{self.symbol}"


def _drafted_path(instance: "DraftedResult", filename: str) -> str:
    return f"drafted/{instance.storage_key}"


class DraftedResult(models.Model):
    """The result as the agency drafted it (a PDF the assessor attaches), signed at approval instead of the
    portal's own layout when the approval decides the outcome the assessor proposed."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="drafted_result")
    file = models.FileField(upload_to=_drafted_path, max_length=255)
    storage_key = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    pages = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"drafted result of {self.dossier_id}"
