"""Login lockouts (django-axes): failures counted per account and per address apart, and the 429 they end in.

An account is locked after ``AXES_FAILURE_LIMIT`` failures within the cool-off, wherever they came from; an
address after ``AXES_ADDRESS_FAILURE_LIMIT`` failures, whichever accounts they were for. A successful login clears
the failures of its own account only: with axes' ``AXES_RESET_ON_SUCCESS`` it would also clear every failure of
its address, so an attacker logging into their own account between guesses would never lock the victim's.
"""

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginFailureHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The account's failures; or, once the address is over its own (larger) limit, at least the lock's."""
        # One queryset per AXES_LOCKOUT_PARAMETERS entry: ["username"], then ["ip_address"].
        account_attempts, address_attempts = self.get_user_attempts(request, credentials)
        account = _failures(account_attempts)
        if _failures(address_attempts) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(account, get_failure_limit(request, credentials))
        return account

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        super().user_logged_in(sender, request, user, **kwargs)
        AccessAttempt.objects.filter(username=user.get_username()).delete()


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """429 with ``Retry-After``: the API's error body on /api/, a page in the browser."""
    seconds = round(settings.AXES_COOLOFF_TIME * 3600)
    minutes = round(seconds / 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": _("Too many failed logins; try again in %(minutes)s minutes.")
                % {"minutes": minutes},
                "code": "too_many_attempts",
            },
            status=429,
        )
    else:
        response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    # The attempt that got here was counted too, so the lock lasts the whole cool-off from now.
    response["Retry-After"] = str(seconds)
    return response
