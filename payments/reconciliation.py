"""Reconciliation: a provider's settlement report (CSV) against the portal's payments and refunds, for the period
the report covers.

The report has a header row with at least ``reference`` (the attempt's ``vnp_TxnRef``), ``transaction_no`` and
``amount`` (đồng); optional columns are ``status`` (``00``, ``success`` or ``paid`` for a settled row), ``date``
(the settlement day: ``yyyy-mm-dd``, ``dd/mm/yyyy`` or VNPay's ``yyyyMMddHHmmss``) and ``type`` (``payment`` or
``refund``; VNPay's ``01``, ``02`` full refund, ``03`` partial refund).

Its period is, first found: the one given (the command's ``--from``/``--to``); a comment line before the header,
``# period: 2026-11-01 2026-11-30`` (or one day); a day in the file's name (``2026-11-23.csv``, ``20261123.csv``);
the days of its rows' ``date``. A report with none is refused. Only the portal's payments and refunds inside the
period are looked for in it, so a daily file does not flag every earlier payment. Every difference becomes a
``Mismatch`` of one kind (missing in the file, missing in the portal, amount differs, refunded but settled, unknown
invoice, bad row), which finance staff see, export and mark resolved with a note.
"""

import csv
import datetime
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_permission
from dossiers.sla import TZ
from payments.constants import MismatchKind, RefundStatus
from payments.models import Invoice, Mismatch, Payment, PaymentAttempt, Reconciliation, Refund
from payments.providers import register
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = {"reference", "transaction_no", "amount"}
MAX_AMOUNT = 2**63 - 1  # what a Mismatch's amount column holds
REFUND_TYPES = {"refund", "02", "03"}
_PERIOD_LINE = re.compile(r"^#\s*period\s*[:=,]?\s*(\S+)(?:\s*(?:\.\.|,|\s)\s*(\S+))?", re.IGNORECASE)
_DAY_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


class ReportInvalid(ValueError):
    pass


Period = tuple[datetime.date, datetime.date]


@dataclass
class Row:
    line: int
    reference: str
    transaction_no: str
    amount: int | None
    settled: bool
    error: str = ""
    day: datetime.date | None = None
    refund: bool = False


def read_day(value: str) -> datetime.date | None:
    value = value.strip()
    for pattern, size in (("%Y-%m-%d", 10), ("%d/%m/%Y", 10), ("%Y%m%d%H%M%S", 14), ("%Y%m%d", 8)):
        try:
            return datetime.datetime.strptime(value[:size], pattern).date()  # noqa: DTZ007 - a day, no time
        except ValueError:
            continue
    return None


def _period_stated(lines: list[str]) -> Period | None:
    for line in lines:
        match = _PERIOD_LINE.match(line.strip())
        if match:
            start, end = read_day(match.group(1)), read_day(match.group(2) or match.group(1))
            if start is None or end is None or end < start:
                raise ReportInvalid(
                    f"The report's period line {line.strip()[:80]!r} is not two days in order."
                )
            return start, end
    return None


def _period_in_name(source: str) -> Period | None:
    match = _DAY_IN_NAME.search(Path(source).name)
    if match is None:
        return None
    day = read_day("".join(match.groups()))
    return (day, day) if day else None


def read_report(text: str) -> list[Row]:
    return read(text)[0]


