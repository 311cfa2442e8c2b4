"""The reads of complaints: the service index's "answered on time" as a table of small worlds, the console's
counts, and the list as the policy's rule."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.policy import Ask, may
from complaints import selectors
from tests.factories import DossierFactory
from tests.security.conftest import PERSONAS, persona_user

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)
IN = START + timedelta(days=10)

# (case, complaints as (due_at, answered_at | None), expected (due, on time))
WORLDS: list[tuple[str, list[tuple[datetime, datetime | None]], tuple[int, int]]] = [
    ("nothing due", [], (0, 0)),
    ("answered before its due time", [(IN, IN - timedelta(days=2))], (1, 1)),
    ("answered at its due time exactly", [(IN, IN)], (1, 1)),
    ("answered a minute late", [(IN, IN + timedelta(minutes=1))], (1, 0)),
    ("still open past its due time", [(IN, None)], (1, 0)),
    ("due after the period, answered in it", [(END + timedelta(days=1), IN)], (0, 0)),
    ("due before the period", [(START - timedelta(seconds=1), START - timedelta(days=1))], (0, 0)),
    ("due at the period's start counts, at its end does not", [(START, START), (END, END)], (1, 1)),
    ("one of each", [(IN, IN), (IN, None), (IN, IN + timedelta(days=1))], (3, 1)),
]


@pytest.mark.parametrize(("complaints", "expected"), [pytest.param(c, e, id=case) for case, c, e in WORLDS])
def test_complaints_answered_on_time_count_those_due_in_the_period(
    dossier: Any,
    make_complaint: Any,
    complaints: list[tuple[datetime, datetime | None]],
    expected: tuple[int, int],
) -> None:
    for due_at, answered_at in complaints:
        make_complaint(dossier, due_at=due_at, answered_at=answered_at)
    got = selectors.answered_on_time(start=START, end=END)
    assert (got.due, got.on_time) == expected
    assert got.rate == (expected[1] / expected[0] if expected[0] else None)


def test_answered_on_time_counts_the_agencies_asked_for(
    dossier: Any, make_complaint: Any, version_b: Any, citizen: Any, agency_a: Any, agency_b: Any
) -> None:
    make_complaint(dossier, due_at=IN, answered_at=IN)
    other = DossierFactory(version=version_b, applicant=citizen, received=True)
    make_complaint(other, due_at=IN, answered_at=None)
    only_a = selectors.answered_on_time(start=START, end=END, agency_ids=[agency_a.pk])
    only_b = selectors.answered_on_time(start=START, end=END, agency_ids=[agency_b.pk])
    both = selectors.answered_on_time(start=START, end=END, agency_ids=[agency_a.pk, agency_b.pk])
    assert (only_a.due, only_a.on_time, only_b.due, only_b.on_time, both.due, both.on_time) == (
        1,
        1,
        1,
        0,
        2,
        1,
    )


def test_the_console_counts_the_agencys_open_and_overdue_complaints(
    dossier: Any, make_complaint: Any, agency_a: Any, agency_b: Any
) -> None:
    now = timezone.now()
    make_complaint(dossier)
    make_complaint(dossier, due_at=now - timedelta(hours=1))
    make_complaint(dossier, due_at=now - timedelta(days=1), answered_at=now)
    assert selectors.open_counts(agency_id=agency_a.pk) == selectors.OpenCounts(open=2, overdue=1)
    assert selectors.open_counts(agency_id=agency_b.pk) == selectors.OpenCounts(open=0, overdue=0)


@pytest.fixture
def complained(make_dossier: Any, make_complaint: Any) -> list[Any]:
    """A complaint on each kind of dossier, in each state a complaint can be filed in."""
    return [
        make_complaint(make_dossier(kind, state))
        for kind in ("online_a", "online_b", "walk_in_joined", "walk_in_b")
        for state in ("submitted", "assessing", "returned", "rejected", "withdrawn")
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_of_complaints_is_the_policys_rule(
    request: pytest.FixtureRequest, complained: list[Any], persona: str
) -> None:
    user = persona_user(request, persona)
    listed = set(selectors.visible_complaints(user).values_list("pk", flat=True))
    readable = {c.pk for c in complained if may(user, Ask.COMPLAINTS, c.dossier)}
    assert listed == readable
