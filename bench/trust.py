"""What the trust rules cost: a dossier read with the access log on, beside the same read without it, and the lookup.

    .venv/bin/python bench/trust.py [--dossiers 300] [--runs 400]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_trust .venv/bin/python bench/trust.py

On a fresh database (a SQLite file under var/ by default; a PostgreSQL one whose name contains "bench" is dropped
and made again) it loads the demo province, files ``--dossiers`` dossiers of the citizen through the workflow (each
with its hash-chained history), then measures in process with Django's test client, ``--runs`` requests each:
GET /api/v1/dossiers/{id}/ by the applicant (not logged) and by the agency's receiver (each read logged), the
staff console's dossier page (logged), the public lookup, and ``verify_history`` over every dossier. Results go to
``bench/results/trust-<date>.json``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


def fresh_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        path = ROOT / "var" / "bench-trust.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    if "bench" not in name:
        sys.exit("The bench database's name must contain 'bench': it is dropped and made again.")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def timed(client: Any, url: str, runs: int) -> dict[str, float]:
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        queries.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    started = time.perf_counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "per_second": round(runs / total, 1),
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=300)
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    fresh_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from rest_framework.test import APIClient

    from accounts.models import User
    from audit.models import AccessLog
    from dossiers import history, services, workflow
    from dossiers.models import Document, Dossier
    from procedures.models import ProcedureVersion

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    call_command("demo", "--no-progress", verbosity=0)
    citizen, receiver = User.objects.get(username="citizen"), User.objects.get(username="receiver")
    version = (
        ProcedureVersion.objects.filter(state="published", agency=receiver.agency, fees__isnull=True)
        .prefetch_related("components")
        .first()
    )
    sample = {"text": "Nguyễn Văn An", "textarea": "bench", "number": 1, "date": "2000-01-01"}
    sample |= {"email": "an@example.vn", "phone": "0912345678", "checkbox": True}
    form = {
        f.name: (f.choices[0] if f.type == "select" and f.choices else sample.get(f.type, "bench"))
        for f in version.form_fields.all()
    }
    applicant = {
        "full_name": "Nguyễn Văn An",
        "id_number": "001088000123",
        "date_of_birth": "1988-05-17",
        "phone": "0912345678",
        "address": "12 Lê Lợi",
    }
    ids = []
    for _ in range(args.dossiers):
        draft = services.dossier_create(
            actor=citizen, procedure_code=version.procedure.code, applicant=applicant, form=form
        )
        for component in version.components.filter(required=True):
            Document.objects.create(
                dossier=draft,
                component=component,
                file=f"bench/{draft.pk}-{component.pk}.pdf",
                storage_key=f"bench-{draft.pk}-{component.pk}.pdf",
                original_name="to-khai.pdf",
                content_type="application/pdf",
                size=100,
                sha256="0" * 64,
                uploaded_by=citizen,
            )
        services.submit(dossier_id=draft.pk, actor=citizen)
        workflow.apply(dossier_id=draft.pk, action="receive", actor=receiver)
        ids.append(draft.pk)
    dossier = Dossier.objects.get(pk=ids[len(ids) // 2])
    as_citizen, as_receiver = APIClient(), APIClient()
    as_citizen.force_authenticate(citizen)
    as_receiver.force_authenticate(receiver)
    page = Client()
    page.force_login(receiver)
    anonymous = Client()
    before = AccessLog.objects.count()
    results = {
        "dossier API, applicant (not logged)": timed(
            as_citizen, f"/api/v1/dossiers/{dossier.pk}/", args.runs
        ),
        "dossier API, receiver (logged)": timed(as_receiver, f"/api/v1/dossiers/{dossier.pk}/", args.runs),
        "console dossier page (logged)": timed(page, f"/console/dossiers/{dossier.pk}/", args.runs),
        "public lookup API": timed(
            anonymous, f"/api/v1/lookup/?code={dossier.code}&key={dossier.lookup_key}", min(args.runs, 50)
        ),
    }
    logged = AccessLog.objects.count() - before
    started = time.perf_counter()
    breaks = list(history.verify())
    verify_seconds = time.perf_counter() - started
    out = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "dossiers": len(ids),
        "runs": args.runs,
        "results": results,
        "access_log_rows_written": logged,
        "verify_history": {
            "dossiers": Dossier.objects.count(),
            "seconds": round(verify_seconds, 3),
            "breaks": len(breaks),
        },
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    suffix = "" if out["database"] == "sqlite3" else f"-{out['database']}"
    (RESULTS / f"trust-{out['date']}{suffix}.json").write_text(
        json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    )


if __name__ == "__main__":
    main()
