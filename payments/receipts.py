"""The electronic receipt (biên lai điện tử) of a paid invoice, with a QR to the dossier's public lookup."""

from django.conf import settings
from django.utils import timezone

from dossiers import pdf
from dossiers.slips import lookup_url
from payments import dossier_link
from payments.constants import InvoiceStatus
from payments.models import Invoice
from payments.providers import register
from portal.errors import InvalidState
from portal.money import thousands


def receipt_pdf(invoice: Invoice) -> bytes:
    if invoice.status != InvoiceStatus.PAID:
        raise InvalidState("A receipt is issued once the invoice is paid.", code="not_paid")
    link = dossier_link.info(invoice.dossier)
    payment = invoice.payments.first()
    paid = timezone.localtime(invoice.paid_at, pdf.TZ)
    amount = thousands(invoice.amount) + " đồng"
    return pdf.render(
        pdf.Document(
            agency=link.agency_name,
            code=link.code,
            title="Biên lai thu phí, lệ phí",
            subtitle="(Biên lai điện tử)",
            rows=[
                ("Số biên lai", invoice.reference),
                ("Người nộp", link.applicant_name),
                ("Hồ sơ", f"{link.code} — {link.procedure_name}"),
                ("Hình thức thanh toán", register.get(invoice.provider).title if invoice.provider else ""),
                ("Mã giao dịch", payment.transaction_no if payment else ""),
                ("Thời điểm thanh toán", pdf.local(invoice.paid_at)),
                ("Tổng số tiền", amount),
            ],
            table=[["Khoản thu", "Số tiền (đồng)"]]
            + [[item["name"], thousands(item["amount"])] for item in invoice.items],
            qr_url=lookup_url(invoice.dossier),
            qr_caption="Quét mã để tra cứu hồ sơ",
            place_and_date=f"{settings.PROVINCE_NAME}, ngày {paid:%d} tháng {paid:%m} năm {paid:%Y}",
            signature_block=["ĐƠN VỊ THU", "(Biên lai điện tử)", link.agency_name],
        )
    )
