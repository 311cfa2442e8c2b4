"""Start-up check: every provider named in PAYMENT_PROVIDERS exists (a typo would break every fee panel)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def providers_exist(app_configs: Any, **kwargs: Any) -> list[Error]:
    from payments.providers import register as providers

    unknown = [name for name in settings.PAYMENT_PROVIDERS if name not in providers.names()]
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
