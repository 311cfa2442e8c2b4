"""Reading the access log, as the reader may see it."""

from typing import Any

from audit.models import AccessLog


def access_log(*, dossier_id: int, with_people: bool, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first: when, which agency and role, what was read; the person only where ``with_people``."""
    rows = AccessLog.objects.filter(dossier_id=dossier_id).select_related("agency", "user")[:limit]
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "at": row.at,
            "agency": row.agency.name if row.agency else None,
            "agency_code": row.agency.code if row.agency else None,
            "role": row.role,
            "what": row.what,
            "detail": row.detail,
        }
        if with_people:
            item["who"] = row.user.get_full_name() or row.user.username
        out.append(item)
    return out
