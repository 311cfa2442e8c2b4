"""Fee invoices, payments, the append-only payment events, and reconciliation with the providers' reports.

``payments`` knows a dossier only through its id, its procedure version's fees and its lookup data
(``payments.dossier_link``); ``dossiers`` knows nothing of payments (the workflow calls registered hooks).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from payments.constants import AttemptStatus, EventKind, InvoiceStatus, MismatchKind, RefundRule, RefundStatus


class Invoice(models.Model):
    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="invoice")
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"))
    items = models.JSONField(_("items"), default=list)
    due_before = models.CharField(max_length=16)  # procedures.constants.FeeDue
    status = models.CharField(
        _("status"), max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    refunded_amount = models.PositiveBigIntegerField(_("refunded so far (đồng)"), default=0)
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


class PaymentAttempt(models.Model):
    """One try at paying an invoice online: its own reference at the provider (VNPay's ``vnp_TxnRef``, unique per
    attempt), settled once, by the provider's notice or by asking the provider (``querydr``)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="attempts")
    provider = models.CharField(max_length=32)
    reference = models.CharField(max_length=32, unique=True)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=8, choices=AttemptStatus.choices, default=AttemptStatus.PENDING)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    queried_at = models.DateTimeField(null=True, blank=True)
    queries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"], name="attempt_open_idx")]

    def __str__(self) -> str:
        return self.reference


class Payment(models.Model):
    """Money received for an invoice; one provider transaction is never counted twice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    attempt = models.OneToOneField(
        PaymentAttempt, on_delete=models.PROTECT, null=True, related_name="payment"
    )
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


class Refund(models.Model):
    """Money paid back on an invoice, in full or in part, with its legal reason: through the provider's refund
    call (online) or handed back at the desk (counter). ``requested_by`` is None when the portal started it."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=32, unique=True)
    provider = models.CharField(max_length=32)
    amount = models.PositiveBigIntegerField()
    reason = models.TextField()
    rule = models.CharField(max_length=16, choices=RefundRule.choices, default=RefundRule.STAFF)
    status = models.CharField(max_length=8, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)  # claimed for the provider's call (once)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    transaction_no = models.CharField(max_length=64, blank=True)  # the provider's refund transaction
    failure = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # One refund at a time on an invoice: the pending one is settled before another starts.
            models.UniqueConstraint(
                fields=["invoice"], condition=models.Q(status="pending"), name="refund_one_pending"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class SandboxTransaction(models.Model):
    """The sandbox provider's own ledger, as a bank would keep it: what its demo pay page took and refunded. It
    answers the sandbox's ``querydr`` and ``refund`` calls; the portal's own records are never read for them."""

    txn_ref = models.CharField(max_length=32, unique=True)
    transaction_no = models.CharField(max_length=16, unique=True)
    amount = models.PositiveBigIntegerField()
    paid = models.BooleanField()
    pay_date = models.CharField(max_length=14)
    order_info = models.CharField(max_length=255, blank=True)
    refunded = models.PositiveBigIntegerField(default=0)
    refund_requests = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.txn_ref


class PaymentEvent(models.Model):
    """Append-only record of everything that happened to invoices, including every rejected notice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    amount = models.PositiveBigIntegerField(null=True)  # the money the step moved (a payment, a refund)
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
    # The days the report covers (Asia/Ho_Chi_Minh), stated by it or implied; only payments inside are compared.
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)

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
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
