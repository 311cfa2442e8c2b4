"""What one anonymous upload to ``POST /api/v1/verify/`` costs the server: a crafted PDF, and a genuine result.

    .venv/bin/python bench/verify.py [--objects 300000] [--runs 3]

On a throwaway SQLite database, media folder and demo PKI (nothing of the portal's own is touched), it:

1. builds the attacker's file: a PDF of ``--objects`` tiny objects (300,000 make about 17 MB), each a form field
   listed in the document's ``/AcroForm``, so that a reader walks every one of them;
2. signs one genuine result through the signing service (``dossiers.results.result_sign``);
3. posts each file ``--runs`` times through Django's test client (the whole request cycle, without a network)
   and reports the wall-clock time, the CPU time of this process and of its children (a validation that runs in a
   child process counts too), and the answer.

Results go to ``bench/results/verify-<date>.json``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def crafted_pdf(objects: int) -> bytes:
    """A well-formed PDF whose AcroForm lists ``objects`` tiny text fields: cheap to make, costly to read."""
    first_field = 4
    chunks = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
    offsets: list[int] = []
    size = len(chunks[0])

    def add(body: bytes) -> None:
        nonlocal size
        offsets.append(size)
        number = len(offsets)
        chunk = b"%d 0 obj%sendobj\n" % (number, body)
        chunks.append(chunk)
        size += len(chunk)

    fields = b" ".join(b"%d 0 R" % (first_field + i) for i in range(objects))
    add(b"<< /Type /Catalog /Pages 2 0 R /AcroForm 3 0 R >>")
    add(b"<< /Type /Pages /Kids [] /Count 0 >>")
    add(b"<< /Fields [" + fields + b"] >>")
    for i in range(objects):
        add(b"<</T(%d)>>" % i)
    xref_at = size
    table = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)]
    table += [b"%010d 00000 n \n" % offset for offset in offsets]
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref_at)
    return b"".join(chunks + table + [trailer])


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--objects", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="portal-verify-bench-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(work / "media"),
            "SIGNING_DIR": str(work / "pki"),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from dossiers import pki, results
    from dossiers.models import Dossier, Result
    from tests.factories import DossierFactory, ProcedureVersionFactory

    call_command("migrate", verbosity=0)
    version = ProcedureVersionFactory(published=True)
    agency = version.agency
    ca = pki.ensure_demo_ca("Tỉnh Thử nghiệm")
    pki.ensure_agency_certificate(
        agency_code=agency.code, agency_name=agency.name, province_name="Tỉnh Thử nghiệm", ca=ca
    )
    dossier = DossierFactory(version=version, approved=True)
    Dossier.objects.filter(pk=dossier.pk).update(code=f"{agency.code}-261123-0001")
    results.result_sign(dossier_id=dossier.pk)
    with Result.objects.get(dossier=dossier).file.open("rb") as handle:
        genuine = handle.read()

    started = time.perf_counter()
    crafted = crafted_pdf(args.objects)
    build_seconds = time.perf_counter() - started

    def measure(label: str, data: bytes) -> dict[str, Any]:
        walls, cpus, answers = [], [], []
        for run in range(args.runs):
            # Each run from its own address, so the endpoint's rate limit is not what is measured.
            client = Client(REMOTE_ADDR=f"198.51.100.{run + 1}")
            upload = SimpleUploadedFile("ket-qua.pdf", data, "application/pdf")
            cpu, wall = cpu_seconds(), time.perf_counter()
            response = client.post("/api/v1/verify/", {"file": upload})
            walls.append(time.perf_counter() - wall)
            cpus.append(cpu_seconds() - cpu)
            answers.append(f"{response.status_code} {response.content.decode()[:160]}")
        return {
            "case": label,
            "bytes": len(data),
            "wall_seconds": [round(w, 3) for w in walls],
            "cpu_seconds": [round(c, 3) for c in cpus],
            "wall_min": round(min(walls), 3),
            "answer": answers[-1],
        }

    cases = [measure("genuine result", genuine), measure(f"crafted, {args.objects:,} objects", crafted)]
    figures = {
        "date": timezone.now().isoformat(),
        "commit": git_commit(),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu, load {os.getloadavg()[0]:.2f}",
        "objects": args.objects,
        "runs": args.runs,
        "crafted_build_seconds": round(build_seconds, 2),
        "cases": cases,
    }
    for case in cases:
        print(
            f"{case['case']:32} {case['bytes']:>10,} B  wall {case['wall_seconds']}  cpu {case['cpu_seconds']}"
        )
        print(f"{'':32} {case['answer']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"verify-{dt.datetime.now(dt.UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
