"""What the portal does when what it depends on goes away (issue 13, "Faults"), against real servers: a Redis
server these tests start and kill, and the machine's PostgreSQL made unreachable under the portal's connection.

- Redis down: the public lookup and filing a dossier keep answering; the rate limits fall back to the process's
  memory (still counted, never lifted) and go back to Redis once it answers again.
- The database down: 503 with ``Retry-After`` (never 500), then service again with no restart.
- ``/healthz`` answers while anything else is down; ``/readyz`` names what is.
"""

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client

from portal import cache as fallback_cache
from tests.dossiers.conftest import FAST_HASHERS
from tests.factories import DossierFactory, ProcedureVersionFactory

LOOKUP = "/api/v1/lookup/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """A redis-server process of the test's own, on a port of its own, that a test may stop and start again."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:  # its log, until it says it accepts connections (or it exits)
            if b"Ready to accept connections" in line:
                return
        raise RuntimeError("redis-server exited before it was ready")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cache_on(redis_server: RedisServer, settings: Any, monkeypatch: pytest.MonkeyPatch) -> RedisServer:
    """The portal's cache on the test's Redis; after a failure Redis is tried again at the next call."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "faults",
        }
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "3/min"},
    }
    settings.PASSWORD_HASHERS = FAST_HASHERS
    monkeypatch.setattr(fallback_cache, "RETRY_SECONDS", 0.0)
    return redis_server


def _lookup(client: Any, dossier: Any) -> int:
    response = client.get(LOOKUP, {"code": dossier.code, "key": dossier.lookup_key}, REMOTE_ADDR="10.9.9.9")
    return int(response.status_code)


@pytest.mark.django_db
def test_with_redis_down_the_lookup_and_filing_go_on_and_the_limits_still_count(
    cache_on: RedisServer, api: Any, citizen: Any, agency_a: Any
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    dossier = DossierFactory(version=version, received=True)
    anonymous = api(None)
    assert _lookup(anonymous, dossier) == 200  # one of the three, counted in Redis

    cache_on.stop()

    # Counted afresh in this process's memory: the outage gives at most one budget more, never an unlimited one.
    assert [_lookup(anonymous, dossier) for _ in range(4)] == [200, 200, 200, 429]
    created = api(citizen).post(
        "/api/v1/dossiers/",
        {"procedure": version.procedure.code, "applicant": {"full_name": "Nguyễn Văn An"}, "form": {}},
        format="json",
    )
    assert created.status_code == 201, created.content


@pytest.mark.django_db
def test_once_redis_is_back_the_limits_are_counted_there_again(cache_on: RedisServer, api: Any) -> None:
    from django.core.cache import cache

    cache_on.stop()
    cache.set("while-down", 1)  # into the process's memory
    cache_on.start()

    cache.set("after", 2)

    stored = redis.Redis.from_url(cache_on.url).keys("faults:*")
    assert any(key.endswith(b"after") for key in stored) and not any(
        key.endswith(b"while-down") for key in stored
    )
    assert cache.get("after") == 2


@pytest.mark.django_db
def test_healthz_answers_while_the_broker_is_down_and_readyz_names_it(
    redis_server: RedisServer, settings: Any
) -> None:
    settings.REDIS_URL = redis_server.url
    client = Client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok", "storage": "ok"}}

    redis_server.stop()

    assert client.get("/healthz").status_code == 200
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503 and not_ready["Retry-After"].isdigit()
    assert not_ready.json()["checks"] == {"database": "ok", "broker": "unavailable", "storage": "ok"}


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="a database server to lose: PostgreSQL (CI runs every test on it)",
)
@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_unreachable_pages_and_the_api_answer_503_then_serve_again(
    agency_a: Any,
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    dossier = DossierFactory(version=version, received=True)
    client = Client(raise_request_exception=False)
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_free_port())  # nothing listens there: the server is "away"
    try:
        api_down = client.get(LOOKUP, {"code": dossier.code, "key": dossier.lookup_key})
        page_down = client.get("/procedures/")
        ready = client.get("/readyz")
        health = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port

    assert (api_down.status_code, api_down.json()["code"], api_down["Retry-After"]) == (
        503,
        "unavailable",
        "5",
    )
    assert page_down.status_code == 503 and "Retry-After" in page_down
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "unavailable"
    assert health.status_code == 200
    # Back: the same process serves again, with no restart.
    assert client.get(LOOKUP, {"code": dossier.code, "key": dossier.lookup_key}).status_code == 200
