from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = "Procedure catalogue"

    def ready(self) -> None:
        from procedures import search

        search.install()
