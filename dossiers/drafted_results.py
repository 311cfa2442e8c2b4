"""The result as the agency drafted it: a PDF the assessor attaches, which the approval signs.

``drafted_result_attach`` takes the upload (the assessing agency's assessor only, while the dossier is being
assessed): the type is sniffed from the bytes, the size is bounded, and the file is parsed in a child process with
a time and memory budget, which refuses an encrypted PDF, one with JavaScript or other actions that run or launch
something, and one too big for the verification page to check later. At signing, ``stamped`` adds the portal's
verification page (the QR code of /verify/, the number, the agency) as a new last page, in an incremental update
that keeps the agency's bytes as they are, and the signer signs the whole.
"""

import hashlib
import secrets
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from accounts.policy import Ask, is_logged_reader, may, may_act
from audit.models import AccessWhat
from audit.services import access_record
from dossiers import official, pdf
from dossiers.access import dossier_for
from dossiers.constants import EventAction, State
from dossiers.history import history_write
from dossiers.models import Dossier, DraftedResult, ResultNumber
from dossiers.services import TooLarge, UnsupportedType, sniff
from portal import bounded
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError

# The verification page refuses to parse a file that declares more objects than a result holds (results.py's
# MAX_OBJECTS, 1,000): a drafted result must leave room for the page, the signature and its validation data.
MAX_OBJECTS = 800
MAX_PAGES = 50
TIME_BUDGET_SECONDS = 10.0
# Keys whose presence means the PDF would run or open something: scripts, launch and import actions.
ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/Launch", "/ImportData", "/RichMedia", "/XFA"})
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/Rendition"})


class BadPdf(ServiceError):
    status = 400
    code = "invalid_pdf"


@dataclass(frozen=True)
class Inspection:
    readable: bool
    encrypted: bool = False
    active: str = ""  # the first key or action found that would run something
    pages: int = 0
    objects: int = 0


