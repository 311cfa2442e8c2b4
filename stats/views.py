"""The service index's pages: the public transparency page, the leaders' (and staff's) dashboard with its exports,
and the dashboard's read-only dossier page that its overdue lists lead to."""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.decorators import permission_required
from audit.models import AccessWhat
from complaints import selectors as complaint_selectors
from dossiers.access import dossier_for
from dossiers.constants import State
from dossiers.models import DossierEvent
from dossiers.sla import TZ
from portal.errors import ServiceError
from portal.replicas import replica_page
from procedures.models import Agency, Procedure, Sector
from stats import exports, public, selectors
from stats.constants import Group
from stats.filters import ScopeForm, scope_for
from stats.indicators import INDICATORS

stats_page = permission_required("stats.view")
CHART_RATES = ("on_time", "online", "full_online", "online_payment", "digitised", "satisfaction")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}".replace(".", ",")


@replica_page
def public_index(request: HttpRequest) -> HttpResponse:
    """Each agency's on-time, online and satisfaction rates by month and its points; nothing personal."""
    status = 200
    error = ""
    try:
        scope = public.period(request.GET)
    except ServiceError as exc:
        scope, error, status = public.period({}), exc.message, 400
    figures = public.figures(scope)
    return render(
        request,
        "stats/public.html",
        {
            "figures": figures,
            "scope": scope,
            "error": error,
            "indicators": INDICATORS,
            "groups": Group,
            "rates": public.PUBLIC_RATES,
        },
        status=status,
    )


def _dossier_link(user: Any, dossier_id: int) -> str:
    if getattr(user, "role", None) in policy.PROVINCE_WIDE and not user.is_superuser:
        return reverse("stats:dossier", args=[dossier_id])
    return reverse("console:dossier", args=[dossier_id])


def _chart(months: list[tuple[datetime.date, dict[str, Any]]]) -> dict[str, Any]:
    """The charts' data for the json_script element: one series per rate, in percent."""
    return {
        "months": [month.strftime("%m/%Y") for month, _figures in months],
        "series": {
            name: [
                None if figures["rates"][name] is None else round(figures["rates"][name] * 100, 1)
                for _month, figures in months
            ]
            for name in CHART_RATES
        },
    }


@stats_page
@replica_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """The service index of the reader's scope: the total and its groups, each indicator, a chart of each rate by
    month with its table, the agencies' league table, overdue dossiers and complaints; filters and exports."""
    status, error = 200, ""
    try:
        scope, chosen = scope_for(request.user, request.GET)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        scope, chosen = scope_for(request.user, {})
        chosen["form"] = ScopeForm(request.GET)
        chosen["form"].is_valid()
        status, error = 400, exc.message
    kind = request.GET.get("format", "")
    data = selectors.index(scope)
    if kind in exports.CONTENT_TYPES and not error:
        return exports.response(kind, scope=scope, data=data, chosen=chosen)
    months = selectors.by_month(scope)
    names = {a.pk: a for a in Agency.objects.all()}
    league = sorted(
        ((names[pk], figures) for pk, figures in selectors.by_agency(scope).items() if pk in names),
        key=lambda item: (-item[1]["scores"]["total"], item[0].code),
    )
    now = timezone.now()
    overdue = [
        (d, _dossier_link(request.user, d.pk), (now - (d.due_at or now)).days)
        for d in selectors.overdue_dossiers(scope)
    ]
    complaints = [
        (c, _dossier_link(request.user, c.dossier_id), (now - c.due_at).days)
        for c in selectors.overdue_complaints(scope)
    ]
    allowed = policy.stats_agency_scope(request.user)
    agencies = Agency.objects.all()
    if allowed is not None and allowed is not False:
        agencies = agencies.filter(pk__in=selectors.agency_with_children(allowed))
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "stats/dashboard.html",
        {
            "scope": scope,
            "chosen": chosen,
            "error": error,
            "data": data,
            "groups": [
                (group, data["scores"]["groups"][group], data["scores"]["groups_max"][group])
                for group in Group
            ],
            "indicators_by_group": [
                (group, [row for row in data["indicators"] if row["group"] == group]) for group in Group
            ],
            "months": months,
            "chart": _chart(months),
            "chart_rates": CHART_RATES,
            "league": league,
            "overdue": overdue,
            "complaints": complaints,
            "agencies": agencies,
            "sectors": Sector.objects.all(),
            "procedures": Procedure.objects.filter(published_version__isnull=False).select_related(
                "published_version"
            ),
            "query": query.urlencode(),
        },
        status=status,
    )


@stats_page
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """What a leader reads of a dossier from the dashboard: its state, dates and history, and its complaints; not
    the applicant's identity (the policy's ``Ask.VIEW``, the read logged)."""
    found = dossier_for(request.user, pk, ask=policy.Ask.VIEW, log=AccessWhat.DOSSIER)
    events = DossierEvent.objects.filter(dossier=found).select_related("actor", "actor_agency").order_by("id")
    history = (
        policy.history_for(request.user, found, events)
        if policy.may(request.user, policy.Ask.STAFF_HISTORY, found)
        else []
    )
    complaints = (
        complaint_selectors.dossier_complaints(found.pk)
        if policy.may(request.user, policy.Ask.COMPLAINTS, found)
        else []
    )
    overdue = found.state not in (State.RETURNED, State.REJECTED, State.WITHDRAWN) and bool(
        found.due_at and found.due_at < timezone.now()
    )
    return render(
        request,
        "stats/dossier.html",
        {
            "dossier": found,
            "history": history,
            "complaints": complaints,
            "overdue": overdue,
            "title": _("Dossier %(code)s") % {"code": found.code},
            "TZ": TZ,
        },
    )
