"""``manage.py verify_history``: check every dossier's history chain; exit non-zero naming the first broken row."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dossiers import history


class Command(BaseCommand):
    help = "Check that no row of any dossier's history was changed, inserted or removed (the hash chain)."

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = history.verify()
        first = next(breaks, None)
        if first is not None:
            others = sum(1 for _ in breaks)
            more = f" ({others} more dossier(s) broken)" if others else ""
            raise CommandError(f"The history is broken at {first}{more}.")
        self.stdout.write("Every dossier's history is intact.")
