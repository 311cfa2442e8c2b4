"""Rate limits, one scope per limited endpoint (API.md, "Rate limits"), for the API and the pages alike.

Each scope's rate is ``THROTTLE_RATES[scope]`` (settings; overridden by the environment variable of that name).
Logged-in callers are counted by user, anonymous ones by the client's address (``portal.client_ip``: the same one
login lockouts count by). A page view uses the same classes through ``limit_page``, so a scope is one budget
whether the caller comes through the API or the browser.
"""

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.client_ip import client_ip


class ScopedThrottle(SimpleRateThrottle):
    """A scope's limit, per user when logged in, else per address. ``methods`` limits only those methods."""

    scope: str
    methods: tuple[str, ...] | None = None

    def get_rate(self) -> str | None:
        # Read at each request, not at import as DRF does, so that changed settings (tests) take effect.
        return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def get_ident(self, request: Any) -> str:
        return client_ip(request)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if self.methods is not None and request.method not in self.methods:
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait_seconds(self) -> int:
        """Whole seconds until the next request is allowed, for ``Retry-After``; at least 1."""
        return max(1, math.ceil(self.wait() or 1))


class TokenThrottle(ScopedThrottle):
    scope = "token"


class LookupThrottle(ScopedThrottle):
    scope = "lookup"


class VerifyThrottle(ScopedThrottle):
    scope = "verify"


class UploadThrottle(ScopedThrottle):
    scope = "upload"


class CallbackThrottle(ScopedThrottle):
    scope = "callback"


class DossierCreateThrottle(ScopedThrottle):
    """Only creating a draft counts; listing the caller's dossiers (GET on the same path) does not."""

    scope = "dossier_create"
    methods = ("POST",)


class AccountCodeThrottle(ScopedThrottle):
    """Sign-up codes and password-reset messages asked for: each sends an SMS or an e-mail."""

    scope = "account_code"
    methods = ("POST",)


def limit_page(
    throttle_class: type[ScopedThrottle], *, when: Callable[[HttpRequest], bool] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a page view by a scope (for the requests ``when`` picks, else all): over it, the 429 page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if when is None or when(request):
                throttle = throttle_class()
                # DRF's check reads only the request's user and address; a page has no API view.
                if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                    return too_many_requests_page(request, throttle.wait_seconds())
            return view(request, *args, **kwargs)

        return limited

    return decorate


def too_many_requests_page(request: HttpRequest, wait_seconds: int) -> HttpResponse:
    response = render(request, "429.html", {"minutes": max(1, math.ceil(wait_seconds / 60))}, status=429)
    response["Retry-After"] = str(wait_seconds)
    return response
