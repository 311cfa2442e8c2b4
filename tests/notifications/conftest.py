"""Fixtures of the notification tests: tasks in process, SMS written to a folder, a citizen with a phone and an
e-mail, dossiers at each step, and a local SMS gateway."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from accounts.models import Profile
from tests.dossiers.conftest import FAST_HASHERS
from tests.factories import ProcedureVersionFactory

BASE_URL = "https://dichvucong.example.vn"
CITIZEN_EMAIL = "an.nguyen@example.vn"
CITIZEN_PHONE = "0912345678"


@pytest.fixture(autouse=True)
def _notification_settings(settings: Any, tmp_path: Path) -> None:
    """Tasks run in process (also where REDIS_URL is set), SMS land in a folder, links are absolute."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "folder"
    settings.SMS_FOLDER = str(tmp_path / "sms")
    settings.NOTIFY_CHANNELS = ["email", "sms", "portal"]
    settings.PUBLIC_BASE_URL = BASE_URL


def sms_files(settings: Any) -> list[dict[str, Any]]:
    """The SMS the folder back end wrote, oldest first."""
    folder = Path(settings.SMS_FOLDER)
    if not folder.exists():
        return []
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))]


@pytest.fixture
def version_a(agency_a: Any) -> Any:
    return ProcedureVersionFactory(
        published=True, agency=agency_a, processing_days=5, name="Cấp giấy phép xây dựng nhà ở riêng lẻ"
    )


@pytest.fixture
def reachable_citizen(citizen: Any) -> Any:
    """The citizen persona with the phone and e-mail of their profile."""
    Profile.objects.update_or_create(
        user=citizen, defaults={"full_name": "Nguyễn Văn An", "phone": CITIZEN_PHONE, "email": CITIZEN_EMAIL}
    )
    citizen.refresh_from_db()
    return citizen


@dataclass
class Gateway:
    """A local SMS gateway: answers each POST with the next scripted status and records what it got."""

    url: str
    statuses: list[int]
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway(url="", statuses=[])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "json": json.loads(self.rfile.read(length).decode("utf-8")),
                }
            )
            status = state.statuses.pop(0) if state.statuses else 200
            answer = json.dumps({"id": f"gw-{len(state.requests)}"} if status < 300 else {"error": "busy"})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
