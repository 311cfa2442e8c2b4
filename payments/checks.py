"""Start-up check: every provider named in PAYMENT_PROVIDERS exists (a typo would break every fee panel)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def providers_exist(app_configs: Any, **kwargs: Any) -> list[Error]:
    from payments.providers import register as providers

    unknown = providers.unknown(settings.PAYMENT_PROVIDERS)
    return (
        [
            Error(
                f"PAYMENT_PROVIDERS names unknown provider(s): {', '.join(unknown)}",
                hint=f"Known providers: {', '.join(providers.names())}.",
                id="payments.E001",
            )
        ]
        if unknown
        else []
    )
