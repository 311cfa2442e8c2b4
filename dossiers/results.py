"""Results: the PDF of the decision, signed by the competent agency, and its verification by anyone.

``result_sign`` is what the signing worker runs: safe to run twice (a second run finds the result and only
finishes the transition), and it moves the dossier to ``result_ready`` through the workflow.
"""

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    RevocationInfoValidationType,
    validate_pdf_ltv_signature,
    validate_pdf_signature,
)
from pyhanko.sign.validation.errors import SignatureValidationError, ValidationInfoReadingError
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from dossiers import pdf, pki, signers, workflow
from dossiers.constants import Outcome, State
from dossiers.models import Dossier, Result
from dossiers.signers import pades
from portal import asyncsafe, bounded
from portal.urls_public import absolute_url

log = logging.getLogger(__name__)


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


def verification_url(dossier: Dossier, verification_token: str) -> str:
    """The address in the result's QR code: the code and the result's token, so only its holder sees the record."""
    query = urlencode({"code": dossier.code or "", "key": verification_token})
    return absolute_url(None, f"{reverse('verify')}?{query}")


def result_document(dossier: Dossier, *, verification_token: str | None = None) -> pdf.Document:
    """The decision as a document: granted with the result named by the procedure, or refused with the reason.

    Its QR code carries ``verification_token`` (a new one when not given), to be stored on the result."""
    if verification_token is None:
        verification_token = new_verification_token()
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
        qr_url=verification_url(dossier, verification_token),
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
            token = new_verification_token()
            signed = signers.current().sign(
                pdf.render(result_document(dossier, verification_token=token)),
                agency_code=dossier.agency.code,
                reason=f"Kết quả giải quyết hồ sơ {dossier.code}",
                location=settings.PROVINCE_NAME,
            )
            digest = hashlib.sha256(signed.data).hexdigest()
            result = Result(
                dossier=dossier,
                storage_key=f"{secrets.token_hex(16)}.pdf",
                verification_token=token,
                sha256=digest,
                outcome=dossier.outcome,
                signer=signed.signer_name,
                certificate_serial=signed.certificate_serial,
                signed_at=timezone.now(),
                level=signed.level or "PAdES-B-B",
                timestamped_at=signed.timestamped_at,
            )
            result.file.save(result.storage_key, ContentFile(signed.data), save=False)
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
    level: str | None = (
        None  # "PAdES-B-LT": time-stamped and carrying its validation data; "PAdES-B-B": neither
    )
    timestamp: str | None = None  # the time the time-stamping authority vouches the signature existed at


# The reasons stay English in the API; the verification page translates them (gettext_noop puts them in the catalogue).
NOT_OURS = gettext_noop("This file is not a result of this portal.")
# A result is a file the portal wrote: a few dozen objects (20 for a one-page decision). Anything past this
# bound was not written by the portal, whatever its hash says, and is not parsed.
MAX_OBJECTS = 1_000
# Validating a genuine result takes a fraction of a second; past this the child doing it is killed.
TIME_BUDGET_SECONDS = 10.0
_SIZE = re.compile(rb"/Size\s+(\d{1,12})")


def _trust_roots() -> list[asn1_x509.Certificate]:
    data = pki.ca_cert_path().read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return [asn1_x509.Certificate.load(data)]


def _declared_objects(data: bytes) -> int | None:
    """The object count the last trailer (or cross-reference stream) declares, read from the file's tail only."""
    sizes = _SIZE.findall(data[-4096:])
    return int(sizes[-1]) if sizes else None


def _status(signature: Any, roots: list[asn1_x509.Certificate]) -> tuple[PdfSignatureStatus, str]:
    """pyHanko's validation of ``signature`` and the level it holds.

    A long-term signature is validated as PAdES B-LT with revocation required: from the validation data it carries
    (no network), at the time its time stamp proves, so it stays valid after the agency's certificate expires or
    is revoked. One with no time stamp or no validation data (results signed before the portal made B-LT) is
    validated as B-B, against the CA alone."""
    try:
        status = asyncsafe.call(
            validate_pdf_ltv_signature,
            signature,
            RevocationInfoValidationType.PADES_LT,
            validation_context_kwargs={"trust_roots": roots},
        )
        return status, pades.LEVEL
    except (SignatureValidationError, ValidationInfoReadingError):  # no time stamp, or no DSS
        status = asyncsafe.call(validate_pdf_signature, signature, ValidationContext(trust_roots=roots))
        return status, "PAdES-B-T" if status.timestamp_validity is not None else "PAdES-B-B"


