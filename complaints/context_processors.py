"""``complaint_counts`` for the console's bar (templates/console/_bar.html includes complaints/_count.html): the
user's agency's open and overdue complaints, counted only when a page shows them."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.permissions import has_permission
from complaints import selectors


def console_counts(request: HttpRequest) -> dict[str, Any]:
    def counts() -> selectors.OpenCounts | None:
        agency_id = getattr(request.user, "agency_id", None)
        if agency_id is None or not has_permission(request.user, "console.view"):
            return None
        return selectors.open_counts(agency_id=agency_id)

    return {"complaint_counts": SimpleLazyObject(counts)}
