"""Absolute addresses for QR codes, slips and messages: PUBLIC_BASE_URL (API.md "Running it").

The settings always hold one (the demo's default, or the deployment's own: a deployment without it does not
start), so a QR never holds a relative address that a phone could not open.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


def absolute_url(request: HttpRequest | None, path: str) -> str:
    """``path`` on the portal's public address; the request's own address only where a test cleared the setting."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    raise ImproperlyConfigured("PUBLIC_BASE_URL is not set: a printed address would be relative")


def public_host() -> str:
    """The host (and port) of PUBLIC_BASE_URL: the portal's own, wherever a request came in."""
    return urlsplit(settings.PUBLIC_BASE_URL).netloc
