from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from portal import demo


class Command(BaseCommand):
    help = "Load the demo province (agencies, catalogue, one user per role). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, no_progress: bool, **options: Any) -> None:
        call_command(
            "catalogue_import",
            str(demo.CATALOGUE),
            no_progress=no_progress,
            stdout=self.stdout,
            stderr=self.stderr,
        )
        demo.load_calendar()
        if settings.SIGNER == "pkcs12":
            count = demo.load_pki()
            self.stdout.write(f"Signing: demo CA and {count} agency certificates in {settings.SIGNING_DIR}")
        password = demo.password()
        users = demo.load_users(password=password)
        self.stdout.write(f"\nDemo accounts (password: {password})")
        for user in users:
            where = f" — {user.agency.code} {user.agency.name}" if user.agency else ""
            self.stdout.write(f"  {user.username:<15} {user.get_role_display()}{where}")
