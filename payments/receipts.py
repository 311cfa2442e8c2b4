"""The electronic receipt (biên lai điện tử) of a paid invoice, and the refund receipt (chứng từ hoàn trả) of a
refund that is done, each with a QR to the dossier's public lookup."""

from django.conf import settings
from django.utils import timezone

from dossiers import pdf
from dossiers.slips import lookup_url
from payments import dossier_link
from payments.constants import InvoiceStatus, RefundStatus
from payments.models import Invoice, Refund
from payments.providers import register
from portal.errors import InvalidState
from portal.money import thousands


def receipt_pdf(invoice: Invoice) -> bytes:
    # A refunded fee was paid first: its receipt stays, the refund receipt says what came back.
    if invoice.status not in (InvoiceStatus.PAID, InvoiceStatus.REFUND_PENDING, InvoiceStatus.REFUNDED):
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


def refund_receipt_pdf(refund: Refund) -> bytes:
    if refund.status != RefundStatus.DONE or refund.done_at is None:
        raise InvalidState("A refund receipt is issued once the refund is done.", code="not_refunded")
    invoice = refund.invoice
    link = dossier_link.info(invoice.dossier)
    payment = invoice.payments.first()
    done = timezone.localtime(refund.done_at, pdf.TZ)
    provider = register.get(refund.provider)
    way = f"Hoàn qua {provider.title}" if provider.online else "Hoàn trả tại bộ phận một cửa"
    return pdf.render(
        pdf.Document(
            agency=link.agency_name,
            code=link.code,
            title="Chứng từ hoàn trả phí, lệ phí",
            subtitle="(Chứng từ điện tử)",
            rows=[
                ("Số chứng từ", refund.reference),
                ("Theo biên lai", invoice.reference),
                ("Người nhận hoàn trả", link.applicant_name),
                ("Hồ sơ", f"{link.code} — {link.procedure_name}"),
                ("Lý do hoàn trả", refund.reason),
                ("Hình thức hoàn trả", way),
                ("Mã giao dịch thanh toán", payment.transaction_no if payment else ""),
                ("Mã giao dịch hoàn trả", refund.transaction_no),
                ("Thời điểm hoàn trả", pdf.local(refund.done_at)),
                ("Số tiền hoàn trả", thousands(refund.amount) + " đồng"),
                (
                    "Tổng đã hoàn trả / đã nộp",
                    f"{thousands(invoice.refunded_amount)} / {thousands(invoice.amount)} đồng",
                ),
            ],
            table=[["Khoản thu đã nộp", "Số tiền (đồng)"]]
            + [[item["name"], thousands(item["amount"])] for item in invoice.items],
            qr_url=lookup_url(invoice.dossier),
            qr_caption="Quét mã để tra cứu hồ sơ",
            place_and_date=f"{settings.PROVINCE_NAME}, ngày {done:%d} tháng {done:%m} năm {done:%Y}",
            signature_block=["ĐƠN VỊ HOÀN TRẢ", "(Chứng từ điện tử)", link.agency_name],
        )
    )
