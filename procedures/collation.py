"""Vietnamese alphabetical order for the lists that sort by a name ("Đất đai" before "Văn bằng").

PostgreSQL sorts with ICU's ``vi`` collation; SQLite knows no such collation, so the portal registers one named
``vi`` on each SQLite connection, comparing by the same three levels as ICU: the letters of the Vietnamese
alphabet (a ă â b c d đ e ê …), then the tones (none, huyền, hỏi, ngã, sắc, nặng), then the case.
"""

import functools
import unicodedata
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {letter: rank for rank, letter in enumerate(ALPHABET)}
# Combining marks: the tones in their dictionary order; the others (breve, circumflex, horn) make letters.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
SQLITE_COLLATION = "vi"
POSTGRESQL_COLLATION = "vi-x-icu"

Key = tuple[tuple[tuple[int, int], ...], tuple[int, ...], tuple[int, ...], str]


@functools.lru_cache(maxsize=4096)
def sort_key(text: str) -> Key:
    """The key that puts ``text`` in Vietnamese alphabetical order, as ICU's ``vi`` collation does."""
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    cases: list[int] = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tone = next((_TONES[mark] for mark in decomposed if mark in _TONES), 0)
        base = unicodedata.normalize("NFC", "".join(mark for mark in decomposed if mark not in _TONES))
        lower = base.lower()
        if lower in _LETTER:
            letters.append((2, _LETTER[lower]))
        elif lower.isalpha():
            letters.append((3, ord(lower)))
        else:  # spaces, digits and punctuation come before letters
            letters.append((1, ord(lower)))
        tones.append(tone)
        cases.append(0 if base == lower else 1)
    return tuple(letters), tuple(tones), tuple(cases), text


def _compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def _register(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    _register(connection)


connection_created.connect(_on_connection_created, dispatch_uid="procedures.collation")
for _open in connections.all(initialized_only=True):  # opened before this module was imported
    _register(_open)


class Vietnamese(Collate):
    """``field`` in Vietnamese order, for ``order_by``."""

    def __init__(self, field: str) -> None:
        super().__init__(F(field), SQLITE_COLLATION)

    def as_postgresql(self, compiler: Any, connection: BaseDatabaseWrapper, **extra_context: Any) -> Any:
        extra_context["collation"] = connection.ops.quote_name(POSTGRESQL_COLLATION)
        return self.as_sql(compiler, connection, **extra_context)
