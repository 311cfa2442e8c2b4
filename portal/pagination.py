"""Keyset pages, newest first, for every list that may grow without bound (dossiers, messages).

``?cursor=`` is the last id of the page before: the cost of a page does not depend on how deep it is, and a row
added while someone pages does not shift the pages after it. The API's numbered pages for the small, stable
catalogue are ``portal.api.pagination``.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# An id as a query value: ASCII digits, within the database's bigint range (19 digits may overflow it).
MAX_ID_DIGITS = 18


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: int | None


def keyset_page(rows: "QuerySet[M]", *, after: int | None, size: int) -> Page[M]:
    """One page of ``rows`` by descending id; ``after`` is the last id of the page before (None: the first)."""
    if after is not None:
        rows = rows.filter(id__lt=after)
    items = list(rows.order_by("-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items=items, next_cursor=items[-1].pk if more and items else None)


def parse_id(text: str) -> int | None:
    """``text`` as a database id if it is one (ASCII digits, positive, in range); else None."""
    if text.isascii() and text.isdigit() and 0 < len(text) <= MAX_ID_DIGITS and int(text) > 0:
        return int(text)
    return None
