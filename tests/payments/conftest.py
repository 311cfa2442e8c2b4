"""Fixtures of the payment tests: a procedure with a fee, submitted dossiers with their invoice, and VNPay 2.1
notices built and signed here, independently of ``payments.providers.vnpay``, so the tests check API.md's contract.
"""

import hashlib
import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.conf import settings as django_settings
from django.db.models import Model

from dossiers import services as dossier_services
from dossiers.models import Document, Dossier
from payments.models import Invoice
from procedures.models import Component
from tests.factories import DossierFactory, ProcedureVersionFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TEST_SECRET = "payments-test-secret-8f2b"  # noqa: S105 - a test value, not a credential
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
CALLBACK = "/api/v1/payments/sandbox/callback/"


@pytest.fixture(autouse=True)
def _payment_settings(settings: Any) -> None:
    """A known sandbox secret and every provider switched on, whatever the environment says."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.PAYMENT_SANDBOX_SECRET = TEST_SECRET
    settings.PAYMENT_PROVIDERS = ["sandbox", "vnpay", "counter"]


def vnp_signature(fields: dict[str, str], secret: str | None = None) -> str:
    """API.md: HMAC-SHA512 of the other ``vnp_`` fields sorted by name, URL-encoded ``key=value`` joined by ``&``.

    Written the way VNPay's own sample code does it (``quote_plus`` of each value), not with the portal's code.
    """
    secret = django_settings.PAYMENT_SANDBOX_SECRET if secret is None else secret
    data = "&".join(
        f"{quote_plus(key)}={quote_plus(str(value))}"
        for key, value in sorted(fields.items())
        if key.startswith("vnp_") and key not in HASH_FIELDS
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def signed(fields: dict[str, str], secret: str | None = None) -> dict[str, str]:
    return {**fields, "vnp_SecureHash": vnp_signature(fields, secret)}


def attempt_reference(invoice: Invoice, provider: str = "sandbox") -> str:
    """The reference (``vnp_TxnRef``) of the invoice's latest attempt, started now when it has none."""
    from payments import services
    from payments.models import PaymentAttempt
    from payments.providers import register

    attempt = PaymentAttempt.objects.filter(invoice=invoice, provider=provider).order_by("-id").first()
    if attempt is None and type(invoice).objects.get(pk=invoice.pk).status == "open":
        attempt = services.attempt_open(invoice=invoice, provider=register.get(provider))
    elif attempt is None:  # an attempt the citizen started before the invoice was waived or paid otherwise
        attempt = PaymentAttempt.objects.create(
            invoice=invoice,
            provider=provider,
            reference=f"{invoice.reference}900",
            amount=invoice.amount,
            created_at=invoice.opened_at,
        )
    return attempt.reference


def notice_fields(
    invoice: Invoice, *, transaction_no: str = "14000001", code: str = "00", **changes: str
) -> dict[str, str]:
    """The fields of a VNPay 2.1 IPN for ``invoice``'s latest attempt, unsigned; ``changes`` overrides or adds
    ``vnp_`` fields."""
    fields = {
        "vnp_TmnCode": "SANDBOX1",
        "vnp_Amount": str(invoice.amount * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP" + transaction_no,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Le phi ho so",
        "vnp_PayDate": "20261123101530",
        "vnp_ResponseCode": code,
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionStatus": code if code == "00" else "02",
        "vnp_TxnRef": changes.pop("vnp_TxnRef") if "vnp_TxnRef" in changes else attempt_reference(invoice),
    }
    fields.update(changes)
    return fields


def good_notice(invoice: Invoice, **kwargs: Any) -> dict[str, str]:
    """A genuine notice that ``invoice`` was paid in full (``transaction_no``, ``code`` and fields may change)."""
    return signed(notice_fields(invoice, **kwargs))


def attach_required_papers(dossier: Dossier) -> None:
    """A document row for each required component, so the dossier can be submitted (no file is written)."""
    for component in Component.objects.filter(version=dossier.version, required=True):
        Document.objects.create(
            dossier=dossier,
            component=component,
            file=f"dossiers/{dossier.pk}/paper-{component.pk}.pdf",
            storage_key=f"pay{dossier.pk}c{component.pk}.pdf",
            original_name="to-khai.pdf",
            content_type="application/pdf",
            size=64,
            sha256="0" * 64,
            uploaded_by=dossier.created_by,
        )


def submit_dossier(version: Any, applicant: Any) -> Dossier:
    """A complete draft of ``applicant`` submitted through the workflow, which opens its invoice."""
    dossier = DossierFactory(version=version, applicant=applicant)
    attach_required_papers(dossier)
    return dossier_services.submit(dossier_id=dossier.pk, actor=applicant)


def reload(obj: Model) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def invoice_state(invoice: Invoice) -> tuple[Any, ...]:
    """What a notice must not change on an invoice it refuses."""
    invoice = reload(invoice)
    return (
        invoice.status,
        invoice.paid_at,
        invoice.provider,
        invoice.online,
        invoice.amount,
        invoice.payments.count(),
    )


@pytest.fixture
def version_a(agency_a: Any) -> Any:
    """A published procedure of agency A with the factory's one fee (50.000 đ), paid before reception."""
    return ProcedureVersionFactory(published=True, agency=agency_a)


@pytest.fixture
def dossier(version_a: Any, citizen: Any) -> Dossier:
    """The citizen's dossier, just submitted: its invoice is open."""
    return submit_dossier(version_a, citizen)


@pytest.fixture
def invoice(dossier: Dossier) -> Invoice:
    return Invoice.objects.get(dossier=dossier)


@pytest.fixture
def send_notice(api: Callable[[Any], Any]) -> Callable[..., Any]:
    """``send_notice(params, method="get")``: the provider's server calling the sandbox callback."""
    client = api(None)

    def send(params: dict[str, str], *, method: str = "get", provider: str = "sandbox") -> Any:
        url = f"/api/v1/payments/{provider}/callback/"
        if method == "get":
            return client.get(url, params)
        return client.post(url, params)  # form-encoded, as VNPay posts it

    return send


def pay_in_sandbox(invoice: Invoice, user: Any, *, lose_notice: bool = False) -> str:
    """The citizen pays ``invoice`` on the sandbox's pay page, as the page does it: a new attempt, the bank's
    ledger, then the server notice (unless it is lost on the way). Returns the attempt's reference."""
    from urllib.parse import parse_qsl, urlsplit

    from payments import services
    from payments.providers import register

    url = services.payment_start(
        dossier_id=invoice.dossier_id,
        user=user,
        provider_name="sandbox",
        return_url="http://testserver/payments/return/sandbox/",
        client_ip="127.0.0.1",
    )
    sandbox = register.get("sandbox")
    asked = sandbox.read_signed(dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)))
    assert asked is not None
    notice = sandbox.pay_page_notice(asked, paid=True)
    if not lose_notice:
        result = services.notice_handle(provider_name="sandbox", params=notice, remote_addr="127.0.0.1")
        assert result.body == {"RspCode": "00", "Message": "Confirm Success"}
    return asked.reference
