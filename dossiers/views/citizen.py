"""The citizens' pages: file a dossier online, fill it in, review and send it; my dossiers; a dossier's page with its
timeline; the public lookup that the receipt's QR code opens.

Each view parses the request, calls ``dossiers.services``, ``dossiers.workflow`` or ``dossiers.selectors`` and
renders. A ``ServiceError`` is shown as its message with its status; a dossier that is not the citizen's is 404.
"""

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.constants import Role
from audit.models import AccessWhat
from audit.selectors import access_log
from dossiers import completeness, forms, selectors, services, sla, workflow
from dossiers.access import dossier_for
from dossiers.api.serializers import clock
from dossiers.constants import EventAction, Outcome, State, Timeliness
from dossiers.models import Dossier, Rating
from portal.api.throttling import DossierCreateThrottle, LookupThrottle, UploadThrottle, limit_page
from portal.errors import NotFound, ServiceError
from procedures.constants import DEFAULT_FILE_TYPES, VersionState
from procedures.models import ProcedureVersion
from procedures.search import has_control_characters

PAGE_SIZE = 20
# The applicant's and the procedure's fields are prefixed: a procedure's form may also have a "full_name".
APPLICANT, FORM = "applicant", "form"
BUSINESS_FIELDS = ("tax_code", "organisation")
AUTOCOMPLETE = {
    "full_name": "name",
    "date_of_birth": "bday",
    "phone": "tel",
    "email": "email",
    "address": "street-address",
    "organisation": "organization",
}

# Each state in plain words, and what happens next.
STATE_TEXT: dict[str, tuple[Any, Any]] = {
    State.DRAFT: (
        gettext_lazy("Not sent yet"),
        gettext_lazy("Nobody sees your dossier until you send it. Finish it, then send it."),
    ),
    State.SUBMITTED: (
        gettext_lazy("Sent, waiting to be received"),
        gettext_lazy(
            "The counter will check your papers. If they are complete, they receive your dossier "
            "and set the date of the result."
        ),
    ),
    State.ASSESSING: (
        gettext_lazy("Received, being checked"),
        gettext_lazy("Staff are checking your dossier. The result is due by the date shown."),
    ),
    State.APPROVING: (
        gettext_lazy("Checked, waiting for a decision"),
        gettext_lazy("Your dossier has been checked. The head of the agency will decide on it."),
    ),
    State.SIGNING: (
        gettext_lazy("Decided, result being signed"),
        gettext_lazy("The decision is made. The result is being signed. You will be told when it is ready."),
    ),
    State.RESULT_READY: (
        gettext_lazy("Result ready"),
        gettext_lazy("Your result is ready. You can download it, or get it at the counter."),
    ),
    State.RETURNED: (
        gettext_lazy("Finished: result handed over"),
        gettext_lazy("Your dossier is finished. Nothing more is needed from you."),
    ),
    State.SUPPLEMENT_REQUESTED: (
        gettext_lazy("Waiting for you: more papers needed"),
        gettext_lazy("Staff need more from you. Read their request, add what is missing, and send it again."),
    ),
    State.REJECTED: (
        gettext_lazy("Refused"),
        gettext_lazy("The counter could not accept this dossier. The reason is in the history below."),
    ),
    State.WITHDRAWN: (
        gettext_lazy("Withdrawn"),
        gettext_lazy("You withdrew this dossier. Nothing more will happen to it."),
    ),
}

# The history in the citizen's words (which rows and comments they see is the policy's: history_for).
EVENT_TEXT: dict[str, Any] = {
    EventAction.CREATE: gettext_lazy("Dossier started"),
    EventAction.SUBMIT: gettext_lazy("Sent"),
    EventAction.RECEIVE: gettext_lazy("Received"),
    EventAction.REFUSE: gettext_lazy("Refused"),
    EventAction.REQUEST_SUPPLEMENT: gettext_lazy("More papers asked for"),
    EventAction.RESUBMIT: gettext_lazy("Supplement sent"),
    EventAction.ASSESS: gettext_lazy("Checked"),
    EventAction.SEND_BACK: gettext_lazy("Sent back for more checks"),
    EventAction.APPROVE: gettext_lazy("Decision made"),
    EventAction.SIGNED: gettext_lazy("Result signed"),
    EventAction.RETURN: gettext_lazy("Result handed over"),
    EventAction.WITHDRAW: gettext_lazy("Withdrawn"),
    EventAction.DOCUMENT: gettext_lazy("Paper added"),
    EventAction.CLAIM: gettext_lazy("Added to your account"),
}
TIMELINESS_TEXT = {
    Timeliness.EARLY: gettext_lazy("early"),
    Timeliness.ON_TIME: gettext_lazy("on time"),
    Timeliness.LATE: gettext_lazy("late"),
}
OUTCOME_TEXT = {Outcome.GRANT: gettext_lazy("Granted"), Outcome.DENY: gettext_lazy("Not granted")}


