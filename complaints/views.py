"""Complaint pages: the applicant files one from their dossier's page, staff answer from the console's dossier
page, and the console lists the agency's open complaints. Each view parses the form, calls one service and
redirects; a refusal it does not show itself is answered by ``portal.service_errors``."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints import selectors, services
from complaints.access import complaint_for, record_reads
from complaints.forms import TextForm
from dossiers.sla import TZ
from dossiers.views.doors import citizen_page, console_page
from portal.http import AuthenticatedHttpRequest


def _first_error(form: TextForm) -> str:
    return next(
        (str(e) for errors in form.errors.values() for e in errors), _("Please correct the form below.")
    )


@citizen_page
@require_POST
def file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The applicant's complaint about their dossier, from its page."""
    form = TextForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("dossiers:detail", pk)
    complaint = services.complaint_file(dossier_id=pk, actor=request.user, text=form.cleaned_data["text"])
    messages.success(
        request,
        _("Your complaint is sent. The agency answers by %(due)s.")
        % {"due": complaint.due_at.astimezone(TZ).strftime("%d/%m/%Y")},
    )
    return redirect("dossiers:detail", pk)


@console_page
@require_POST
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The agency's answer to a complaint, from the console's dossier page."""
    form = TextForm(request.POST)
    complaint = complaint_for(request.user, pk)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("console:dossier", complaint.dossier_id)
    services.complaint_answer(complaint_id=pk, actor=request.user, text=form.cleaned_data["text"])
    messages.success(request, _("The answer is sent to the applicant."))
    return redirect("console:dossier", complaint.dossier_id)


@console_page
@require_GET
def console_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agency's complaints waiting for an answer, the soonest due first, each leading to its dossier."""
    agency_id = request.user.agency_id
    rows = list(selectors.agency_open_complaints(agency_id=agency_id)[:200]) if agency_id else []
    record_reads(request.user, rows)
    now = timezone.now()
    return render(
        request,
        "complaints/console_list.html",
        {"rows": [{"complaint": c, "overdue": selectors.is_overdue(c, now)} for c in rows]},
    )
