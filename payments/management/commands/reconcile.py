from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.reconciliation import ReportInvalid, read_day, reconcile
from portal.errors import ServiceError


class Command(BaseCommand):
    help = "Compare a provider's settlement report (CSV) with the portal's payments and list every mismatch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="sandbox, vnpay, ...")
        parser.add_argument("file", type=Path)
        parser.add_argument("--from", dest="start", help="first day the report covers (yyyy-mm-dd)")
        parser.add_argument("--to", dest="end", help="last day the report covers (yyyy-mm-dd)")

    def handle(
        self, *args: Any, provider: str, file: Path, start: str | None, end: str | None, **options: Any
    ) -> None:
        period = None
        if start or end:
            first, last = read_day(start or end or ""), read_day(end or start or "")
            if first is None or last is None or last < first:
                raise CommandError("--from and --to must be days (yyyy-mm-dd), the first not after the last.")
            period = (first, last)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            run = reconcile(provider_name=provider, text=text, source=str(file), period=period)
        except (ReportInvalid, ServiceError) as exc:
            raise CommandError(str(exc)) from exc
        mismatches = list(run.mismatches.all())
        for m in mismatches:
            self.stdout.write(
                f"line {m.line or '-'}: {m.get_kind_display()}: {m.reference} {m.transaction_no} "
                f"portal={m.portal_amount} report={m.report_amount} {m.detail}".rstrip()
            )
        style = self.style.SUCCESS if not mismatches else self.style.WARNING
        self.stdout.write(
            style(
                f"{run.rows} rows, {run.matched} matched, {len(mismatches)} mismatches "
                f"(period {run.period_start} to {run.period_end})."
            )
        )
