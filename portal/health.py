"""Whether this process and what it depends on can serve (issue 13, "Operable" and "Faults").

- ``/healthz``: the process is up and answers; it touches nothing else, so a load balancer never restarts a web
  process because the database is away.
- ``/readyz``: the database, the broker (Redis, when configured) and the file storage each answer; 503 naming the
  ones that do not, so that the load balancer sends no one to a process that cannot serve them.
- ``database_unavailable``: while the database is unreachable a request is answered 503 with ``Retry-After``,
  not 500; Django's persistent connections are health-checked (``CONN_HEALTH_CHECKS``), so the processes recover
  by themselves once it is back.
"""

import logging
import os
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from storages.backends.s3 import S3Storage

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _database() -> None:
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")


def _broker() -> None:
    if not settings.REDIS_URL:
        return  # tasks run in process: there is no broker to reach
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def _storage() -> None:
    if isinstance(
        default_storage, FileSystemStorage
    ):  # the local disk: its folder there (or made) and writable
        location = default_storage.location
        os.makedirs(location, exist_ok=True)
        if not os.access(location, os.W_OK):
            raise OSError(f"{location} is not writable")
    elif isinstance(default_storage, S3Storage):  # the bucket is there and ours to read
        default_storage.connection.meta.client.head_bucket(Bucket=default_storage.bucket_name)
    else:  # another store: one request that must be answered
        default_storage.exists("readyz-probe")


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "broker": _broker, "storage": _storage}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "up"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - whatever the failure, the answer is "not ready" and why
            log.warning("readiness: %s unavailable: %s", name, exc)
            checks[name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks})
    if not ready:
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_down(exception: BaseException | None) -> bool:
    """An error that says the database cannot be reached, not one a query of ours caused."""
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    if "sqlite3" in settings.DATABASES["default"]["ENGINE"]:
        return "locked" in str(exception)
    cause = exception.__cause__
    # psycopg: a failed connection or a connection lost mid-request (server restarting, shut down, unreachable).
    return cause is None or type(cause).__name__ in {"OperationalError", "InterfaceError", "AdminShutdown"}


def database_unavailable(request: HttpRequest) -> HttpResponse | None:
    """For handler500: the answer while the database is unreachable, or None for any other error."""
    exception = sys.exc_info()[1]
    if not isinstance(exception, DatabaseError) or not _database_down(exception):
        return None
    log.warning("database unavailable: %s", exception)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": "The service is briefly unavailable; try again shortly.", "code": "unavailable"},
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
