"""What a locked-out login attempt gets back: the API's error body on /api/, a page in the browser. Both 429."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": _("Too many failed logins; try again in %(minutes)s minutes.")
                % {"minutes": minutes},
                "code": "too_many_attempts",
            },
            status=429,
        )
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
