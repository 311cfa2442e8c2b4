"""The register of result numbers under real parallel connections on PostgreSQL: approvals of one agency at
once take distinct numbers with no gap, even for the first number of a year (the counter row is created by
racing inserts), and a rolled-back approval gives its number back."""

from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from dossiers import results
from dossiers.models import ResultNumber, ResultNumberCounter
from tests.concurrency import run_at_once
from tests.factories import DossierFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


class RolledBack(Exception):
    """Raised inside a transaction to undo it."""


def test_approvals_at_once_take_distinct_numbers_without_a_gap(
    version_a: Any, citizen: Any, approver: Any
) -> None:
    dossiers = [DossierFactory(version=version_a, applicant=citizen, approved=True) for _ in range(8)]
    assert not ResultNumberCounter.objects.exists()  # the year's first numbers: the counter row races too

    taken = run_at_once(
        [lambda dossier=dossier: results.number_assign(dossier, approver).number for dossier in dossiers]
    )

    assert sorted(taken) == list(range(1, 9)), taken
    year = timezone.localtime(timezone.now()).year
    assert ResultNumberCounter.objects.get(agency=version_a.agency, year=year).last == 8
    assert ResultNumber.objects.filter(agency=version_a.agency).count() == 8


def test_approvals_through_the_workflow_at_once_are_numbered_in_the_approvals_transaction(
    version_a: Any, citizen: Any, approver: Any, settings: Any
) -> None:
    from dossiers import workflow

    settings.CELERY_TASK_ALWAYS_EAGER = False  # signing is left for the worker: only the approvals race
    dossiers = [DossierFactory(version=version_a, applicant=citizen, assessed=True) for _ in range(4)]
    with workflow.ON_COMMIT[workflow.Action.APPROVE].replaced():
        outcome = run_at_once(
            [
                lambda dossier=dossier: workflow.apply(
                    dossier_id=dossier.pk, action="approve", actor=approver
                )
                for dossier in dossiers
            ]
        )

    assert all(not isinstance(result, Exception) for result in outcome), outcome
    numbers = sorted(ResultNumber.objects.filter(dossier__in=dossiers).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]


def test_a_rolled_back_approval_gives_its_number_back(version_a: Any, citizen: Any, approver: Any) -> None:
    first, second = (DossierFactory(version=version_a, applicant=citizen, approved=True) for _ in range(2))

    with pytest.raises(RolledBack), transaction.atomic():
        assert results.number_assign(first, approver).number == 1
        raise RolledBack

    assert results.number_assign(second, approver).number == 1
