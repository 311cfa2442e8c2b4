"""The counter console: the staff queues, the dossier page with its action forms, and walk-in filing.

Each page reads through ``dossiers.selectors`` and changes state through one call to ``dossiers.workflow`` or
``dossiers.services``; a ``ServiceError`` becomes a message on the page with its status (400, 403, 409, 413, 415),
an unknown or unseen dossier a 404.
"""

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts import services as account_services
from accounts.constants import STAFF_ROLES, Role
from accounts.decorators import permission_required
from audit.models import AccessWhat
from dossiers import forms, selectors, services, sla, workflow
from dossiers.access import dossier_for
from dossiers.api.serializers import clock
from dossiers.completeness import Incomplete, missing_components
from dossiers.constants import Channel, Outcome, State, Timeliness
from dossiers.models import Dossier
from portal.api.throttling import DossierCreateThrottle, UploadThrottle, limit_page
from portal.errors import InvalidState, NotFound, ServiceError
from procedures import selectors as catalogue
from procedures.constants import DEFAULT_FILE_TYPES, FILE_TYPES
from procedures.search import MAX_QUERY_LENGTH, has_control_characters

PAGE_SIZE = 50
console = permission_required("console.view")

# The action forms of the dossier page, in the order a clerk meets them.
ACTION_ORDER = (
    "submit",
    "receive",
    "assess",
    "approve",
    "return",
    "request_supplement",
    "send_back",
    "refuse",
)
FILE_NAMES = {mime: short.upper() for short, mime in FILE_TYPES.items()}


# --- Queues ---------------------------------------------------------------------------------------------------


class QueueFilterForm(django_forms.Form):
    procedure = django_forms.ChoiceField(label=gettext_lazy("Procedure"), required=False)
    code = django_forms.CharField(label=gettext_lazy("Code"), required=False, max_length=48)
    overdue = django_forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    mine = django_forms.BooleanField(label=gettext_lazy("Assigned to me"), required=False)
    cursor = django_forms.IntegerField(required=False, min_value=1, widget=django_forms.HiddenInput)

    def __init__(self, *args: Any, procedures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("All procedures")), *procedures]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if has_control_characters(code):
            raise django_forms.ValidationError(_("A code has no control characters."), code="invalid")
        return code


def _agency_procedures(user: Any) -> list[tuple[str, str]]:
    """The procedures the user's agency settles, for the queue's filter: (code, "code — name")."""
    versions = catalogue.published_versions().filter(agency_id=user.agency_id).order_by("procedure__code")
    return [(v.procedure.code, f"{v.procedure.code} — {v.name}") for v in versions]


def _with_clock(dossiers: list[Dossier]) -> list[Dossier]:
    """Each dossier with ``sla`` (overdue, due soon, timeliness), the province's calendar read once."""
    calendar = sla.Calendar()
    for dossier in dossiers:
        dossier.sla = clock(dossier, calendar)  # type: ignore[attr-defined]
    return dossiers


def _may_assign(user: Any, queue: str | None) -> bool:
    """Whether the queue is of the user's step, whose dossiers they take (the rule is ``accounts.policy``'s)."""
    if user.role not in STAFF_ROLES or user.agency_id is None or queue not in selectors.QUEUES:
        return False
    return any(policy.STEP_ROLE.get(state) == user.role for state in selectors.QUEUES[queue])


@console
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The console opens on the queue of the user's step."""
    return redirect("console:queue", selectors.QUEUE_OF_ROLE.get(request.user.role, "receive"))


@console
@require_GET
def queue(request: HttpRequest, queue: str) -> HttpResponse:
    """One queue of the user's agency: filters, overdue and due-soon marks, "assign to me", keyset pages."""
    if queue not in selectors.QUEUES:
        raise Http404("No such queue.")
    user = request.user
    form = QueueFilterForm(request.GET, procedures=_agency_procedures(user))
    status, page, rows = 200, None, []
    if form.is_valid():
        params = form.cleaned_data
        dossiers = selectors.with_list_data(selectors.visible_dossiers(user)).filter(
            agency_id=user.agency_id, state__in=selectors.QUEUES[queue]
        )
        if params["procedure"]:
            dossiers = dossiers.filter(version__procedure__code=params["procedure"])
        if params["code"]:
            dossiers = dossiers.filter(code__icontains=params["code"])
        if params["overdue"]:
            dossiers = dossiers.filter(selectors.overdue_filter())
        if params["mine"]:
            dossiers = dossiers.filter(assignee=user)
        page = selectors.keyset_page(dossiers, after=params["cursor"], size=PAGE_SIZE)
        rows = _with_clock(page.items)
    else:
        status = 400
    filters = {k: v for k, v in request.GET.items() if k != "cursor" and v}
    context = {
        "queue": queue,
        "queues": _tabs(user, queue),
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": bool(filters),
        "next_url": (
            f"?{urlencode({**filters, 'cursor': page.next_cursor})}" if page and page.next_cursor else None
        ),
        "first_url": f"?{urlencode(filters)}" if request.GET.get("cursor") else None,
        "may_assign": _may_assign(user, queue),
        "here": request.get_full_path(),
    }
    return render(request, "console/queue.html", context, status=status)


