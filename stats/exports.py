"""The service index as a file (the dashboard's and the API's ``format=csv`` / ``format=xlsx``): what was asked, the
points of each group, every indicator with its numerator, denominator, ratio, target and points, and each month's
rates. XLSX through openpyxl; CSV with a byte-order mark, so that a spreadsheet opens its Vietnamese right."""

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from stats import selectors
from stats.constants import Group

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value: Any) -> Any:
    # A spreadsheet runs a cell that starts with one of these as a formula: names come from the catalogue.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def rows(*, scope: selectors.Scope, data: dict[str, Any], chosen: dict[str, Any]) -> list[list[Any]]:
    """The figures as rows of cells."""
    asked = [
        [_("Service index"), f"{scope.start.isoformat()} – {scope.end.isoformat()}"],
        [
            _("Agency"),
            *(
                (chosen["agency"].code, chosen["agency"].name)
                if chosen.get("agency")
                else (_("The whole province"),)
            ),
        ],
        [_("Sector"), str(chosen["sector"]) if chosen.get("sector") else _("All sectors")],
        [_("Procedure"), str(chosen["procedure"]) if chosen.get("procedure") else _("All procedures")],
        [_("Channel"), chosen.get("channel") or _("All channels")],
        [],
        [_("Total points"), data["scores"]["total"], _("of"), data["scores"]["max"]],
        [_("Points the portal can measure"), data["scores"]["known_max"]],
    ]
    for group in Group:
        asked.append(
            [str(group.label), data["scores"]["groups"][group], _("of"), data["scores"]["groups_max"][group]]
        )
    asked += [
        [],
        [
            _("Indicator"),
            _("Name"),
            _("Numerator"),
            _("Denominator"),
            _("Ratio"),
            _("Target"),
            _("Points"),
            _("Of"),
            _("Definition"),
        ],
    ]
    for row in data["indicators"]:
        asked.append(
            [
                row["code"],
                str(row["name"]),
                row["numerator"],
                row["denominator"],
                row["ratio"],
                row["target"],
                row["points"] if row["known"] else _("not known to the portal"),
                row["max_points"],
                str(row["definition"]),
            ]
        )
    asked += [[], [_("Month"), *(str(name) for name in selectors.RATES), _("Points")]]
    for month, figures in selectors.by_month(scope):
        asked.append(
            [
                month.strftime("%Y-%m"),
                *(figures["rates"][name] for name in selectors.RATES),
                figures["scores"]["total"],
            ]
        )
    return [[_cell(value) for value in row] for row in asked]


def response(
    kind: str, *, scope: selectors.Scope, data: dict[str, Any], chosen: dict[str, Any]
) -> HttpResponse:
    table = rows(scope=scope, data=data, chosen=chosen)
    name = f"service-index-{scope.start.isoformat()}-{scope.end.isoformat()}.{kind}"
    if kind == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(table)
        body: bytes = ("\ufeff" + text.getvalue()).encode()
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = _("Service index")[:31]
        for row in table:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        body = buffer.getvalue()
    answer = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer
