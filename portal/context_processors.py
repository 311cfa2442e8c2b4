from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.permissions import has_permission


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "PROVINCE_NAME": settings.PROVINCE_NAME,
        "PORTAL_DEMO": settings.PORTAL_DEMO,
        "perms_catalogue_manage": has_permission(request.user, "catalogue.manage"),
        "perms_console": has_permission(request.user, "console.view"),
        "perms_staff_manage": has_permission(request.user, "staff.manage"),
        "perms_stats": has_permission(request.user, "stats.view"),
        "is_citizen": getattr(request.user, "role", None) == "citizen",
    }
