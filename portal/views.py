"""Error pages: JSON under /api/, a page elsewhere."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from accounts.landing import home_url
from portal.api.errors import api_bad_request, api_not_found, api_server_error, refusal
from portal.health import database_unavailable


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return render(request, "404.html", {"own_home": home_url(request.user)}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's handler403: a page this account may not open, with where to go instead."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action."), "code": "permission_denied"},
            status=403,
        )
    return render(request, "403.html", {"own_home": home_url(request.user)}, status=403)


def refused(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """A request refused before any view: the API's error body under /api/, else the page of its status."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    template = "413.html" if status == 413 else "400.html"
    if not hasattr(request, "user"):
        # Refused before authentication ran: the page without the request's context.
        return HttpResponse(loader.get_template(template).render({"message": message}), status=status)
    return render(request, template, {"message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's handler400: what it refuses while reading a request (too large, too many fields, unreadable)."""
    if request.path.startswith("/api/"):
        return api_bad_request(request, exception)
    if isinstance(exception, SuspiciousOperation):
        status, code, message = refusal(exception)
    else:
        status, code, message = 400, "bad_request", _("The request cannot be read.")
    return refused(request, status, code, message)


def server_error(request: HttpRequest) -> HttpResponse:
    if (unavailable := database_unavailable(request)) is not None:
        return unavailable  # 503 with Retry-After while the database is away, not a 500
    if request.path.startswith("/api/"):
        return api_server_error(request)
    # Without the request's context: the error may have come before the middleware set up the user or session.
    return HttpResponseServerError(loader.get_template("500.html").render())
