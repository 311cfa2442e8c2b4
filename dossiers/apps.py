from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = "Dossiers"

    def ready(self) -> None:
        from dossiers import hooks

        # The workflow's after-commit side effects of dossiers itself (signing on approve).
        hooks.register()
