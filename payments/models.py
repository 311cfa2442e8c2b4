"""Fee invoices, payments, the append-only payment events, and reconciliation with the providers' reports.

``payments`` knows a dossier only through its id, its procedure version's fees and its lookup data
(``payments.dossier_link``); ``dossiers`` knows nothing of payments (the workflow calls registered hooks).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from payments.constants import EventKind, InvoiceStatus, MismatchKind


class Invoice(models.Model):
    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="invoice")
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    items = models.JSONField(_("items"), default=list)
    due_before = models.CharField(max_length=16)  # procedures.constants.FeeDue
    status = models.CharField(
        _("status"), max_length=8, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=32, blank=True)  # who took the money
    online = models.BooleanField(default=False)  # paid through an online provider (the statistics count it)
    waived_reason = models.TextField(blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.reference


class Payment(models.Model):
    """Money received for an invoice; one provider transaction is never counted twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=32)
    transaction_no = models.CharField(max_length=64)
    amount = models.PositiveBigIntegerField()
    paid_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "transaction_no"], name="payment_transaction_once"),
            # An invoice is paid once, whatever arrives later.
            models.UniqueConstraint(fields=["invoice"], name="payment_one_per_invoice"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.transaction_no}"


class PaymentEvent(models.Model):
    """Append-only record of everything that happened to invoices, including every rejected notice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    provider = models.CharField(max_length=32, blank=True)
    transaction_no = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reason}"


class Reconciliation(models.Model):
    provider = models.CharField(max_length=32)
    source = models.CharField(max_length=255)
    ran_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.provider} {self.ran_at:%Y-%m-%d}"


class Mismatch(models.Model):
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="mismatches")
    kind = models.CharField(max_length=24, choices=MismatchKind.choices)
    reference = models.CharField(max_length=64, blank=True)
    transaction_no = models.CharField(max_length=64, blank=True)
    line = models.PositiveIntegerField(null=True)
    portal_amount = models.BigIntegerField(null=True)
    report_amount = models.BigIntegerField(null=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
