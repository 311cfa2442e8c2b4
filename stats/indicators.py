"""The indicators of the service index (Decision 766/QĐ-TTg of 23 June 2022), as the national portal scores them.

Each indicator has a numerator and a denominator (``Ratio``), a target and its points: full points at or above the
target, pro rata below it (``points × min(1, ratio / target)``). An indicator the portal cannot know, because its data
are in another national system (the national procedure database, the national portal's sync and petitions, VNeID,
the population database, the personal data store), is ``known=False``: shown as such, never invented, and left out of
the points the portal can measure (``known_max``). An indicator with nothing to count in the period (no fee-bearing
dossier, say) has no ratio and is left out the same way, except the two petition indicators, which score full points
when there was no petition, as the national portal shows them.

Sources (see also ../shared/reference/service-index-766.md): the Decision's summary by provincial departments
(sonoivu.namdinh.gov.vn, sokhdt.backan.gov.vn, dinte.gov.vn); the formula description and the points table reproduced
from the national portal's results in the public repository ChippedTopaz/qd766 (docs/FORMULA_MAXIMUMS_20261006.md:
transparency 6/4/2/6; progress 20 for 2.1, 2.2 without points; online service 12 for full-online dossiers among the
eligible, 3.1–3.3 shown without points since their split is not confirmed; digitisation 6/4/2/2/4/2/2; satisfaction
6/6/6). Online payment follows the formula description's 6/2/2 (the national table gives its 10 points to dossiers
paid online alone). Digitised components and result: target 80% (sources say 80% or 100%).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from stats.constants import GROUP_POINTS, Group

Totals = Mapping[str, int]


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return round(self.numerator / self.denominator, 4) if self.denominator else None


@dataclass(frozen=True)
class Indicator:
    code: str
    group: Group
    name: Promise
    definition: Promise
    points: float  # 0: shown, without points
    target: float = 1.0
    ratio: Callable[[Totals], Ratio] | None = None  # None: the portal cannot know it
    full_when_empty: bool = False

    @property
    def known(self) -> bool:
        return self.ratio is not None

    def score(self, totals: Totals) -> dict[str, Any]:
        """The indicator's figures for ``totals`` (the summed counters, with the figures computed when asked)."""
        row: dict[str, Any] = {
            "code": self.code,
            "group": str(self.group),
            # Left lazy: translated where they are shown (a page, the JSON, a file), not for every agency and month.
            "name": self.name,
            "definition": self.definition,
            "target": self.target,
            "max_points": self.points,
            "known": self.known,
            "numerator": None,
            "denominator": None,
            "ratio": None,
            "points": None,
        }
        if self.ratio is None:
            return row
        ratio = self.ratio(totals)
        row.update(numerator=ratio.numerator, denominator=ratio.denominator, ratio=ratio.value)
        if not self.points:
            return row
        if ratio.value is None:
            if self.full_when_empty:
                row["points"] = float(self.points)
            return row
        row["points"] = round(self.points * min(1.0, ratio.value / self.target), 2)
        return row


def _r(numerator: str, denominator: str) -> Callable[[Totals], Ratio]:
    return lambda t: Ratio(t.get(numerator, 0), t.get(denominator, 0))


def _on_time(t: Totals) -> Ratio:
    # Finished by the due date (at most one supplement request), plus those still in hand and not yet due at the
    # period's end, over all finished in the period and all in hand.
    on_time = t.get("finished_on_time", 0) + t.get("open", 0) - t.get("open_overdue", 0)
    return Ratio(on_time, t.get("finished", 0) + t.get("open", 0))


def _complaints_on_time(t: Totals) -> Ratio:
    return Ratio(t.get("complaints_on_time", 0), t.get("complaints_judged", 0))


def _complaints_satisfied(t: Totals) -> Ratio:
    return Ratio(t.get("complaints_satisfied", 0), t.get("complaints_judged", 0))


def _procedure_satisfaction(t: Totals) -> Ratio:
    """100% − (the late rate + the rate of dossiers with a complaint or a dislike), floored at 0; as a ratio over
    the dossiers it judges (those of the progress indicator)."""
    progress = _on_time(t)
    filed = t.get("filed", 0)
    if not progress.denominator or not filed:
        return Ratio(0, 0)
    late = 1 - progress.numerator / progress.denominator
    complained = t.get("complained_or_disliked", 0) / filed
    value = max(0.0, 1 - late - complained)
    return Ratio(round(value * progress.denominator), progress.denominator)


