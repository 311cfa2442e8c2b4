import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from procedures import catalogue_file, selectors


class Command(BaseCommand):
    help = (
        "Export the published catalogue (agencies, sectors, procedures) as JSON that catalogue_import reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, output: Path | None, **options: Any) -> None:
        versions = list(
            tqdm(
                selectors.version_with_content().filter(state="published").order_by("procedure__code"),
                desc="procedures",
                unit="",
                disable=output is None,
                file=sys.stderr,
            )
        )
        text = catalogue_file.write(versions, list(selectors.agencies()), list(selectors.sectors()))
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {len(versions)} procedures to {output}."))