def _inspect(data: bytes) -> dict[str, Any]:
    """Parse ``data`` and walk every object reachable from its trailer; runs in the bounded child process."""
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
    except Exception:  # noqa: BLE001 - whatever the parser trips on, the file is not a PDF we take
        return {"readable": False}
    if reader.encrypted:
        return {"readable": True, "encrypted": True}
    try:
        pages = int(reader.root["/Pages"]["/Count"])
        seen: set[tuple[int, int]] = set()
        stack: list[Any] = [reader.trailer_view]
        while stack:
            item = stack.pop()
            if isinstance(item, generic.IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                if len(seen) > MAX_OBJECTS:
                    return {"readable": True, "objects": len(seen), "pages": pages}
                item = item.get_object()
            if isinstance(item, generic.StreamObject | generic.DictionaryObject):
                for name in item:
                    if name in ACTIVE_KEYS:
                        return {"readable": True, "active": str(name), "pages": pages}
                if item.get("/S") in ACTIVE_ACTIONS:
                    return {"readable": True, "active": str(item.get("/S")), "pages": pages}
                stack.extend(item.raw_get(name) for name in item)
            elif isinstance(item, generic.ArrayObject):
                stack.extend(item.raw_get(i) for i in range(len(item)))
    except Exception:  # noqa: BLE001 - a broken object graph is a damaged file
        return {"readable": False}
    return {"readable": True, "pages": pages, "objects": len(seen)}


def inspect(data: bytes) -> Inspection:
    try:
        found = bounded.call(_inspect, data, timeout=TIME_BUDGET_SECONDS)
    except (bounded.OverBudget, bounded.Failed):
        return Inspection(readable=False)
    return Inspection(**found)


def _check(data: bytes) -> int:
    """The page count of an acceptable drafted result; raises ``BadPdf`` saying what is wrong."""
    found = inspect(data)
    if not found.readable:
        raise BadPdf(_("The file is not a readable PDF."))
    if found.encrypted:
        raise BadPdf(_("The PDF is encrypted or password-protected; attach it without protection."))
    if found.active:
        raise BadPdf(
            _("The PDF holds JavaScript or an action that runs something (%(key)s); it cannot be signed.")
            % {"key": found.active}
        )
    if found.objects > MAX_OBJECTS or found.pages > MAX_PAGES:
        raise BadPdf(
            _("The PDF is too complex to be signed and verified (at most %(pages)s pages).")
            % {"pages": MAX_PAGES}
        )
    if found.pages < 1:
        raise BadPdf(_("The PDF has no page."))
    return found.pages


def _read(upload: UploadedFile) -> bytes:
    limit = settings.RESULT_DRAFT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise TooLarge(_("A drafted result may be at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    short, _mime = sniff(upload)
    if short != "pdf":
        raise UnsupportedType(_("The drafted result must be a PDF."))
    data = b"".join(upload.chunks())
    if len(data) > limit:
        raise TooLarge(_("A drafted result may be at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    return data


def drafted_result_attach(*, dossier_id: int, actor: Any, upload: UploadedFile) -> DraftedResult:
    """Attach (or replace) the drafted result of a dossier being assessed; the approval signs it.

    Only an assessor of the competent agency, while the dossier is ``assessing``: 404 for a dossier one may not
    see, 403 for another role, 409 in another state; 413 over the size limit, 415 for a file that is not a PDF,
    400 for a PDF that is encrypted, holds JavaScript or cannot be read. Nothing is changed on a refusal."""
    seen = Dossier.objects.filter(pk=dossier_id).first()
    if seen is None or not may(actor, Ask.VIEW, seen):
        raise NotFound("No such dossier.")
    if not may_act(actor, seen, action="assess", roles=frozenset({"assessor"})):
        raise NotAllowed(_("Only an assessor of the competent agency attaches the drafted result."))
    if seen.state != State.ASSESSING:
        raise InvalidState(_("A drafted result is attached while the dossier is being assessed."))
    data = _read(upload)
    pages = _check(data)
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
        if dossier.state != State.ASSESSING:
            raise InvalidState(_("A drafted result is attached while the dossier is being assessed."))
        old = DraftedResult.objects.filter(dossier=dossier).first()
        if old is not None:
            old.file.delete(save=False)
            old.delete()
        drafted = DraftedResult(
            dossier=dossier,
            storage_key=f"{secrets.token_hex(16)}.pdf",
            original_name=(upload.name or "result.pdf")[-255:],
            size=len(data),
            pages=pages,
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        drafted.file.save(drafted.storage_key, ContentFile(data), save=False)
        try:
            drafted.save()
        except Exception:
            drafted.file.delete(save=False)
            raise
        history_write(
            dossier=dossier,
            action=EventAction.DOCUMENT,
            actor=actor,
            data={"drafted_result": True, "sha256": drafted.sha256},
        )
    return drafted


def verification_page(dossier: Dossier, *, url: str, number: ResultNumber | None) -> bytes:
    """The page the portal adds to a drafted result: who issued it, its number, and the QR code to /verify/."""
    document = official.OfficialDocument(
        agency=dossier.agency.name,
        title="Trang xác thực văn bản điện tử",
        number=number.display if number else "",
        paragraphs=[
            f"Văn bản đính kèm phía trước là kết quả giải quyết hồ sơ <b>{pdf.text(dossier.code)}</b> "
            f"({pdf.text(dossier.version.name)}) do {pdf.text(dossier.agency.name)} soạn thảo và ký số "
            "trên Cổng dịch vụ công.",
            "Quét mã QR hoặc tải tệp lên trang kiểm tra để biết văn bản có đúng là bản do cơ quan ký số và "
            "chưa bị thay đổi.",
        ],
        signer_title=(number.signer_position if number and number.signer_position else "Thủ trưởng cơ quan"),
        signer_name=number.signer_name if number else "",
        qr_url=url,
        qr_caption=f"Mã hồ sơ {dossier.code or ''}. Quét mã để kiểm tra tính xác thực của văn bản điện tử này.",
        subject=dossier.code or "",
    )
    return official.render(document)


def stamped(original: bytes, *, page: bytes) -> bytes:
    """``original`` with ``page`` (a one-page PDF) added as its last page, in an incremental update."""
    writer = IncrementalPdfFileWriter(BytesIO(original), strict=False)
    stamp = PdfFileReader(BytesIO(page), strict=False)
    box = stamp.root["/Pages"]["/Kids"][0].get_object()["/MediaBox"]
    xobject = writer.import_page_as_xobject(stamp, page_ix=0)
    content = generic.StreamObject(stream_data=b"q /Verification Do Q")
    new_page = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject([generic.FloatObject(v) for v in box]),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {
                    generic.NameObject("/XObject"): generic.DictionaryObject(
                        {generic.NameObject("/Verification"): xobject}
                    )
                }
            ),
            generic.NameObject("/Contents"): writer.add_object(content),
        }
    )
    writer.insert_page(new_page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def drafted_result_for(user: Any, pk: Any) -> DraftedResult:
    """The drafted result of dossier ``pk`` for staff of the competent agency (the assessor, the approver who
    signs it; the policy's ``Ask.DRAFTED_RESULT``); the applicant gets the signed result only. 409 while there
    is none. The read is logged like a paper's."""
    dossier = dossier_for(user, pk, ask=Ask.DRAFTED_RESULT)
    drafted = DraftedResult.objects.filter(dossier=dossier).first()
    if drafted is None:
        raise InvalidState(_("This dossier has no drafted result."), code="no_drafted_result")
    if is_logged_reader(user):
        access_record(dossier_id=dossier.pk, user=user, what=AccessWhat.DOCUMENT, detail="drafted-result")
    return drafted
