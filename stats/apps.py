from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Service index"

    def ready(self) -> None:
        from stats import hooks

        # The rollups follow the workflow's, the payments', the ratings' and the complaints' events.
        hooks.register()
