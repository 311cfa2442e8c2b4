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
    started = time.perf_counter()
    print(time.perf_counter() - started)


if __name__ == "__main__":
    main()
