"""The procedure catalogue: agencies, sectors, procedures and their versions.

A procedure's content lives in versions. Only one version is published at a time and a published version never
changes: an edit makes a new draft (``services.version_create_draft``). Dossiers point at the version they were
filed under. All changes go through ``procedures.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.constants import (
    AgencyLevel,
    CatalogueAction,
    FeeDue,
    FieldType,
    OnlineLevel,
    ProcedureLevel,
    StaffRole,
    VersionState,
)


class Agency(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("Such as H12.01"))
    name = models.CharField(_("name"), max_length=255)
    level = models.CharField(_("level"), max_length=16, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # The issuing agency's part of a document's symbol (Số: 12/QĐ-UBND) and the superior body printed above its
    # name (Decree 30/2020, Annex I); empty: the parent's name, and none above a People's Committee.
    symbol = models.CharField(
        _("document symbol"), max_length=16, blank=True, help_text=_("Such as UBND or STP")
    )
    superior = models.CharField(
        _("superior body"),
        max_length=255,
        blank=True,
        help_text=_("Printed above the agency's name on its documents; empty: the parent agency's name."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Sector(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """A procedure by its national code; what it asks for is in its versions."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    published_version = models.OneToOneField(
        "ProcedureVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return self.code


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=16, choices=VersionState.choices, default=VersionState.DRAFT
    )
    name = models.CharField(_("name"), max_length=500)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="versions", verbose_name=_("sector")
    )
    level = models.CharField(_("level"), max_length=16, choices=ProcedureLevel.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="versions", verbose_name=_("competent agency")
    )
    processing_days = models.PositiveSmallIntegerField(_("processing time (working days)"))
    online_level = models.CharField(_("online level"), max_length=16, choices=OnlineLevel.choices)
    fee_due = models.CharField(
        _("fee due"), max_length=16, choices=FeeDue.choices, default=FeeDue.BEFORE_RECEPTION
    )
    result = models.CharField(_("result"), max_length=500, blank=True)
    # The granted result's own content (procedures.result_template): its title, the document type's symbol, the
    # body as a sandboxed template over the dossier's fields and the decision, and its recipients.
    result_title = models.CharField(_("result title"), max_length=255, blank=True)
    result_symbol = models.CharField(_("result symbol"), max_length=16, blank=True)
    result_template = models.TextField(_("result template"), blank=True)
    result_recipients = models.TextField(_("recipients of the result"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(state=VersionState.PUBLISHED),
                name="procedure_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(state=VersionState.DRAFT),
                name="procedure_one_draft_version",
            ),
        ]
        indexes = [models.Index(fields=["state", "sector"]), models.Index(fields=["state", "agency"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.state})"

    @property
    def total_fee(self) -> int:
        return sum(fee.amount for fee in self.fees.all())


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=255)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} đ"


class CopyType(models.TextChoices):
    """Of which kind the copies of a paper are (the columns of the one-stop forms)."""

    ORIGINAL = "original", _("original")
    CERTIFIED = "certified", _("certified copy")
    COPY = "copy", _("copy")


class Component(models.Model):
    """A paper the applicant brings or uploads (thành phần hồ sơ)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=500)
    required = models.BooleanField(_("required"), default=True)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    copy_type = models.CharField(
        _("copy type"), max_length=16, choices=CopyType.choices, default=CopyType.ORIGINAL
    )
    file_types = models.JSONField(_("accepted file types"), default=list)
    template = models.FileField(_("template file"), upload_to="templates/%Y/", blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    """One field of the applicant's form; the form is data, not code."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="form_fields")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.SlugField(_("name"), max_length=64)
    label = models.CharField(_("label"), max_length=255)
    type = models.CharField(_("type"), max_length=16, choices=FieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="form_field_name_unique")]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """An internal step of the procedure: who does it and in how many working days."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=500)
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    days = models.DecimalField(_("working days"), max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class CatalogueEvent(models.Model):
    """Append-only history of the catalogue: who created, edited, published or archived what, and when."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=CatalogueAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.version_id} at {self.at:%Y-%m-%d %H:%M}"
