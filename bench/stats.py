"""Benchmark of the service index at a province's scale: a million dossiers on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_stats .venv/bin/python bench/stats.py \
        [--dossiers 1000000] [--runs 100] [--reuse]

Without ``--reuse`` it drops and re-creates the bench database (its name must contain "bench") and fills it as
``bench/dossiers.py`` does (its ``load``: a catalogue and ``--dossiers`` dossiers with their history, by COPY), then
adds ratings, invoices and complaints with ``INSERT ... SELECT``. With ``--reuse`` it keeps a database filled before
and only applies the migrations. Then it measures: the full rebuild of the rollups (``stats.services.rebuild``), the
dashboard page and ``/api/v1/stats/`` for the province and for one agency over a year (p50/p95, queries), the public
page and ``/api/v1/stats/public/``, and the cost a transition pays to keep the rollups (the same receptions with the
rollups' hooks registered and without). Results go to ``bench/results/stats-<date>.json``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--procedures", type=int, default=300)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--transitions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--reuse", action="store_true", help="keep the filled database; only migrate")
    parser.add_argument("--fill-only", action="store_true", help="fill the database and stop")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="with --reuse: keep the rollups as they are"
    )
    return parser.parse_args()


def fill(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from bench import dossiers as bench_dossiers
    from bench.catalogue import analyze, bench_database, load_catalogue, recreate_database, timed

    database = bench_database(allow_sqlite=False)
    rng = random.Random(args.seed)
    timed("Drop and create", lambda: recreate_database(database))
    timed("Migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
    timed(f"Load {args.procedures} procedures", lambda: load_catalogue(count=args.procedures, rng=rng))
    loaded = timed(
        f"Load {args.dossiers} dossiers with their history (COPY)", lambda: bench_dossiers.load(args, rng)
    )
    with connection.cursor() as cursor:
        # A rating for half the returned dossiers, a paid invoice for a third of the dossiers (most online).
        cursor.execute(
            "INSERT INTO dossiers_rating (dossier_id, score, comment, created_at) "
            "SELECT id, 1 + (id * 7919) % 5, '', returned_at FROM dossiers_dossier "
            "WHERE state = 'returned' AND id % 2 = 0"
        )
        cursor.execute(
            "INSERT INTO payments_invoice (dossier_id, reference, amount, items, due_before, status, opened_at, "
            "paid_at, provider, online, waived_reason) "
            "SELECT id, 'B' || id, 50000, '[]', 'receive', 'paid', submitted_at, submitted_at, "
            "CASE WHEN id % 5 <> 0 THEN 'sandbox' ELSE 'counter' END, id % 5 <> 0, '' "
            "FROM dossiers_dossier WHERE submitted_at IS NOT NULL AND id % 3 = 0"
        )
    timed("ANALYZE", analyze)
    return {k: v for k, v in loaded.items() if k != "staff"}


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["REDIS_URL"] = ""
    import django
    import django.db.models

    django.setup()
    report: dict[str, Any] = {
        "benchmark": "stats",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
    }
    if not args.reuse:
        report["loaded"] = fill(args)
        print("  ", report["loaded"])
    if args.fill_only:
        return
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from bench.catalogue import analyze, bench_database, measure, timed
    from dossiers import workflow
    from dossiers.models import Dossier
    from procedures.models import Agency
    from stats import services
    from stats.models import Tally

    bench_database(allow_sqlite=False)
    timed("Migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
    if not args.no_rebuild:
        started = time.perf_counter()
        rebuilt = services.rebuild()
        report["rebuild"] = {"seconds": round(time.perf_counter() - started, 1), **rebuilt}
        print("Full rebuild:", report["rebuild"])
    timed("ANALYZE", analyze)

    leader, _ = User.objects.get_or_create(username="bench_leader", defaults={"role": "leader"})
    client = Client()
    client.force_login(leader)
    # The agency with the most dossiers: the bench's busy one.
    busy = Dossier.objects.values("agency_id").annotate(n=django.db.models.Count("id")).order_by("-n").first()
    agency = Agency.objects.get(pk=busy["agency_id"])
    today = dt.datetime.now(dt.UTC).date()
    year = {"from": (today - dt.timedelta(days=365)).isoformat(), "to": today.isoformat()}
    one = {**year, "agency": agency.code}
    cases = [
        ("dashboard page, province, a year", "/dashboard/", year),
        ("dashboard page, one agency, a year", "/dashboard/", one),
        ("stats API, province, a year", "/api/v1/stats/", year),
        ("stats API, one agency, a year", "/api/v1/stats/", one),
        ("stats API, one agency, counter channel", "/api/v1/stats/", {**one, "channel": "counter"}),
        ("public page, a year", "/service-index/", year),
        ("public API, a year", "/api/v1/stats/public/", year),
    ]
    results = []
    for name, path, params in cases:
        row = measure(
            client,
            urls=[(path, params)],
            accept="text/html,application/json",
            runs=args.runs,
            warmup=args.warmup,
        )
        results.append({"case": name, **row})
        print(
            f"{name:42} p50 {row['p50_ms']:8.2f} ms  p95 {row['p95_ms']:8.2f} ms  queries {row['queries_max']}"
        )
    report["cases"] = results
    report["tally_rows"] = Tally.objects.count()

    # The cost a transition pays to keep the rollups: the same receptions with the rollups' hook and without.
    receiver, _ = User.objects.get_or_create(
        username="bench_stats_receiver", defaults={"role": "receiver", "agency": agency}
    )
    waiting = list(
        Dossier.objects.filter(state="submitted", agency=agency).values_list("id", flat=True)[
            : 2 * args.transitions
        ]
    )
    hook = workflow.IN_TRANSACTION[workflow.Action.RECEIVE]
    without = [f for f in hook if f is not services.refresh_dossier]

    def receive(ids: list[int]) -> list[float]:
        times = []
        for pk in ids:
            start = time.perf_counter()
            workflow.apply(dossier_id=pk, action="receive", actor=receiver)
            times.append((time.perf_counter() - start) * 1000)
        return sorted(times)

    half = len(waiting) // 2
    with_rollups = receive(waiting[:half])
    with hook.replaced(*without):
        no_rollups = receive(waiting[half:])

    def summary(times: list[float]) -> dict[str, float]:
        return {
            "n": len(times),
            "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[int(len(times) * 0.95)], 2),
        }

    report["transition"] = {"with_rollups": summary(with_rollups), "without_rollups": summary(no_rollups)}
    report["transition"]["p50_cost_ms"] = round(
        report["transition"]["with_rollups"]["p50_ms"] - report["transition"]["without_rollups"]["p50_ms"], 2
    )
    print("Receptions:", report["transition"])
    connection.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"stats-{dt.datetime.now(dt.UTC).date().isoformat()}.json"
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print("Wrote", out)


if __name__ == "__main__":
    main()