QUEUE_LABELS = {
    "receive": gettext_lazy("To receive"),
    "assess": gettext_lazy("To assess"),
    "approve": gettext_lazy("To approve"),
    "return": gettext_lazy("To return"),
    "waiting": gettext_lazy("Waiting"),
}


def _tabs(user: Any, current: str) -> list[dict[str, Any]]:
    counts = selectors.queue_counts(user.agency) if user.agency_id else dict.fromkeys(selectors.QUEUES, 0)
    return [
        {"name": name, "label": QUEUE_LABELS[name], "count": counts[name], "current": name == current}
        for name in selectors.QUEUES
    ]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@console
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the dossier ("assign to me"): with htmx its row comes back (saying why if it failed); without, the
    queue again."""
    queue_name = request.POST.get("queue", "")
    queue_name = queue_name if queue_name in selectors.QUEUES else "receive"
    error = None
    try:
        services.dossier_assign(dossier_id=pk, actor=request.user)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        error = exc.message
    if request.htmx:
        dossier = _door(request, pk, queryset=selectors.with_list_data(Dossier.objects.all()))
        context = {
            "d": _with_clock([dossier])[0],
            "queue": queue_name,
            "may_assign": _may_assign(request.user, queue_name),
            "row_error": error,
            "just_assigned": error is None,
            "here": _safe_next(request, reverse("console:queue", args=[queue_name])),
        }
        return render(request, "console/_queue_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The dossier is assigned to you."))
    return redirect(_safe_next(request, reverse("console:queue", args=[queue_name])))


@console
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """Open a dossier by its code: one waiting for reception anywhere in the province (no boundaries), or one
    the user may see."""
    code = request.GET.get("code", "").strip()[:48]
    dossier = None
    if code and not has_control_characters(code):
        # Codes are upper case (agency code, date, sequence); an exact match keeps to the unique index.
        dossier = Dossier.objects.filter(code=code.upper()).first()
    if dossier is not None and policy.may(request.user, policy.Ask.VIEW, dossier):
        return redirect("console:dossier", dossier.pk)
    if code:
        messages.error(request, _("No dossier you may open has the code %(code)s.") % {"code": code})
    else:
        messages.error(request, _("Enter a dossier code."))
    return redirect("console:queue", selectors.QUEUE_OF_ROLE.get(request.user.role, "receive"))


# --- The dossier page -----------------------------------------------------------------------------------------


class ActionForm(django_forms.Form):
    """What any action may carry; the workflow decides what each one needs (a reason, an outcome)."""

    comment = django_forms.CharField(required=False, max_length=5000, widget=django_forms.Textarea)
    outcome = django_forms.ChoiceField(required=False, choices=[("", "—"), *Outcome.choices])


def _applicant_rows(values: dict[str, Any]) -> list[tuple[str, Any]]:
    labels = {name: field.label for name, field in forms.ApplicantForm.base_fields.items()}
    return [(labels.get(name, name), values[name]) for name in forms.APPLICANT_FIELDS if values.get(name)]


def _form_rows(dossier: Dossier) -> list[tuple[str, Any]]:
    """The form values with the procedure's labels, in its order; a value without a field keeps its name."""
    rows, known = [], set()
    for spec in dossier.version.form_fields.all():
        known.add(spec.name)
        value = dossier.form_data.get(spec.name)
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((spec.label, value))
    rows += [(name, value) for name, value in dossier.form_data.items() if name not in known]
    return rows


