"""A second factor for staff, leaders and admins: a TOTP app (django-otp's TOTP devices), asked for once per login.

Whoever has a confirmed device is asked for its code after the password, before any other page; with
``SECOND_FACTOR_REQUIRED`` (the province's setting) staff without one are sent to set one up first. Citizens are
never asked (they have the national e-ID). The API's tokens are not covered: the counter software logs in with a
password only (see README).
"""

from collections.abc import Callable
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.constants import Role
from accounts.forms import TokenForm
from accounts.landing import home_url

# Pages a user between the password and the code may open.
_OPEN = ("/accounts/", "/i18n/", "/static/", "/healthz", "/readyz", "/api/")


def asks_second_factor(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "role", Role.CITIZEN) != Role.CITIZEN)


class SecondFactorMiddleware:
    """After ``OTPMiddleware``: a staff member with a device has given its code in this session, or is sent to."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if asks_second_factor(user) and not request.path.startswith(_OPEN):
            if not user.is_verified():  # type: ignore[union-attr]
                if django_otp.user_has_device(user):
                    return redirect(
                        f"{reverse('accounts:second-factor-verify')}?next={request.get_full_path()}"
                    )
                if settings.SECOND_FACTOR_REQUIRED:
                    messages.info(request, _("The province asks staff for a second factor: set it up first."))
                    return redirect("accounts:second-factor")
        return self.get_response(request)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return home_url(request.user)


def verify(request: HttpRequest) -> HttpResponse:
    """The code from the app, after the password."""
    if not asks_second_factor(request.user):
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("This code is not right, or it expired. Enter the code the app shows now."))
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": _next(request)})


def setup(request: HttpRequest) -> HttpResponse:
    """Set up the app: a QR code to scan (and its key to type), confirmed by one code from the app."""
    user = request.user
    if not asks_second_factor(user):
        return redirect("accounts:login")
    if django_otp.user_has_device(user) and not user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:second-factor-verify")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return render(request, "accounts/second_factor.html", {"confirmed": confirmed})
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": _("Authenticator app")}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            messages.success(request, _("The second factor is on: each login now asks for the app's code."))
            return redirect(home_url(user))
        form.add_error("token", _("This code is not right, or it expired. Enter the code the app shows now."))
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, light="white")
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "qr": qr, "key": _grouped(device.config_url)},
    )


def _grouped(config_url: str) -> str:
    """The key in the QR code, in groups of four, for typing into the app by hand."""
    secret = config_url.split("secret=", 1)[1].split("&", 1)[0]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
