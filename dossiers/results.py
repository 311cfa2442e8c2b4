"""Results: the PDF of the decision, signed by the competent agency, and its verification by anyone.

``result_sign`` is what the signing worker runs: safe to run twice (a second run finds the result and only
finishes the transition), and it moves the dossier to ``result_ready`` through the workflow.
"""

import hashlib
import html
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from types import SimpleNamespace
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

from dossiers import drafted_results, numbering, official, pdf, pki, signers, workflow
from dossiers.constants import Outcome, State
from dossiers.models import Dossier, DraftedResult, Result, ResultNumber
from dossiers.signers import pades
from portal import asyncsafe, bounded
from portal.urls_public import absolute_url
from procedures import result_template
from procedures.models import Agency

log = logging.getLogger(__name__)


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


def verification_url(dossier: Dossier, verification_token: str) -> str:
    """The address in the result's QR code: the code and the result's token, so only its holder sees the record."""
    query = urlencode({"code": dossier.code or "", "key": verification_token})
    return absolute_url(None, f"{reverse('verify')}?{query}")


def vietnamese_date(moment: datetime) -> str:
    """A date as Decree 30 writes it: a day or a month under 10 with its zero where it stands before 3 ("ngày
    05 tháng 02 năm 2026", "ngày 15 tháng 6 năm 2026")."""
    day = f"{moment.day:02d}"
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return f"ngày {day} tháng {month} năm {moment.year}"


