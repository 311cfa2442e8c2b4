"""The province admin's pages for staff accounts: the list, a new account, and one account's page (role and agency,
switch off or on, force a password reset, its history). Every change is a service with a history row."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.constants import Role
from accounts.decorators import permission_required
from accounts.forms import StaffCreateForm, StaffRoleForm
from accounts.models import StaffChange, User
from portal.errors import ServiceError
from portal.http import AuthenticatedHttpRequest
from procedures.models import Agency

manage = permission_required("staff.manage")


def _role_text(state: dict[str, str]) -> str:
    """A history row's role and agency in words: "Receiver, H12.01"."""
    if not state:
        return ""
    role = str(dict(Role.choices).get(state.get("role", ""), state.get("role", "")))
    return f"{role}, {state['agency']}" if state.get("agency") else role


def _staff(pk: int) -> User:
    return get_object_or_404(User, pk=pk, role__in=services.MANAGED_ROLES, is_superuser=False)


@manage
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    agency = request.GET.get("agency", "").strip()[:32]
    people = User.objects.filter(role__in=services.MANAGED_ROLES, is_superuser=False).select_related("agency")
    if q:
        people = people.filter(
            Q(username__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if agency:
        people = people.filter(agency__code=agency)
    page = Paginator(people.order_by("agency__code", "role", "username"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/staff_list.html",
        {"page": page, "q": q, "agency": agency, "agencies": Agency.objects.order_by("code")},
    )


@manage
def staff_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_create(actor=request.user, **form.cleaned_data)
        except ServiceError as refusal:
            form.add_error("username" if refusal.code == "username_taken" else None, refusal.message)
        else:
            messages.success(
                request,
                _("Account %(username)s made; a link to choose a password went to its e-mail.")
                % {"username": user.username},
            )
            return redirect("staff:detail", pk=user.pk)
    return render(request, "accounts/staff_new.html", {"form": form})


@manage
def staff_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _staff(pk)
    form = StaffRoleForm(
        request.POST or None,
        initial={"role": person.role, "agency": person.agency, "position": person.position},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(actor=request.user, user=person, **form.cleaned_data)
        except ServiceError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff:detail", pk=person.pk)
    history = [
        (change, _role_text(change.before), _role_text(change.after))
        for change in StaffChange.objects.filter(user=person).select_related("actor")[:100]
    ]
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "person": person,
            "form": form,
            "history": history,
            "has_second_factor": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
        },
    )


def _act(request: AuthenticatedHttpRequest, pk: int, done: str, action: str) -> HttpResponse:
    person = _staff(pk)
    try:
        if action == "password_reset":
            services.staff_password_reset(actor=request.user, user=person)
        elif action == "second_factor":
            services.staff_second_factor_remove(actor=request.user, user=person)
        else:
            services.staff_set_active(actor=request.user, user=person, active=action == "activate")
    except ServiceError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect("staff:detail", pk=person.pk)


@require_POST
@manage
def staff_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _("The account is switched off: it cannot log in any more."), "deactivate")


@require_POST
@manage
def staff_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _("The account is switched on again."), "activate")


@require_POST
@manage
def staff_password_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    done = _("The password no longer works; a link to choose a new one went to the account's e-mail.")
    return _act(request, pk, done, "password_reset")


@require_POST
@manage
def staff_second_factor_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    done = _("The second factor is removed; the next login sets up a new one.")
    return _act(request, pk, done, "second_factor")
