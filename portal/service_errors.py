"""The one place where a page answers a service's refusal (``portal.errors``) that the view did not handle.

A view catches a ``ServiceError`` only where it shows it in its own page (a form's field, a message above the
form); anything it lets through is answered here: an unknown thing (``NotFound``) is the portal's 404 page, exactly
like a wrong URL, and any other refusal is a page with its message and its status (403, 409, 413, 415, 400). The
API does not come here: DRF answers its own exceptions (``portal.api.errors``) before a middleware sees them.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.errors import NotFound, ServiceError


def refusal_page(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """The page of a refusal: what was refused in plain words, with its status."""
    context = {"message": exc.message, "status": exc.status}
    return render(request, "error.html", context, status=exc.status)


class ServiceErrorPages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, ServiceError):
            return refusal_page(request, exception)
        return None
