"""How every private file leaves the portal: documents, results, slips and receipts.

Always as an attachment (never rendered by the browser in the portal's origin), under a plain ASCII name whose
extension is that of the content as sniffed from its first bytes (never the uploader's name or declared type),
with ``nosniff`` and ``no-store``: a shared computer or a proxy keeps no copy of a citizen's papers.
"""

import re
import unicodedata
from typing import IO, overload

import filetype
from django.http import FileResponse, HttpResponse

# The types the portal stores and writes, by the extension they are saved under.
KNOWN_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
UNKNOWN = ("application/octet-stream", "bin")
HEAD_BYTES = 8192


def sniff(head: bytes) -> tuple[str, str]:
    """(MIME type, extension) of content starting with ``head``; unknown content is an opaque download."""
    if head.lstrip(b"\r\n\t ")[:5] == b"%PDF-":
        return "application/pdf", "pdf"
    kind = filetype.guess(head)
    if kind is not None and kind.mime in KNOWN_TYPES:
        return kind.mime, KNOWN_TYPES[kind.mime]
    return UNKNOWN


def safe_name(name: str, extension: str, *, default: str = "tep") -> str:
    """``name`` without its extension, folded to ASCII letters, digits, ``-``, ``_`` and ``.``, then the
    sniffed ``extension``: "Tờ khai (bản 2).html" with PDF content is "To-khai-ban-2.pdf"."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    folded = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = folded.encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", ascii_stem).strip("-._")[:100]
    return f"{ascii_stem or default}.{extension}"


@overload
def private_file_response(content: bytes, *, filename: str) -> HttpResponse: ...
@overload
def private_file_response(content: IO[bytes], *, filename: str) -> FileResponse: ...
def private_file_response(content: bytes | IO[bytes], *, filename: str) -> HttpResponse | FileResponse:
    """A private file as an attachment named after ``filename`` with the extension of its sniffed content."""
    if isinstance(content, bytes):
        head = content[:HEAD_BYTES]
    else:
        head = content.read(HEAD_BYTES)
        content.seek(0)
    content_type, extension = sniff(head)
    name = safe_name(filename, extension)
    response: HttpResponse | FileResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = FileResponse(content, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
