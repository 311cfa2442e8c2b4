from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Department")
    COMMUNE = "commune", _("Commune")


class ProcedureLevel(models.TextChoices):
    """The level of government that settles a procedure (cấp thực hiện)."""

    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    COMMUNE = "commune", _("Commune")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Full online")
    PARTIAL = "partial", _("Partial online")


class FeeDue(models.TextChoices):
    """When the fee must be paid: the workflow refuses the gated step while the invoice is open."""

    BEFORE_RECEPTION = "before_reception", _("Before reception")
    BEFORE_RETURN = "before_return", _("Before the result is returned")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SELECT = "select", _("Choice")
    CHECKBOX = "checkbox", _("Checkbox")


class StaffRole(models.TextChoices):
    """The roles an internal step of a procedure is assigned to."""

    RECEIVER = "receiver", _("Receiver")
    ASSESSOR = "assessor", _("Assessor")
    APPROVER = "approver", _("Approver")


class CatalogueAction(models.TextChoices):
    CREATE = "create", _("Created")
    CREATE_DRAFT = "create_draft", _("Draft created")
    EDIT = "edit", _("Draft edited")
    PUBLISH = "publish", _("Published")
    ARCHIVE = "archive", _("Archived")
    IMPORT = "import", _("Imported")


# File types a component may accept, by the name a citizen knows them by.
FILE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DEFAULT_FILE_TYPES = ["pdf", "jpg", "png"]