# --- Plumbing -------------------------------------------------------------------------------------------------


def citizen_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of a logged-in citizen: anonymous visitors log in first; staff are told these pages are not theirs."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.role != Role.CITIZEN:
            return render(request, "dossiers/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(
        request, "dossiers/error.html", {"message": exc.message, "status": exc.status}, status=exc.status
    )


def _own_dossier(request: HttpRequest, pk: int) -> Dossier:
    """The citizen's dossier with everything its pages show; another's is answered as unknown."""
    try:
        return dossier_for(request.user, pk, queryset=selectors.dossier_detail_queryset())
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _raw_values(form: django_forms.Form, data: Any) -> dict[str, Any]:
    """Each field's value as posted (an unticked checkbox is False, not absent, so it can be unticked)."""
    return {
        name: field.widget.value_from_datadict(data, {}, form.add_prefix(name))
        for name, field in form.fields.items()
    }


def _is_id(text: str) -> bool:
    """Whether ``text`` is a database id as a query or form value: ASCII digits, not absurdly long."""
    return text.isascii() and text.isdigit() and 0 < len(text) < 19


def _display(value: Any) -> str:
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return str(value)


def _rows(form: django_forms.Form, values: dict[str, Any]) -> list[tuple[Any, str]]:
    """(label, value as shown) for each field with a value, in the form's order."""
    return [(field.label, _display(values[name])) for name, field in form.fields.items() if name in values]


def _file_types(component: Any) -> str:
    return ", ".join(t.upper() for t in (component.file_types or DEFAULT_FILE_TYPES))


def _accept(component: Any) -> str:
    """The ``accept`` attribute of a component's file input: a hint for the phone's picker, not a check."""
    extensions = {"jpg": ".jpg,.jpeg"}
    return ",".join(extensions.get(t, f".{t}") for t in (component.file_types or DEFAULT_FILE_TYPES))


