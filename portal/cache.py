"""The cache behind the rate limits and the calendar: Redis, falling back to this process's memory while Redis is
unreachable, so that a Redis outage slows nothing down and breaks no page (issue 13, "Faults").

While Redis is down each process counts the rate limits on its own (a client spread over N processes gets N times
its budget for the outage, never an unlimited one), and the calendar is read again from the database. After a
failure Redis is not tried again for ``RETRY_SECONDS``, so a request never waits on a dead connection more than
once per process and interval; the first call after it that succeeds goes back to Redis.
"""

import logging
import threading
import time
from typing import Any

import redis.exceptions
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
_UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        # A dead Redis must answer "unreachable" fast, not after the operating system's connect timeout.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, params)
        self._fallback = LocMemCache(f"fallback-{id(self)}", {"KEY_PREFIX": self.key_prefix})
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_down:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except _UNREACHABLE as exc:
                with self._lock:
                    if not self.redis_down:
                        log.warning(
                            "Redis unreachable (%s); rate limits and cache in process memory for %.0f s",
                            exc,
                            RETRY_SECONDS,
                        )
                    self._down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        self._fallback.clear()
        return self._call("clear")
