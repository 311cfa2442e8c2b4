"""A citizen follows their dossiers: my dossiers, a dossier's page (its state in plain words, timeline, papers,
who opened it), joining a walk-in to the account, withdrawing, rating; and the public lookup of the receipt's QR.

Each view parses the request, asks the door (``dossiers.access``), calls one service, selector or the workflow, and
renders; the words are ``dossiers.presentation``'s.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from audit.selectors import access_log
from dossiers import forms, presentation, selectors, services, sla, workflow
from dossiers.access import dossier_for
from dossiers.constants import DislikeReason, State
from dossiers.models import Dossier
from dossiers.views.doors import citizen_page, post_form
from portal.errors import ServiceError
from portal.http import AuthenticatedHttpRequest, HtmxHttpRequest
from portal.pagination import keyset_page, parse_id
from portal.replicas import replica_page
from portal.throttling import LookupThrottle, limit_page

PAGE_SIZE = 20
RESULT_STATES = (State.RESULT_READY, State.RETURNED)


def _own_dossier(request: AuthenticatedHttpRequest, pk: int) -> Dossier:
    return dossier_for(request.user, pk, queryset=selectors.dossier_detail_queryset())


@citizen_page
@require_http_methods(["GET"])
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's dossiers, newest first, 20 a page (keyset: ``?cursor=`` is the last id of the page before)."""
    after = parse_id(request.GET.get("cursor", ""))
    page = keyset_page(
        selectors.with_list_data(selectors.visible_dossiers(request.user)), after=after, size=PAGE_SIZE
    )
    calendar = sla.Calendar()
    rows = [
        {"dossier": d, "sla": sla.clock(d, calendar), "state_text": presentation.state_label(d.state)}
        for d in page.items
    ]
    next_url = (
        reverse("dossiers:mine") + "?" + urlencode({"cursor": page.next_cursor})
        if page.next_cursor is not None
        else ""
    )
    return render(
        request, "dossiers/mine.html", {"rows": rows, "next_url": next_url, "paged": after is not None}
    )


@citizen_page
@require_http_methods(["GET"])
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The citizen's dossier: its state in plain words, code and key, dates, timeline, papers and actions."""
    dossier = _own_dossier(request, pk)
    timeline = [
        {
            "what": presentation.EVENT_TEXT.get(row["event"].action, row["event"].get_action_display()),
            "action": row["event"].action,
            "at": row["event"].at,
            "who": presentation.who(row["by"]),
            "comment": row["comment"],
        }
        for row in policy.history_for(request.user, dossier, dossier.events.all())
    ]
    actions = workflow.allowed_actions(dossier, request.user)
    label, next_text = presentation.STATE_TEXT[dossier.state]
    clock = sla.clock(dossier)
    has_result = dossier.state in RESULT_STATES
    context = {
        "dossier": dossier,
        "state_label": label,
        "next_text": next_text,
        "sla": clock,
        "timeline": timeline,
        "papers": [p for p in presentation.papers(dossier) if p["documents"]],
        "may_withdraw": "withdraw" in actions,
        "may_edit": dossier.state in services.EDITABLE_STATES
        and ("submit" in actions or "resubmit" in actions),
        "supplement_request": presentation.supplement_request(dossier)
        if dossier.state == State.SUPPLEMENT_REQUESTED
        else "",
        "outcome": presentation.outcome_label(dossier.outcome) if has_result else "",
        "has_result": has_result,
        "timeliness": presentation.TIMELINESS_TEXT.get(clock["timeliness"] or "", ""),
        "total_fee": sum(fee.amount for fee in dossier.version.fees.all()),
        "rating_form": dossier.state == State.RETURNED and not selectors.is_rated(dossier),
        "dislike_reasons": DislikeReason.choices,
        "access_log": presentation.access_rows(
            access_log(dossier_id=dossier.pk, with_people=False, limit=50)
        ),
    }
    return render(request, "dossiers/detail.html", context)


@citizen_page
@require_http_methods(["GET", "POST"])
@limit_page(LookupThrottle, when=lambda request: request.method == "POST")
def claim(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A dossier filed for the citizen at a counter joins their account with the code and key of the receipt."""
    form = forms.LookupForm(request.POST if request.method == "POST" else None)

    def join(data: dict[str, Any]) -> HttpResponse:
        dossier = services.dossier_claim(actor=request.user, code=data["code"], key=data["key"])
        messages.success(request, _("The dossier is added to your account."))
        return redirect("dossiers:detail", dossier.pk)

    posted = post_form(request, form, join)
    return posted.done or render(
        request, "dossiers/claim.html", {"form": form, "error": posted.error}, status=posted.status
    )


@citizen_page
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask first, then withdraw: the dossier stops for good."""
    dossier = _own_dossier(request, pk)
    form = forms.WithdrawForm(request.POST if request.method == "POST" else None)

    def stop(data: dict[str, Any]) -> HttpResponse:
        given = workflow.Note(comment=data["comment"])
        workflow.apply(
            dossier_id=dossier.pk, action=workflow.Action.WITHDRAW, actor=request.user, input=given
        )
        messages.success(request, _("Your dossier is withdrawn."))
        return redirect("dossiers:detail", dossier.pk)

    posted = post_form(request, form, stop)
    if request.method == "GET" and "withdraw" not in workflow.allowed_actions(dossier, request.user):
        posted.error, posted.status = _("This dossier can no longer be withdrawn."), 409
    context = {"dossier": dossier, "form": form, "error": posted.error}
    return posted.done or render(request, "dossiers/withdraw.html", context, status=posted.status)


@citizen_page
@require_POST
def rate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The applicant's rating of the service, once, after the result is returned."""
    dossier = _own_dossier(request, pk)
    score = request.POST.get("score", "")
    try:
        services.rating_create(
            dossier_id=dossier.pk,
            actor=request.user,
            score=int(score) if score.isascii() and score.isdigit() and len(score) < 3 else 0,
            comment=request.POST.get("comment", ""),
            dislike_reason=request.POST.get("dislike_reason", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("dossiers:detail", dossier.pk)


@require_http_methods(["GET"])
@limit_page(LookupThrottle, when=lambda request: "code" in request.GET or "key" in request.GET)
@replica_page
def lookup(request: HtmxHttpRequest) -> HttpResponse:
    """Anyone with the code and key of a dossier sees its state and dates, nothing personal.

    The receipt's QR code opens ``?code=…&key=…``: the answer shows at once. A wrong key is answered exactly
    like an unknown code.
    """
    asked = "code" in request.GET or "key" in request.GET
    form = forms.LookupForm(request.GET if asked else None)
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
                label, next_text = presentation.STATE_TEXT[dossier.state]
                context.update(
                    dossier=dossier, state_label=label, next_text=next_text, sla=sla.clock(dossier)
                )
    return render(request, "dossiers/lookup.html", context, status=status)