def read(text: str, *, source: str = "", period: Period | None = None) -> tuple[list[Row], Period]:
    """The report's rows and its period (given, stated, named, or implied by its rows)."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    comments = []
    while lines and lines[0].lstrip().startswith("#"):
        comments.append(lines.pop(0))
    reader = csv.DictReader(io.StringIO("".join(lines)))
    columns = {name.strip().lower() for name in reader.fieldnames or []}
    if not REQUIRED_COLUMNS <= columns:
        raise ReportInvalid(f"The report needs the columns {', '.join(sorted(REQUIRED_COLUMNS))}.")
    rows = []
    for raw in reader:
        line = reader.line_num + len(
            comments
        )  # the line the row ends on; blank lines and quoted breaks count
        extra = raw.pop(None, None)  # csv puts fields past the header's here
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        status = record.get("status", "00").lower()
        day = read_day(record["date"]) if record.get("date") else None
        error = ""
        try:
            amount: int | None = int(record["amount"].replace(".", "").replace(",", ""))
        except ValueError:
            amount, error = None, f"amount {record['amount'][:40]!r} is not a number"
        if amount is not None and abs(amount) > MAX_AMOUNT:
            amount, error = None, f"amount {record['amount'][:40]!r} is out of range"
        if record.get("date") and day is None:
            amount, error = None, f"date {record['date'][:40]!r} is not a day"
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
                day,
                record.get("type", "").lower() in REFUND_TYPES,
            )
        )
    days = [row.day for row in rows if row.day]
    found = period or _period_stated(comments) or _period_in_name(source)
    if found is None and days:
        found = (min(days), max(days))
    if found is None:
        raise ReportInvalid(
            "The report states no period: add a line '# period: yyyy-mm-dd yyyy-mm-dd', a 'date' column, "
            "a day in the file's name, or give --from and --to."
        )
    return rows, found


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = period
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=TZ),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=TZ),
    )


@transaction.atomic
def reconcile(*, provider_name: str, text: str, source: str, period: Period | None = None) -> Reconciliation:
    """Compare the report with the portal's payments and refunds through ``provider_name`` in the report's period;
    returns the run with its mismatches."""
    provider = register.get(provider_name)
    rows, period = read(text, source=source, period=period)
    low, high = _bounds(period)
    run = Reconciliation.objects.create(
        provider=provider.name,
        source=source[:255],
        rows=len(rows),
        period_start=period[0],
        period_end=period[1],
    )
    numbers = [row.transaction_no for row in rows]
    payments = {
        p.transaction_no: p
        for p in Payment.objects.filter(provider=provider.name)
        .filter(Q(paid_at__gte=low, paid_at__lt=high) | Q(transaction_no__in=numbers))
        .select_related("invoice")
    }
    refunds = {
        r.transaction_no: r
        for r in Refund.objects.filter(provider=provider.name, status=RefundStatus.DONE)
        .filter(Q(done_at__gte=low, done_at__lt=high) | Q(transaction_no__in=numbers))
        .select_related("invoice")
    }
    references = [row.reference for row in rows]
    invoice_of = {a.reference: a.invoice for a in PaymentAttempt.objects.filter(reference__in=references)}
    invoice_of |= {i.reference: i for i in Invoice.objects.filter(reference__in=references)}
    seen: set[str] = set()
    seen_refunds: set[str] = set()
    mismatches = []
    matched = 0

    def mismatch(kind: str, row: Row | None = None, **fields: Any) -> None:
        if row is not None:
            fields = {
                "reference": row.reference[:64],
                "transaction_no": row.transaction_no[:64],
                "line": row.line,
                "report_amount": row.amount,
                **fields,
            }
        mismatches.append(Mismatch(reconciliation=run, kind=kind, **fields))

    for row in rows:
        if row.error:
            mismatch(MismatchKind.BAD_ROW, row, report_amount=None, detail=row.error[:255])
            continue
        if not row.settled:
            continue
        invoice = invoice_of.get(row.reference)
        if row.refund:
            seen_refunds.add(row.transaction_no)
            refund = refunds.get(row.transaction_no)
            if invoice is None:
                mismatch(MismatchKind.UNKNOWN_INVOICE, row, detail="refund")
            elif refund is None or refund.invoice_id != invoice.pk:
                mismatch(MismatchKind.MISSING_IN_PORTAL, row, detail="refund")
            elif refund.amount != row.amount:
                mismatch(MismatchKind.AMOUNT, row, portal_amount=refund.amount, detail="refund")
            else:
                matched += 1
            continue
        seen.add(row.transaction_no)
        payment = payments.get(row.transaction_no)
        if invoice is None:
            mismatch(MismatchKind.UNKNOWN_INVOICE, row)
        elif payment is None or payment.invoice_id != invoice.pk:
            mismatch(MismatchKind.MISSING_IN_PORTAL, row, portal_amount=invoice.amount)
        elif payment.amount != row.amount:
            mismatch(MismatchKind.AMOUNT, row, portal_amount=payment.amount)
        else:
            matched += 1
    for transaction_no, payment in payments.items():
        if transaction_no not in seen and low <= payment.paid_at < high:
            mismatch(
                MismatchKind.MISSING_IN_REPORT,
                reference=payment.invoice.reference,
                transaction_no=transaction_no,
                portal_amount=payment.amount,
            )
    for transaction_no, refund in refunds.items():
        if transaction_no not in seen_refunds and refund.done_at and low <= refund.done_at < high:
            mismatch(
                MismatchKind.REFUNDED_BUT_SETTLED,
                reference=refund.invoice.reference,
                transaction_no=transaction_no,
                portal_amount=refund.amount,
                detail=f"refund {refund.reference}"[:255],
            )
    Mismatch.objects.bulk_create(mismatches)
    run.matched = matched
    run.save(update_fields=["matched"])
    return run


def mismatch_resolve(*, mismatch_id: int, user: Any, note: str) -> Mismatch:
    """Finance staff mark a mismatch resolved, saying how (the note is kept with who and when)."""
    if not has_permission(user, "payments.reconcile"):
        raise NotAllowed(_("Only the province's finance staff may resolve a mismatch."))
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Say how the mismatch was resolved."), code="comment_required")
    with transaction.atomic():
        found = Mismatch.objects.select_for_update().filter(pk=mismatch_id).first()
        if found is None:
            raise NotFound(_("No such mismatch."))
        if found.resolved_at is not None:
            raise InvalidState(_("This mismatch is resolved already."), code="resolved")
        found.resolved_at, found.resolved_by, found.resolution = timezone.now(), user, note[:2000]
        found.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return found


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
