from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.reconciliation import ReportInvalid, reconcile
from portal.errors import ServiceError


class Command(BaseCommand):
    help = "Compare a provider's settlement report (CSV) with the portal's payments and list every mismatch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="sandbox, vnpay, ...")
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, provider: str, file: Path, **options: Any) -> None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            run = reconcile(provider_name=provider, text=text, source=str(file))
        except (ReportInvalid, ServiceError) as exc:
            raise CommandError(str(exc)) from exc
        mismatches = list(run.mismatches.all())
        for m in mismatches:
            self.stdout.write(
                f"line {m.line or '-'}: {m.get_kind_display()}: {m.reference} {m.transaction_no} "
                f"portal={m.portal_amount} report={m.report_amount} {m.detail}".rstrip()
            )
        style = self.style.SUCCESS if not mismatches else self.style.WARNING
        self.stdout.write(style(f"{run.rows} rows, {run.matched} matched, {len(mismatches)} mismatches."))
