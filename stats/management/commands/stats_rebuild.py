from typing import Any

from django.core.management.base import BaseCommand

from stats import services


class Command(BaseCommand):
    help = "Rebuild the service index's rollups from scratch (what the nightly job does)."

    def handle(self, *args: Any, **options: Any) -> None:
        done = services.rebuild()
        self.stdout.write(f"{done['sources']} dossiers and complaints, {done['tallies']} tally rows")
