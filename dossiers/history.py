"""A dossier's history: append-only rows that form a hash chain (API.md, "history").

``history_write`` is the only writer of ``DossierEvent``. Each row's ``hash`` is the SHA-256 over its content and the
previous row's hash (``prev_hash``, empty for the first), and the dossier keeps the newest hash as its
``history_head``, so a changed, inserted or deleted row, the last one included, breaks the chain.
``verify`` recomputes it (``manage.py verify_history``).

The caller holds the dossier's row lock (``select_for_update``) or has just created the dossier, so two rows of
one dossier are never chained to the same predecessor.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from dossiers.models import Dossier, DossierEvent


def _content(event: DossierEvent) -> bytes:
    """The row as hashed: every field that is evidence, in a canonical JSON form."""
    at = event.at.astimezone(dt.UTC) if timezone.is_aware(event.at) else event.at
    return json.dumps(
        {
            "dossier": event.dossier_id,
            "action": event.action,
            "from": event.from_state,
            "to": event.to_state,
            "actor": event.actor_id,
            "actor_agency": event.actor_agency_id,
            "at": at.isoformat(timespec="microseconds"),
            "comment": event.comment,
            "data": event.data,
            "prev": event.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=True,
        separators=(",", ":"),
        default=str,
    ).encode()


def digest(event: DossierEvent) -> str:
    return hashlib.sha256(_content(event)).hexdigest()


def history_write(
    *,
    dossier: Dossier,
    action: str,
    actor: Any,
    at: dt.datetime | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    """Append a row to the dossier's history, chained to the one before, and move the dossier's head.

    The states default to the dossier's (a change that is not a change of state); ``actor`` is ``None`` for the
    portal itself. The head is written at once (``dossier.history_head`` is set too), so a caller that saves the
    dossier afterwards need not list it.
    """
    event = DossierEvent(
        dossier=dossier,
        action=action,
        from_state=dossier.state if from_state is None else from_state,
        to_state=dossier.state if to_state is None else to_state,
        actor=actor,
        actor_agency_id=getattr(actor, "agency_id", None),
        at=at or timezone.now(),
        comment=comment,
        data=data or {},
        prev_hash=dossier.history_head,
    )
    # The JSON column gives back what it was given after a round trip through the database; hash that form.
    event.data = json.loads(json.dumps(event.data, default=str))
    event.hash = digest(event)
    event.save()
    dossier.history_head = event.hash
    Dossier.objects.filter(pk=dossier.pk).update(history_head=event.hash)
    return event


@dataclass(frozen=True)
class Break:
    dossier_id: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"row {self.event_id}" if self.event_id is not None else "its last row"
        return f"dossier {self.dossier_id}, {where}: {self.reason}"


def verify_dossier(dossier_id: int, head: str, events: Iterable[DossierEvent]) -> Break | None:
    """The first break in one dossier's chain (rows in order of id), or None."""
    previous = ""
    for event in events:
        if event.prev_hash != previous:
            return Break(
                dossier_id, event.pk, "its previous hash does not match (a row was removed or inserted)"
            )
        if digest(event) != event.hash:
            return Break(dossier_id, event.pk, "its content does not match its hash (it was changed)")
        previous = event.hash
    if previous != head:
        return Break(dossier_id, None, "the dossier's newest hash does not match (a row was removed)")
    return None


def verify(batch: int = 2000) -> Iterator[Break]:
    """Every break in every dossier's chain, dossier by dossier, reading ``batch`` dossiers at a time."""
    last = 0
    while True:
        heads = list(
            Dossier.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "history_head")[:batch]
        )
        if not heads:
            return
        by_dossier: dict[int, list[DossierEvent]] = {pk: [] for pk, _head in heads}
        for event in DossierEvent.objects.filter(dossier_id__in=by_dossier).order_by("dossier_id", "id"):
            by_dossier[event.dossier_id].append(event)
        for pk, head in heads:
            found = verify_dossier(pk, head, by_dossier[pk])
            if found is not None:
                yield found
        last = heads[-1][0]
