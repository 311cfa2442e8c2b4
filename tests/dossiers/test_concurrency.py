"""Real parallel connections on PostgreSQL: two clerks acting on one dossier, and the daily code sequence.

Each thread has its own database connection and starts at a barrier, so the transactions really overlap; the row
lock (``select_for_update``) of the dossier and of the agency's code counter must serialise them. CI runs on
PostgreSQL, where these never skip; SQLite has no row locks to test.
"""

import re
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.constants import Role
from dossiers import codes, history, services, sla, workflow
from dossiers.models import Dossier, DossierEvent
from portal.errors import InvalidState
from tests.concurrency import run_at_once
from tests.dossiers.conftest import FAST_HASHERS, attach_required_papers
from tests.factories import DossierFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def today() -> Any:
    return timezone.localtime(timezone.now(), sla.TZ).date()


class RolledBack(Exception):
    """Raised inside a transaction to undo it."""


def test_two_approvers_approving_one_dossier_at_once_one_wins_and_the_other_gets_a_conflict(
    approver: Any, version_a: Any, citizen: Any
) -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        second_approver = UserFactory(username="approver2", role=Role.APPROVER, agency=approver.agency)
    dossier = DossierFactory(version=version_a, applicant=citizen, assessed=True)

    results = run_at_once(
        [
            lambda actor=actor: workflow.apply(dossier_id=dossier.pk, action="approve", actor=actor)
            for actor in (approver, second_approver)
        ]
    )

    assert sorted(type(result).__name__ for result in results) == ["Dossier", "InvalidState"]
    winner = next(result for result in results if isinstance(result, Dossier))
    dossier.refresh_from_db()
    assert dossier.state == "signing"
    events = DossierEvent.objects.filter(dossier=dossier, action="approve")
    assert events.count() == 1
    assert events.get().actor_id == winner.events.get(action="approve").actor_id


def test_two_receivers_receiving_one_dossier_at_once_through_the_api_get_200_and_409(
    api: Any, receiver: Any, version_a: Any, citizen: Any
) -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        second_receiver = UserFactory(username="receiver2", role=Role.RECEIVER, agency=receiver.agency)
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)
    attach_required_papers(dossier)

    statuses = run_at_once(
        [
            lambda clerk=clerk: (
                api(clerk)
                .post(f"/api/v1/dossiers/{dossier.pk}/actions/receive/", {}, format="json")
                .status_code
            )
            for clerk in (receiver, second_receiver)
        ]
    )

    assert sorted(statuses) == [200, 409]
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1
    dossier.refresh_from_db()
    assert dossier.state == "assessing"


def test_receivers_of_two_agencies_receiving_one_dossier_at_once_get_200_and_409_never_404(
    api: Any, receiver: Any, receiver_b: Any, version_a: Any, citizen: Any, monkeypatch: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)
    attach_required_papers(dossier)
    # "At once" made certain rather than left to the threads' timing: the winner's reception does not commit before
    # both counters have looked at the dossier (the loser then waits on the row lock and finds it taken).
    looked: set[int] = set()
    both_looked = threading.Event()
    real_may = workflow.may

    def may(user: Any, ask: Any, seen: Any) -> bool:
        looked.add(threading.get_ident())
        if len(looked) == 2:
            both_looked.set()
        return real_may(user, ask, seen)

    def hold_until_both_looked(dossier: Any, actor: Any) -> None:
        assert both_looked.wait(timeout=60)

    monkeypatch.setattr(workflow, "may", may)
    receive_effects = workflow.IN_TRANSACTION[workflow.Action.RECEIVE]
    with receive_effects.replaced(*receive_effects, hold_until_both_looked):
        statuses = run_at_once(
            [
                lambda clerk=clerk: (
                    api(clerk)
                    .post(f"/api/v1/dossiers/{dossier.pk}/actions/receive/", {}, format="json")
                    .status_code
                )
                for clerk in (receiver, receiver_b)
            ]
        )

    assert sorted(statuses) == [200, 409]
    assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1


def _sequence_numbers(codes_issued: list[str], agency_code: str) -> dict[str, list[int]]:
    """The sequence numbers of the codes, by day (a run crossing midnight starts a new day at 0001)."""
    by_day: dict[str, list[int]] = {}
    for code in codes_issued:
        match = re.fullmatch(rf"{re.escape(agency_code)}-(\d{{6}})-(\d{{4}})", code)
        assert match, code
        by_day.setdefault(match[1], []).append(int(match[2]))
    return {day: sorted(numbers) for day, numbers in by_day.items()}


def _complete_drafts(version: Any, citizen: Any, count: int) -> list[Dossier]:
    drafts = [DossierFactory(version=version, applicant=citizen) for _ in range(count)]
    for draft in drafts:
        attach_required_papers(draft)
    return drafts