def _papers(dossier: Dossier, errors: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """Each component of the procedure with the files uploaded for it (from the prefetched documents)."""
    documents = list(dossier.documents.all())
    return [
        {
            "component": component,
            "documents": [d for d in documents if d.component_id == component.pk],
            "file_types": _file_types(component),
            "accept": _accept(component),
            "error": (errors or {}).get(component.pk, ""),
        }
        for component in dossier.version.components.all()
    ]


def _supplement_request(dossier: Dossier) -> str:
    requests = [e for e in dossier.events.all() if e.action == EventAction.REQUEST_SUPPLEMENT]
    return requests[-1].comment if requests else ""


# --- Filing ---------------------------------------------------------------------------------------------------


@citizen_page
@require_http_methods(["GET", "POST"])
@limit_page(DossierCreateThrottle, when=lambda request: request.method == "POST")
def file(request: HttpRequest, code: str) -> HttpResponse:
    """The "file online" button: continue the citizen's draft of this procedure, or start one from their profile.

    Only a POST (the button, with its CSRF token) starts a draft; a GET (a link, the page after logging in) shows
    the button, or continues the draft the citizen already has."""
    draft = (
        Dossier.objects.filter(
            applicant=request.user,
            state=State.DRAFT,
            version__procedure__code=code,
            version__state=VersionState.PUBLISHED,
        )
        .order_by("-id")
        .first()
    )
    if draft is not None:
        messages.info(request, _("You have a draft of this procedure. Continue where you stopped."))
        return redirect("dossiers:edit", draft.pk)
    if request.method == "GET":
        version = (
            ProcedureVersion.objects.select_related("procedure")
            .filter(procedure__code=code, state=VersionState.PUBLISHED)
            .first()
        )
        if version is None:
            raise Http404("No such procedure.")
        return render(request, "dossiers/start.html", {"version": version})
    try:
        draft = services.dossier_create(actor=request.user, procedure_code=code)
    except ServiceError as exc:
        return _error(request, exc)
    messages.info(request, _("Your details are filled in from your account. Please check them."))
    return redirect("dossiers:edit", draft.pk)


def _edit_forms(dossier: Dossier, data: Any = None) -> tuple[django_forms.Form, django_forms.Form]:
    """The applicant's form and the procedure's form, bound to ``data`` or filled with the dossier's values."""
    procedure_form_class = forms.procedure_form_class(dossier.version)
    if data is None:
        applicant = forms.ApplicantForm(initial=dossier.applicant_data, prefix=APPLICANT)
        form = procedure_form_class(initial=dossier.form_data, prefix=FORM)
    else:
        applicant = forms.ApplicantForm(data=data, prefix=APPLICANT)
        form = procedure_form_class(data=data, prefix=FORM)
    for name, value in AUTOCOMPLETE.items():
        applicant.fields[name].widget.attrs["autocomplete"] = value
    for name in ("id_number", "tax_code"):
        applicant.fields[name].widget.attrs["inputmode"] = "numeric"
    return applicant, form


def _render_edit(
    request: HttpRequest,
    dossier: Dossier,
    *,
    data: Any = None,
    upload_errors: dict[int, str] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    applicant, form = _edit_forms(dossier, data)
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
    papers = _papers(dossier, upload_errors)
    summary += [
        (f"#paper-{p['component'].pk}", p["component"].name, p["error"]) for p in papers if p["error"]
    ]
    # What must be there before sending, to mark it on the page (a draft may be saved half done).
    needed_applicant = {n for n, f in forms.ApplicantForm(complete=True).fields.items() if f.required}
    needed_form = {s.name for s in dossier.version.form_fields.all() if s.required}
    context = {
        "dossier": dossier,
        "applicant_form": applicant,
        "person_fields": [b for b in applicant if b.name not in BUSINESS_FIELDS],
        "business_fields": [b for b in applicant if b.name in BUSINESS_FIELDS],
        "business_open": any(dossier.applicant_data.get(n) for n in BUSINESS_FIELDS)
        or any(applicant[n].errors for n in BUSINESS_FIELDS),
        "procedure_form": form,
        "needed": {f"{APPLICANT}-{n}" for n in needed_applicant} | {f"{FORM}-{n}" for n in needed_form},
        "papers": papers,
        "summary": summary,
        "message": message,
        "supplement_request": _supplement_request(dossier),
        "may_remove": dossier.state == State.DRAFT,
    }
    return render(request, "dossiers/edit.html", context, status=status)


@citizen_page
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft on one page: the applicant, the procedure's form, the papers. "Save" keeps what is there.

    Without JavaScript the whole page is one form: saving also uploads the files chosen and removes the paper
    whose "Remove" button was pressed, so nothing typed is lost. With htmx, uploads and removals go to
    ``upload`` and ``remove`` and only the paper's block changes.
    """
    dossier = _own_dossier(request, pk)
    if dossier.state not in services.EDITABLE_STATES:
        messages.info(request, _("This dossier has been sent. It can no longer be changed."))
        return redirect("dossiers:detail", dossier.pk)
    if request.method == "GET":
        return _render_edit(request, dossier)

    applicant, form = _edit_forms(dossier)
    statuses: list[int] = []
    details_invalid = False
    try:
        services.dossier_update(
            dossier_id=dossier.pk,
            actor=request.user,
            applicant=_raw_values(applicant, request.POST),
            form=_raw_values(form, request.POST),
        )
    except services.InvalidInput as exc:
        details_invalid = True
        statuses.append(exc.status)
    except ServiceError as exc:
        return _error(request, exc)

    upload_errors: dict[int, str] = {}
    for component in dossier.version.components.all():
        upload = request.FILES.get(f"file-{component.pk}")
        if upload is None:
            continue
        try:
            services.document_add(
                dossier_id=dossier.pk, actor=request.user, component_id=component.pk, upload=upload
            )
        except ServiceError as exc:
            upload_errors[component.pk] = exc.message
            statuses.append(exc.status)
    message = ""
    remove = request.POST.get("remove", "")
    if remove:
        try:
            services.document_remove(
                dossier_id=dossier.pk, actor=request.user, document_id=int(remove) if _is_id(remove) else 0
            )
        except ServiceError as exc:
            message = exc.message
            statuses.append(exc.status)

    if statuses:
        dossier = _own_dossier(request, pk)
        return _render_edit(
            request,
            dossier,
            data=request.POST if details_invalid else None,
            upload_errors=upload_errors,
            message=message,
            status=statuses[0],
        )
    if "review" in request.POST:
        return redirect("dossiers:review", dossier.pk)
    if "upload" in request.POST or remove:
        anchor = request.POST.get("upload", "") or ""
        messages.success(request, _("Your draft is saved. Your papers are updated."))
        return redirect(
            reverse("dossiers:edit", args=[dossier.pk]) + (f"#paper-{anchor}" if _is_id(anchor) else "")
        )
    messages.success(request, _("Your draft is saved. You can come back to it later."))
    return redirect("dossiers:edit", dossier.pk)


def _paper_block(
    request: HttpRequest,
    dossier: Dossier,
    component_id: int,
    *,
    error: str = "",
    status_text: str = "",
    focus: bool = False,
) -> HttpResponse:
    """One paper's block of the edit page, for htmx; the status line goes to the page's live region."""
    paper = next(
        (p for p in _papers(dossier, {component_id: error}) if p["component"].pk == component_id), None
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
def upload(request: HttpRequest, pk: int, component_id: int) -> HttpResponse:
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
        failure = exc
    dossier = _own_dossier(request, pk)
    if request.htmx:
        if failure is not None:
            return _paper_block(request, dossier, component_id, error=failure.message)
        done = _("Uploaded: %(name)s.") % {"name": file.name}
        return _paper_block(request, dossier, component_id, status_text=done)
    if failure is not None:
        if dossier.state not in services.EDITABLE_STATES:
            return _error(request, failure)
        return _render_edit(
            request, dossier, upload_errors={component_id: failure.message}, status=failure.status
        )
    messages.success(request, _("Your file is uploaded."))
    return redirect(reverse("dossiers:edit", args=[dossier.pk]) + f"#paper-{component_id}")


@citizen_page
@require_POST
def remove(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Take a wrong file out of a draft."""
    dossier = _own_dossier(request, pk)
    document = next((d for d in dossier.documents.all() if d.pk == document_id), None)
    if document is None:
        raise Http404("No such document.")
    try:
        services.document_remove(dossier_id=dossier.pk, actor=request.user, document_id=document_id)
    except ServiceError as exc:
        if request.htmx:
            return _paper_block(request, dossier, document.component_id or 0, error=exc.message)
        return _error(request, exc)
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
    for part, form_class, values in (
        (APPLICANT, forms.ApplicantForm, dossier.applicant_data),
        (FORM, forms.procedure_form_class(dossier.version), dossier.form_data),
    ):
        errors = problems.get("applicant" if part == APPLICANT else "form", {})
        fields = form_class(complete=True).fields
        for name, messages_ in errors.items():
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
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything as it will be sent, what is still missing, and the button that sends it."""
    dossier = _own_dossier(request, pk)
    if dossier.state not in services.EDITABLE_STATES:
        return redirect("dossiers:detail", dossier.pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            if dossier.state == State.DRAFT:
                dossier = services.submit(dossier_id=dossier.pk, actor=request.user)
                messages.success(
                    request,
                    _(
                        "Your dossier is sent. Its code is %(code)s and its lookup key is %(key)s. "
                        "Keep them to follow your dossier."
                    )
                    % {"code": dossier.code, "key": dossier.lookup_key},
                )
            else:
                dossier = workflow.apply(dossier_id=dossier.pk, action="resubmit", actor=request.user)
                messages.success(
                    request, _("Your supplement is sent. Staff will continue with your dossier.")
                )
            return redirect("dossiers:detail", dossier.pk)
        except ServiceError as exc:
            error, status = exc.message, exc.status
            dossier = _own_dossier(request, pk)
            if dossier.state not in services.EDITABLE_STATES:
                return _error(request, exc)
    procedure_form = forms.procedure_form_class(dossier.version)()
    context = {
        "dossier": dossier,
        "applicant_rows": _rows(forms.ApplicantForm(), dossier.applicant_data),
        "form_rows": _rows(procedure_form, dossier.form_data),
        "papers": _papers(dossier),
        "problems": _problems(dossier),
        "fees": list(dossier.version.fees.all()),
        "total_fee": sum(fee.amount for fee in dossier.version.fees.all()),
        "error": error,
        "resubmit": dossier.state == State.SUPPLEMENT_REQUESTED,
    }
    return render(request, "dossiers/review.html", context, status=status)


# --- Following ------------------------------------------------------------------------------------------------


@citizen_page
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    """The citizen's dossiers, newest first, 20 a page (keyset: ``?cursor=`` is the last id of the page before)."""
    cursor = request.GET.get("cursor", "")
    after = int(cursor) if _is_id(cursor) else None
    dossiers = selectors.with_list_data(selectors.visible_dossiers(request.user))
    page = selectors.keyset_page(dossiers, after=after, size=PAGE_SIZE)
    calendar = sla.Calendar()
    rows = [
        {"dossier": d, "sla": clock(d, calendar), "state_text": STATE_TEXT[d.state][0]} for d in page.items
    ]
    next_url = (
        reverse("dossiers:mine") + "?" + urlencode({"cursor": page.next_cursor})
        if page.next_cursor is not None
        else ""
    )
    return render(
        request, "dossiers/mine.html", {"rows": rows, "next_url": next_url, "paged": after is not None}
    )


def _who(by: str) -> str:
    """Who did it, as the citizen sees it (``accounts.policy.history_for``): themselves, an agency, the portal."""
    return {"portal": str(_("The portal")), "applicant": str(_("You")), "staff": str(_("Staff"))}.get(by, by)


@citizen_page
@require_http_methods(["GET"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen's dossier: its state in plain words, code and key, dates, timeline, papers and actions."""
    dossier = _own_dossier(request, pk)
    timeline = [
        {
            "what": EVENT_TEXT.get(row["event"].action, row["event"].get_action_display()),
            "action": row["event"].action,
            "at": row["event"].at,
            "who": _who(row["by"]),
            "comment": row["comment"],
        }
        for row in policy.history_for(request.user, dossier, dossier.events.all())
    ]
    actions = workflow.allowed_actions(dossier, request.user)
    label, next_text = STATE_TEXT[dossier.state]
    sla_view = clock(dossier)
    context = {
        "dossier": dossier,
        "state_label": label,
        "next_text": next_text,
        "sla": sla_view,
        "timeline": timeline,
        "papers": [p for p in _papers(dossier) if p["documents"]],
        "may_withdraw": "withdraw" in actions,
        "may_edit": dossier.state in services.EDITABLE_STATES
        and ("submit" in actions or "resubmit" in actions),
        "supplement_request": _supplement_request(dossier)
        if dossier.state == State.SUPPLEMENT_REQUESTED
        else "",
        "outcome": OUTCOME_TEXT.get(dossier.outcome, "")
        if dossier.state in (State.RESULT_READY, State.RETURNED)
        else "",
        "has_result": dossier.state in (State.RESULT_READY, State.RETURNED),
        "timeliness": TIMELINESS_TEXT.get(sla_view["timeliness"] or "", ""),
        "total_fee": sum(fee.amount for fee in dossier.version.fees.all()),
        "rating_form": dossier.state == State.RETURNED and not is_rated(dossier),
        "access_log": _access_rows(dossier),
    }
    return render(request, "dossiers/detail.html", context)


def _access_rows(dossier: Dossier) -> list[dict[str, Any]]:
    """Who opened the dossier, as the applicant sees it: the agency and the role, never the person."""
    roles = dict(Role.choices)
    whats = dict(AccessWhat.choices)
    return [
        {
            **row,
            "role_label": roles.get(row["role"], row["role"]),
            "what_label": whats.get(row["what"], row["what"]),
        }
        for row in access_log(dossier_id=dossier.pk, with_people=False, limit=50)
    ]


@citizen_page
@require_http_methods(["GET", "POST"])
@limit_page(LookupThrottle, when=lambda request: request.method == "POST")
def claim(request: HttpRequest) -> HttpResponse:
    """A dossier filed for the citizen at a counter joins their account with the code and key of the receipt."""
    form = LookupForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                dossier = services.dossier_claim(
                    actor=request.user, code=form.cleaned_data["code"], key=form.cleaned_data["key"]
                )
            except ServiceError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(request, _("The dossier is added to your account."))
                return redirect("dossiers:detail", dossier.pk)
    return render(request, "dossiers/claim.html", {"form": form, "error": error}, status=status)


class WithdrawForm(django_forms.Form):
    comment = django_forms.CharField(
        label=gettext_lazy("Why do you withdraw it? (you may leave this empty)"),
        required=False,
        max_length=1000,
        widget=django_forms.Textarea(attrs={"rows": 3}),
    )


@citizen_page
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first, then withdraw: the dossier stops for good."""
    dossier = _own_dossier(request, pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            workflow.apply(
                dossier_id=dossier.pk,
                action="withdraw",
                actor=request.user,
                input=workflow.Note(comment=form.cleaned_data["comment"]),
            )
        except ServiceError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Your dossier is withdrawn."))
            return redirect("dossiers:detail", dossier.pk)
    elif request.method == "POST":
        status = 400
    elif "withdraw" not in workflow.allowed_actions(dossier, request.user):
        error, status = _("This dossier can no longer be withdrawn."), 409
    context = {"dossier": dossier, "form": form, "error": error}
    return render(request, "dossiers/withdraw.html", context, status=status)


# --- Public lookup --------------------------------------------------------------------------------------------


class LookupForm(django_forms.Form):
    code = django_forms.CharField(
        label=gettext_lazy("Dossier code"),
        max_length=48,
        help_text=gettext_lazy("On your receipt, such as H12.01-261123-0007."),
    )
    key = django_forms.CharField(
        label=gettext_lazy("Lookup key"),
        max_length=32,
        help_text=gettext_lazy("The 10 letters and digits beside it."),
    )

    def _clean_text(self, name: str) -> str:
        value = self.cleaned_data[name].strip().upper()
        if has_control_characters(value):
            raise django_forms.ValidationError(
                _("Use only letters, digits, dots and dashes."), code="invalid"
            )
        return value

    def clean_code(self) -> str:
        return self._clean_text("code")

    def clean_key(self) -> str:
        return self._clean_text("key")


@require_http_methods(["GET"])
@limit_page(LookupThrottle, when=lambda request: "code" in request.GET or "key" in request.GET)
def lookup(request: HttpRequest) -> HttpResponse:
    """Anyone with the code and key of a dossier sees its state and dates, nothing personal.

    The receipt's QR code opens ``?code=…&key=…``: the answer shows at once. A wrong key is answered exactly
    like an unknown code.
    """
    asked = "code" in request.GET or "key" in request.GET
    form = LookupForm(request.GET if asked else None)
    context: dict[str, Any] = {"form": form, "dossier": None, "not_found": False}
    status = 200
    if asked:
        if not form.is_valid():
            status = 400
        else:
            dossier = selectors.lookup(form.cleaned_data["code"], form.cleaned_data["key"])
            if dossier is None:
                context["not_found"], status = True, 404
            else:
                label, next_text = STATE_TEXT[dossier.state]
                context.update(dossier=dossier, state_label=label, next_text=next_text, sla=clock(dossier))
    return render(request, "dossiers/lookup.html", context, status=status)


def is_rated(dossier: Dossier) -> bool:
    """Whether the applicant has rated the service of this dossier."""
    return Rating.objects.filter(dossier_id=dossier.pk).exists()


@citizen_page
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's rating of the service, once, after the result is returned."""
    dossier = _own_dossier(request, pk)
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = 0
    try:
        services.rating_create(
            dossier_id=dossier.pk, actor=request.user, score=score, comment=request.POST.get("comment", "")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("dossiers:detail", dossier.pk)
