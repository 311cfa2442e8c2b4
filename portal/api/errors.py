"""One error shape for the whole API: ``{"detail": "...", "code": "..."}`` with the status of API.md.

Validation errors keep the per-field messages under ``errors`` so a form can show each beside its field.
"""

from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import ServiceError


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


class Conflict(exceptions.APIException):
    """The action is not allowed in the object's current state."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Not allowed in the current state."
    default_code = "conflict"


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def _first_code(codes: Any) -> str:
    if isinstance(codes, dict):
        return _first_code(next(iter(codes.values()), "invalid"))
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return str(codes)


def refusal(exc: SuspiciousOperation) -> tuple[int, str, str]:
    """(status, code, message) for what Django refuses while reading a request: too large, too many fields."""
    if isinstance(exc, RequestDataTooBig):
        return 413, "too_large", _("The request is too large.")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return 400, "too_many_fields", _("The request has too many fields.")
    return 400, "bad_request", _("The request cannot be read.")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SuspiciousOperation):
        status_code, code, message = refusal(exc)
        return Response({"detail": message, "code": code}, status=status_code)
    if isinstance(exc, ServiceError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _first_message(exc.detail),
            "code": _first_code(exc.get_codes()),
            "errors": exc.detail,
        }
    else:
        detail = exc.detail if isinstance(exc.detail, str) else _first_message(exc.detail)
        codes = exc.get_codes()
        response.data = {
            "detail": str(detail),
            "code": codes if isinstance(codes, str) else _first_code(codes),
        }
    return response


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, SuspiciousOperation):
        status_code, code, message = refusal(exception)
    else:
        status_code, code, message = 400, "bad_request", _("The request cannot be read.")
    return JsonResponse({"detail": message, "code": code}, status=status_code)


def api_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Internal error; it has been logged.", "code": "server_error"}, status=500)
