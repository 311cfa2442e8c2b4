"""The counter console: the queues of the four steps, "assign to me", opening a dossier by its code, the dossier
page with its action forms, and the identity check of a citizen's ID card. Walk-in filing is ``walk_in``.

Each view parses the request, asks the door (``dossiers.access``) or the policy, calls one service, selector or the
workflow, and renders; the queue's filters are ``dossiers.filters``' (the API's too), the words
``dossiers.presentation``'s.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts import services as account_services
from accounts.constants import STAFF_ROLES, Role
from accounts.forms import IdentityForm
from audit.models import AccessWhat
from dossiers import drafted_results, forms, presentation, selectors, services, sla, workflow
from dossiers.access import dossier_for
from dossiers.completeness import missing_components
from dossiers.constants import Channel, Outcome, State, Timeliness
from dossiers.filters import QueueFilter
from dossiers.models import Dossier, DraftedResult
from dossiers.views.doors import console_page, post_form, receivers_only
from portal.errors import NotFound, ServiceError
from portal.http import AuthenticatedHttpRequest
from portal.pagination import keyset_page, parse_id
from procedures import selectors as catalogue
from procedures.search import has_control_characters

PAGE_SIZE = 50

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


def with_clock(dossiers: list[Dossier]) -> list[Dossier]:
    """Each dossier with ``sla`` (overdue, due soon, timeliness), the province's calendar read once."""
    calendar = sla.Calendar()
    for dossier in dossiers:
        dossier.sla = sla.clock(dossier, calendar)  # type: ignore[attr-defined]
    return dossiers


def _may_assign(user: Any, queue: str | None) -> bool:
    """Whether the queue is of the user's step, whose dossiers they take (the rule is ``accounts.policy``'s)."""
    if user.role not in STAFF_ROLES or user.agency_id is None or queue not in selectors.QUEUES:
        return False
    return any(policy.STEP_ROLE.get(state) == user.role for state in selectors.QUEUES[queue])


@console_page
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The console opens on the queue of the user's step."""
    return redirect("console:queue", selectors.QUEUE_OF_ROLE.get(request.user.role, "receive"))


@console_page
@require_GET
def queue(request: AuthenticatedHttpRequest, queue: str) -> HttpResponse:
    """One queue of the user's agency: filters, overdue and due-soon marks, "assign to me", keyset pages."""
    if queue not in selectors.QUEUES:
        raise Http404("No such queue.")
    user = request.user
    # A queue is an agency's: staff without one (a leader, the province's admin) see none.
    agency = user.agency_id or 0
    dossiers = selectors.with_list_data(selectors.visible_dossiers(user)).filter(
        agency_id=agency, state__in=selectors.QUEUES[queue]
    )
    procedures = [
        (v.procedure.code, f"{v.procedure.code} — {v.name}")
        for v in catalogue.published_versions().filter(agency_id=agency).order_by("procedure__code")
    ]
    filtered = QueueFilter(request.GET, queryset=dossiers, request=request, procedures=procedures)
    cursor = request.GET.get("cursor", "")
    after = parse_id(cursor)
    status, page, rows = 200, None, []
    if filtered.is_valid() and (after is not None or not cursor):
        page = keyset_page(filtered.qs, after=after, size=PAGE_SIZE)
        rows = with_clock(page.items)
    else:
        status = 400
    filters: dict[str, str] = {
        key: str(value) for key, value in request.GET.items() if key != "cursor" and value
    }
    counts = selectors.queue_counts(user.agency) if user.agency else dict.fromkeys(selectors.QUEUES, 0)
    context = {
        "queue": queue,
        "queues": [
            {
                "name": name,
                "label": presentation.QUEUE_LABELS[name],
                "count": counts[name],
                "current": name == queue,
            }
            for name in selectors.QUEUES
        ],
        "form": filtered.form,
        "page": page,
        "rows": rows,
        "filtered": bool(filters),
        "next_url": f"?{urlencode({**filters, 'cursor': str(page.next_cursor)})}"
        if page and page.next_cursor
        else None,
        "first_url": f"?{urlencode(filters)}" if cursor else None,
        "may_assign": _may_assign(user, queue),
        "here": request.get_full_path(),
    }
    return render(request, "console/queue.html", context, status=status)


