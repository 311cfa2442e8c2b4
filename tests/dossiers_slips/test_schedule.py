"""The SLA schedule: the apology with a new date, the beat's due-soon and overdue counts, and the beat that
apologises for overdue dossiers once, however often or however many times at once it runs."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from dossiers import schedule, tasks
from dossiers.models import Apology, Dossier, DossierEvent
from portal.celery import app as celery_app
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
from tests.concurrency import run_at_once
from tests.dossiers_slips.conftest import Journey, at
from tests.factories import DossierFactory, ProcedureVersionFactory

# Received Monday 8/3/2027 at 9:00 with five working days: due Monday 15/3 at 17:00.
RECEIVED = at("2027-03-08", "09:00")
DUE = at("2027-03-15", "17:00")


@pytest.fixture
def assessing(journey: Journey) -> Dossier:
    journey.to("assessing", start=RECEIVED)
    assert journey.dossier.due_at == DUE
    return journey.dossier


# The factory's trait that puts a dossier in each state.
TRAIT = {"assessing": "received", "approving": "assessed", "signing": "approved"}


def overdue_dossier(
    version: Any, state: str = "assessing", late_by: timedelta = timedelta(days=1)
) -> Dossier:
    """A dossier in ``state`` whose due date passed ``late_by`` ago (by the real clock: the beat reads it)."""
    return DossierFactory(version=version, due_at=timezone.now() - late_by, **{TRAIT.get(state, state): True})


# --- apology_issue ------------------------------------------------------------------------------------------------


def test_an_apology_moves_the_due_date_and_is_written_in_the_history(
    assessing: Dossier, receiver: Any
) -> None:
    apology = schedule.apology_issue(
        dossier_id=assessing.pk,
        reason="Cần xác minh tại cơ quan công an.",
        new_due_at=at("2027-03-19", "17:00"),
        actor=receiver,
        now=at("2027-03-15", "10:00"),
    )

    assessing.refresh_from_db()
    event = assessing.events.get(action="apology")
    assert assessing.due_at == at("2027-03-19", "17:00")
    assert assessing.state == "assessing"
    assert (apology.original_due_at, apology.new_due_at, apology.issued_by) == (
        DUE,
        at("2027-03-19", "17:00"),
        receiver,
    )
    assert (event.from_state, event.to_state, event.comment) == ("assessing", "assessing", apology.reason)
    assert (event.actor, event.at) == (receiver, at("2027-03-15", "10:00"))


@pytest.mark.parametrize(
    ("processing_days", "now", "new_due_at"),
    [
        (5, at("2027-03-16", "10:00"), at("2027-03-18", "17:00")),  # half of 5 is 2 working days
        (10, at("2027-03-16", "10:00"), at("2027-03-23", "17:00")),  # half of 10 is 5
        (1, at("2027-03-16", "10:00"), at("2027-03-18", "17:00")),  # never under 2
        (5, at("2027-03-19", "10:00"), at("2027-03-23", "17:00")),  # from a Friday: over the weekend
    ],
)
def test_the_default_new_date_is_half_the_processing_time_again_at_least_two_working_days(
    agency_a: Any, processing_days: int, now: datetime, new_due_at: datetime
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a, processing_days=processing_days)
    dossier = DossierFactory(version=version, received=True, due_at=at("2027-03-15", "17:00"))

    apology = schedule.apology_issue(dossier_id=dossier.pk, reason="Quá hạn.", now=now)

    assert apology.new_due_at == new_due_at


@pytest.mark.parametrize(
    "state", ["submitted", "supplement_requested", "result_ready", "returned", "rejected"]
)
def test_no_apology_for_a_dossier_whose_clock_is_not_running_in_the_agency(version: Any, state: str) -> None:
    dossier = DossierFactory(version=version, due_at=DUE, **{state: True})

    with pytest.raises(InvalidState):
        schedule.apology_issue(dossier_id=dossier.pk, reason="Quá hạn.", now=at("2027-03-16"))

    assert not Apology.objects.exists()


def test_the_new_date_must_come_after_the_due_date(assessing: Dossier) -> None:
    with pytest.raises(ServiceError) as error:
        schedule.apology_issue(
            dossier_id=assessing.pk, reason="Quá hạn.", new_due_at=DUE, now=at("2027-03-12", "10:00")
        )

    assert error.value.code == "new_date_too_early"
    assessing.refresh_from_db()
    assert assessing.due_at == DUE


def test_an_apology_needs_a_reason(assessing: Dossier) -> None:
    with pytest.raises(ServiceError) as error:
        schedule.apology_issue(dossier_id=assessing.pk, reason="  ", now=at("2027-03-16"))

    assert error.value.code == "reason_required"


@pytest.mark.parametrize(
    ("persona", "error"), [("receiver_b", NotFound), ("assessor_b", NotFound), ("citizen", NotAllowed)]
)
def test_only_staff_of_the_agency_may_apologise(
    request: Any, assessing: Dossier, persona: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        schedule.apology_issue(
            dossier_id=assessing.pk,
            reason="Quá hạn.",
            actor=request.getfixturevalue(persona),
            now=at("2027-03-16"),
        )

    assert not Apology.objects.exists()


def test_what_is_registered_for_an_apology_runs_once_it_is_committed(
    assessing: Dossier, django_capture_on_commit_callbacks: Any
) -> None:
    told: list[int] = []

    with schedule.ON_APOLOGY.replaced(told.append), django_capture_on_commit_callbacks(execute=True):
        apology = schedule.apology_issue(dossier_id=assessing.pk, reason="Quá hạn.", now=at("2027-03-16"))
        assert told == []

    assert told == [apology.pk]


def test_a_claim_on_a_due_date_that_moved_on_issues_nothing(assessing: Dossier) -> None:
    schedule.apology_issue(dossier_id=assessing.pk, reason="Lần đầu.", now=at("2027-03-16"))

    again = schedule.apology_issue(
        dossier_id=assessing.pk, reason="Lần hai.", expected_due_at=DUE, now=at("2027-03-16", "10:00")
    )

    assert again is None
    assert list(Apology.objects.values_list("reason", flat=True)) == ["Lần đầu."]
    assert assessing.events.filter(action="apology").count() == 1


# --- due_dossiers and flag_due ------------------------------------------------------------------------------------

NOW = at("2027-03-10", "10:00")  # a Wednesday


@pytest.mark.parametrize(
    ("state", "due_at", "expected"),
    [
        ("assessing", at("2027-03-10", "17:00"), "due_soon"),  # today
        ("approving", at("2027-03-11", "17:00"), "due_soon"),  # by the end of the next working day
        ("assessing", at("2027-03-12", "17:00"), None),  # the day after
        ("assessing", at("2027-03-09", "17:00"), "overdue"),
        ("result_ready", at("2027-03-09", "17:00"), "overdue"),  # not handed over
        ("supplement_requested", at("2027-03-09", "17:00"), None),  # the clock is paused
        ("returned", at("2027-03-09", "17:00"), None),
    ],
)
def test_due_dossiers_tells_due_soon_from_overdue(
    version: Any, state: str, due_at: datetime, expected: str | None
) -> None:
    dossier = DossierFactory(version=version, due_at=due_at, **{TRAIT.get(state, state): True})

    due_soon, overdue = schedule.due_dossiers(NOW)

    assert (dossier.pk in due_soon, dossier.pk in overdue) == (expected == "due_soon", expected == "overdue")


def test_on_a_friday_a_dossier_due_on_monday_is_due_soon(version: Any) -> None:
    dossier = DossierFactory(version=version, received=True, due_at=at("2027-03-15", "17:00"))

    due_soon, _ = schedule.due_dossiers(at("2027-03-12", "10:00"))

    assert due_soon == [dossier.pk]


def test_flag_due_counts_each_agencys_due_soon_and_overdue_dossiers(version: Any, agency_b: Any) -> None:
    version_b = ProcedureVersionFactory(published=True, agency=agency_b)
    DossierFactory(version=version, received=True, due_at=at("2027-03-10", "17:00"))
    DossierFactory(version=version, received=True, due_at=at("2027-03-09", "17:00"))
    DossierFactory(version=version, assessed=True, due_at=at("2027-03-01", "17:00"))
    DossierFactory(version=version_b, received=True, due_at=at("2027-03-11", "17:00"))
    DossierFactory(version=version_b, received=True, due_at=at("2027-04-11", "17:00"))

    assert schedule.flag_due(NOW) == {
        "H12.01": {"due_soon": 1, "overdue": 2},
        "H12.02": {"due_soon": 1, "overdue": 0},
    }


# --- issue_apologies ----------------------------------------------------------------------------------------------


def test_the_beat_apologises_once_for_each_overdue_dossier(version: Any) -> None:
    late = overdue_dossier(version)
    also_late = overdue_dossier(version, state="signing")
    on_time = DossierFactory(version=version, received=True, due_at=timezone.now() + timedelta(days=3))
    ready = overdue_dossier(version, state="result_ready")
    paused = overdue_dossier(version, state="supplement_requested")

    first = tasks.issue_apologies()
    second = tasks.issue_apologies()

    assert (first, second) == (2, 0)
    assert sorted(Apology.objects.values_list("dossier_id", flat=True)) == sorted([late.pk, also_late.pk])
    for dossier in (on_time, ready, paused):
        assert not dossier.apologies.exists()
    late.refresh_from_db()
    assert late.due_at > timezone.now()
    assert DossierEvent.objects.filter(action="apology", actor=None).count() == 2


def test_the_beat_apologises_again_when_the_new_date_passes_too(version: Any) -> None:
    dossier = overdue_dossier(version)
    schedule.issue_apologies(timezone.now())
    dossier.refresh_from_db()

    after_the_new_date = dossier.due_at + timedelta(hours=1)
    issued = schedule.issue_apologies(after_the_new_date)

    assert issued == 1
    first, second = dossier.apologies.order_by("issued_at")
    assert second.original_due_at == first.new_due_at
    assert "đang thẩm định" in second.reason


def test_the_beat_runs_the_due_jobs(settings: Any) -> None:
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"dossiers.tasks.flag_due", "dossiers.tasks.issue_apologies"} <= scheduled
    assert {"dossiers.tasks.flag_due", "dossiers.tasks.issue_apologies"} <= set(celery_app.tasks)


def test_the_flag_due_task_returns_the_counts(version: Any) -> None:
    overdue_dossier(version)

    assert tasks.flag_due() == {"H12.01": {"due_soon": 0, "overdue": 1}}


# --- Two beats at once (PostgreSQL: real row locks) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_issue_one_apology_per_dossier(version: Any) -> None:
    dossiers = [overdue_dossier(version) for _ in range(5)]

    results = run_at_once([schedule.issue_apologies, schedule.issue_apologies, schedule.issue_apologies])

    assert sum(results) == 5, results
    for dossier in dossiers:
        assert dossier.apologies.count() == 1
        assert dossier.events.filter(action="apology").count() == 1
