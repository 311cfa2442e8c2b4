"""A citizen files online: the "file online" button, the draft on one page (details, form, papers), one paper's
upload or removal (htmx), and the review that sends it.

Each view parses the request, asks the door (``dossiers.access``), calls one service or the workflow, and renders;
the words are ``dossiers.presentation``'s, the forms ``dossiers.forms``'.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dossiers import completeness, forms, presentation, selectors, services, workflow
from dossiers.access import dossier_for
from dossiers.constants import State
from dossiers.models import Dossier
from dossiers.views.doors import citizen_page
from portal.errors import ServiceError
from portal.http import AuthenticatedHttpRequest
from portal.pagination import parse_id
from portal.throttling import DossierCreateThrottle, UploadThrottle, limit_page
from procedures import selectors as catalogue


def _own_dossier(request: AuthenticatedHttpRequest, pk: int) -> Dossier:
    """The citizen's dossier with everything its pages show; another's is answered as unknown (404)."""
    return dossier_for(request.user, pk, queryset=selectors.dossier_detail_queryset())


@citizen_page
@require_http_methods(["GET", "POST"])
@limit_page(DossierCreateThrottle, when=lambda request: request.method == "POST")
def file(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The "file online" button: continue the citizen's draft of this procedure, or start one from their profile.

    Only a POST (the button, with its CSRF token) starts a draft; a GET (a link, the page after logging in) shows
    the button, or continues the draft the citizen already has."""
    draft = selectors.draft_of(request.user, procedure_code=code)
    if draft is not None:
        messages.info(request, _("You have a draft of this procedure. Continue where you stopped."))
        return redirect("dossiers:edit", draft.pk)
    if request.method == "GET":
        version = catalogue.published_version_by_code(code)
        if version is None:
            raise Http404("No such procedure.")
        return render(request, "dossiers/start.html", {"version": version})
    draft = services.dossier_create(actor=request.user, procedure_code=code)
    messages.info(request, _("Your details are filled in from your account. Please check them."))
    return redirect("dossiers:edit", draft.pk)


