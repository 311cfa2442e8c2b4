from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Opens an invoice on submit and gates reception / return on the fee (dossiers.workflow hooks).
        from payments import checks, hooks  # noqa: F401
