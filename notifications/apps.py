from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications import (
            checks,  # noqa: F401 - registers the system checks
            hooks,
        )

        # The workflow's and the schedule's hooks: a message to the citizen on each step, an apology, a draft
        # about to expire.
        hooks.register()
