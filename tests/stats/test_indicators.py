"""Each indicator of the service index as a table of small worlds: the dossiers, and the ratio and points expected."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import DossierFactory, ProcedureVersionFactory
from tests.stats.conftest import (
    add_complaint,
    add_document,
    add_invoice,
    add_rating,
    add_result,
    add_supplement_requests,
    indicator,
)

DAY = datetime.timedelta(days=1)


def _returned(version: Any, citizen: Any, *, late: bool = False, **kwargs: Any) -> Any:
    due = timezone.now() + (-DAY if late else DAY)
    return DossierFactory(version=version, applicant=citizen, returned=True, due_at=due, **kwargs)


def _in_hand(version: Any, citizen: Any, *, overdue: bool = False, **kwargs: Any) -> Any:
    due = timezone.now() + (-DAY if overdue else DAY)
    return DossierFactory(version=version, applicant=citizen, received=True, due_at=due, **kwargs)


def on_time_world(v: Any, c: Any) -> None:
    _returned(v, c)
    _returned(v, c, late=True)
    _in_hand(v, c)  # not yet due at the period's end: on time
    _in_hand(v, c, overdue=True)


def second_supplement_world(v: Any, c: Any) -> None:
    add_supplement_requests(_returned(v, c), 1)  # one supplement request: still on time
    add_supplement_requests(_returned(v, c), 2)  # a second one makes it late


def unfinished_only_world(v: Any, c: Any) -> None:
    _in_hand(v, c, overdue=True)
    DossierFactory(version=v, applicant=c, submitted=True)  # not received: not judged yet


def online_world(v: Any, c: Any) -> None:
    for channel in ("online", "online", "online", "counter"):
        DossierFactory(version=v, applicant=c, submitted=True, channel=channel)


def full_online_world(v: Any, c: Any) -> None:
    partial = ProcedureVersionFactory(published=True, agency=v.agency, online_level="partial")
    for channel in ("online", "counter", "counter", "counter"):
        DossierFactory(version=v, applicant=c, submitted=True, channel=channel)
    DossierFactory(version=partial, applicant=c, submitted=True)  # not eligible: not counted


def paid_online_world(v: Any, c: Any) -> None:
    for status, online in (("paid", True), ("paid", True), ("paid", False), ("open", False)):
        add_invoice(DossierFactory(version=v, applicant=c, submitted=True), status=status, online=online)
    DossierFactory(version=v, applicant=c, submitted=True)  # no fee: not counted


def e_result_world(v: Any, c: Any) -> None:
    add_result(_returned(v, c))
    _returned(v, c)


def digitised_world(v: Any, c: Any) -> None:
    both = _returned(v, c)
    add_result(both)
    add_document(both)
    add_result(_returned(v, c))  # an electronic result, papers not digitised


def reused_world(v: Any, c: Any) -> None:
    first = DossierFactory(version=v, applicant=c, submitted=True)
    DossierFactory(version=v, applicant=c, submitted=True, submitted_at=first.submitted_at + DAY / 24)
    DossierFactory(version=v, submitted=True)  # someone else's first dossier


def complaints_world(v: Any, c: Any) -> None:
    dossier = _in_hand(v, c)
    add_complaint(dossier, due_in_hours=-2, answered_after_hours=1)  # answered before its due time
    add_complaint(_in_hand(v, c), due_in_hours=-2, answered_after_hours=30)  # answered after it
    add_complaint(_in_hand(v, c), due_in_hours=-1)  # open past its due time: late
    add_complaint(_in_hand(v, c), due_in_hours=48)  # open, not yet due: not judged


def refiled_world(v: Any, c: Any) -> None:
    dossier = _in_hand(v, c)
    add_complaint(dossier, due_in_hours=-3, answered_after_hours=1)
    add_complaint(dossier, due_in_hours=-2, answered_after_hours=1)  # filed again: the first is not satisfied


def no_complaint_world(v: Any, c: Any) -> None:
    _returned(v, c)


def procedure_satisfaction_world(v: Any, c: Any) -> None:
    _returned(v, c)
    _returned(v, c)
    _returned(v, c, late=True)
    add_rating(_returned(v, c), 1, "slow")  # a dislike
    # on time 3/4 (late 25%), disliked or complained 1/4: 100% − 50% = 50%, pro rata to 90%


WORLDS: list[tuple[str, Callable[[Any, Any], None], str, int, int, float | None]] = [
    # name, world, indicator, numerator, denominator, points
    ("on time and not yet due against late", on_time_world, "2.1", 2, 4, 10.0),
    ("a second supplement request is late", second_supplement_world, "2.1", 1, 2, 10.0),
    ("a dossier in hand is judged at the period's end", unfinished_only_world, "2.1", 0, 1, 0.0),
    ("filed online, shown without points", online_world, "3.3", 3, 4, None),
    ("full online among the eligible", full_online_world, "3.4", 1, 4, 3.0),
    ("paid online among the fee-bearing", paid_online_world, "4.1", 2, 4, 3.0),
    ("electronic results", e_result_world, "5.1", 1, 2, 3.0),
    ("digitised papers and result, target 80%", digitised_world, "5.2", 1, 2, 2.5),
    ("reusing what was given before, target 80%", reused_world, "5.3", 1, 3, 0.83),
    ("complaints answered on time", complaints_world, "6.1", 1, 3, 2.0),
    ("complaints filed again are not satisfied", refiled_world, "6.2", 1, 2, 3.0),
    ("no complaint: full points", no_complaint_world, "6.1", 0, 0, 6.0),
    ("satisfaction with procedures, full at 90%", procedure_satisfaction_world, "6.3", 2, 4, 3.33),
]


@pytest.mark.parametrize(
    ("world", "code", "numerator", "denominator", "points"),
    [pytest.param(*row[1:], id=row[0]) for row in WORLDS],
)
def test_each_indicator_counts_its_world(
    agency_a: Any,
    citizen: Any,
    index: Any,
    world: Callable[[Any, Any], None],
    code: str,
    numerator: int,
    denominator: int,
    points: float | None,
) -> None:
    world(ProcedureVersionFactory(published=True, agency=agency_a), citizen)

    row = indicator(index(), code)

    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    assert row["points"] == points


def test_indicators_the_portal_cannot_know_are_shown_as_such_and_left_out_of_the_points(
    agency_a: Any, citizen: Any, index: Any
) -> None:
    on_time_world(ProcedureVersionFactory(published=True, agency=agency_a), citizen)

    data = index()

    unknown = {row["code"] for row in data["indicators"] if not row["known"]}
    assert unknown == {"1.1", "1.2", "1.4", "5.4", "5.5", "5.6", "5.7"}
    assert all(indicator(data, code)["points"] is None for code in unknown)
    assert data["scores"]["known_max"] < 100
    assert data["scores"]["max"] == 100
    assert data["scores"]["groups_max"] == {
        "transparency": 18,
        "progress": 20,
        "online": 12,
        "payment": 10,
        "digitisation": 22,
        "satisfaction": 18,
    }


def test_the_total_is_the_sum_of_the_groups_and_the_groups_of_their_indicators(
    agency_a: Any, citizen: Any, index: Any
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    for world in (on_time_world, paid_online_world, digitised_world, complaints_world):
        world(version, citizen)

    data = index()

    for group, points in data["scores"]["groups"].items():
        mine = [row["points"] or 0 for row in data["indicators"] if row["group"] == group]
        assert points == pytest.approx(sum(mine))
        assert points <= data["scores"]["groups_max"][group]
    assert data["scores"]["total"] == pytest.approx(sum(data["scores"]["groups"].values()))


def test_a_period_without_dossiers_has_no_rates(db: Any, index: Any) -> None:
    from stats.selectors import Scope

    data = index(Scope(start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31)))

    assert set(data["rates"].values()) == {None}


def test_catalogue_indicators_count_the_published_procedures_of_the_remit(
    agency_a: Any, agency_b: Any, index: Any
) -> None:
    ProcedureVersionFactory(published=True, agency=agency_a)
    ProcedureVersionFactory(published=True, agency=agency_a, legal_basis="")  # incomplete
    ProcedureVersionFactory(published=True, agency=agency_b)
    ProcedureVersionFactory(agency=agency_a)  # a draft: not in the catalogue

    from stats.selectors import Scope, agency_with_children

    today = timezone.localdate()
    data = index(Scope(start=today, end=today, agency_ids=agency_with_children(agency_a.pk)))

    assert (indicator(data, "1.3")["numerator"], indicator(data, "1.3")["denominator"]) == (1, 2)
    assert indicator(data, "4.3")["denominator"] == 2
