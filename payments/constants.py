from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Invoice opened")
    STARTED = "started", _("Payment started")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Notice rejected")
    WAIVED = "waived", _("Fee waived")
    COUNTER = "counter", _("Paid at the counter")


class MismatchKind(models.TextChoices):
    MISSING_IN_PORTAL = "missing_in_portal", _("Settled by the provider, not paid in the portal")
    MISSING_IN_REPORT = "missing_in_report", _("Paid in the portal, not in the provider's report")
    AMOUNT = "amount", _("Amounts differ")
    UNKNOWN_INVOICE = "unknown_invoice", _("The report names an unknown invoice")
    BAD_ROW = "bad_row", _("The report's row cannot be read")