def _dossier_context(
    request: HttpRequest, dossier: Dossier, *, bound: tuple[str, ActionForm] | None = None
) -> dict[str, Any]:
    allowed = set(workflow.allowed_actions(dossier, request.user))
    action_forms = {
        name: bound[1] if bound and bound[0] == name else ActionForm(prefix=name)
        for name in ACTION_ORDER
        if name in allowed
    }
    documents = list(dossier.documents.all())
    for document in documents:
        document.kind = FILE_NAMES.get(document.content_type, document.content_type)  # type: ignore[attr-defined]
    events = list(dossier.events.all())
    timing = clock(dossier)
    return {
        "dossier": dossier,
        "sla": timing,
        "timeliness": Timeliness(timing["timeliness"]).label if timing["timeliness"] else None,
        "applicant_rows": _applicant_rows(dossier.applicant_data),
        "form_rows": _form_rows(dossier),
        "documents": documents,
        "missing": missing_components(dossier)
        if dossier.state in (State.DRAFT, State.SUPPLEMENT_REQUESTED)
        else [],
        "events": events,
        "action_forms": action_forms,
        "outcomes": Outcome.choices,
        "is_walk_in_draft": dossier.state == State.DRAFT
        and dossier.channel == Channel.COUNTER
        and dossier.created_by_id == request.user.pk,
        "may_assign": policy.may(request.user, policy.Ask.ASSIGN, dossier)
        and dossier.assignee_id != request.user.pk,
    }


