from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = "Complaints and suggestions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from complaints import hooks

        # The complaints section of the citizen's and the console's dossier pages.
        hooks.register()
