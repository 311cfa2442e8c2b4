from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = "Dossiers"

    def ready(self) -> None:
        # Registers the workflow's after-commit side effects (signing on approve).
        from dossiers import tasks  # noqa: F401
