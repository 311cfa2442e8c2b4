from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from procedures import catalogue_file
from procedures.services import CatalogueInvalid, catalogue_import


class Command(BaseCommand):
    help = "Import the whole catalogue from a JSON file, all or nothing; every bad row is reported with its line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the catalogue file (as catalogue_export writes it)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, file: Path, no_progress: bool, **options: Any) -> None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        catalogue = catalogue_file.read(text)
        # Every missing template is reported, beside whatever else is wrong with the file.
        catalogue_file.store_templates(catalogue, file.parent)

        def progress(records: Any) -> Any:
            return tqdm(records, desc="procedures", unit="", disable=no_progress, file=self.stderr._out)

        try:
            counts = catalogue_import(catalogue=catalogue, actor=None, progress=progress)
        except CatalogueInvalid as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged."
            )
        )
