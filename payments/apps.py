from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from payments import (
            checks,  # noqa: F401 - registers the system checks
            hooks,
        )

        # Opens an invoice on submit and gates reception / return on the fee (dossiers.workflow's hooks).
        hooks.register()
