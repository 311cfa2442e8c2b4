"""Catalogue search that ignores case and Vietnamese diacritics ("dang ky khai sinh" finds "Đăng ký khai sinh").

Both databases get one SQL function, ``portal_unaccent(text)``: on PostgreSQL an IMMUTABLE wrapper of the
``unaccent`` extension (created by migration ``0002``, with a trigram GIN index on ``portal_unaccent(name)`` so
that ``LIKE '%term%'`` uses the index); on SQLite the same function is registered in Python on each connection.
"""

import re
import unicodedata
from typing import Any

from django.db import models
from django.db.backends.signals import connection_created

# Letters whose base form unicodedata does not give by decomposition.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

MAX_QUERY_LENGTH = 200


def normalize(text: str) -> str:
    """Lower case without diacritics, the same text ``portal_unaccent`` gives in SQL."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def terms(query: str) -> list[str]:
    """The words of a query, normalised; every one must occur in a match."""
    return normalize(query).split()


class Unaccent(models.Func):
    """``portal_unaccent(expression)``: lower case, diacritics removed, on either database."""

    function = "portal_unaccent"
    output_field = models.TextField()


def _register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "portal_unaccent",
            1,
            lambda value: None if value is None else normalize(value),
            deterministic=True,
        )


def install() -> None:
    connection_created.connect(_register_sqlite_function, dispatch_uid="portal_unaccent")
