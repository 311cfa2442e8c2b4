"""The dossier register's entry numbers (form 07, named on the receipt) under real parallel connections on
PostgreSQL: receptions of one agency at once take distinct numbers with no gap, through the same locked counter
as the result numbers, in their own book."""

from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from dossiers import workflow
from dossiers.models import RegisterEntry, ResultNumberCounter
from tests.concurrency import run_at_once
from tests.factories import DossierFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_receptions_at_once_take_distinct_register_numbers_without_a_gap(
    version_a: Any, citizen: Any, receiver: Any
) -> None:
    dossiers = [DossierFactory(version=version_a, applicant=citizen, submitted=True) for _ in range(6)]

    outcome = run_at_once(
        [
            lambda dossier=dossier: workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)
            for dossier in dossiers
        ]
    )

    assert all(not isinstance(result, Exception) for result in outcome), outcome
    numbers = sorted(RegisterEntry.objects.filter(dossier__in=dossiers).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
    year = timezone.localtime(timezone.now()).year
    assert ResultNumberCounter.objects.get(agency=version_a.agency, book="register", year=year).last == 6
    assert not ResultNumberCounter.objects.filter(book="result").exists()  # the results' book is untouched
