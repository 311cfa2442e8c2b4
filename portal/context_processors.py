from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.permissions import has_permission


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "PROVINCE_NAME": settings.PROVINCE_NAME,
        "perms_catalogue_manage": has_permission(request.user, "catalogue.manage"),
    }
