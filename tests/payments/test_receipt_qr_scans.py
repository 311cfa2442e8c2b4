"""The payment receipt's QR code, scanned from the PDF as a phone would, opens the public lookup of its dossier."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from django.utils import timezone

from payments.constants import InvoiceStatus
from payments.models import Invoice
from payments.receipts import receipt_pdf
from tests.qr import qr_codes


def test_the_receipts_qr_code_scans_to_the_dossiers_public_lookup(invoice: Invoice, settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.PAID, paid_at=timezone.now())
    invoice.refresh_from_db()

    (scanned,) = qr_codes(receipt_pdf(invoice))

    url = urlsplit(scanned)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://dichvucong.example.gov.vn" + reverse(
        "dossiers:lookup"
    )
    dossier = invoice.dossier
    assert parse_qs(url.query) == {"code": [dossier.code], "key": [dossier.lookup_key]}
