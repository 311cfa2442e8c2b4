"""Schema pieces shared by the API views: the error body of API.md, the error responses, the schema class.

Every operation declares every status it answers. A view names the refusals of its own rules with
``error_responses(403, 409)``; the schema class adds those that follow from how the view is built, so that they
cannot drift from it: 400 (a query or body the portal cannot read), 401 (a view that authenticates), 403 (a form
post with a session but no CSRF token), 404 (a path with parameters, or a page past the end), 413 and 415 (a body too large, or of a type
the view does not parse) and 429 (a view with a rate limit for that method).
"""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication

from portal.downloads import KNOWN_TYPES, UNKNOWN
from portal.throttling import ScopedThrottle

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="A sentence for a person."),
        "code": serializers.CharField(help_text="The machine-readable reason, e.g. `invalid_state`."),
        "errors": serializers.JSONField(
            required=False,
            help_text="Bad input only: the messages of each field (or of each line of a file).",
        ),
    },
)

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad input: a field, a filter, or a query or body the portal cannot read",
    401: "Not logged in, or the token is unknown, expired or revoked",
    403: "Logged in, but not allowed to do this",
    404: "Unknown, or not yours",
    409: "Not allowed in the current state",
    413: "The body is too large",
    415: "A body or file of a type this operation does not take",
    429: "Too many requests: wait for `Retry-After` seconds",
    503: "Unavailable for now; try again later",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error responses for ``statuses``, each with the ``Error`` body and its usual description."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
        for status in statuses
    }


# A file in the body: a PDF (results, slips, receipts) or a paper, of the type sniffed from its content.
PDF_RESPONSE: dict[Any, Any] = {(200, "application/pdf"): OpenApiTypes.BINARY}
FILE_RESPONSE: dict[Any, Any] = {(200, *KNOWN_TYPES, UNKNOWN[0]): OpenApiTypes.BINARY}

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AutoSchema(SpectacularAutoSchema):
    """Names nested serializers after their view, and adds the error responses that follow from the view."""

    def get_serializer_name(self, serializer: Any, direction: Literal["request", "response"]) -> str:
        # Views nest their ``InputSerializer`` / ``OutputSerializer`` (STYLE.md); drf-spectacular would name each
        # of them "Input" or "Output" and mix them up.
        name: str = super().get_serializer_name(serializer, direction)
        outer, _, inner = type(serializer).__qualname__.rpartition(".")
        if outer and not getattr(getattr(serializer, "Meta", None), "ref_name", None):
            return outer.replace(".", "") + inner.removesuffix("Serializer")
        return name

    def implied_error_statuses(self, operation: dict[str, Any]) -> list[int]:
        """The statuses ``operation`` can answer because of how its view is built (see the module's text)."""
        method = self.method.upper()
        statuses = [400]
        authenticators = self.view.get_authenticators()
        if authenticators:
            statuses.append(401)
        if method in UNSAFE_METHODS and any(isinstance(a, SessionAuthentication) for a in authenticators):
            statuses.append(403)
        if "{" in self.path or (getattr(self.view, "paginator", None) is not None and self._is_list_view()):
            statuses.append(404)  # an unknown object, or a page past the end
        if "requestBody" in operation:
            statuses += [413, 415]
        if any(
            not isinstance(throttle, ScopedThrottle) or throttle.methods is None or method in throttle.methods
            for throttle in self.view.get_throttles()
        ):
            statuses.append(429)
        return statuses

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for status, response in error_responses(*self.implied_error_statuses(operation)).items():
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(response, str(status))
        operation["responses"] = dict(sorted(responses.items()))
        return operation
