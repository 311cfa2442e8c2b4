"""Who may open the dossier pages at all: a citizen's pages, the counter console, a receiver's pages.

What one may see or do with a dossier is the policy's (``accounts.policy`` through ``dossiers.access``); a refusal
by a service that a view does not show itself is answered by ``portal.service_errors``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.constants import Role
from accounts.decorators import permission_required
from portal.errors import ServiceError
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


@dataclass
class Posted:
    """What became of a page's form: the answer to send (a redirect once done), or the refusal to show on it."""

    done: HttpResponse | None = None
    error: str = ""
    status: int = 200


def post_form(request: HttpRequest, form: Form, act: Callable[[dict[str, Any]], HttpResponse]) -> Posted:
    """The one shape of a page with a form: nothing on GET; on POST an invalid form is 400 with its errors; a valid
    one calls ``act(cleaned_data)`` (one service, then the redirect), and a service's refusal is shown on the form
    with its status, so that what was typed stays."""
    if request.method != "POST":
        return Posted()
    if not form.is_valid():
        return Posted(status=400)
    try:
        return Posted(done=act(form.cleaned_data))
    except ServiceError as exc:
        return Posted(error=exc.message, status=exc.status)
