"""Reconciliation: a provider's settlement report (CSV) against the portal's payments.

The report has a header row with at least ``reference``, ``transaction_no`` and ``amount`` (đồng); ``status``
(``00`` or ``success`` for a settled payment) is optional. Every difference becomes a ``Mismatch`` row that the
province's finance staff see on their page.
"""

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from payments.constants import InvoiceStatus, MismatchKind
from payments.models import Invoice, Mismatch, Payment, Reconciliation
from payments.providers import register
from portal.errors import ServiceError

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = {"reference", "transaction_no", "amount"}
MAX_AMOUNT = 2**63 - 1  # what a Mismatch's amount column holds


class ReportInvalid(ValueError):
    pass


@dataclass
class Row:
    line: int
    reference: str
    transaction_no: str
    amount: int | None
    settled: bool
    error: str = ""


def read_report(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {name.strip().lower() for name in reader.fieldnames or []}
    if not REQUIRED_COLUMNS <= columns:
        raise ReportInvalid(f"The report needs the columns {', '.join(sorted(REQUIRED_COLUMNS))}.")
    rows = []
    for raw in reader:
        line = reader.line_num  # the line the row ends on; blank lines and quoted line breaks count
        extra = raw.pop(None, None)  # csv puts fields past the header's here
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        status = record.get("status", "00").lower()
        try:
            amount: int | None = int(record["amount"].replace(".", "").replace(",", ""))
            error = ""
        except ValueError:
            amount, error = None, f"amount {record['amount'][:40]!r} is not a number"
        if amount is not None and abs(amount) > MAX_AMOUNT:
            amount, error = None, f"amount {record['amount'][:40]!r} is out of range"
        if extra:
            amount, error = None, f"{len(extra)} more field(s) than the header has"
        rows.append(
            Row(
                line,
                record["reference"],
                record["transaction_no"],
                amount,
                status in ("00", "success", "paid"),
                error,
            )
        )
    return rows


@transaction.atomic
def reconcile(*, provider_name: str, text: str, source: str) -> Reconciliation:
    """Compare the report with the portal's payments through ``provider_name``; returns the run with its mismatches."""
    provider = register.get(provider_name)
    rows = read_report(text)
    run = Reconciliation.objects.create(provider=provider.name, source=source[:255], rows=len(rows))
    payments = {
        p.transaction_no: p for p in Payment.objects.filter(provider=provider.name).select_related("invoice")
    }
    invoices = {i.reference: i for i in Invoice.objects.filter(reference__in=[r.reference for r in rows])}
    seen: set[str] = set()
    mismatches = []
    matched = 0
    for row in rows:
        if row.error:
            mismatches.append(
                Mismatch(
                    reconciliation=run,
                    kind=MismatchKind.BAD_ROW,
                    reference=row.reference[:64],
                    transaction_no=row.transaction_no[:64],
                    line=row.line,
                    detail=row.error[:255],
                )
            )
            continue
        if not row.settled:
            continue
        seen.add(row.transaction_no)
        payment = payments.get(row.transaction_no)
        invoice = invoices.get(row.reference)
        if invoice is None:
            kind, portal_amount = MismatchKind.UNKNOWN_INVOICE, None
        elif payment is None or payment.invoice_id != invoice.pk:
            kind, portal_amount = MismatchKind.MISSING_IN_PORTAL, invoice.amount
        elif payment.amount != row.amount:
            kind, portal_amount = MismatchKind.AMOUNT, payment.amount
        else:
            matched += 1
            continue
        mismatches.append(
            Mismatch(
                reconciliation=run,
                kind=kind,
                reference=row.reference[:64],
                transaction_no=row.transaction_no[:64],
                line=row.line,
                portal_amount=portal_amount,
                report_amount=row.amount,
            )
        )
    for transaction_no, payment in payments.items():
        if transaction_no not in seen and payment.invoice.status == InvoiceStatus.PAID:
            mismatches.append(
                Mismatch(
                    reconciliation=run,
                    kind=MismatchKind.MISSING_IN_REPORT,
                    reference=payment.invoice.reference,
                    transaction_no=transaction_no,
                    portal_amount=payment.amount,
                )
            )
    Mismatch.objects.bulk_create(mismatches)
    run.matched = matched
    run.save(update_fields=["matched"])
    return run


def reconcile_folder(*, root: Path) -> int:
    """Compare every report dropped under ``root/<provider>/`` not compared before; returns how many were.

    A bad file (or a folder named for no provider) is logged and stops no other; each report is its own
    transaction."""
    done = 0
    for path in sorted(root.glob("*/*.csv")) if root.exists() else []:
        if Reconciliation.objects.filter(source=str(path)).exists():
            continue
        try:
            reconcile(provider_name=path.parent.name, text=path.read_text(encoding="utf-8"), source=str(path))
            done += 1
        except (ReportInvalid, ServiceError, OSError, UnicodeDecodeError) as exc:
            log.error("cannot reconcile %s: %s", path, exc)
    return done
