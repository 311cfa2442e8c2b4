from django.db import models
from django.utils.translation import gettext_lazy as _


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    REFUND_PENDING = "refund_pending", _("Refund under way")
    REFUNDED = "refunded", _("Refunded")


class AttemptStatus(models.TextChoices):
    """One try at paying online, with its own reference at the provider (VNPay's ``vnp_TxnRef``)."""

    PENDING = "pending", _("Waiting for the provider")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Not paid")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Under way")
    DONE = "done", _("Refunded")
    FAILED = "failed", _("Refused by the provider")


class RefundRule(models.TextChoices):
    """Why a refund was started: by finance staff, or by the portal where the rule is clear."""

    STAFF = "staff", _("Started by finance staff")
    REFUSED = "refused", _("Refused at reception")
    WITHDRAWN = "withdrawn", _("Withdrawn before reception")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Invoice opened")
    STARTED = "started", _("Payment started")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Notice rejected")
    WAIVED = "waived", _("Fee waived")
    COUNTER = "counter", _("Paid at the counter")
    QUERIED = "queried", _("Status asked of the provider")
    REFUND_REQUESTED = "refund_requested", _("Refund started")
    REFUNDED = "refunded", _("Refunded")
    REFUND_FAILED = "refund_failed", _("Refund refused")


class MismatchKind(models.TextChoices):
    MISSING_IN_PORTAL = "missing_in_portal", _("Settled by the provider, not paid in the portal")
    MISSING_IN_REPORT = "missing_in_report", _("Paid in the portal, not in the provider's report")
    AMOUNT = "amount", _("Amounts differ")
    UNKNOWN_INVOICE = "unknown_invoice", _("The report names an unknown invoice")
    BAD_ROW = "bad_row", _("The report's row cannot be read")
    REFUNDED_BUT_SETTLED = "refunded_but_settled", _("Refunded in the portal, settled without the refund")
