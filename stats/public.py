"""What the public transparency page and ``GET /api/v1/stats/public/`` show: each agency's on-time, online and
satisfaction rates by month and its points for the period, and the province's; figures only, nothing personal."""

import datetime
from typing import Any

from django import forms

from portal.errors import ServiceError
from procedures.models import Agency
from stats import selectors
from stats.filters import EARLIEST, LATEST, LONGEST

PUBLIC_RATES = ("on_time", "online", "satisfaction")


class PeriodForm(forms.Form):
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)


def period(data: Any) -> selectors.Scope:
    """The period asked for (``from``, ``to``; this year by default), the province over it; ServiceError (400)."""
    form = PeriodForm({"start": data.get("from", ""), "end": data.get("to", "")})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ServiceError(f"{'from' if field == 'start' else 'to'}: {errors[0]}", code="invalid")
    default_start, default_end = selectors.year_to_date()
    start = form.cleaned_data["start"] or default_start
    end = form.cleaned_data["end"] or default_end
    if (
        not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST)
        or start > end
        or end - start > LONGEST
    ):
        raise ServiceError(
            f"The period runs from 'from' to 'to', between {EARLIEST} and {LATEST}, ten years at most.",
            code="invalid",
        )
    return selectors.Scope(start=start, end=end)


def _rates(data: dict[str, Any]) -> dict[str, float | None]:
    return {name: data["rates"][name] for name in PUBLIC_RATES}


def figures(scope: selectors.Scope) -> dict[str, Any]:
    months = scope.months()
    agencies = {a.pk: a for a in Agency.objects.all()}
    points = selectors.by_agency(scope)
    monthly = selectors.by_agency_month(scope)
    province = selectors.index(scope)
    rows = []
    for pk, agency in sorted(agencies.items(), key=lambda item: item[1].code):
        if pk not in points:
            continue
        rows.append(
            {
                "code": agency.code,
                "name": agency.name,
                "points": points[pk]["scores"]["total"],
                "known_max": points[pk]["scores"]["known_max"],
                "rates": _rates(points[pk]),
                "months": [
                    {"month": month.strftime("%Y-%m"), **_rates(monthly[(pk, month)])}
                    if (pk, month) in monthly
                    else {"month": month.strftime("%Y-%m"), **dict.fromkeys(PUBLIC_RATES)}
                    for month in months
                ],
            }
        )
    return {
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "months": [month.strftime("%Y-%m") for month in months],
        "province": {
            "points": province["scores"]["total"],
            "known_max": province["scores"]["known_max"],
            "rates": _rates(province),
        },
        "agencies": rows,
    }


def month_label(month: datetime.date) -> str:
    return month.strftime("%m/%Y")