def _door(request: HttpRequest, pk: int, **kwargs: Any) -> Dossier:
    """The dossier through the policy's door; one the user may not see is a 404 page."""
    try:
        return dossier_for(request.user, pk, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _visible_detail(request: HttpRequest, pk: int, *, log: str | None = None) -> Dossier:
    return _door(request, pk, log=log, queryset=selectors.dossier_detail_queryset())


@console
@require_GET
def dossier_page(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _visible_detail(request, pk, log=AccessWhat.DOSSIER)
    return render(request, "console/dossier.html", _dossier_context(request, dossier))


SUCCESS = {
    "submit": gettext_lazy(
        "Received. Dossier code %(code)s, lookup key %(key)s: give both to the applicant."
    ),
    "receive": gettext_lazy("Dossier %(code)s received; the clock has started."),
    "refuse": gettext_lazy("Dossier %(code)s refused."),
    "request_supplement": gettext_lazy("A supplement was requested for dossier %(code)s."),
    "assess": gettext_lazy("Dossier %(code)s assessed and sent for approval."),
    "send_back": gettext_lazy("Dossier %(code)s sent back for assessment."),
    "approve": gettext_lazy("Dossier %(code)s approved; its result is being signed."),
    "return": gettext_lazy("The result of dossier %(code)s is returned."),
}


@console
@require_POST
def action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Apply one workflow action from the dossier page; a walk-in's "submit" is submitted and received at once."""
    if action not in workflow.PUBLIC_ACTIONS:
        raise Http404("No such action.")
    form = ActionForm(request.POST, prefix=action)
    status = 400
    if form.is_valid():
        outcome = form.cleaned_data["outcome"]
        params = {"outcome": outcome} if outcome and action in ("assess", "approve") else {}
        try:
            if action == "submit":
                dossier, held = _receive_walk_in(
                    dossier_id=pk, actor=request.user, comment=form.cleaned_data["comment"]
                )
                _walk_in_message(request, dossier, held)
                return redirect("console:dossier", pk)
            dossier = workflow.apply(
                dossier_id=pk,
                action=action,
                actor=request.user,
                input=workflow.TRANSITIONS[action].input(comment=form.cleaned_data["comment"], **params),
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            status = exc.status
            if exc.code == "comment_required":
                form.add_error("comment", exc.message)
            elif exc.code == "outcome_required":
                form.add_error("outcome", exc.message)
            else:
                messages.error(request, exc.message)
        else:
            template = SUCCESS.get(action, gettext_lazy("Done: %(code)s."))
            messages.success(request, str(template) % {"code": dossier.code, "key": dossier.lookup_key})
            return redirect("console:dossier", pk)
    if form.errors:
        messages.error(request, _("Please correct the form below."))
    dossier = _visible_detail(request, pk)
    return render(
        request,
        "console/dossier.html",
        _dossier_context(request, dossier, bound=(action, form)),
        status=status,
    )


# --- Walk-in filing -------------------------------------------------------------------------------------------


def _receivers_only(request: HttpRequest) -> None:
    if request.user.role != Role.RECEIVER and not request.user.is_superuser:
        raise PermissionDenied


@console
@require_http_methods(["GET", "POST"])
@limit_page(DossierCreateThrottle, when=lambda request: request.method == "POST")
def walk_in(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the procedure (any of the province: no boundaries), then enter the person and the form."""
    _receivers_only(request)
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "").strip()[:32]
    version = None
    if code and not has_control_characters(code):
        version = catalogue.published_version_by_code(code)
    if version is None:
        return _choose_procedure(request, code)
    procedure_form_class = forms.procedure_form_class(version)
    status = 200
    if request.method == "POST":
        applicant_form = forms.ApplicantForm(request.POST, prefix="applicant", complete=True)
        procedure_form = procedure_form_class(request.POST, prefix="form", complete=True)
        if applicant_form.is_valid() and procedure_form.is_valid():
            try:
                dossier = services.dossier_create(
                    actor=request.user,
                    procedure_code=version.procedure.code,
                    applicant=forms.to_json(applicant_form.cleaned_data),
                    form=forms.to_json(procedure_form.cleaned_data),
                    channel=Channel.COUNTER,
                )
            except ServiceError as exc:
                if exc.status == 404:
                    raise Http404(exc.message) from exc
                messages.error(request, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Draft created. Now scan or upload each paper."))
                return redirect("console:walk_in_documents", dossier.pk)
        else:
            status = 400
    else:
        applicant_form = forms.ApplicantForm(prefix="applicant", complete=True)
        procedure_form = procedure_form_class(prefix="form", complete=True)
    return render(
        request,
        "console/walk_in.html",
        {"version": version, "applicant_form": applicant_form, "procedure_form": procedure_form},
        status=status,
    )


def _choose_procedure(request: HttpRequest, code: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if has_control_characters(query):
        query = ""
    results = list(catalogue.search_published(query=query)[:30]) if query else []
    context = {
        "q": query,
        "results": results,
        "all_versions": catalogue.published_versions().values_list("procedure__code", "name", "agency__code"),
        "unknown_code": code,
    }
    if request.htmx and request.GET.get("partial"):
        return render(request, "console/_procedure_results.html", context)
    return render(request, "console/walk_in_choose.html", context, status=404 if code else 200)


def _walk_in_draft(request: HttpRequest, pk: int) -> Dossier:
    dossier = _visible_detail(request, pk)
    if dossier.channel != Channel.COUNTER or dossier.created_by_id != request.user.pk:
        raise Http404("Not a walk-in dossier of yours.")
    return dossier


class UploadForm(django_forms.Form):
    component = django_forms.IntegerField(widget=django_forms.HiddenInput)
    file = django_forms.FileField(label=gettext_lazy("File"), allow_empty_file=False)


def _documents_page(
    request: HttpRequest, dossier: Dossier, *, status: int = 200, failed: int | None = None
) -> HttpResponse:
    components = list(dossier.version.components.all())
    documents = list(dossier.documents.all())
    for component in components:
        component.papers = [d for d in documents if d.component_id == component.pk]  # type: ignore[attr-defined]
        types = component.file_types or DEFAULT_FILE_TYPES
        component.accepts = ", ".join(t.upper() for t in types)  # type: ignore[attr-defined]
        component.accept_attr = ",".join([*(f".{t}" for t in types), *(FILE_TYPES[t] for t in types)])  # type: ignore[attr-defined]
    context = {
        "dossier": dossier,
        "components": components,
        "missing": missing_components(dossier),
        "failed": failed,
    }
    return render(request, "console/walk_in_documents.html", context, status=status)


@console
@require_http_methods(["GET", "POST"])
@limit_page(UploadThrottle, when=lambda request: request.method == "POST")
def walk_in_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: scan or upload each paper of the walk-in draft; then receive it."""
    _receivers_only(request)
    dossier = _walk_in_draft(request, pk)
    if dossier.state != State.DRAFT:
        return redirect("console:dossier", dossier.pk)
    if request.method != "POST":
        return _documents_page(request, dossier)
    form = UploadForm(request.POST, request.FILES)
    failed = None
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        failed = request.POST.get("component")
        return _documents_page(
            request, dossier, status=400, failed=int(failed) if str(failed).isdigit() else None
        )
    try:
        document = services.document_add(
            dossier_id=dossier.pk,
            actor=request.user,
            component_id=form.cleaned_data["component"],
            upload=form.cleaned_data["file"],
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, _plain_upload_error(exc))
        return _documents_page(
            request, _walk_in_draft(request, pk), status=exc.status, failed=form.cleaned_data["component"]
        )
    messages.success(request, _("%(name)s uploaded.") % {"name": document.original_name})
    return redirect("console:walk_in_documents", dossier.pk)


def _plain_upload_error(exc: ServiceError) -> str:
    if exc.status == 413:
        return _("This file is too large. %(detail)s Scan it at a lower resolution or in fewer pages.") % {
            "detail": exc.message
        }
    if exc.status == 415:
        return _("This file is not a type the paper accepts. %(detail)s") % {"detail": exc.message}
    return exc.message


@console
@require_POST
def walk_in_remove(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    """Take a wrong paper out of the walk-in draft."""
    _receivers_only(request)
    dossier = _walk_in_draft(request, pk)
    try:
        services.document_remove(dossier_id=dossier.pk, actor=request.user, document_id=document_id)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The paper was removed."))
    return redirect("console:walk_in_documents", dossier.pk)


@console
@require_POST
def walk_in_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: "receive now": the draft is submitted on the person's behalf and received at once."""
    _receivers_only(request)
    dossier = _walk_in_draft(request, pk)
    try:
        dossier, held = _receive_walk_in(dossier_id=dossier.pk, actor=request.user)
    except ServiceError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        if isinstance(exc, Incomplete):
            messages.error(
                request, _("The dossier is not complete yet: %(what)s") % {"what": _incomplete(exc)}
            )
        else:
            messages.error(request, exc.message)
        return _documents_page(request, _walk_in_draft(request, pk), status=exc.status)
    _walk_in_message(request, dossier, held)
    return redirect("console:dossier", dossier.pk)


def _receive_walk_in(*, dossier_id: int, actor: Any, comment: str = "") -> tuple[Dossier, str | None]:
    """Submit the walk-in and receive it at once; returns the dossier and, if reception was held back, why.

    When a rule of another app holds reception back (a fee due before reception: the invoice only exists once
    the dossier is submitted), the dossier is still submitted, so it has its code and key and waits in the
    receive queue until the counter can receive it.
    """
    try:
        return services.receive_walk_in(dossier_id=dossier_id, actor=actor, comment=comment), None
    except InvalidState as exc:
        if exc.code != "blocked":
            raise
        held = exc.message
    dossier = workflow.apply(
        dossier_id=dossier_id,
        action="submit",
        actor=actor,
        input=workflow.Note(comment=_("Filed at the counter")),
    )
    return dossier, held


def _walk_in_message(request: HttpRequest, dossier: Dossier, held: str | None) -> None:
    values = {"code": dossier.code, "key": dossier.lookup_key, "reason": held}
    if held is None:
        messages.success(request, str(SUCCESS["submit"]) % values)
    else:
        messages.warning(
            request,
            _(
                "Submitted: dossier code %(code)s, lookup key %(key)s. It cannot be received yet: %(reason)s "
                "Receive it from this page once that is settled."
            )
            % values,
        )


def _incomplete(exc: Incomplete) -> str:
    parts = []
    for messages_ in exc.errors.values():
        if isinstance(messages_, dict):
            parts += [" ".join(map(str, m)) for m in messages_.values()]
        else:
            parts += [str(m) for m in messages_]
    return "; ".join(parts)


# --- Identity -------------------------------------------------------------------------------------------------


class IdentityForm(django_forms.Form):
    username = django_forms.CharField(label=gettext_lazy("The citizen's account (user name)"), max_length=150)
    id_number = django_forms.RegexField(
        label=gettext_lazy("Citizen ID number on the card"),
        regex=r"^[0-9]{12}$",
        error_messages={"invalid": gettext_lazy("A citizen ID number has 12 digits.")},
    )
    checked = django_forms.BooleanField(label=gettext_lazy("I have checked the ID card against the person"))


@console
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest) -> HttpResponse:
    """A receiver records that they checked a citizen's ID card: the account's ID number becomes verified."""
    _receivers_only(request)
    form = IdentityForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            citizen = account_services.citizen_by_username(form.cleaned_data["username"])
            try:
                if citizen is None:
                    raise NotFound(_("No citizen account has this user name."))
                account_services.identity_verify(
                    actor=request.user, user=citizen, id_number=form.cleaned_data["id_number"]
                )
            except ServiceError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(
                    request,
                    _("The ID number of %(user)s is recorded as verified by you.")
                    % {"user": citizen.username},
                )
                return redirect("console:identity")
    return render(request, "console/identity.html", {"form": form, "error": error}, status=status)
