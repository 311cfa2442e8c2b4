"""Middleware of the whole portal: what no request may carry, whichever view it is for."""

import io
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from portal.text import is_bad_name, is_bad_value
from portal.views import not_found, refused
from procedures.search import has_control_characters

# Room for the multipart boundaries, part headers and the small fields beside the file(s).
MULTIPART_OVERHEAD = 256 * 1024


def _upload_limit() -> int:
    return settings.UPLOAD_MAX_FILE_BYTES + MULTIPART_OVERHEAD


def _dossier_upload_limit() -> int:
    # The page without JavaScript sends every chosen file with one "Save"; together they fit a dossier.
    return settings.UPLOAD_MAX_DOSSIER_BYTES + MULTIPART_OVERHEAD


# The routes that take more than DATA_UPLOAD_MAX_MEMORY_SIZE, by URL name, and how much each takes.
BODY_LIMITS: dict[str, Callable[[], int]] = {
    "dossiers-api:documents": _upload_limit,
    "dossiers:upload": _upload_limit,
    "console:walk_in_documents": _upload_limit,
    "dossiers:edit": _dossier_upload_limit,
    "dossiers-api:verify": lambda: settings.VERIFY_MAX_BYTES + MULTIPART_OVERHEAD,
    "verify": lambda: settings.VERIFY_MAX_BYTES + MULTIPART_OVERHEAD,
}
# Views that answer bad text in their own words (a form's error, a provider's answer format).
OWN_TEXT_CHECKS = frozenset(
    {"dossiers:lookup", "procedures:search", "verify", "payments-api:callback", "payments:return"}
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseControlCharactersInPath:
    """No address of the portal holds a control character, and PostgreSQL refuses a NUL in any query: such a path
    is answered as unknown (404, JSON under /api/) before any view looks up the code it carries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request.path):
            return not_found(request)
        return self.get_response(request)


def _route(request: HttpRequest) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("The request is larger than %(mb)s MB.") % {"mb": max(1, limit // (1024 * 1024))}
    return refused(request, 413, "too_large", message)


class CountingStream(io.IOBase):
    """A request body of unknown length (chunked) read through a count: past ``limit`` it stops with 413.

    An ``IOBase`` like Django's own ``LimitedStream``: ``request.body`` closes the stream it read.
    """

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__()
        self.stream, self.limit, self.count = stream, limit, 0

    def _counted(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > self.limit:
            raise RequestDataTooBig("The request body is larger than the route takes.")
        return data

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self.stream.read(size if size is not None else -1))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self.stream.readline(size if size is not None else -1))

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def close(self) -> None:
        self.stream.close()
        super().close()


class LimitRequestBody:
    """Every route takes a body of at most its limit (BODY_LIMITS, else DATA_UPLOAD_MAX_MEMORY_SIZE): a larger
    Content-Length is answered 413 before anything reads the body; a body without one is counted as it is read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if declared not in ("", "0") or chunked:
            route = _route(request)
            limit = BODY_LIMITS[route]() if route in BODY_LIMITS else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if declared and not (declared.isascii() and declared.isdigit()):
                return refused(request, 400, "bad_request", _("The request cannot be read."))
            if declared and int(declared) > limit:
                return too_large(request, limit)
            if not declared and hasattr(request, "_stream"):
                # The stubs say BinaryIO; Django itself puts an IOBase (LimitedStream) there, as this is.
                request._stream = CountingStream(request._stream, limit)  # type: ignore[assignment]
        return self.get_response(request)


class RefuseInvalidText:
    """Query and form values, field names and file names hold no lone surrogate and no control character (a
    value may hold tabs and line breaks): 400 with the API's error body under /api/, a page elsewhere. JSON bodies
    are checked by the API's parser (``portal.api.parsers``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> HttpResponse | None:
        if request.resolver_match is not None and request.resolver_match.view_name in OWN_TEXT_CHECKS:
            return None
        bad = self._bad_field(request.GET.lists())
        if bad is None and request.method == "POST" and request.content_type in FORM_TYPES:
            bad = self._bad_field(request.POST.lists())
            if bad is None:
                bad = next(
                    (
                        name
                        for name, files in request.FILES.lists()
                        if is_bad_name(name) or any(is_bad_name(f.name or "") for f in files)
                    ),
                    None,
                )
        if bad is None:
            return None
        message = _("%(field)s: control characters and invalid Unicode are not allowed.") % {"field": bad}
        return refused(request, 400, "invalid_text", message)

    @staticmethod
    def _bad_field(items: Iterable[tuple[str, list[str]]]) -> str | None:
        for name, values in items:
            if is_bad_name(name):
                return "?"
            if any(is_bad_value(value) for value in values):
                return name
        return None


class PrivateResponsesAreNotStored:
    """A response to a logged-in user (by session or token), or one that sets a session cookie, is personal:
    marked ``private, no-store`` so that neither a shared proxy nor the browser's cache keeps it. A view that set
    its own ``Cache-Control`` keeps it; public pages seen anonymously stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        personal = (
            (user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
            or settings.SESSION_COOKIE_NAME in response.cookies
        )
        if personal:
            patch_cache_control(response, private=True, no_store=True)
        return response