def _signature_status(data: bytes, roots: list[asn1_x509.Certificate]) -> dict[str, Any]:
    """pyHanko's validation of the last signature, as plain data; runs in the bounded child process."""
    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001 - an unreadable file is a damaged one
        return {"readable": False}
    if not signatures:
        return {"readable": True, "signed": False}
    status, level = _status(signatures[-1], roots)
    stamp = status.timestamp_validity
    covered = status.coverage is not None and (
        status.coverage.name == "ENTIRE_FILE"
        # B-LT adds its validation data (the DSS) after the signature, in an update pyHanko checks holds no more.
        or (
            status.coverage.name == "ENTIRE_REVISION"
            and status.modification_level == ModificationLevel.LTA_UPDATES
        )
    )
    return {
        "readable": True,
        "signed": True,
        "intact": bool(status.intact and status.valid),
        "trusted": bool(status.trusted),
        "covered": covered,
        "level": level,
        "timestamp": stamp.timestamp.isoformat()
        if stamp is not None and stamp.valid and stamp.trusted
        else None,
    }


def _invalid(reason: str) -> Verification:
    return Verification(False, None, None, None, reason)


def verify(data: bytes) -> Verification:
    """Whether ``data`` is a result this portal signed, unchanged since.

    The file must first be one on record (by its SHA-256): anything else is answered at once, without being
    parsed, so an upload costs a hash unless it is a result the portal issued. A file on record is then checked
    again, in a child process with a time and memory budget: its signature must be intact, cover the whole file
    and chain to the province's CA.
    """
    result = Result.objects.select_related("dossier").filter(sha256=hashlib.sha256(data).hexdigest()).first()
    if result is None:
        return _invalid(NOT_OURS)
    objects = _declared_objects(data)
    if objects is None or objects > MAX_OBJECTS:
        log.warning("result %s on record is not a file the portal writes (%s objects)", result.pk, objects)
        return _invalid(gettext_noop("The file is damaged or was changed after it was signed."))
    try:
        status = bounded.call(_signature_status, data, _trust_roots(), timeout=TIME_BUDGET_SECONDS)
    except (bounded.OverBudget, bounded.Failed) as exc:
        log.warning("validation of result %s failed: %s", result.pk, exc)
        return _invalid(gettext_noop("The signature cannot be validated."))
    if not status["readable"]:
        return _invalid(gettext_noop("The file is damaged or was changed after it was signed."))
    if not status["signed"]:
        return _invalid(gettext_noop("The PDF carries no digital signature."))
    if not status["intact"]:
        return _invalid(gettext_noop("The document was changed after it was signed."))
    if not status["trusted"]:
        return _invalid(gettext_noop("The signature is not from the province's certificates."))
    if not status["covered"]:
        return _invalid(gettext_noop("Something was added to the document after it was signed."))
    return Verification(
        True,
        result.dossier.code,
        timezone.localtime(result.signed_at).isoformat(),
        result.signer,
        gettext_noop("Signed by the portal and unchanged since."),
        level=status["level"],
        timestamp=timezone.localtime(datetime.fromisoformat(status["timestamp"])).isoformat()
        if status["timestamp"]
        else None,
    )


def result_for_holder(*, code: str, key: str) -> Result | None:
    """The signed result of dossier ``code`` when ``key`` is its verification token (from its QR code); else
    None, the same for an unknown code, a missing key and a wrong one."""
    if not code or not key:
        return None
    result = (
        Result.objects.select_related("dossier__version", "dossier__agency")
        .filter(dossier__code=code)
        .first()
    )
    if result is None or not result.verification_token:
        return None
    return result if constant_time_compare(key, result.verification_token) else None
