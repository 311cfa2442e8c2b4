"""Read replicas against a real streaming replica of the test PostgreSQL (``./dev.sh replica start``; .ci/run starts
it and sets ``PORTAL_TEST_REPLICA_URL``): the portal runs in a server process of its own with
``DATABASE_REPLICA_URLS``, and the replica's replay is paused so that a read from it is told apart from a read from
the primary.

- The public lookup reads from the replica: with its replay paused, an anonymous lookup still shows the old state.
- The actor who just changed the dossier reads it back from the primary: the new state, at once.
"""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.factories import PASSWORD, DossierFactory, ProcedureVersionFactory

REPLICA = os.environ.get("PORTAL_TEST_REPLICA_URL", "")
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1" and not REPLICA:
    raise RuntimeError("PORTAL_REQUIRE_SERVICES=1 needs PORTAL_TEST_REPLICA_URL (./dev.sh replica start)")

pytestmark = [
    pytest.mark.skipif(
        not (ON_POSTGRESQL and REPLICA), reason="needs PostgreSQL and its streaming replica (CI)"
    ),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _url(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/{name}"


class Replica:
    """The replica's own connection: pause and resume its replay, wait until it has replayed the primary's WAL."""

    def __init__(self, url: str) -> None:
        self.connection = psycopg.connect(url, autocommit=True)

    def caught_up(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            lsn = cursor.fetchone()[0]
        # Replay is asynchronous: wait (on the server, not on a clock here) until the replica has got that far.
        wait = f"DO $$ BEGIN WHILE pg_last_wal_replay_lsn() < '{lsn}'::pg_lsn LOOP PERFORM pg_sleep(0.01); END LOOP; END $$"
        self.connection.execute(wait)

    def pause(self) -> None:
        self.connection.execute("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.connection.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def replica() -> Iterator[Replica]:
    database = connection.settings_dict["NAME"]
    found = Replica(_url(REPLICA, database))
    yield found
    found.resume()
    found.connection.close()


@pytest.fixture
def portal(tmp_path: Path, replica: Replica) -> Iterator[str]:
    """The portal in a process of its own: its primary is the test database, its replica that database's replica."""
    database = connection.settings_dict["NAME"]
    primary = settings.DATABASES["default"]
    port = _free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "REDIS_URL", "DATABASE"))
    }
    environment |= {
        "DATABASE_URL": f"postgres://{primary['USER']}@{primary['HOST']}:{primary['PORT']}/{database}",
        "DATABASE_REPLICA_URLS": _url(REPLICA, database),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    for line in process.stdout:  # until it listens (or exits)
        if b"Quit the server with" in line:
            break
    else:
        raise RuntimeError("the portal did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def test_the_lookup_reads_from_the_replica_but_the_actor_reads_its_own_change_from_the_primary(
    portal: str, replica: Replica, receiver: Any, agency_a: Any
) -> None:
    version = ProcedureVersionFactory(published=True, agency=agency_a, content=False)
    dossier = DossierFactory(version=version, submitted=True)
    lookup = {"code": dossier.code, "key": dossier.lookup_key}
    counter = requests.Session()
    token = counter.post(
        f"{portal}/api/v1/auth/token/", json={"username": receiver.username, "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    counter.headers["Authorization"] = f"Token {token.json()['token']}"
    replica.caught_up()
    replica.pause()  # from here the replica shows the dossier as it is now: submitted

    received = counter.post(f"{portal}/api/v1/dossiers/{dossier.pk}/actions/receive/")
    assert received.status_code == 200, received.text
    anyone = requests.get(f"{portal}/api/v1/lookup/", params=lookup, timeout=10)
    actor = counter.get(f"{portal}/api/v1/lookup/", params=lookup, timeout=10)
    browser_actor = requests.Session()
    browser_actor.cookies.set("primary_pin", "1")  # what the portal sets on a browser that has just posted

    assert anyone.json()["state"] == "submitted"  # the replica, a step behind
    assert actor.json()["state"] == "assessing"  # the one who received it: the primary
    assert (
        browser_actor.get(f"{portal}/api/v1/lookup/", params=lookup, timeout=10).json()["state"]
        == "assessing"
    )
    replica.resume()
    replica.caught_up()
    assert requests.get(f"{portal}/api/v1/lookup/", params=lookup, timeout=10).json()["state"] == "assessing"


def test_a_post_pins_the_browser_to_the_primary_for_a_moment(portal: str, citizen: Any) -> None:
    browser = requests.Session()
    page = browser.get(f"{portal}/accounts/login/", timeout=10)
    assert "primary_pin" not in browser.cookies
    csrf = browser.cookies["csrftoken"]
    logged_in = browser.post(
        f"{portal}/accounts/login/",
        data={"username": citizen.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{portal}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )

    assert page.status_code == 200 and logged_in.status_code == 302
    pin = next(cookie for cookie in browser.cookies if cookie.name == "primary_pin")
    assert pin.expires is not None  # a moment (REPLICA_PIN_SECONDS), not the session
