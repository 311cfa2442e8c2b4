"""Benchmark of dossiers at a province's scale: a million dossiers with their history on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_dossiers .venv/bin/python bench/dossiers.py \
        [--dossiers 1000000] [--runs 200] [--transitions 800]

It drops and re-creates the bench database (its name must contain "bench"), loads a catalogue (bench/catalogue.py)
and ``--dossiers`` dossiers spread over its agencies and the past year, in every state, each with the history its
state implies, with PostgreSQL's COPY. Then it measures in process, with Django's test client: the p50/p95 time and
the query count of an agency's queue (API and console page), a dossier (API and console page), the public lookup and
a citizen's list, and checks that a queue's query count does not grow with the page size. Last, it starts gunicorn
on the bench database and has 8 concurrent HTTP clients receive submitted dossiers: transitions per second.
Results go to ``bench/results/dossiers-<date>.json``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

# How a year of dossiers ends up, roughly as a province's statistics show it.
STATES = [
    ("returned", 0.62),
    ("result_ready", 0.03),
    ("assessing", 0.09),
    ("approving", 0.03),
    ("signing", 0.002),
    ("submitted", 0.05),
    ("supplement_requested", 0.03),
    ("rejected", 0.04),
    ("withdrawn", 0.018),
    ("draft", 0.08),
]
# The path of actions that leads to each state.
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "rejected": ["submit", "refuse"],
    "withdrawn": ["submit", "withdraw"],
    "assessing": ["submit", "receive"],
    "supplement_requested": ["submit", "receive", "request_supplement"],
    "approving": ["submit", "receive", "assess"],
    "signing": ["submit", "receive", "assess", "approve"],
    "result_ready": ["submit", "receive", "assess", "approve", "signed"],
    "returned": ["submit", "receive", "assess", "approve", "signed", "return"],
}
TARGET = {
    "submit": ("draft", "submitted"),
    "refuse": ("submitted", "rejected"),
    "withdraw": ("submitted", "withdrawn"),
    "receive": ("submitted", "assessing"),
    "request_supplement": ("assessing", "supplement_requested"),
    "assess": ("assessing", "approving"),
    "approve": ("approving", "signing"),
    "signed": ("signing", "result_ready"),
    "return": ("result_ready", "returned"),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--procedures", type=int, default=300)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--transitions", type=int, default=800, help="receptions made by the 8 clients")
    parser.add_argument("--seed", type=int, default=20261123)
    return parser.parse_args()


def copy_rows(table: str, columns: list[str], rows: Any, batch: int = 200_000) -> int:
    """Stream ``rows`` (tuples) into ``table`` with COPY."""
    from django.db import connection

    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def load(args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from procedures.models import Agency, ProcedureVersion

    password = make_password("bench-password")
    versions = list(
        ProcedureVersion.objects.filter(state="published").values_list("id", "agency_id", "processing_days")
    )
    agencies = dict(Agency.objects.values_list("id", "code"))
    # A busy agency: the one the staff personas work in gets a larger share.
    busy_agency = versions[0][1]
    staff = {}
    for role in ("receiver", "assessor", "approver"):
        staff[role] = User.objects.create(
            username=f"bench_{role}", role=role, agency_id=busy_agency, password=password
        )
    citizens = User.objects.bulk_create(
        User(
            username=f"citizen{i:06d}",
            role="citizen",
            password=password,
            first_name="An",
            last_name="Nguyễn Văn",
        )
        for i in range(args.citizens)
    )
    citizen_ids = [c.pk for c in citizens]
    # One heavy citizen whose list is measured: about a hundred dossiers.
    heavy_citizen = citizen_ids[0]

    now = timezone.now()
    states, weights = zip(*STATES, strict=True)
    sequence: dict[tuple[int, str], int] = {}
    dossier_columns = [
        "id",
        "version_id",
        "agency_id",
        "received_at_agency_id",
        "applicant_id",
        "created_by_id",
        "channel",
        "state",
        "state_before_supplement",
        "code",
        "lookup_key",
        "applicant_data",
        "form_data",
        "proposed_outcome",
        "outcome",
        "assignee_id",
        "created_at",
        "updated_at",
        "submitted_at",
        "received_at",
        "due_at",
        "paused_at",
        "decided_at",
        "returned_at",
        "closed_at",
        "signing_queued_at",
    ]
    event_columns = [
        "dossier_id",
        "action",
        "from_state",
        "to_state",
        "actor_id",
        "actor_agency_id",
        "at",
        "comment",
        "data",
    ]
    events: list[tuple[Any, ...]] = []
    event_count = 0
    alphabet = "ACDEFGHJKMNPQRTWXY345679"
    busy_versions = [v for v in versions if v[1] == busy_agency]

    def dossiers() -> Any:
        nonlocal event_count
        for pk in range(1, args.dossiers + 1):
            version_id, agency_id, days = (
                rng.choice(busy_versions) if rng.random() < 0.08 else rng.choice(versions)
            )
            state = rng.choices(states, weights)[0]
            applicant = heavy_citizen if pk % 10_000 == 0 else rng.choice(citizen_ids)
            created = now - dt.timedelta(days=rng.uniform(0, 365), minutes=rng.uniform(0, 600))
            path = PATHS[state]
            code = submitted = received = due = decided = returned = closed = None
            if path:
                submitted = created + dt.timedelta(hours=rng.uniform(0.1, 48))
                day = timezone.localtime(submitted).strftime("%y%m%d")
                key = (agency_id, day)
                sequence[key] = sequence.get(key, 0) + 1
                code = f"{agencies[agency_id]}-{day}-{sequence[key]:04d}"
            if "receive" in path:
                received = submitted + dt.timedelta(hours=rng.uniform(1, 30))
                due = received + dt.timedelta(days=days * 1.4 + 1)
            if "approve" in path:
                decided = received + dt.timedelta(days=rng.uniform(0.5, days * 1.5 + 1))
            if "return" in path:
                returned = closed = decided + dt.timedelta(days=rng.uniform(0.1, 3))
            if state in ("rejected", "withdrawn"):
                closed = submitted + dt.timedelta(hours=rng.uniform(1, 40))
            at = created
            events.append((pk, "create", "draft", "draft", applicant, None, at, "", "{}"))
            for action in path:
                at = at + dt.timedelta(hours=rng.uniform(0.5, 40))
                source, target = TARGET[action]
                actor = applicant if action in ("submit", "withdraw") else None
                events.append(
                    (pk, action, source, target, actor, agency_id if actor is None else None, at, "", "{}")
                )
            event_count += 1 + len(path)
            yield (
                pk,
                version_id,
                agency_id,
                agency_id if received else None,
                applicant,
                applicant,
                "online" if rng.random() < 0.7 else "counter",
                state,
                "assessing" if state == "supplement_requested" else "",
                code,
                "".join(rng.choice(alphabet) for _ in range(10)),
                json.dumps(
                    {
                        "full_name": "Nguyễn Văn An",
                        "id_number": f"{rng.randrange(10**11, 10**12)}",
                        "phone": "0912345678",
                        "address": "12 Lê Lợi",
                    },
                    ensure_ascii=False,
                ),
                json.dumps({"note": "bench"}),
                "grant" if decided else "",
                "grant" if decided else "",
                None,
                created,
                at,
                submitted,
                received,
                due,
                at if state == "supplement_requested" else None,
                decided,
                returned,
                closed,
                None,
            )

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    started = time.perf_counter()
    copy_rows("dossiers_dossier", dossier_columns, dossiers())
    dossier_seconds = time.perf_counter() - started
    started = time.perf_counter()
    copy_rows("dossiers_dossierevent", event_columns, iter(events))
    event_seconds = time.perf_counter() - started
    events.clear()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('dossiers_dossier', 'id'), (SELECT max(id) FROM dossiers_dossier))"
        )
        cursor.execute("ANALYZE")
    return {
        "dossiers": args.dossiers,
        "events": event_count,
        "citizens": args.citizens,
        "copy_dossiers_seconds": round(dossier_seconds, 1),
        "copy_events_seconds": round(event_seconds, 1),
        "busy_agency": agencies[busy_agency],
        "staff": {role: user.username for role, user in staff.items()},
        "heavy_citizen": heavy_citizen,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def transitions_per_second(args: argparse.Namespace, loaded: dict[str, Any]) -> dict[str, Any]:
    """8 HTTP clients receive submitted dossiers of the busy agency through gunicorn, each its own share."""
    from dossiers.models import Dossier

    ids = list(
        Dossier.objects.filter(state="submitted", agency__code=loaded["busy_agency"]).values_list(
            "id", flat=True
        )[: args.transitions]
    )
    port = free_port()
    # As in production, the side effects of a transition (notifications, signing) go to the broker, not inline.
    broker = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "REDIS_URL": broker}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "portal.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "4",
            "--threads",
            "2",
            "-k",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/v1/sectors/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        body = json.dumps({"username": loaded["staff"]["receiver"], "password": "bench-password"}).encode()
        request = urllib.request.Request(
            f"{base}/api/v1/auth/token/", body, {"Content-Type": "application/json"}
        )
        token = json.loads(urllib.request.urlopen(request).read())["token"]
        shares = [ids[i::8] for i in range(8)]
        statuses: list[int] = []
        lock = threading.Lock()
        barrier = threading.Barrier(8)

        def client(share: list[int]) -> None:
            barrier.wait()
            for pk in share:
                req = urllib.request.Request(
                    f"{base}/api/v1/dossiers/{pk}/actions/receive/",
                    b"{}",
                    {"Content-Type": "application/json", "Authorization": f"Token {token}"},
                )
                try:
                    status = urllib.request.urlopen(req).status
                except urllib.error.HTTPError as exc:
                    status = exc.code
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=client, args=(share,)) for share in shares]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        import redis

        redis.Redis.from_url(broker).flushdb()  # the queued tasks were not the measure
    ok = statuses.count(200)
    return {
        "clients": 8,
        "gunicorn": "4 workers x 2 threads",
        "transitions": len(statuses),
        "ok": ok,
        "seconds": round(seconds, 2),
        "per_second": round(ok / seconds, 1),
    }


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["REDIS_URL"] = ""  # tasks in process; the measure is the web and the database
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.catalogue import analyze, bench_database, load_catalogue, measure, recreate_database, timed
    from dossiers.api.views import LookupThrottle
    from dossiers.models import Dossier

    database = bench_database(allow_sqlite=False)
    rng = random.Random(args.seed)
    timed("Drop and create", lambda: recreate_database(database))
    timed("Migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
    timed(f"Load {args.procedures} procedures", lambda: load_catalogue(count=args.procedures, rng=rng))
    loaded = timed(f"Load {args.dossiers} dossiers with their history (COPY)", lambda: load(args, rng))
    print("  ", {k: v for k, v in loaded.items() if k != "staff"})
    timed("ANALYZE", analyze)
    LookupThrottle.allow_request = lambda self, request, view: True  # the bench is one client asking a lot

    from accounts.models import User

    def as_user(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    assessor = as_user(loaded["staff"]["assessor"])
    citizen = Client()
    citizen.force_login(User.objects.get(pk=loaded["heavy_citizen"]))
    busy = Dossier.objects.filter(agency__code=loaded["busy_agency"])
    assessing = list(busy.filter(state="assessing").values_list("id", flat=True)[:500])
    returned = list(Dossier.objects.filter(state="returned").values_list("code", "lookup_key")[:500])
    deep_cursor = (
        busy.filter(state="assessing")
        .order_by("-id")
        .values_list("id", flat=True)[min(2000, len(assessing) - 1)]
    )
    cases = [
        ("queue API (assessing, 20 a page)", assessor, [("/api/v1/dossiers/", {"state": "assessing"})]),
        (
            "queue API, deep page (cursor)",
            assessor,
            [("/api/v1/dossiers/", {"state": "assessing", "cursor": str(deep_cursor)})],
        ),
        (
            "queue API, overdue only",
            assessor,
            [("/api/v1/dossiers/", {"state": "assessing", "overdue": "true"})],
        ),
        ("console queue page", assessor, [("/console/queue/assess/", {})]),
        ("dossier API", assessor, [(f"/api/v1/dossiers/{pk}/", {}) for pk in assessing]),
        ("console dossier page", assessor, [(f"/console/dossiers/{pk}/", {}) for pk in assessing]),
        ("public lookup API", Client(), [("/api/v1/lookup/", {"code": c, "key": k}) for c, k in returned]),
        ("citizen's list API", citizen, [("/api/v1/dossiers/", {})]),
    ]
    results = []
    for name, client, urls in cases:
        probe = client.get(urls[0][0], urls[0][1])
        if probe.status_code != 200:
            print(f"skip {name}: {probe.status_code}")
            continue
        row = measure(
            client, urls=urls, accept="text/html,application/json", runs=args.runs, warmup=args.warmup
        )
        results.append({"case": name, **row})
        print(
            f"{name:40} p50 {row['p50_ms']:8.2f} ms  p95 {row['p95_ms']:8.2f} ms  queries {row['queries_min']}-{row['queries_max']}"
        )

    sizes = {}
    for size in (5, 20, 100):
        with CaptureQueriesContext(connection) as captured:
            assessor.get("/api/v1/dossiers/", {"state": "assessing", "page_size": size})
        sizes[size] = len(captured.captured_queries)
    print(f"queue API queries by page size: {sizes}")
    transitions = timed(
        "8 clients receiving dossiers over HTTP", lambda: transitions_per_second(args, loaded)
    )
    print("  ", transitions)
    report = {
        "benchmark": "dossiers",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "loaded": {k: v for k, v in loaded.items() if k != "staff"},
        "cases": results,
        "queue_queries_by_page_size": sizes,
        "transitions": transitions,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"dossiers-{dt.datetime.now(dt.UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
