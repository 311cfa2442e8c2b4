"""Strict reading of settings from the environment.

django-environ parses the values; this module refuses the ones it would silently misread ("maybe" as False, a
database URL without a known scheme as an empty dict), so a bad value stops start-up with a message that names the
variable. Secrets may also come from a file named by ``<NAME>_FILE``.
"""

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DB_SCHEMES = {"postgres", "postgresql", "pgsql", "psql", "sqlite"}
# DRF's notation for a rate: a count per second, minute, hour or day.
_RATE = re.compile(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)")


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name)


def string(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value; use one of 1, true, yes, on, 0, false, no, off"
    )


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}")
    return number


def string_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database(name: str, default: str) -> dict[str, Any]:
    return database_config(name, _raw(name) or default)


def database_config(name: str, url: str) -> dict[str, Any]:
    """Django's settings of one database from its URL (read from the variable ``name``, for the messages)."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in _DB_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}={url!r} is not a database URL; expected postgres://user@host:5432/name or sqlite:///path"
        )
    config = _env.db_url_config(url)
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={url!r} names no database")
    if scheme != "sqlite":
        # psycopg 3 is the driver; connections are reused between requests.
        config["ENGINE"] = "django.db.backends.postgresql"
        config.setdefault("CONN_HEALTH_CHECKS", True)
    return config


def storage(name: str) -> dict[str, Any] | None:
    """The S3-compatible store of ``s3://bucket[/prefix][?endpoint_url=…&region_name=…]`` as django-storages'
    options, or None (the local disk) when unset. The keys come from ``STORAGE_ACCESS_KEY`` and
    ``STORAGE_SECRET_KEY`` (or their ``_FILE``), else from boto3's own chain (AWS_* variables, an instance role)."""
    from urllib.parse import parse_qs

    value = (_raw(name) or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(f"{name}={value!r} is not s3://bucket[/prefix][?endpoint_url=…]")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint_url", "region_name"}
    if unknown:
        raise ImproperlyConfigured(f"{name}: unknown option(s) {', '.join(sorted(unknown))}")
    endpoint = query.get("endpoint_url")
    if endpoint is not None and urlsplit(endpoint).scheme not in {"http", "https"}:
        raise ImproperlyConfigured(f"{name}: endpoint_url={endpoint!r} is not an http(s) address")
    return {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "endpoint_url": endpoint,
        "region_name": query.get("region_name"),
        "access_key": _raw("STORAGE_ACCESS_KEY"),
        "secret_key": _raw("STORAGE_SECRET_KEY"),
        # Private objects: no public ACL; served through the portal (policy checked, access logged), or by an
        # address signed for five minutes; never overwritten (a second file of a name gets a name of its own).
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "signature_version": "s3v4",
        "file_overwrite": False,
        # Path-style addresses: what MinIO, moto and most S3-compatible stores answer.
        "addressing_style": "path" if endpoint else None,
    }


def public_base_url(name: str) -> str:
    """An absolute http(s) address with a host and nothing after the path (``https://dichvucong.example.gov.vn``),
    without its trailing slash; "" when unset. A relative or schemeless value would print QR codes that open
    nothing, so it stops start-up instead."""
    value = (_raw(name) or "").strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not the portal's public address; expected e.g. https://dichvucong.example.gov.vn"
        )
    return value


def redis_url(name: str) -> str:
    url = _raw(name) or ""
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={url!r} is not a Redis URL; expected redis://host:6379/0")
    return url


def throttle_rates(name: str, defaults: dict[str, str]) -> dict[str, str]:
    """The defaults with ``scope=rate`` pairs from ``name`` laid over them, e.g. ``lookup=600/min,verify=10/min``.

    An unknown scope or a rate DRF would misread (``10/minutes`` counts per minute, ``ten/min`` fails at the
    first request) stops start-up here instead.
    """
    rates = dict(defaults)
    for pair in string_list(name, []):
        scope, sep, rate = (part.strip() for part in pair.partition("="))
        if not sep or scope not in defaults:
            raise ImproperlyConfigured(
                f"{name}: {pair!r} is not scope=rate with a scope among {', '.join(sorted(defaults))}"
            )
        if not _RATE.fullmatch(rate):
            raise ImproperlyConfigured(
                f"{name}: {pair!r} has no valid rate; write it like 60/min (per s, min, hour or day)"
            )
        rates[scope] = rate
    return rates


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` (or ``X-Forwarded-Proto=https``): the header a TLS-terminating proxy sets, and the
    value that means HTTPS, as Django's ``SECURE_PROXY_SSL_HEADER``; None when unset."""
    value = (_raw(name) or "").strip()
    if not value:
        return None
    header, _, expected = value.partition("=")
    header, expected = header.strip(), expected.strip() or "https"
    if not header or not all(c.isalnum() or c in "-_" for c in header):
        raise ImproperlyConfigured(f"{name}={value!r} is not a header name; expected e.g. X-Forwarded-Proto")
    return "HTTP_" + header.upper().replace("-", "_"), expected


def endpoint(name: str) -> str:
    """An absolute address of another service (an OpenID provider's endpoint), "" when unset. HTTPS, except on
    the machine itself (localhost, 127.0.0.0/8, ::1: the demo's and the tests' local provider)."""
    value = (_raw(name) or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    local = parts.hostname in {"localhost", "::1"} or (parts.hostname or "").startswith("127.")
    if parts.scheme != "https" and not (parts.scheme == "http" and local) or not parts.hostname:
        raise ImproperlyConfigured(f"{name}={value!r} is not an https:// address (http:// only on localhost)")
    return value