def _safe_next(request: AuthenticatedHttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@console_page
@require_POST
def assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take the dossier ("assign to me"): with htmx its row comes back (saying why if it failed); without, the
    queue again."""
    queue_name = request.POST.get("queue", "")
    queue_name = queue_name if queue_name in selectors.QUEUES else "receive"
    dossier = dossier_for(request.user, pk, queryset=selectors.with_list_data(Dossier.objects.all()))
    error = None
    try:
        dossier = services.dossier_assign(dossier_id=dossier.pk, actor=request.user)
    except ServiceError as exc:
        error = exc.message
    back = _safe_next(request, reverse("console:queue", args=[queue_name]))
    if request.htmx:
        context = {
            "d": with_clock(
                [dossier_for(request.user, pk, queryset=selectors.with_list_data(Dossier.objects.all()))]
            )[0],
            "queue": queue_name,
            "may_assign": _may_assign(request.user, queue_name),
            "row_error": error,
            "just_assigned": error is None,
            "here": back,
        }
        return render(request, "console/_queue_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The dossier is assigned to you."))
    return redirect(back)


@console_page
@require_GET
def find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open a dossier by its code: one waiting for reception anywhere in the province (no boundaries), or one
    the user may see."""
    code = request.GET.get("code", "").strip()[:48]
    dossier = selectors.by_code(code) if code and not has_control_characters(code) else None
    if dossier is not None and policy.may(request.user, policy.Ask.VIEW, dossier):
        return redirect("console:dossier", dossier.pk)
    if code:
        messages.error(request, _("No dossier you may open has the code %(code)s.") % {"code": code})
    else:
        messages.error(request, _("Enter a dossier code."))
    return redirect("console:queue", selectors.QUEUE_OF_ROLE.get(request.user.role, "receive"))


def dossier_context(
    request: AuthenticatedHttpRequest, dossier: Dossier, *, bound: tuple[str, forms.ActionForm] | None = None
) -> dict[str, Any]:
    """What the console's dossier page shows: details, papers, history, the clock and the forms of the actions
    the user may take now."""
    allowed = set(workflow.allowed_actions(dossier, request.user))
    clock = sla.clock(dossier)
    return {
        "dossier": dossier,
        "sla": clock,
        "timeliness": Timeliness(clock["timeliness"]).label if clock["timeliness"] else None,
        "applicant_rows": presentation.applicant_rows(dossier.applicant_data),
        "form_rows": presentation.form_rows(dossier),
        "documents": presentation.documents(dossier),
        "missing": missing_components(dossier) if dossier.state in services.EDITABLE_STATES else [],
        "events": list(dossier.events.all()),
        "action_forms": {
            name: bound[1] if bound and bound[0] == name else forms.ActionForm(prefix=name)
            for name in ACTION_ORDER
            if name in allowed
        },
        "outcomes": Outcome.choices,
        "is_walk_in_draft": dossier.state == State.DRAFT
        and dossier.channel == Channel.COUNTER
        and dossier.created_by_id == request.user.pk,
        "may_assign": policy.may(request.user, policy.Ask.ASSIGN, dossier)
        and dossier.assignee_id != request.user.pk,
        # At "result ready" the counter opens the signed result it hands over (the policy's Ask.RESULT).
        "may_open_result": policy.may(request.user, policy.Ask.RESULT, dossier),
        **drafted_result_context(request, dossier),
    }


def drafted_result_context(request: AuthenticatedHttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The drafted result's section: the file, to the competent agency's staff; the upload, to its assessor."""
    if not policy.may(request.user, policy.Ask.DRAFTED_RESULT, dossier):
        return {}
    may_attach = dossier.state == State.ASSESSING and policy.may_act(
        request.user, dossier, action="assess", roles=frozenset({Role.ASSESSOR})
    )
    return {
        "drafted": DraftedResult.objects.filter(dossier=dossier).first(),
        "may_attach_drafted": may_attach,
        "show_drafted": True,
    }


@console_page
@require_POST
def drafted_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The assessor attaches the drafted result (a PDF) that the approval will sign."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the PDF of the drafted result."))
        return redirect("console:dossier", pk)
    try:
        drafted_results.drafted_result_attach(dossier_id=pk, actor=request.user, upload=upload)
    except NotFound:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
        dossier = visible_detail(request, pk)
        return render(request, "console/dossier.html", dossier_context(request, dossier), status=exc.status)
    messages.success(request, _("The drafted result is attached; the approval will sign it."))
    return redirect("console:dossier", pk)


def visible_detail(request: AuthenticatedHttpRequest, pk: int, *, log: str | None = None) -> Dossier:
    return dossier_for(request.user, pk, log=log, queryset=selectors.dossier_detail_queryset())


@console_page
@require_GET
def dossier_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dossier = visible_detail(request, pk, log=AccessWhat.DOSSIER)
    return render(request, "console/dossier.html", dossier_context(request, dossier))


def walk_in_message(request: AuthenticatedHttpRequest, filed: services.WalkInFiled) -> None:
    """What the clerk tells the person at the desk: the code and key, and why reception waits if it does."""
    values = {"code": filed.dossier.code, "key": filed.dossier.lookup_key, "reason": filed.held}
    if filed.held is None:
        messages.success(request, presentation.action_done("submit", filed.dossier))
    else:
        messages.warning(
            request,
            _(
                "Submitted: dossier code %(code)s, lookup key %(key)s. It cannot be received yet: %(reason)s "
                "Receive it from this page once that is settled."
            )
            % values,
        )


@console_page
@require_POST
def action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Apply one workflow action from the dossier page; a walk-in's "submit" is submitted and received at once."""
    if action not in workflow.PUBLIC_ACTIONS:
        raise Http404("No such action.")
    form = forms.ActionForm(request.POST, prefix=action)
    status = 400
    if form.is_valid():
        comment, outcome = form.cleaned_data["comment"], form.cleaned_data["outcome"]
        params = {"outcome": outcome} if outcome and action in ("assess", "approve") else {}
        try:
            if action == "submit":
                walk_in_message(
                    request, services.walk_in_file(dossier_id=pk, actor=request.user, comment=comment)
                )
                return redirect("console:dossier", pk)
            given = workflow.TRANSITIONS[workflow.Action(action)].input(comment=comment, **params)
            dossier = workflow.apply(dossier_id=pk, action=action, actor=request.user, input=given)
        except NotFound:
            raise
        except ServiceError as exc:
            status = exc.status
            field = {"comment_required": "comment", "outcome_required": "outcome"}.get(exc.code)
            if field:
                form.add_error(field, exc.message)
            else:
                messages.error(request, exc.message)
        else:
            messages.success(request, presentation.action_done(action, dossier))
            return redirect("console:dossier", pk)
    if form.errors:
        messages.error(request, _("Please correct the form below."))
    dossier = visible_detail(request, pk)
    return render(
        request,
        "console/dossier.html",
        dossier_context(request, dossier, bound=(action, form)),
        status=status,
    )


@receivers_only
@require_http_methods(["GET", "POST"])
def identity(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A receiver records that they checked a citizen's ID card: the account's ID number becomes verified."""
    form = IdentityForm(request.POST if request.method == "POST" else None)

    def verify(data: dict[str, Any]) -> HttpResponse:
        citizen = account_services.citizen_by_username(data["username"])
        account_services.identity_verify(actor=request.user, user=citizen, id_number=data["id_number"])
        messages.success(
            request,
            _("The ID number of %(user)s is recorded as verified by you.") % {"user": data["username"]},
        )
        return redirect("console:identity")

    posted = post_form(request, form, verify)
    context = {"form": form, "error": posted.error}
    return posted.done or render(request, "console/identity.html", context, status=posted.status)
