"""Read replicas (``DATABASE_REPLICA_URLS``): the public lookup, the catalogue's reads and the statistics read from
a replica; everything else, and every write, from the primary.

A view opts in with ``@replica_page`` (a page) or ``ReplicaReads`` (an API view, after DRF has authenticated the
caller); only while it runs does ``ReplicaRouter`` send reads to a replica, and then not those of the accounts,
sessions and tokens, which a login has just written.

Reading one's own writes: a replica may lag its primary by a moment, so whoever has just changed something must not
read it back from a replica. Every request that may write (POST, PUT, PATCH, DELETE) pins its sender to the primary
for ``REPLICA_PIN_SECONDS``: a browser by a cookie, a logged-in user or API token's user also in the cache (a counter
system that sends a transition and then looks the dossier up reads it from the primary). A forged pin cookie only
sends its bearer to the primary.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PIN_COOKIE = "primary_pin"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What a login or a token writes and the very next request reads: never from a replica.
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "sessions", "knox", "axes", "contenttypes", "admin"})

_on_replica: ContextVar[bool] = ContextVar("portal_reads_on_replica", default=False)


def replicas() -> list[str]:
    return list(getattr(settings, "REPLICA_DATABASES", []))


def _pin_key(user_id: Any) -> str:
    return f"primary-pin:user:{user_id}"


def _user_id(request: Any) -> Any:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def pinned(request: Any) -> bool:
    """Whether ``request``'s sender wrote something a moment ago and must read from the primary."""
    if PIN_COOKIE in request.COOKIES:
        return True
    user_id = _user_id(request)
    return user_id is not None and bool(cache.get(_pin_key(user_id)))


@contextmanager
def reads_on_replica(request: Any) -> Iterator[None]:
    """Inside the block, reads go to a replica, unless there is none or the sender is pinned to the primary."""
    token = _on_replica.set(bool(replicas()) and not pinned(request))
    try:
        yield
    finally:
        _on_replica.reset(token)


def replica_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with reads_on_replica(request):
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaReads:
    """For a DRF view: its handler reads from a replica (after authentication, so that a pinned API user is
    known)."""

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self._replica_token = _on_replica.set(bool(replicas()) and not pinned(request))

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        token = self.__dict__.pop("_replica_token", None)
        if token is not None:
            _on_replica.reset(token)
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _on_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS:
            return random.choice(replicas())  # noqa: S311 - spreading load, not a secret
        return None  # the primary

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the replicas hold the primary's very rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class PinWriters:
    """Middleware: a request that may have written pins its sender to the primary for a moment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS and replicas():
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            # After the view: DRF has put the token's user on the request by now.
            if (user_id := _user_id(request)) is not None:
                cache.set(_pin_key(user_id), 1, seconds)
        return response
