"""Real parallel connections on PostgreSQL: events on different dossiers that share a tally row at once, and the
same dossier's payment and transition at once, lose no count (the upsert adds; the contribution's row lock)."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import override_settings

from dossiers import services as dossiers
from dossiers import workflow
from stats import services
from stats.models import Tally
from tests.concurrency import run_at_once
from tests.dossiers.conftest import FAST_HASHERS
from tests.factories import DossierFactory, ProcedureVersionFactory
from tests.stats.test_rollup import _tallies

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_sixteen_submissions_at_once_into_one_tally_row_are_all_counted(agency_a: Any, citizen: Any) -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        version = ProcedureVersionFactory(published=True, agency=agency_a, content=False)
        drafts = [DossierFactory(version=version, applicant=citizen, form_data={}) for _ in range(16)]

    results = run_at_once([lambda pk=d.pk: dossiers.submit(dossier_id=pk, actor=citizen) for d in drafts])

    assert [type(r).__name__ for r in results] == ["Dossier"] * 16
    assert sum(Tally.objects.values_list("filed", flat=True)) == 16
    kept = _tallies()
    services.rebuild()
    assert _tallies() == kept


def test_receptions_and_withdrawals_racing_on_the_same_dossiers_keep_the_counts_exact(
    agency_a: Any, citizen: Any, receiver: Any
) -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        version = ProcedureVersionFactory(published=True, agency=agency_a, content=False)
        drafts = [DossierFactory(version=version, applicant=citizen, form_data={}) for _ in range(6)]
    for draft in drafts:
        dossiers.submit(dossier_id=draft.pk, actor=citizen)
    jobs = []
    for draft in drafts:
        jobs.append(lambda pk=draft.pk: workflow.apply(dossier_id=pk, action="receive", actor=receiver))
        jobs.append(lambda pk=draft.pk: workflow.apply(dossier_id=pk, action="withdraw", actor=citizen))

    run_at_once(jobs)  # one of each pair wins, the other is refused (409)

    kept = _tallies()
    services.rebuild()
    assert _tallies() == kept
    assert sum(Tally.objects.values_list("filed", flat=True)) == 6
