"""Settings come from the environment: a bad value stops start-up with a message naming it; nothing set still runs.

Each case starts a fresh Python process, since settings are read once at start-up.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Every variable the settings read, cleared so that the machine's own (CI sets DATABASE_URL) does not leak in.
PORTAL_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "PORTAL_DEMO",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "PUBLIC_BASE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "MEDIA_ROOT",
    "EMAIL_BACKEND",
    "DEFAULT_FROM_EMAIL",
    "PROVINCE_NAME",
    "LOG_LEVEL",
    "PORTAL_REQUIRE_SERVICES",
    "DATABASE_CONN_MAX_AGE",
    "DATABASE_POOL_SIZE",
    "DATABASE_POOL_TIMEOUT",
    "DATABASE_REPLICA_URLS",
    "REPLICA_PIN_SECONDS",
    "LOG_FORMAT",
    "METRICS_TOKEN",
]

REPORT = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "cache": s.CACHES["default"]["BACKEND"],
    "debug": s.DEBUG,
    "secret": s.SECRET_KEY,
    "limit": s.AXES_FAILURE_LIMIT,
    "email": s.EMAIL_BACKEND,
    "max_age": s.DATABASES["default"].get("CONN_MAX_AGE"),
    "pool": s.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    "replicas": {alias: [db["PORT"], db["TEST"]["MIRROR"]] for alias, db in s.DATABASES.items() if alias != "default"},
    "log_format": s.LOG_FORMAT,
}))
"""


def start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PORTAL_VARIABLES and not key.endswith("_FILE") and not key.startswith("PYTEST")
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    env.update(variables)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", REPORT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def started(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_nothing_set_the_portal_starts_on_sqlite_with_tasks_in_process(tmp_path):
    report = started(start(tmp_path))

    assert report["engine"] == "django.db.backends.sqlite3"
    assert report["eager"] is True
    assert report["broker"] == "memory://"
    assert report["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert report["debug"] is False
    assert report["limit"] == 5
    assert report["email"] == "django.core.mail.backends.console.EmailBackend"


def test_with_database_and_redis_urls_the_portal_uses_postgresql_redis_and_real_workers(tmp_path):
    report = started(
        start(
            tmp_path,
            DATABASE_URL="postgres://portal@db.example:5432/portal",
            REDIS_URL="redis://cache.example:6379/0",
        )
    )

    assert report["engine"] == "django.db.backends.postgresql"
    assert report["eager"] is False
    assert report["broker"] == "redis://cache.example:6379/0"
    assert report["cache"] == "portal.cache.FallbackRedisCache"  # Redis, or memory while it is down
    assert (report["max_age"], report["pool"]) == (60, None)  # connections kept between requests


def test_a_pool_size_draws_postgresql_connections_from_psycopgs_pool(tmp_path):
    report = started(
        start(tmp_path, DATABASE_URL="postgres://portal@db.example:5432/portal", DATABASE_POOL_SIZE="8")
    )

    assert report["max_age"] == 0  # Django refuses a pool with persistent connections
    assert report["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10}


def test_replica_urls_become_read_only_mirrors_of_the_primary(tmp_path):
    report = started(
        start(
            tmp_path,
            DATABASE_URL="postgres://portal@db.example:5432/portal",
            DATABASE_REPLICA_URLS="postgres://portal@r1.example:5433/portal, postgres://portal@r2.example:5433/portal",
        )
    )

    assert report["replicas"] == {"replica1": [5433, "default"], "replica2": [5433, "default"]}


def test_a_bad_replica_url_or_log_format_stops_start_up_naming_it(tmp_path):
    assert "DATABASE_REPLICA_URLS" in start(tmp_path, DATABASE_REPLICA_URLS="mysql://x@y/z").stderr
    assert "LOG_FORMAT" in start(tmp_path, LOG_FORMAT="xml").stderr


def test_a_bad_pool_size_stops_start_up_naming_it(tmp_path):
    failed = start(
        tmp_path, DATABASE_URL="postgres://portal@db.example:5432/portal", DATABASE_POOL_SIZE="many"
    )

    assert failed.returncode != 0 and "DATABASE_POOL_SIZE" in failed.stderr


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("0", False), ("TRUE", True), ("off", False)])
def test_debug_takes_the_usual_yes_and_no_words(tmp_path, value, expected):
    assert started(start(tmp_path, DEBUG=value))["debug"] is expected


def test_a_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-from-a-file\n", encoding="utf-8")

    assert started(start(tmp_path, SECRET_KEY_FILE=str(secret)))["secret"] == "s3cret-from-a-file"


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://host:5432/"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"AXES_FAILURE_LIMIT": "abc"}, "AXES_FAILURE_LIMIT"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT"),
        ({"AXES_FAILURE_LIMIT": "-3"}, "AXES_FAILURE_LIMIT"),
        ({"AXES_COOLOFF_MINUTES": "soon"}, "AXES_COOLOFF_MINUTES"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE"),
        ({"PORTAL_DEMO": "perhaps"}, "PORTAL_DEMO"),
        ({"PORTAL_DEMO": "no"}, "SECRET_KEY"),  # production without a secret key
        ({"OIDC_RP_CLIENT_ID": "portal"}, "OIDC_OP_TOKEN_ENDPOINT"),  # an e-ID client with no provider
        (
            {"OIDC_OP_TOKEN_ENDPOINT": "http://sso.example.gov.vn/token"},
            "OIDC_OP_TOKEN_ENDPOINT",
        ),  # not HTTPS
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(tmp_path, variables, named):
    result = start(tmp_path, **variables)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert named in last_line


def test_manage_py_check_refuses_a_bad_value_too(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in PORTAL_VARIABLES}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "maybe"})

    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "DEBUG='maybe'" in result.stderr
