"""The sandbox: the VNPay 2.1 form against a demo payment page served by the portal itself (no real money).

The demo page lets a demo user pay or cancel; it then sends the server notice, signed with
``$PAYMENT_SANDBOX_SECRET``, exactly as VNPay would, and sends the citizen back to the return page.
"""

from django.conf import settings
from django.urls import reverse

from payments.providers import register
from payments.providers.vnpay import VnpayForm
from portal.urls_public import absolute_url


@register("sandbox")
class SandboxProvider(VnpayForm):
    title = "Sandbox (demo)"
    MERCHANT = "SANDBOX1"

    def __init__(self) -> None:
        self.pay_url = absolute_url(None, reverse("payments:sandbox-pay"))

    def check_config(self) -> list[str]:
        return [] if settings.PAYMENT_SANDBOX_SECRET else ["PAYMENT_SANDBOX_SECRET is not set"]

    def merchant_code(self) -> str:
        return self.MERCHANT

    def secret(self) -> str:
        return settings.PAYMENT_SANDBOX_SECRET
