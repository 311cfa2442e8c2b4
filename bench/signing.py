"""Signing rate of one worker process, beside pyHanko signing the same PDF alone, and a worker's memory.

    .venv/bin/python bench/signing.py [--count 1000]

On a throwaway SQLite database and a throwaway demo PKI (nothing of the portal's own is touched), it:

1. makes ``--count`` approved dossiers waiting in ``signing``;
2. runs the signing service (``dossiers.results.result_sign``: render the result PDF, sign it PAdES B-LT with the
   agency's key, a time stamp from the demo TSA and the revocation data fetched from the demo OCSP responder, store
   it, move the dossier to ``result_ready`` through the workflow) for each, one after another, in this one process,
   as one Celery worker process does: results per second. The demo PKI's services (``manage.py pki_serve``) run
   in their own process, as beside a real worker;
3. signs the same result PDF with pyHanko alone in the same run at the same level (B-LT: the same time stamper,
   a fresh validation context per document so its revocation data is fetched for it), twice: the way pyHanko's
   documentation shows it (``SimpleSigner.load_pkcs12`` per document, no reserved size, so pyHanko signs once
   more to measure), and tuned (key loaded once, signature size reserved, as the portal does): signatures per
   second;
4. reports the ratio of the portal's rate to tuned pyHanko's rate, and the process's resident memory after the
   ``--count`` signatures.

Results go to ``bench/results/signing-<date>.json``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="portal-signing-bench-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            # As on a real worker, the signed dossier's notifications are queued for other workers, not sent inline.
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "CACHE_KEY_PREFIX": "bench-signing",
            "MEDIA_ROOT": str(work / "media"),
            "SIGNING_DIR": str(work / "pki"),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    from tests import pki_service

    os.environ["SIGNING_PKI_URL"] = pki_service.service_url()
    os.environ["SIGNING_TSA_URL"] = f"{os.environ['SIGNING_PKI_URL']}/province/tsa/tsa"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko_certvalidator import ValidationContext

    from dossiers import official, pki, results
    from dossiers.models import Dossier
    from dossiers.signers import pades
    from tests.factories import DossierFactory, ProcedureVersionFactory

    call_command("migrate", verbosity=0)
    version = ProcedureVersionFactory(published=True)
    agency = version.agency
    ca = pki.ensure_demo_ca("Tỉnh Thử nghiệm")
    pki.ensure_agency_certificate(
        agency_code=agency.code, agency_name=agency.name, province_name="Tỉnh Thử nghiệm", ca=ca
    )
    service = pki_service.start(pki.signing_dir(), os.environ["SIGNING_PKI_URL"])
    ids = [DossierFactory(version=version, approved=True).pk for _ in range(args.count)]
    for i, pk in enumerate(ids):
        Dossier.objects.filter(pk=pk).update(code=f"{agency.code}-261123-{i + 1:04d}")
    rss_before = rss_mib()

    # The portal: the whole signing service per dossier, as one worker process runs it.
    started = time.perf_counter()
    for pk in ids:
        results.result_sign(dossier_id=pk)
    portal_seconds = time.perf_counter() - started
    done = Dossier.objects.filter(pk__in=ids, state="result_ready").count()
    rss_after = rss_mib()
    assert done == len(ids), f"only {done} of {len(ids)} dossiers reached result_ready"

    # pyHanko alone, on the same PDF.
    sample = Dossier.objects.get(pk=ids[0])
    sample.state = "signing"
    document = official.render(results.result_document(sample))
    p12 = str(pki.agency_p12_path(agency.code))
    chain = [str(pki.ca_cert_path())]
    stamper = timestamps.HTTPTimeStamper(os.environ["SIGNING_TSA_URL"])

    def meta() -> signers.PdfSignatureMetadata:  # B-LT, its revocation data fetched for each document
        return signers.PdfSignatureMetadata(
            field_name="Sig",
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            embed_validation_info=True,
            validation_context=ValidationContext(
                trust_roots=pades.trust_roots(), allow_fetching=True, revocation_mode="require"
            ),
        )

    alone = min(200, args.count)

    started = time.perf_counter()
    for _ in range(alone):
        signer = signers.SimpleSigner.load_pkcs12(p12, ca_chain_files=chain)
        signers.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(document)), meta(), signer=signer, timestamper=stamper
        )
    naive_seconds = time.perf_counter() - started

    signer = signers.SimpleSigner.load_pkcs12(p12, ca_chain_files=chain)
    started = time.perf_counter()
    for _ in range(alone):
        signers.PdfSigner(meta(), signer=signer, timestamper=stamper).sign_pdf(
            IncrementalPdfFileWriter(BytesIO(document)), bytes_reserved=pades.BYTES_RESERVED
        )
    tuned_seconds = time.perf_counter() - started

    render_started = time.perf_counter()
    for _ in range(alone):
        official.render(results.result_document(sample))
    render_seconds = time.perf_counter() - render_started

    service.stop()
    figures = {
        "level": pades.LEVEL,
        "date": timezone.now().isoformat(),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu, load {os.getloadavg()[0]:.2f}",
        "count": args.count,
        "portal_results_per_second": round(args.count / portal_seconds, 1),
        "pyhanko_naive_per_second": round(alone / naive_seconds, 1),
        "pyhanko_tuned_per_second": round(alone / tuned_seconds, 1),
        "render_pdf_per_second": round(alone / render_seconds, 1),
        "ratio_portal_to_pyhanko_tuned": round((args.count / portal_seconds) / (alone / tuned_seconds), 3),
        "ratio_portal_to_pyhanko_naive": round((args.count / portal_seconds) / (alone / naive_seconds), 3),
        "rss_mib_before": round(rss_before, 1),
        "rss_mib_after": round(rss_after, 1),
    }
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # the queued notifications were not the measure
    for key, value in figures.items():
        print(f"{key:32} {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"signing-{dt.datetime.now(dt.UTC):%Y-%m-%d}.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
