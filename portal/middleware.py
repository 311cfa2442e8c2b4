"""Middleware of the whole portal."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from portal.views import not_found
from procedures.search import has_control_characters


class RefuseControlCharactersInPath:
    """No address of the portal holds a control character, and PostgreSQL refuses a NUL in any query: such a path
    is answered as unknown (404, JSON under /api/) before any view looks up the code it carries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control_characters(request.path):
            return not_found(request)
        return self.get_response(request)


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
