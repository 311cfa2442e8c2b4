"""Walk-in filing at the one-stop counter: choose the procedure (any of the province: no administrative
boundaries), enter the person and the form, scan each paper, and receive it at once (``services.walk_in_file``).

Receivers only. Each view parses the request, asks the door, calls one service and renders.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dossiers import forms, presentation, services
from dossiers.completeness import Incomplete, missing_components
from dossiers.constants import Channel, State
from dossiers.models import Dossier
from dossiers.views.console import visible_detail, walk_in_message
from dossiers.views.doors import receivers_only
from portal.errors import NotFound, ServiceError
from portal.http import AuthenticatedHttpRequest
from portal.pagination import parse_id
from portal.throttling import DossierCreateThrottle, UploadThrottle, limit_page
from procedures import selectors as catalogue
from procedures.search import MAX_QUERY_LENGTH, has_control_characters


@receivers_only
@require_http_methods(["GET", "POST"])
@limit_page(DossierCreateThrottle, when=lambda request: request.method == "POST")
def walk_in(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1: choose the procedure, then enter the person and the form."""
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "").strip()[:32]
    version = catalogue.published_version_by_code(code) if code and not has_control_characters(code) else None
    if version is None:
        return _choose_procedure(request, code)
    status = 200
    if request.method == "POST":
        applicant_form, procedure_form = forms.draft_forms(version, data=request.POST, complete=True)
        if applicant_form.is_valid() and procedure_form.is_valid():
            try:
                dossier = services.dossier_create(
                    actor=request.user,
                    procedure_code=version.procedure.code,
                    applicant=forms.to_json(applicant_form.cleaned_data),
                    form=forms.to_json(procedure_form.cleaned_data),
                    channel=Channel.COUNTER,
                )
            except NotFound:
                raise
            except ServiceError as exc:
                messages.error(request, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Draft created. Now scan or upload each paper."))
                return redirect("console:walk_in_documents", dossier.pk)
        else:
            status = 400
    else:
        applicant_form, procedure_form = forms.draft_forms(version, complete=True)
    context = {"version": version, "applicant_form": applicant_form, "procedure_form": procedure_form}
    return render(request, "console/walk_in.html", context, status=status)


def _choose_procedure(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if has_control_characters(query):
        query = ""
    context = {
        "q": query,
        "results": list(catalogue.search_published(query=query)[:30]) if query else [],
        "all_versions": catalogue.published_versions().values_list("procedure__code", "name", "agency__code"),
        "unknown_code": code,
    }
    if request.htmx and request.GET.get("partial"):
        return render(request, "console/_procedure_results.html", context)
    return render(request, "console/walk_in_choose.html", context, status=404 if code else 200)


def _walk_in_draft(request: AuthenticatedHttpRequest, pk: int) -> Dossier:
    dossier = visible_detail(request, pk)
    if dossier.channel != Channel.COUNTER or dossier.created_by_id != request.user.pk:
        raise Http404("Not a walk-in dossier of yours.")
    return dossier


def _documents_page(
    request: AuthenticatedHttpRequest, dossier: Dossier, *, status: int = 200, failed: int | None = None
) -> HttpResponse:
    context = {
        "dossier": dossier,
        "papers": presentation.papers(dossier),
        "missing": missing_components(dossier),
        "failed": failed,
    }
    return render(request, "console/walk_in_documents.html", context, status=status)


def _plain_upload_error(exc: ServiceError) -> str:
    if exc.status == 413:
        return _("This file is too large. %(detail)s Scan it at a lower resolution or in fewer pages.") % {
            "detail": exc.message
        }
    if exc.status == 415:
        return _("This file is not a type the paper accepts. %(detail)s") % {"detail": exc.message}
    return exc.message


@receivers_only
@require_http_methods(["GET", "POST"])
@limit_page(UploadThrottle, when=lambda request: request.method == "POST")
def walk_in_documents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 2: scan or upload each paper of the walk-in draft; then receive it."""
    dossier = _walk_in_draft(request, pk)
    if dossier.state != State.DRAFT:
        return redirect("console:dossier", dossier.pk)
    if request.method != "POST":
        return _documents_page(request, dossier)
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return _documents_page(
            request, dossier, status=400, failed=parse_id(request.POST.get("component", ""))
        )
    try:
        document = services.document_add(
            dossier_id=dossier.pk,
            actor=request.user,
            component_id=form.cleaned_data["component"],
            upload=form.cleaned_data["file"],
        )
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, _plain_upload_error(exc))
        return _documents_page(
            request, _walk_in_draft(request, pk), status=exc.status, failed=form.cleaned_data["component"]
        )
    messages.success(request, _("%(name)s uploaded.") % {"name": document.original_name})
    return redirect("console:walk_in_documents", dossier.pk)


@receivers_only
@require_POST
def walk_in_remove(request: AuthenticatedHttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Take a wrong paper out of the walk-in draft."""
    dossier = _walk_in_draft(request, pk)
    try:
        services.document_remove(dossier_id=dossier.pk, actor=request.user, document_id=document_id)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The paper was removed."))
    return redirect("console:walk_in_documents", dossier.pk)


def _incomplete(exc: Incomplete) -> str:
    parts = []
    for messages_ in (exc.errors or {}).values():
        if isinstance(messages_, dict):
            parts += [" ".join(map(str, m)) for m in messages_.values()]
        else:
            parts += [str(m) for m in messages_]
    return "; ".join(parts)


@receivers_only
@require_POST
def walk_in_receive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Step 3: "receive now": the draft is submitted on the person's behalf and received at once."""
    dossier = _walk_in_draft(request, pk)
    try:
        filed = services.walk_in_file(dossier_id=dossier.pk, actor=request.user)
    except NotFound:
        raise
    except Incomplete as exc:
        messages.error(request, _("The dossier is not complete yet: %(what)s") % {"what": _incomplete(exc)})
        return _documents_page(request, _walk_in_draft(request, pk), status=exc.status)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _documents_page(request, _walk_in_draft(request, pk), status=exc.status)
    walk_in_message(request, filed)
    return redirect("console:dossier", filed.dossier.pk)
