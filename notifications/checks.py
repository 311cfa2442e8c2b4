"""Start-up checks: every back end of NOTIFY_CHANNELS must have what it needs (SMS_BACKEND=http without
SMS_HTTP_URL stops ``manage.py`` with a message naming what is missing)."""

from typing import Any

from django.core.checks import CheckMessage, Error, register

from notifications import backends


@register("notifications")
def check_backends(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [Error(problem, id="notifications.E001") for problem in backends.check_all()]
