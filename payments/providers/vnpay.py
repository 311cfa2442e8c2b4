"""VNPay's payment form, version 2.1: the request, the server notice (IPN) and the answers it expects, and the
merchant API's ``querydr`` (what became of a payment) and ``refund`` calls.

The pay request and the notice are signed with HMAC-SHA512, with the merchant's secret, of the other ``vnp_`` fields
sorted by name and URL-encoded as ``key=value`` joined by ``&``. The merchant API's requests and answers are JSON,
signed with HMAC-SHA512 of their fields' values in a fixed order joined by ``|`` (``QUERY_REQUEST`` and the
others below). Every signature is compared in constant time.

The IPN answer is exactly ``{"RspCode", "Message"}``, with VNPay's codes, in the order of VNPay's sample handler:
checksum (97), order exists (01), amount (04), order already confirmed (02), then recorded (00); 99 otherwise.
"""

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
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
    ProviderUnavailable,
    QueryAnswer,
    RefundAnswer,
    Signed,
    register,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
# VNPay's IPN answer codes and messages, as its sample IPN handler answers them.
ANSWERS = {
    ACCEPTED: ("00", "Confirm Success"),
    FAILED_PAYMENT: ("00", "Confirm Success"),  # received and recorded; the invoice stays open
    FORGED: ("97", "Invalid signature"),
    UNKNOWN_INVOICE: ("01", "Order not found"),
    REPLAYED: ("02", "Order already confirmed"),
    LATE: ("02", "Order already confirmed"),
    AMOUNT_MISMATCH: ("04", "invalid amount"),
    MALFORMED: ("99", "Unknow error"),
}
UNKNOWN_ERROR = ("99", "Unknow error")
VERSION = "2.1.0"
DATE = "%Y%m%d%H%M%S"  # VNPay's yyyyMMddHHmmss, in Vietnam's time

# The merchant API's signed fields, in the order their values are joined by "|".
QUERY_REQUEST = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate",
    "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
QUERY_ANSWER = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)  # fmt: skip
REFUND_REQUEST = (
    "vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef",
    "vnp_Amount", "vnp_TransactionNo", "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate",
    "vnp_IpAddr", "vnp_OrderInfo",
)  # fmt: skip
REFUND_ANSWER = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
    "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
    "vnp_TransactionStatus", "vnp_OrderInfo",
)  # fmt: skip
FULL_REFUND, PARTIAL_REFUND = "02", "03"  # vnp_TransactionType of a refund
PENDING_STATUS = "01"  # vnp_TransactionStatus: the transaction is not finished yet
NOT_FOUND = "91"  # vnp_ResponseCode: no such transaction


def pipe_signature(fields: dict[str, Any], order: tuple[str, ...], secret: str) -> str:
    data = "|".join(str(fields.get(name, "")) for name in order)
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def pipe_signed(fields: dict[str, Any], order: tuple[str, ...], secret: str) -> dict[str, Any]:
    return {**fields, "vnp_SecureHash": pipe_signature(fields, order, secret)}


def pipe_verify(fields: dict[str, Any], order: tuple[str, ...], secret: str) -> bool:
    given = str(fields.get("vnp_SecureHash", ""))
    expected = pipe_signature(fields, order, secret)
    return bool(secret) and hmac.compare_digest(given.lower().encode(), expected.encode())


def local_stamp(moment: datetime) -> str:
    return timezone.localtime(moment, TZ).strftime(DATE)


