"""``manage.py pki_serve [--port N]``: the demo PKI's CRL, OCSP responder and time-stamping authority."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dossiers import pki, pki_service


class Command(BaseCommand):
    help = "Serve the demo PKI (SIGNING_DIR/certomancer.yml) at SIGNING_PKI_URL: CRL, OCSP and RFC 3161 time stamps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, help="the port (default: SIGNING_PKI_URL's)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not pki.config_path().exists():
            raise CommandError(f"No demo PKI at {pki.config_path()}: run `manage.py demo` first.")
        address = urlsplit(settings.SIGNING_PKI_URL)
        port = options["port"] or address.port or 80
        host = address.hostname or "127.0.0.1"

        def ready(bound: int) -> None:
            self.stdout.write(f"PKI services (CRL, OCSP, TSA) on http://{host}:{bound}/")
            self.stdout.flush()

        pki_service.serve(pki.config_path(), host=host, port=port, ready=ready)