G = Group
INDICATORS: tuple[Indicator, ...] = (
    # 1. Transparency (18)
    Indicator(
        "1.1",
        G.TRANSPARENCY,
        _("Procedures announced on time"),
        _(
            "Procedures whose announcement decision was published by its deadline ÷ procedures announced. "
            "Kept in the national procedure database: the portal cannot know it."
        ),
        6,
    ),
    Indicator(
        "1.2",
        G.TRANSPARENCY,
        _("Procedures published on the national database on time"),
        _(
            "Procedures made public on the national database on time ÷ procedures to publish. Kept in the "
            "national procedure database: the portal cannot know it."
        ),
        4,
    ),
    Indicator(
        "1.3",
        G.TRANSPARENCY,
        _("Procedures published with all their parts"),
        _(
            "Published procedures in the remit with their papers, steps, processing time and legal basis ÷ "
            "published procedures in the remit."
        ),
        2,
        ratio=_r("complete_procedures", "procedures"),
    ),
    Indicator(
        "1.4",
        G.TRANSPARENCY,
        _("Dossiers synchronised with the national portal"),
        _(
            "Dossiers synchronised with the national public-service portal ÷ dossiers received. Known to the "
            "national portal only."
        ),
        6,
    ),
    # 2. Progress (20)
    Indicator(
        "2.1",
        G.PROGRESS,
        _("Dossiers settled early or on time"),
        _(
            "Dossiers returned by their due date, plus those in hand and not yet due at the period's end, ÷ "
            "dossiers returned in the period and in hand. Time waiting for the applicant's supplement does "
            "not count; a second supplement request makes the dossier late; one in hand is judged at the "
            "period's end."
        ),
        20,
        ratio=_on_time,
    ),
    Indicator(
        "2.2",
        G.PROGRESS,
        _("Average processing time (days)"),
        _(
            "Hours from reception to return of the dossiers returned in the period, over those dossiers, in "
            "days. Shown without points."
        ),
        0,
        ratio=lambda t: Ratio(round(t.get("processing_hours", 0) / 24), t.get("finished", 0)),
    ),
    # 3. Online service (12)
    Indicator(
        "3.1",
        G.ONLINE,
        _("Procedures offered online"),
        _(
            "Published procedures in the remit offered online (full or partial) ÷ published procedures in the "
            "remit; target 80%. Shown without points: their split is not confirmed."
        ),
        0,
        0.8,
        ratio=_r("online_procedures", "procedures"),
    ),
    Indicator(
        "3.2",
        G.ONLINE,
        _("Online services used"),
        _(
            "Procedures offered online that had at least one dossier filed online in the period ÷ procedures "
            "offered online. Shown without points."
        ),
        0,
        ratio=_r("used_online_procedures", "online_procedures"),
    ),
    Indicator(
        "3.3",
        G.ONLINE,
        _("Dossiers filed online"),
        _("Dossiers filed online ÷ all dossiers filed in the period; target 50%. Shown without points."),
        0,
        0.5,
        ratio=_r("online", "filed"),
    ),
    Indicator(
        "3.4",
        G.ONLINE,
        _("Full-online dossiers"),
        _("Dossiers filed online for procedures offered full online ÷ dossiers filed for those procedures."),
        12,
        ratio=_r("full_online", "full_eligible"),
    ),
    # 4. Online payment (10)
    Indicator(
        "4.1",
        G.PAYMENT,
        _("Dossiers paid online"),
        _(
            "Dossiers with a fee paid through an online provider ÷ dossiers of fee-bearing procedures filed in "
            "the period."
        ),
        6,
        ratio=_r("paid_online", "fee_bearing"),
    ),
    Indicator(
        "4.2",
        G.PAYMENT,
        _("Fee-bearing procedures paid online"),
        _(
            "Fee-bearing procedures with at least one fee paid online in the period ÷ fee-bearing procedures "
            "with dossiers in the period; target 80%."
        ),
        2,
        0.8,
        ratio=_r("paid_online_procedures", "fee_procedures_used"),
    ),
    Indicator(
        "4.3",
        G.PAYMENT,
        _("Fee-bearing procedures payable online"),
        _(
            "Published fee-bearing procedures whose fee can be paid through an online provider of the portal ÷ "
            "published fee-bearing procedures; target 80%."
        ),
        2,
        0.8,
        ratio=_r("payable_procedures", "fee_procedures"),
    ),
    # 5. Digitisation (22)
    Indicator(
        "5.1",
        G.DIGITISATION,
        _("Electronic results"),
        _("Dossiers returned with a signed electronic result ÷ dossiers returned in the period."),
        6,
        ratio=_r("e_result", "finished"),
    ),
    Indicator(
        "5.2",
        G.DIGITISATION,
        _("Digitised papers and result"),
        _(
            "Dossiers returned whose papers are in the portal as files and whose result is electronic ÷ "
            "dossiers returned; target 80% (sources say 80% or 100%)."
        ),
        4,
        0.8,
        ratio=_r("digitised", "finished"),
    ),
    Indicator(
        "5.3",
        G.DIGITISATION,
        _("Dossiers reusing what was given before"),
        _(
            "Dossiers of citizens the portal already knew from an earlier dossier, whose form came filled from "
            "what they gave before, ÷ dossiers filed; target 80%."
        ),
        2,
        0.8,
        ratio=_r("reused", "filed"),
    ),
    Indicator(
        "5.4",
        G.DIGITISATION,
        _("Dossiers using the personal data store"),
        _(
            "Dossiers using papers from the citizen's store on the national portal ÷ dossiers. Known to the "
            "national portal only."
        ),
        4,
    ),
    Indicator(
        "5.5",
        G.DIGITISATION,
        _("Procedures using the population database"),
        _(
            "Procedures integrated with the national population database and VNeID ÷ procedures. Known to the "
            "national systems only."
        ),
        2,
    ),
    Indicator(
        "5.6",
        G.DIGITISATION,
        _("Dossiers using the population database"),
        _(
            "Dossiers whose identity was checked against the population database ÷ dossiers. Known to the "
            "national systems only."
        ),
        2,
    ),
    Indicator(
        "5.7",
        G.DIGITISATION,
        _("Electronic certified copies"),
        _("Communes offering electronic certified copies ÷ communes. Known to the national portal only."),
        2,
    ),
    # 6. Satisfaction (18)
    Indicator(
        "6.1",
        G.SATISFACTION,
        _("Complaints answered on time"),
        _(
            "Complaints and suggestions due in the period answered by their due time ÷ those due whose answer "
            "or due time has come (one still open after its due time is late). Full points with none."
        ),
        6,
        ratio=_complaints_on_time,
        full_when_empty=True,
    ),
    Indicator(
        "6.2",
        G.SATISFACTION,
        _("Satisfaction with complaint handling"),
        _(
            "Complaints answered on time and not filed again on the same dossier ÷ those judged. Full points "
            "with none."
        ),
        6,
        ratio=_complaints_satisfied,
        full_when_empty=True,
    ),
    Indicator(
        "6.3",
        G.SATISFACTION,
        _("Satisfaction with procedures"),
        _(
            "100% − (the late rate of 2.1 + the rate of dossiers with a complaint or a dislike); full points "
            "at 90% or more."
        ),
        6,
        0.9,
        ratio=_procedure_satisfaction,
    ),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}


def score(totals: Totals) -> dict[str, Any]:
    """The points and every indicator's figures: ``{"total", "max", "known_max", "groups": {group: points},
    "groups_known_max": {group: points}}`` and ``indicators``, a list of ``Indicator.score`` rows."""
    rows = [indicator.score(totals) for indicator in INDICATORS]
    groups: dict[str, float] = {}
    known: dict[str, float] = {}
    for group in Group:
        scored = [row for row in rows if row["group"] == group and row["points"] is not None]
        groups[str(group)] = round(sum(row["points"] for row in scored), 2)
        known[str(group)] = sum(row["max_points"] for row in scored)
    return {
        "scores": {
            "total": round(sum(groups.values()), 2),
            "max": 100,
            "known_max": sum(known.values()),
            "groups": groups,
            "groups_max": {str(group): points for group, points in GROUP_POINTS.items()},
            "groups_known_max": known,
        },
        "indicators": rows,
    }