def read_stamp(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, DATE).replace(tzinfo=TZ)
    except ValueError:
        return None


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
        return {"RspCode": code, "Message": message}, 200

    def transport(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one merchant API request and return the answer's fields; raises ``ProviderUnavailable``."""
        raise NotImplementedError

    def _call(
        self, request: dict[str, Any], order: tuple[str, ...], answer_order: tuple[str, ...]
    ) -> dict[str, Any]:
        answer = self.transport(pipe_signed(request, order, self.secret()))
        if not isinstance(answer, dict) or not pipe_verify(answer, answer_order, self.secret()):
            raise ProviderUnavailable("The provider's answer is not signed with the merchant's secret.")
        if answer.get("vnp_ResponseCode") == "00" and (
            answer.get("vnp_TxnRef") != request["vnp_TxnRef"]
            or answer.get("vnp_TmnCode") != request["vnp_TmnCode"]
        ):
            raise ProviderUnavailable("The provider's answer names another transaction.")
        return answer

    def _request(self, command: str, reference: str, client_ip: str) -> dict[str, Any]:
        return {
            "vnp_RequestId": secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.merchant_code(),
            "vnp_TxnRef": reference,
            "vnp_CreateDate": local_stamp(timezone.now()),
            "vnp_IpAddr": client_ip or "127.0.0.1",
        }

    def query(self, *, reference: str, created_at: datetime, client_ip: str) -> QueryAnswer:
        request = self._request("querydr", reference, client_ip) | {
            "vnp_OrderInfo": f"Truy van giao dich {reference}",
            "vnp_TransactionDate": local_stamp(created_at),
        }
        answer = self._call(request, QUERY_REQUEST, QUERY_ANSWER)
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == NOT_FOUND:
            return QueryAnswer(found=False, code=code)
        if code != "00":
            raise ProviderUnavailable(f"querydr answered {code}: {answer.get('vnp_Message', '')}")
        status = str(answer.get("vnp_TransactionStatus", ""))
        try:
            raw_amount = int(answer.get("vnp_Amount", ""))
        except ValueError:
            raise ProviderUnavailable("querydr answered an amount that is not a number.") from None
        notice = Notice(
            reference=reference,
            amount=raw_amount // 100,
            success=status == "00",
            transaction_no=str(answer.get("vnp_TransactionNo", ""))[:64],
            paid_at=read_stamp(str(answer.get("vnp_PayDate", ""))),
            response_code=status,
            raw={key: str(value) for key, value in answer.items()},
        )
        return QueryAnswer(found=True, pending=status == PENDING_STATUS, notice=notice, code=status)

    def refund(
        self,
        *,
        reference: str,
        transaction_no: str,
        paid_at: datetime,
        amount: int,
        full: bool,
        created_by: str,
        order_info: str,
        client_ip: str,
    ) -> RefundAnswer:
        request = self._request("refund", reference, client_ip) | {
            "vnp_TransactionType": FULL_REFUND if full else PARTIAL_REFUND,
            "vnp_Amount": str(amount * 100),
            "vnp_OrderInfo": order_info[:255],
            "vnp_TransactionNo": transaction_no,
            "vnp_TransactionDate": local_stamp(paid_at),
            "vnp_CreateBy": created_by[:250],
        }
        answer = self._call(request, REFUND_REQUEST, REFUND_ANSWER)
        code = str(answer.get("vnp_ResponseCode", ""))
        return RefundAnswer(
            ok=code == "00",
            transaction_no=str(answer.get("vnp_TransactionNo", ""))[:64],
            code=code,
            message=str(answer.get("vnp_Message", ""))[:255],
        )


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

    def transport(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST the request as JSON to VNPay's merchant API (``PAYMENT_VNPAY_API_URL``)."""
        http = urllib.request.Request(  # noqa: S310 - the address is the operator's setting, https by default
            settings.PAYMENT_VNPAY_API_URL,
            data=json.dumps(request).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(http, timeout=20) as response:  # noqa: S310
                answer = json.loads(response.read(1_000_000))
        except (OSError, ValueError, urllib.error.URLError) as exc:
            raise ProviderUnavailable(f"VNPay's merchant API did not answer: {exc}") from exc
        if not isinstance(answer, dict):
            raise ProviderUnavailable("VNPay's merchant API answered something that is not an object.")
        return answer
