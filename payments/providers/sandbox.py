"""The sandbox: the VNPay 2.1 form against a demo payment page served by the portal itself (no real money).

The demo page lets a demo user pay or cancel; it then sends the server notice, signed with
``$PAYMENT_SANDBOX_SECRET``, exactly as VNPay would, and sends the citizen back to the return page. Off a local
address the demo's public secret is never accepted (portal.deployment).
"""

import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from payments.providers import Signed, register
from payments.providers.vnpay import TZ, VnpayForm, signature
from portal import deployment
from portal.urls_public import absolute_url


@register("sandbox")
class SandboxProvider(VnpayForm):
    title = "Sandbox (demo)"
    MERCHANT = "SANDBOX1"

    def __init__(self) -> None:
        self.pay_url = absolute_url(None, reverse("payments:sandbox-pay"))

    def check_config(self) -> list[str]:
        if not settings.PAYMENT_SANDBOX_SECRET:
            return ["PAYMENT_SANDBOX_SECRET is not set"]
        if self._public_secret_refused():
            return ["PAYMENT_SANDBOX_SECRET is the demo's public secret, refused off a local address"]
        return []

    @staticmethod
    def _public_secret_refused() -> bool:
        # The settings refuse to start with it already; this holds even if settings are changed at run time.
        return (
            settings.PAYMENT_SANDBOX_SECRET == deployment.PUBLIC_SANDBOX_SECRET
            and not deployment.local_only(settings.ALLOWED_HOSTS)
        )

    def merchant_code(self) -> str:
        return self.MERCHANT

    def secret(self) -> str:
        # No secret, no valid signature: a notice signed with the public secret is refused as forged.
        return "" if self._public_secret_refused() else settings.PAYMENT_SANDBOX_SECRET

    def pay_page_notice(self, request: Signed, *, paid: bool) -> dict[str, str]:
        fields = request.fields
        notice = {
            "vnp_TmnCode": fields.get("vnp_TmnCode", ""),
            "vnp_Amount": fields["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": fields.get("vnp_OrderInfo", ""),
            "vnp_PayDate": timezone.localtime(timezone.now(), TZ).strftime("%Y%m%d%H%M%S"),
            "vnp_ResponseCode": "00" if paid else "24",
            "vnp_TransactionNo": str(secrets.randbelow(10**8)).zfill(8),
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": fields["vnp_TxnRef"],
        }
        return {**notice, "vnp_SecureHash": signature(notice, self.secret())}
