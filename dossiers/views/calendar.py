"""The province admin's page of the province's calendar: the days it sets over the national one (dossiers.sla)."""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from dossiers import calendar_days
from dossiers.forms import CalendarDayForm
from dossiers.models import CalendarDay
from portal.http import AuthenticatedHttpRequest

manage = permission_required("calendar.manage")


@manage
def calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        calendar_days.calendar_day_set(
            day=form.cleaned_data["date"],
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
        messages.success(request, _("The day is saved in the province's calendar."))
        return redirect("calendar:days")
    return render(
        request,
        "publishing/calendar.html",
        {"form": form, "days": CalendarDay.objects.all(), "changes": calendar_days.calendar_changes()},
    )


@manage
@require_POST
def calendar_day_remove(request: AuthenticatedHttpRequest, day: str) -> HttpResponse:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    calendar_days.calendar_day_remove(day=parsed, actor=request.user)
    messages.success(request, _("The day follows the national calendar again."))
    return redirect("calendar:days")
