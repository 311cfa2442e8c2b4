from typing import Any

from django.core.management.base import BaseCommand

from payments.tasks import query_open_attempts


class Command(BaseCommand):
    help = (
        "Ask the providers about online payments still open after PAYMENT_QUERY_AFTER_MINUTES (VNPay's querydr) "
        "and settle them; what the beat task does every five minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = query_open_attempts()
        summary = (
            ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items())) or "nothing to ask"
        )
        self.stdout.write(summary)
