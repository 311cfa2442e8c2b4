"""The accounts' own pages: sign-up with a phone number or an e-mail address proved by a one-time code, and the
password reset (Django's views, on the portal's templates).

Sign-up has two steps: the address (a code is sent there, ``services.signup_code_send``), then the code with the
citizen's name and a password (``services.signup_complete``), after which they are logged in. The pending
sign-up lives in the session: only the code's row id and the address it went to.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import services
from accounts.forms import ContactForm, SignUpForm
from accounts.landing import home_url
from portal.errors import ServiceError
from portal.throttling import AccountCodeThrottle, limit_page

_PENDING = "signup_pending"


def _masked(address: str) -> str:
    """Enough of the address for the citizen to recognise it: 091*****78, an***@example.vn."""
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:2]}***@{domain}"
    return f"{address[:3]}*****{address[-2:]}"


@limit_page(AccountCodeThrottle)
def signup(request: HttpRequest) -> HttpResponse:
    """First step: the phone number or e-mail address the code goes to."""
    if request.user.is_authenticated:
        return redirect(home_url(request.user))
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.signup_code_send(
                contact=form.cleaned_data["contact"], language=get_language() or settings.LANGUAGE_CODE
            )
        except ServiceError as refusal:
            form.add_error("contact", refusal.message)
        else:
            request.session[_PENDING] = {"code_id": row.pk, "address": row.address}
            return redirect("accounts:signup-verify")
    return render(request, "accounts/signup.html", {"form": form})


def signup_verify(request: HttpRequest) -> HttpResponse:
    """Second step: the code received, the name and a password; the account is made and the citizen logged in."""
    pending: dict[str, Any] | None = request.session.get(_PENDING)
    if not pending:
        messages.info(request, _("Start by entering your mobile number or e-mail address."))
        return redirect("accounts:signup")
    form = SignUpForm(request.POST or None, address=str(pending["address"]))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.signup_complete(
                sign_up=services.SignUp(
                    code_id=int(pending["code_id"]),
                    code=form.cleaned_data["code"],
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
            )
        except ServiceError as refusal:
            form.add_error(
                "code" if refusal.code in {"wrong_code", "code_expired"} else None, refusal.message
            )
        else:
            del request.session[_PENDING]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Your account is ready. You log in with %(address)s.") % {"address": user.username}
            )
            return redirect(home_url(user))
    return render(
        request, "accounts/signup_verify.html", {"form": form, "address": _masked(str(pending["address"]))}
    )


@method_decorator(limit_page(AccountCodeThrottle), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail; its link is printed on the portal's public address, never the request's Host."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"base_url": settings.PUBLIC_BASE_URL, "province": settings.PROVINCE_NAME}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