def place_name() -> str:
    """The place in a document's date line: the province's name without "Tỉnh" (Hòa Bình Xanh, ngày ...)."""
    name = settings.PROVINCE_NAME
    for prefix in ("Tỉnh ", "tỉnh ", "Thành phố ", "thành phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def superior_of(agency: Agency) -> str:
    """The superior body printed above an agency's name: its own setting, else its parent's name; none above a
    People's Committee, which Decree 30 heads with its own name alone."""
    if agency.superior:
        return agency.superior
    if agency.parent_id is None or agency.name.lower().startswith("ủy ban nhân dân"):
        return ""
    return agency.parent.name if agency.parent else ""


def symbol_of(agency: Agency) -> str:
    """The agency's part of a document symbol: its own, else UBND for a People's Committee, else its initials."""
    if agency.symbol:
        return agency.symbol
    if agency.name.lower().startswith("ủy ban nhân dân"):
        return "UBND"
    folded = unicodedata.normalize("NFD", agency.name.replace("Đ", "D").replace("đ", "d"))
    letters = [word[0] for word in folded.split() if word[:1].isalpha() and word[:1].isupper()]
    return "".join(letters)[:8] or agency.code


def _document_symbol(dossier: Dossier) -> str:
    granted = dossier.outcome == Outcome.GRANT
    kind = (dossier.version.result_symbol or "QĐ") if granted else "TB"
    agency = symbol_of(dossier.agency)
    return f"{kind}-{agency}" if agency else kind


@transaction.atomic
def number_assign(dossier: Dossier, actor: Any) -> ResultNumber:
    """Give the approved dossier's result the next number of its agency's register for the year (Số: 12/QĐ-UBND).

    Runs in the approval's transaction: the year's counter row is locked (created first if the year has none,
    without racing another approval into a duplicate), so two approvals never take one number and a rolled-back
    approval gives its number back. The approver is recorded as the signer, with their position."""
    existing = ResultNumber.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    issued = dossier.decided_at or timezone.now()
    year = timezone.localtime(issued, pdf.TZ).year
    return ResultNumber.objects.create(
        dossier=dossier,
        agency_id=dossier.agency_id,
        year=year,
        number=numbering.next_number(dossier.agency_id, year, "result"),
        symbol=_document_symbol(dossier),
        signer_name=(actor.get_full_name() or actor.username) if actor is not None else "",
        signer_position=getattr(actor, "position", "") if actor is not None else "",
        issued_at=issued,
    )


def _decision_text(dossier: Dossier, *, granted: bool) -> str:
    approval = dossier.events.filter(action="approve").order_by("-at").first()
    assessment = dossier.events.filter(action="assess").order_by("-at").first()
    if granted:
        return (approval and approval.comment) or ""
    return (approval and approval.comment) or (assessment and assessment.comment) or ""


def result_context(dossier: Dossier, *, number: ResultNumber | None = None) -> dict[str, Any]:
    """What a result template may name (``procedures.result_template.PLACEHOLDERS``), as plain strings."""
    version = dossier.version
    applicant = dossier.applicant_data
    decided = timezone.localtime(dossier.decided_at or timezone.now(), pdf.TZ)
    return {
        "applicant": {
            key: pdf.value(applicant.get(key) or "") for key in result_template.PLACEHOLDERS["applicant"]
        },
        "form": {
            field.name: pdf.value(dossier.form_data.get(field.name, "") or "")
            if dossier.form_data.get(field.name) is not False
            else pdf.value(False)
            for field in version.form_fields.all()
        },
        "dossier": {
            "code": dossier.code or "",
            "received_on": pdf.local(dossier.received_at, "%d/%m/%Y"),
            "decided_on": decided.strftime("%d/%m/%Y"),
        },
        "procedure": {"code": version.procedure.code, "name": version.name, "result": version.result},
        "agency": {"name": dossier.agency.name, "code": dossier.agency.code},
        "document": {
            "number": number.display if number else "",
            "date": vietnamese_date(decided),
            "place": place_name(),
        },
        "decision": {"text": _decision_text(dossier, granted=dossier.outcome == Outcome.GRANT)},
        "signer": {
            "name": number.signer_name if number else "",
            "position": number.signer_position if number else "",
        },
    }


def _default_rows(dossier: Dossier) -> list[tuple[str, str]]:
    version = dossier.version
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
    return rows


def _templated(source: str, context: dict[str, Any], dossier: Dossier) -> list[str] | None:
    try:
        return result_template.paragraphs(result_template.render(source, context))
    except result_template.TemplateError:
        # Validated when saved; a version saved before the rules tightened falls back to the generic body.
        log.exception("the result template of %s cannot be rendered", dossier.version_id)
        return None


def result_document(dossier: Dossier, *, verification_token: str | None = None) -> official.OfficialDocument:
    """The decision as a Decree 30 document: the procedure's own result (its template over the dossier's
    fields) when granted, or the refusal with its reason.

    Its QR code carries ``verification_token`` (a new one when not given), to be stored on the result."""
    if verification_token is None:
        verification_token = new_verification_token()
    version = dossier.version
    granted = dossier.outcome == Outcome.GRANT
    number = ResultNumber.objects.filter(dossier=dossier).first()
    context = result_context(dossier, number=number)
    reason = context["decision"]["text"]
    applicant = dossier.applicant_data
    holder = applicant.get("organisation") or applicant.get("full_name", "")
    rows: list[tuple[str, str]] = []
    body = (
        _templated(version.result_template, context, dossier) if granted and version.result_template else None
    )
    if body is None:
        rows = _default_rows(dossier)
        verdict = "<b>chấp thuận</b> yêu cầu và cấp: " if granted else "<b>không chấp thuận</b> yêu cầu."
        body = [
            f"Xét hồ sơ số <b>{pdf.text(dossier.code)}</b>, {pdf.text(dossier.agency.name)} {verdict}"
            + (f"<b>{pdf.text(version.result or version.name)}</b>." if granted else "")
        ]
        if reason and not granted:
            # A refusal states its reason; staff's notes on a grant stay internal, as on the citizen's timeline.
            body.append(f"Lý do: {pdf.text(reason)}")
    recipients: list[str] = []
    if granted and version.result_recipients:
        rendered = _templated(version.result_recipients, context, dossier) or []
        recipients = [line for block in rendered for line in block.split("<br/>") if line.strip()]
        recipients = [html.unescape(line) for line in recipients]
    if not recipients:
        recipients = [f"- {holder};" if holder else "- Người nộp hồ sơ;", "- Lưu: VT."]
    decided = timezone.localtime(dossier.decided_at or timezone.now(), pdf.TZ)
    if granted:
        title = version.result_title or version.result or "Quyết định"
        subtitle = ""
    else:
        title = "Thông báo"
        subtitle = f"Về việc từ chối giải quyết hồ sơ {dossier.code or ''}"
    return official.OfficialDocument(
        agency=dossier.agency.name,
        superior=superior_of(dossier.agency),
        number=number.display if number else "",
        place_and_date=f"{place_name()}, {vietnamese_date(decided)}",
        title=title,
        subtitle=subtitle,
        paragraphs=body,
        rows=rows,
        signer_title=(number.signer_position if number and number.signer_position else "Thủ trưởng cơ quan"),
        signer_name=number.signer_name if number else "",
        recipients=recipients,
        qr_url=verification_url(dossier, verification_token),
        qr_caption=f"Mã hồ sơ {dossier.code or ''}. Quét mã để kiểm tra tính xác thực của văn bản điện tử này.",
        subject=dossier.code or "",
    )


def _result_pdf(dossier: Dossier, *, verification_token: str) -> bytes:
    """What is signed: the agency's drafted result with the portal's verification page when the assessor
    attached one for the outcome decided, else the portal's own Decree 30 layout."""
    drafted = DraftedResult.objects.filter(dossier=dossier).first()
    if drafted is not None and dossier.outcome == dossier.proposed_outcome:
        with drafted.file.open("rb") as handle:
            original = handle.read()
        number = ResultNumber.objects.filter(dossier=dossier).first()
        return drafted_results.stamped(
            original,
            page=drafted_results.verification_page(
                dossier, url=verification_url(dossier, verification_token), number=number
            ),
        )
    return official.render(result_document(dossier, verification_token=verification_token))


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
                _result_pdf(dossier, verification_token=token),
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


def preview_pdf(*, content: dict[str, Any], procedure_code: str) -> bytes:
    """The result a version's ``content`` gives (its template over sample data), for the admin's preview.

    The same layout as a real result, with a sample number and signer, and no QR code (nothing to verify)."""
    agency: Agency = content["agency"]
    fields = [SimpleNamespace(**field) for field in content.get("form", [])]
    context = result_template.sample_context(fields)
    context["procedure"] = {"code": procedure_code, "name": content["name"], "result": content["result"]}
    context["agency"] = {"name": agency.name, "code": agency.code}
    symbol = symbol_of(agency)
    kind = content.get("result_symbol") or "QĐ"
    context["document"]["number"] = f"12/{kind}-{symbol}" if symbol else f"12/{kind}"
    body = result_template.paragraphs(result_template.render(content.get("result_template", ""), context))
    recipients = [
        html.unescape(line)
        for block in result_template.paragraphs(
            result_template.render(content.get("result_recipients", ""), context)
        )
        for line in block.split("<br/>")
        if line.strip()
    ]
    return official.render(
        official.OfficialDocument(
            agency=agency.name,
            superior=superior_of(agency),
            number=context["document"]["number"],
            place_and_date=f"{place_name()}, {context['document']['date']}",
            title=content.get("result_title") or content.get("result") or "Quyết định",
            paragraphs=body or ["(Chưa có nội dung)"],
            signer_title=context["signer"]["position"],
            signer_name=context["signer"]["name"],
            recipients=recipients or ["- Người nộp hồ sơ;", "- Lưu: VT."],
            subject="BẢN XEM TRƯỚC",
        )
    )