def _render_edit(
    request: AuthenticatedHttpRequest,
    dossier: Dossier,
    *,
    data: Any = None,
    upload_errors: dict[int, str] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    applicant, form = forms.draft_forms(
        dossier.version, initial=(dossier.applicant_data, dossier.form_data), data=data
    )
    summary = [
        (f"#{bound.auto_id}", bound.label, error)
        for part in (applicant, form)
        if part.is_bound
        for bound in part
        for error in bound.errors
    ]
    summary += [
        ("#part-applicant", _("Your details"), error)
        for error in (applicant.non_field_errors() if applicant.is_bound else [])
    ]
    papers = presentation.papers(dossier, upload_errors)
    summary += [
        (f"#paper-{p['component'].pk}", p["component"].name, p["error"]) for p in papers if p["error"]
    ]
    # What must be there before sending, to mark it on the page (a draft may be saved half done).
    needed_applicant = set(forms.ApplicantForm.needed_on_submit)
    needed_form = {s.name for s in dossier.version.form_fields.all() if s.required}
    business = forms.BUSINESS_FIELDS
    context = {
        "dossier": dossier,
        "applicant_form": applicant,
        "person_fields": [b for b in applicant if b.name not in business],
        "business_fields": [b for b in applicant if b.name in business],
        "business_open": any(dossier.applicant_data.get(n) for n in business)
        or any(applicant[n].errors for n in business),
        "procedure_form": form,
        "needed": {f"{forms.APPLICANT}-{n}" for n in needed_applicant}
        | {f"{forms.FORM}-{n}" for n in needed_form},
        "papers": papers,
        "summary": summary,
        "message": message,
        "supplement_request": presentation.supplement_request(dossier),
        "may_remove": dossier.state == State.DRAFT,
    }
    return render(request, "dossiers/edit.html", context, status=status)


@citizen_page
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The draft on one page: the applicant, the procedure's form, the papers. "Save" keeps what is there.

    Without JavaScript the whole page is one form: saving also uploads the files chosen and removes the paper
    whose "Remove" button was pressed, so nothing typed is lost (``services.draft_save``). With htmx, uploads and
    removals go to ``upload`` and ``remove`` and only the paper's block changes.
    """
    dossier = _own_dossier(request, pk)
    if dossier.state not in services.EDITABLE_STATES:
        messages.info(request, _("This dossier has been sent. It can no longer be changed."))
        return redirect("dossiers:detail", dossier.pk)
    if request.method == "GET":
        return _render_edit(request, dossier)

    applicant, form = forms.draft_forms(dossier.version)
    remove = request.POST.get("remove", "")
    saved = services.draft_save(
        dossier_id=dossier.pk,
        actor=request.user,
        applicant=forms.posted_values(applicant, request.POST),
        form=forms.posted_values(form, request.POST),
        uploads={
            component.pk: upload
            for component in dossier.version.components.all()
            if (upload := request.FILES.get(f"file-{component.pk}")) is not None
        },
        remove=(parse_id(remove) or 0) if remove else None,
    )
    if saved.errors:
        return _render_edit(
            request,
            _own_dossier(request, pk),
            data=request.POST if saved.details else None,
            upload_errors={pk_: exc.message for pk_, exc in saved.uploads.items()},
            message=saved.removal.message if saved.removal else "",
            status=saved.errors[0].status,
        )
    if "review" in request.POST:
        return redirect("dossiers:review", dossier.pk)
    if "upload" in request.POST or remove:
        anchor = parse_id(request.POST.get("upload", "") or "")
        messages.success(request, _("Your draft is saved. Your papers are updated."))
        return redirect(reverse("dossiers:edit", args=[dossier.pk]) + (f"#paper-{anchor}" if anchor else ""))
    messages.success(request, _("Your draft is saved. You can come back to it later."))
    return redirect("dossiers:edit", dossier.pk)


def _paper_block(
    request: AuthenticatedHttpRequest,
    dossier: Dossier,
    component_id: int,
    *,
    error: str = "",
    status_text: str = "",
    focus: bool = False,
) -> HttpResponse:
    """One paper's block of the edit page, for htmx; the status line goes to the page's live region."""
    paper = next(
        (p for p in presentation.papers(dossier, {component_id: error}) if p["component"].pk == component_id),
        None,
    )
    if paper is None:
        raise Http404("No such paper.")
    context = {
        "dossier": dossier,
        "paper": paper,
        "may_remove": dossier.state == State.DRAFT,
        "status_text": status_text or error,
        "oob": True,
        "focus": focus,
    }
    # htmx only swaps a 2xx answer; the error is in the block, in plain words, and in the live region.
    return render(request, "dossiers/_paper.html", context)


@citizen_page
@require_POST
@limit_page(UploadThrottle)
def upload(request: AuthenticatedHttpRequest, pk: int, component_id: int) -> HttpResponse:
    """Upload one file for one paper (htmx: the paper's block comes back; else back to the page)."""
    dossier = _own_dossier(request, pk)
    file = request.FILES.get(f"file-{component_id}") or request.FILES.get("file")
    failure: ServiceError | None = None
    try:
        if file is None:
            raise ServiceError(_("Choose a file first."), code="file_required")
        services.document_add(
            dossier_id=dossier.pk, actor=request.user, component_id=component_id, upload=file
        )
    except ServiceError as exc:
        if dossier.state not in services.EDITABLE_STATES and not request.htmx:
            raise
        failure = exc
    dossier = _own_dossier(request, pk)
    if request.htmx:
        if failure is not None:
            return _paper_block(request, dossier, component_id, error=failure.message)
        done = _("Uploaded: %(name)s.") % {"name": file.name if file else ""}
        return _paper_block(request, dossier, component_id, status_text=done)
    if failure is not None:
        return _render_edit(
            request, dossier, upload_errors={component_id: failure.message}, status=failure.status
        )
    messages.success(request, _("Your file is uploaded."))
    return redirect(reverse("dossiers:edit", args=[dossier.pk]) + f"#paper-{component_id}")


@citizen_page
@require_POST
def remove(request: AuthenticatedHttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Take a wrong file out of a draft."""
    dossier = _own_dossier(request, pk)
    document = next((d for d in dossier.documents.all() if d.pk == document_id), None)
    if document is None:
        raise Http404("No such document.")
    try:
        services.document_remove(dossier_id=dossier.pk, actor=request.user, document_id=document_id)
    except ServiceError as exc:
        if not request.htmx:
            raise
        return _paper_block(request, dossier, document.component_id or 0, error=exc.message)
    dossier = _own_dossier(request, pk)
    if request.htmx:
        done = _("Removed: %(name)s.") % {"name": document.original_name}
        return _paper_block(request, dossier, document.component_id or 0, status_text=done, focus=True)
    messages.success(request, _("The file is removed."))
    return redirect(reverse("dossiers:edit", args=[dossier.pk]) + f"#paper-{document.component_id}")


def _problems(dossier: Dossier) -> list[tuple[str, str]]:
    """What still stops the dossier from being sent: (link to the place to fix it, what to do), in plain words."""
    edit_url = reverse("dossiers:edit", args=[dossier.pk])
    problems = completeness.problems(dossier)
    items: list[tuple[str, str]] = []
    applicant, form = forms.draft_forms(dossier.version, complete=True)
    for part, bound, values in (
        (forms.APPLICANT, applicant, dossier.applicant_data),
        (forms.FORM, form, dossier.form_data),
    ):
        fields = bound.fields
        for name, messages_ in problems.get(part, {}).items():
            if name == "non_field_errors":
                items += [(f"{edit_url}#part-{part}", str(m)) for m in messages_]
                continue
            label = fields[name].label if name in fields else name
            if values.get(name) in (None, "", False):
                items.append((f"{edit_url}#id_{part}-{name}", _("Fill in: %(label)s") % {"label": label}))
            else:
                items += [(f"{edit_url}#id_{part}-{name}", f"{label}: {m}") for m in messages_]
    items += [
        (f"{edit_url}#paper-{c.pk}", _("Upload: %(name)s") % {"name": c.name})
        for c in completeness.missing_components(dossier)
    ]
    return items


@citizen_page
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything as it will be sent, what is still missing, and the button that sends it."""
    dossier = _own_dossier(request, pk)
    if dossier.state not in services.EDITABLE_STATES:
        return redirect("dossiers:detail", dossier.pk)
    error, status = "", 200
    if request.method == "POST":
        resubmit = dossier.state == State.SUPPLEMENT_REQUESTED
        try:
            if resubmit:
                dossier = workflow.apply(dossier_id=dossier.pk, action="resubmit", actor=request.user)
            else:
                dossier = services.submit(dossier_id=dossier.pk, actor=request.user)
        except ServiceError as exc:
            error, status = exc.message, exc.status
            dossier = _own_dossier(request, pk)
            if dossier.state not in services.EDITABLE_STATES:
                raise
        else:
            messages.success(
                request,
                _("Your supplement is sent. Staff will continue with your dossier.")
                if resubmit
                else _(
                    "Your dossier is sent. Its code is %(code)s and its lookup key is %(key)s. "
                    "Keep them to follow your dossier."
                )
                % {"code": dossier.code, "key": dossier.lookup_key},
            )
            return redirect("dossiers:detail", dossier.pk)
    fees = list(dossier.version.fees.all())
    context = {
        "dossier": dossier,
        "applicant_rows": presentation.rows(forms.ApplicantForm(), dossier.applicant_data),
        "form_rows": presentation.rows(forms.procedure_form_class(dossier.version)(), dossier.form_data),
        "papers": presentation.papers(dossier),
        "problems": _problems(dossier),
        "fees": fees,
        "total_fee": sum(fee.amount for fee in fees),
        "error": error,
        "resubmit": dossier.state == State.SUPPLEMENT_REQUESTED,
    }
    return render(request, "dossiers/review.html", context, status=status)
