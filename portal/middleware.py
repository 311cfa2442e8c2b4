"""Middleware of the whole portal."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
