from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers the workflow's after-commit hooks (a message to the citizen on each step) and the checks.
        from notifications import checks, hooks  # noqa: F401