def test_sixteen_parallel_submissions_in_one_agency_get_gap_free_unique_codes(
    version_a: Any, citizen: Any, agency_a: Any
) -> None:
    drafts = _complete_drafts(version_a, citizen, 16)

    results = run_at_once(
        [lambda pk=draft.pk: services.submit(dossier_id=pk, actor=citizen) for draft in drafts]
    )

    assert [type(result).__name__ for result in results] == ["Dossier"] * 16
    issued = list(Dossier.objects.filter(pk__in=[d.pk for d in drafts]).values_list("code", flat=True))
    assert len(set(issued)) == 16
    assert all(
        numbers == list(range(1, len(numbers) + 1))
        for numbers in _sequence_numbers(issued, "H12.01").values()
    )


def test_submissions_rolled_back_after_taking_a_code_give_their_numbers_back(
    version_a: Any, citizen: Any, agency_a: Any
) -> None:
    drafts = _complete_drafts(version_a, citizen, 16)

    def submit(pk: int, *, roll_back: bool) -> Any:
        with transaction.atomic():
            dossier = workflow.apply(dossier_id=pk, action=workflow.Action.SUBMIT, actor=citizen)
            if roll_back:
                raise RolledBack(dossier.code)
        return dossier

    # Every fourth submission fails after its code was taken (a later step of the same transaction failed).
    results = run_at_once(
        [lambda pk=draft.pk, n=n: submit(pk, roll_back=n % 4 == 0) for n, draft in enumerate(drafts)]
    )

    assert Counter(type(result).__name__ for result in results) == {"Dossier": 12, "RolledBack": 4}
    issued = [
        code
        for code in Dossier.objects.filter(pk__in=[d.pk for d in drafts]).values_list("code", flat=True)
        if code
    ]
    assert len(issued) == len(set(issued)) == 12
    assert all(
        numbers == list(range(1, len(numbers) + 1))
        for numbers in _sequence_numbers(issued, "H12.01").values()
    )
    assert Dossier.objects.filter(pk__in=[d.pk for d in drafts], state="draft").count() == 4


def test_a_code_taken_in_a_transaction_that_rolls_back_is_issued_again(agency_a: Any) -> None:
    day = today()
    with pytest.raises(RolledBack), transaction.atomic():
        taken = codes.next_code(agency_a, day)
        raise RolledBack(taken)

    with transaction.atomic():
        again = codes.next_code(agency_a, day)
    with transaction.atomic():
        following = codes.next_code(agency_a, day)

    assert taken == again == f"H12.01-{day:%y%m%d}-0001"
    assert following == f"H12.01-{day:%y%m%d}-0002"


def test_a_code_is_only_issued_inside_the_transaction_that_stores_it(agency_a: Any) -> None:
    with pytest.raises(RuntimeError):
        codes.next_code(agency_a, today())


def test_approving_and_sending_back_one_dossier_at_once_does_one_and_refuses_the_other(
    approver: Any, version_a: Any, citizen: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=citizen, assessed=True)

    results = run_at_once(
        [
            lambda: workflow.apply(dossier_id=dossier.pk, action="approve", actor=approver),
            lambda: workflow.apply(
                dossier_id=dossier.pk,
                action="send_back",
                actor=approver,
                input=workflow.Reason(comment="Thiếu ý kiến thẩm định"),
            ),
        ]
    )

    assert sum(isinstance(result, InvalidState) for result in results) == 1
    dossier.refresh_from_db()
    done = next(result for result in results if isinstance(result, Dossier))
    assert dossier.state == done.state
    assert DossierEvent.objects.filter(dossier=dossier).exclude(action="create").count() == 1


def test_history_rows_written_at_once_stay_one_chain(version_a: Any, citizen: Any, assessor: Any) -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        assessors = [assessor] + [
            UserFactory(username=f"assessor{n}", role=Role.ASSESSOR, agency=assessor.agency) for n in range(5)
        ]
    dossier = DossierFactory(version=version_a, applicant=citizen, received=True)

    results = run_at_once(
        [
            lambda actor=actor: services.dossier_assign(dossier_id=dossier.pk, actor=actor)
            for actor in assessors
        ]
    )

    assert [type(result).__name__ for result in results] == ["Dossier"] * len(assessors)
    rows = list(DossierEvent.objects.filter(dossier=dossier).order_by("id"))
    assert len(rows) == len(assessors)
    assert [row.prev_hash for row in rows] == ["", *(row.hash for row in rows[:-1])]
    dossier.refresh_from_db()
    assert dossier.history_head == rows[-1].hash
    assert list(history.verify()) == []
