"""What a supplement request asked for (the components named, each with the copy type and count asked) and what
of it is still missing: read by the dossier API, the citizen's page, the supplement slip and ``resubmit``."""

from typing import Any

from dossiers.constants import EventAction
from dossiers.models import Dossier, DossierEvent


def named(event: DossierEvent) -> dict[int, dict[str, Any]]:
    """The components ``event`` (a request_supplement history row) named, by id, with the copy type and count
    asked if given; an older row keeps bare ids."""
    rows = event.data.get("components") or []
    return {c["id"]: c for c in (c if isinstance(c, dict) else {"id": c} for c in rows)}


def last_request(dossier: Dossier) -> DossierEvent | None:
    requests = [e for e in dossier.events.all() if e.action == EventAction.REQUEST_SUPPLEMENT]
    return max(requests, key=lambda e: (e.at, e.pk)) if requests else None


def requested(dossier: Dossier) -> list[dict[str, Any]]:
    """The last request's named components: id, name, copy type, count, and whether a paper for it was uploaded
    since the request."""
    event = last_request(dossier)
    if event is None:
        return []
    asked = named(event)
    since = {d.component_id for d in dossier.documents.all() if d.uploaded_at > event.at}
    return [
        {
            "id": c.pk,
            "name": c.name,
            "copy_type": asked[c.pk].get("copy_type") or c.copy_type,
            "count": asked[c.pk].get("count") or c.copies,
            "uploaded": c.pk in since,
        }
        for c in dossier.version.components.all()
        if c.pk in asked
    ]


def still_missing(dossier: Dossier) -> list[dict[str, Any]]:
    return [row for row in requested(dossier) if not row["uploaded"]]
