"""Results: the PDF of the decision, signed by the competent agency, and its verification by anyone.

``result_sign`` is what the signing worker runs: safe to run twice (a second run finds the result and only
finishes the transition), and it moves the dossier to ``result_ready`` through the workflow.
"""

import hashlib
import logging
from dataclasses import dataclass
from io import BytesIO

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from dossiers import pdf, pki, signers, workflow
from dossiers.constants import Outcome, State
from dossiers.models import Dossier, Result
from portal import asyncsafe
from portal.urls_public import absolute_url

log = logging.getLogger(__name__)


def verification_url(dossier: Dossier) -> str:
    return absolute_url(None, reverse("verify") + f"?code={dossier.code}")


def result_document(dossier: Dossier) -> pdf.Document:
    """The decision as a document: granted with the result named by the procedure, or refused with the reason."""
    version = dossier.version
    granted = dossier.outcome == Outcome.GRANT
    approval = dossier.events.filter(action="approve").order_by("-at").first()
    assessment = dossier.events.filter(action="assess").order_by("-at").first()
    reason = (approval and approval.comment) or (assessment and assessment.comment) or ""
    applicant = dossier.applicant_data
    labels = {f.name: f.label for f in version.form_fields.all()}
    rows = [
        ("Thủ tục", f"{version.name} (mã {version.procedure.code})"),
        ("Người nộp hồ sơ", applicant.get("organisation") or applicant.get("full_name", "")),
        ("Số định danh / mã số thuế", applicant.get("id_number") or applicant.get("tax_code", "")),
        ("Địa chỉ", applicant.get("address", "")),
        ("Ngày tiếp nhận", pdf.local(dossier.received_at)),
        ("Ngày quyết định", pdf.local(dossier.decided_at)),
    ]
    rows += [
        (labels.get(name, name), "" if value is None else pdf.value(value))
        for name, value in dossier.form_data.items()
    ]
    if granted:
        paragraphs = [
            f"Xét hồ sơ số <b>{pdf.text(dossier.code)}</b>, {pdf.text(dossier.agency.name)} "
            f"<b>chấp thuận</b> yêu cầu và cấp: <b>{pdf.text(version.result or version.name)}</b>."
        ]
    else:
        paragraphs = [
            f"Xét hồ sơ số <b>{pdf.text(dossier.code)}</b>, {pdf.text(dossier.agency.name)} "
            f"<b>không chấp thuận</b> yêu cầu."
        ]
    if reason and not granted:
        # A refusal states its reason; staff's notes on a grant stay internal, as on the citizen's timeline.
        paragraphs.append(f"Lý do: {pdf.text(reason)}")
    decided = timezone.localtime(dossier.decided_at or timezone.now(), pdf.TZ)
    return pdf.Document(
        agency=dossier.agency.name,
        code=dossier.code or "",
        title="Kết quả giải quyết thủ tục hành chính",
        subtitle=version.result if granted else "Thông báo từ chối giải quyết",
        paragraphs=paragraphs,
        rows=rows,
        qr_url=verification_url(dossier),
        qr_caption="Quét mã để kiểm tra tính xác thực của văn bản điện tử này",
        place_and_date=f"{settings.PROVINCE_NAME}, ngày {decided:%d} tháng {decided:%m} năm {decided:%Y}",
        signature_block=["THỦ TRƯỞNG CƠ QUAN", "(Đã ký số)", dossier.agency.name],
    )


def result_sign(*, dossier_id: int) -> Result | None:
    """Generate, sign and store the result of a dossier in ``signing``, then move it to ``result_ready``.

    Idempotent: the dossier row is locked while the result is made; a second run finds the result and only
    finishes the transition; a dossier no longer in ``signing`` is left alone.
    """
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("version__procedure", "agency")
            .filter(pk=dossier_id)
            .first()
        )
        if dossier is None or dossier.state != State.SIGNING:
            return None
        result = Result.objects.filter(dossier=dossier).first()
        if result is None:
            signed = signers.current().sign(
                pdf.render(result_document(dossier)),
                agency_code=dossier.agency.code,
                reason=f"Kết quả giải quyết hồ sơ {dossier.code}",
                location=settings.PROVINCE_NAME,
            )
            digest = hashlib.sha256(signed.data).hexdigest()
            result = Result(
                dossier=dossier,
                sha256=digest,
                outcome=dossier.outcome,
                signer=signed.signer_name,
                certificate_serial=signed.certificate_serial,
                signed_at=timezone.now(),
            )
            result.file.save(f"{dossier.code}.pdf", ContentFile(signed.data), save=False)
            result.save()
        workflow.apply(dossier_id=dossier.pk, action="signed", actor=None)
    return result


@dataclass(frozen=True)
class Verification:
    valid: bool
    code: str | None
    signed_at: str | None
    signer: str | None
    reason: str


def _trust_roots() -> list[asn1_x509.Certificate]:
    data = pki.ca_cert_path().read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return [asn1_x509.Certificate.load(data)]


def verify(data: bytes) -> Verification:
    """Whether ``data`` is a result this portal signed, unchanged since: the signature must be intact, cover the
    whole file and chain to the province's CA, and the file must be the one on record."""
    result = Result.objects.select_related("dossier").filter(sha256=hashlib.sha256(data).hexdigest()).first()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any unreadable upload is simply not a valid result
        if data.lstrip()[:5] == b"%PDF-":
            return Verification(
                False, None, None, None, "The file is damaged or was changed after it was signed."
            )
        return Verification(False, None, None, None, "This is not a PDF.")
    if not signatures:
        return Verification(False, None, None, None, "The PDF carries no digital signature.")
    try:
        status = asyncsafe.call(
            validate_pdf_signature, signatures[-1], ValidationContext(trust_roots=_trust_roots())
        )
    except Exception as exc:  # noqa: BLE001 - a malformed signature is an invalid one
        log.info("signature validation failed: %s", exc)
        return Verification(False, None, None, None, "The signature cannot be validated.")
    if not (status.intact and status.valid):
        return Verification(False, None, None, None, "The document was changed after it was signed.")
    if not status.trusted:
        return Verification(False, None, None, None, "The signature is not from the province's certificates.")
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        return Verification(
            False, None, None, None, "Something was added to the document after it was signed."
        )
    if result is None:
        return Verification(False, None, None, None, "This document is not in the portal's record.")
    return Verification(
        True,
        result.dossier.code,
        timezone.localtime(result.signed_at).isoformat(),
        result.signer,
        "Signed by the portal and unchanged since.",
    )
