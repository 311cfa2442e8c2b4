"""VNPay's payment form, version 2.1: the request, the server notice (IPN) and the answers it expects.

The secure hash is HMAC-SHA512, with the merchant's secret, of the other ``vnp_`` fields sorted by name and
URL-encoded as ``key=value`` joined by ``&``; it is compared in constant time.
"""

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from payments.providers import (
    ACCEPTED,
    AMOUNT_MISMATCH,
    FAILED_PAYMENT,
    FORGED,
    LATE,
    MALFORMED,
    REPLAYED,
    UNKNOWN_INVOICE,
    Notice,
    NoticeRejected,
    Provider,
    Signed,
    register,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
# VNPay's IPN answer codes.
ANSWERS = {
    ACCEPTED: ("00", "Confirm Success"),
    FAILED_PAYMENT: ("00", "Confirm Success"),  # received and recorded; the invoice stays open
    FORGED: ("97", "Invalid signature"),
    UNKNOWN_INVOICE: ("01", "Order not found"),
    REPLAYED: ("02", "Order already confirmed"),
    LATE: ("02", "Order already confirmed"),
    AMOUNT_MISMATCH: ("04", "Invalid amount"),
    MALFORMED: ("99", "Input data required"),
}


def signature(params: dict[str, str], secret: str) -> str:
    fields = sorted(
        (key, value) for key, value in params.items() if key.startswith("vnp_") and key not in HASH_FIELDS
    )
    return hmac.new(secret.encode(), urlencode(fields).encode(), hashlib.sha512).hexdigest()


def signed_query(params: dict[str, str], secret: str) -> str:
    return urlencode(sorted(params.items())) + "&vnp_SecureHash=" + signature(params, secret)


def verify(params: dict[str, str], secret: str) -> bool:
    given = params.get("vnp_SecureHash", "")
    return bool(secret) and hmac.compare_digest(given.lower().encode(), signature(params, secret).encode())


class VnpayForm(Provider):
    """The VNPay 2.1 codec; a subclass says where the pay page is and which merchant code and secret."""

    pay_url = ""

    def merchant_code(self) -> str:
        raise NotImplementedError

    def secret(self) -> str:
        raise NotImplementedError

    def start(self, *, reference: str, amount: int, description: str, return_url: str, client_ip: str) -> str:
        now = timezone.localtime(timezone.now(), TZ)
        params = {
            "vnp_Version": "2.1.0",
            "vnp_Command": "pay",
            "vnp_TmnCode": self.merchant_code(),
            "vnp_Amount": str(amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": reference,
            "vnp_OrderInfo": description[:255],
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": now.strftime("%Y%m%d%H%M%S"),
            "vnp_ExpireDate": (now + timedelta(minutes=15)).strftime("%Y%m%d%H%M%S"),
        }
        return f"{self.pay_url}?{signed_query(params, self.secret())}"

    def parse_notice(self, params: dict[str, str]) -> Notice:
        if not verify(params, self.secret()):
            raise NoticeRejected("The signature does not match.", outcome=FORGED)
        try:
            raw_amount = int(params["vnp_Amount"])
            reference = params["vnp_TxnRef"]
            transaction_no = params["vnp_TransactionNo"]
            code = params["vnp_ResponseCode"]
        except (KeyError, ValueError) as exc:
            raise NoticeRejected(f"A field is missing or malformed: {exc}.", outcome=MALFORMED) from None
        if not 0 < len(transaction_no) <= 64:  # what a Payment keeps, and what tells transactions apart
            raise NoticeRejected(
                "vnp_TransactionNo is empty or longer than 64 characters.", outcome=MALFORMED
            )
        if raw_amount % 100:
            raise NoticeRejected("The amount is not a whole number of đồng.", outcome=AMOUNT_MISMATCH)
        paid_at = None
        if params.get("vnp_PayDate"):
            try:
                paid_at = datetime.strptime(params["vnp_PayDate"], "%Y%m%d%H%M%S").replace(tzinfo=TZ)
            except ValueError:
                raise NoticeRejected("vnp_PayDate is not yyyyMMddHHmmss.", outcome=MALFORMED) from None
        return Notice(
            reference=reference,
            amount=raw_amount // 100,
            success=code == "00" and params.get("vnp_TransactionStatus", "00") == "00",
            transaction_no=transaction_no,
            paid_at=paid_at,
            response_code=code,
            raw=dict(params),
        )

    def read_signed(self, params: dict[str, str]) -> Signed | None:
        fields = {key: value for key, value in params.items() if key.startswith("vnp_")}
        if not verify(fields, self.secret()):
            return None
        try:
            amount = int(fields.get("vnp_Amount", "")) // 100
        except ValueError:
            return None
        return Signed(
            reference=fields.get("vnp_TxnRef", ""),
            amount=amount,
            success=fields.get("vnp_ResponseCode") == "00",
            fields=fields,
        )

    def answer(self, outcome: str, reason: str) -> tuple[dict[str, Any], int]:
        code, message = ANSWERS.get(outcome, ("99", "Unknown error"))
        return {"RspCode": code, "Message": message, "detail": reason}, 200


@register("vnpay")
class VnpayProvider(VnpayForm):
    title = "VNPay"
    pay_url = "https://pay.vnpay.vn/vpcpay.html"

    def __init__(self) -> None:
        self.pay_url = settings.PAYMENT_VNPAY_URL or self.pay_url

    def check_config(self) -> list[str]:
        return [
            f"{name} is not set"
            for name in ("PAYMENT_VNPAY_TMN_CODE", "PAYMENT_VNPAY_SECRET")
            if not getattr(settings, name)
        ]

    def merchant_code(self) -> str:
        return settings.PAYMENT_VNPAY_TMN_CODE

    def secret(self) -> str:
        return settings.PAYMENT_VNPAY_SECRET
