"""The only place the rollups change: ``refresh`` after an event (in its transaction), ``rebuild`` from scratch.

``refresh`` takes back what a dossier or a complaint added to the tallies and adds what it adds now, under a lock on
its ``Contribution`` row; the tallies move by ``UPDATE ... SET n = n + delta`` (an upsert), so two events on different
dossiers of the same month and agency never lose each other's counts. ``rebuild`` sums every source's contribution
from scratch (stats.rollup's definitions, shared with ``refresh``) and replaces the tallies; on PostgreSQL it holds
the rollups' tables for that time, so an event waits for it instead of being lost.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from stats import rollup
from stats.constants import COUNTERS
from stats.models import Contribution, Tally

KEY_COLUMNS = ("month", "agency_id", "procedure_id", "sector_id", "channel", "due_month")


def _upsert(delta: rollup.Rows) -> None:
    if not delta:
        return
    table = Tally._meta.db_table
    columns = [*KEY_COLUMNS, *COUNTERS]
    marks = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "  # noqa: S608 - names are ours
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET "
        + ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in COUNTERS)
    )
    params: list[list[Any]] = [
        [*rollup.key_of(key), *(counters.get(name, 0) for name in COUNTERS)]
        for key, counters in sorted(delta.items())  # one order for every writer: no deadlock between two
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _current(sources: list[str]) -> dict[str, rollup.Rows]:
    now: dict[str, rollup.Rows] = {source: {} for source in sources}
    dossier_ids = [int(s[1:]) for s in sources if s[0] == "d"]
    complaint_ids = [int(s[1:]) for s in sources if s[0] == "c"]
    if dossier_ids:
        for facts in rollup.dossier_facts().filter(pk__in=dossier_ids):
            now[f"d{facts['pk']}"] = rollup.dossier_rows(facts)
    if complaint_ids:
        for complaint in rollup.complaint_facts().filter(pk__in=complaint_ids):
            now[f"c{complaint['pk']}"] = rollup.complaint_rows(complaint)
    return now


@transaction.atomic
def refresh(*, dossier_ids: Iterable[int] = (), complaint_ids: Iterable[int] = ()) -> None:
    """Bring the tallies up to date with the dossiers' and complaints' present state, in the caller's transaction."""
    sources = sorted(set(rollup.sources_of(dossier_ids, complaint_ids)))
    if not sources:
        return
    # A row to lock for each source, then the lock: two events on one dossier take turns, the second reading
    # the first one's contribution.
    Contribution.objects.bulk_create(
        [Contribution(source=source, rows={}) for source in sources], ignore_conflicts=True
    )
    old = {
        c.source: c.rows
        for c in Contribution.objects.select_for_update().filter(source__in=sources).order_by("source")
    }
    new = _current(sources)
    delta: rollup.Rows = {}
    changed = []
    for source in sources:
        diff = rollup.difference(new[source], old.get(source, {}))
        if diff:
            rollup.merge(delta, diff)
            changed.append(Contribution(source=source, rows=new[source]))
    _upsert(rollup.difference(delta, {}))
    if changed:
        Contribution.objects.bulk_update(changed, ["rows"])


def refresh_dossier(dossier: Any, actor: Any = None) -> None:
    """The workflow's in-transaction hook: the dossier's counters after the action (``dossiers.workflow``)."""
    refresh(dossier_ids=[dossier.pk])


def refresh_submitted(dossier: Any, actor: Any = None) -> None:
    """The submit's hook: the dossier, and the applicant's dossiers filed after it (a dossier "reuses what was given
    before" when its applicant filed an earlier one; the portal's clock only moves forward, but a date set by hand
    need not)."""
    from dossiers.models import Dossier

    later: list[int] = []
    if dossier.applicant_id and dossier.submitted_at:
        later = list(
            Dossier.objects.filter(applicant_id=dossier.applicant_id, submitted_at__gt=dossier.submitted_at)
            .exclude(pk=dossier.pk)
            .values_list("pk", flat=True)
        )
    refresh(dossier_ids=[dossier.pk, *later])


def refresh_complaint(complaint_id: int, dossier_id: int) -> None:
    """After a complaint is filed or answered: its counters, its dossier's (a complaint counts against the
    procedure's satisfaction) and the dossier's earlier complaints' (one filed again is no longer satisfied)."""
    from complaints.models import Complaint

    siblings = list(Complaint.objects.filter(dossier_id=dossier_id).values_list("pk", flat=True))
    refresh(dossier_ids=[dossier_id], complaint_ids={complaint_id, *siblings})


def refresh_for_dossier_id(dossier_id: int) -> None:
    """A payment's or a rating's change: the dossier's counters."""
    refresh(dossier_ids=[dossier_id])


def rebuild(*, batch: int = 5000) -> dict[str, int]:
    """Every tally and contribution from scratch (the nightly job); returns how many sources and tally rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {Tally._meta.db_table}, {Contribution._meta.db_table} IN EXCLUSIVE MODE"
                )
        Tally.objects.all().delete()
        Contribution.objects.all().delete()
        totals: rollup.Rows = {}
        pending: list[Contribution] = []
        sources = 0

        def keep(source: str, rows: rollup.Rows) -> None:
            nonlocal sources
            sources += 1
            rollup.merge(totals, rows)
            pending.append(Contribution(source=source, rows=rows))
            if len(pending) >= batch:
                Contribution.objects.bulk_create(pending)
                pending.clear()

        for facts in rollup.dossier_facts().order_by().iterator(chunk_size=batch):
            keep(f"d{facts['pk']}", rollup.dossier_rows(facts))
        for complaint in rollup.complaint_facts().order_by().iterator(chunk_size=batch):
            keep(f"c{complaint['pk']}", rollup.complaint_rows(complaint))
        Contribution.objects.bulk_create(pending)
        totals = rollup.difference(totals, {})
        Tally.objects.bulk_create(
            [
                Tally(
                    **dict(zip(KEY_COLUMNS, rollup.key_of(key), strict=True)),
                    **{name: counters.get(name, 0) for name in COUNTERS},
                )
                for key, counters in totals.items()
            ],
            batch_size=1000,
        )
    return {"sources": sources, "tallies": len(totals)}
