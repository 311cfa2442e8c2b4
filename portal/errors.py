"""Errors raised by services; the API and the pages turn each into its status (see ``portal.api.errors``)."""

from typing import Any


class ServiceError(Exception):
    """A rule of the domain refused the call; ``code`` is the machine-readable reason."""

    status = 400
    code = "invalid"
    # Field by field or line by line, for a refusal that has them (Incomplete, CatalogueInvalid); the API returns them.
    errors: dict[str, Any] | list[Any] | None = None

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidState(ServiceError):
    status = 409
    code = "invalid_state"


class NotAllowed(ServiceError):
    status = 403
    code = "permission_denied"


class NotFound(ServiceError):
    status = 404
    code = "not_found"
