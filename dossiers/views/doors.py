"""Who may open the dossier pages at all: a citizen's pages, the counter console, a receiver's pages.

What one may see or do with a dossier is the policy's (``accounts.policy`` through ``dossiers.access``); a refusal
by a service that a view does not show itself is answered by ``portal.service_errors``.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.constants import Role
from accounts.decorators import permission_required
from portal.http import AuthenticatedHttpRequest

View = Callable[..., HttpResponse]

console_page = permission_required("console.view")


def citizen_page(view: View) -> View:
    """A page of a logged-in citizen: anonymous visitors log in first; staff are told these pages are not theirs."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.CITIZEN:
            return render(request, "dossiers/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def receivers_only(view: View) -> View:
    """A console page of the one-stop counter (walk-in filing, identity checks): receivers only."""

    @wraps(view)
    def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.role != Role.RECEIVER and not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return console_page(wrapped)
