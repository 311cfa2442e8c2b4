"""The sandbox: the VNPay 2.1 form against a demo payment page served by the portal itself (no real money).

The demo page lets a demo user pay or cancel; it then sends the server notice, signed with
``$PAYMENT_SANDBOX_SECRET``, exactly as VNPay would, and sends the citizen back to the return page. It can also
"lose" the notice, as a network fault would: the money is taken, nothing tells the portal, and the beat task that
asks the provider (``querydr``) settles it. The sandbox keeps its own ledger (``SandboxTransaction``), as a bank
does, and answers ``querydr`` and ``refund`` from it with VNPay's fields, codes and ``|``-joined checksums, in
process. Off a local address the demo's public secret is never accepted (portal.deployment).
"""

import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from payments.models import SandboxTransaction
from payments.providers import Signed, register
from payments.providers.vnpay import (
    FULL_REFUND,
    PARTIAL_REFUND,
    QUERY_ANSWER,
    QUERY_REQUEST,
    REFUND_ANSWER,
    REFUND_REQUEST,
    TZ,
    VnpayForm,
    local_stamp,
    pipe_signed,
    pipe_verify,
    signature,
)
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
            "vnp_TransactionNo": "",
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": fields["vnp_TxnRef"],
        }
        # The bank's ledger first: what it took is what querydr and refund answer from, notice or no notice.
        for _draw in range(5):
            notice["vnp_TransactionNo"] = str(secrets.randbelow(10**8)).zfill(8)
            try:
                with transaction.atomic():
                    SandboxTransaction.objects.get_or_create(
                        txn_ref=notice["vnp_TxnRef"],
                        defaults={
                            "transaction_no": notice["vnp_TransactionNo"],
                            "amount": int(notice["vnp_Amount"]) // 100,
                            "paid": paid,
                            "pay_date": notice["vnp_PayDate"],
                            "order_info": notice["vnp_OrderInfo"][:255],
                        },
                    )
                break
            except IntegrityError:  # the drawn transaction number was taken
                continue
        done = SandboxTransaction.objects.get(txn_ref=notice["vnp_TxnRef"])
        # An attempt is paid once at the bank: paying it again shows the bank's first answer.
        notice["vnp_TransactionNo"], notice["vnp_PayDate"] = done.transaction_no, done.pay_date
        notice["vnp_ResponseCode"] = "00" if done.paid else "24"
        notice["vnp_TransactionStatus"] = "00" if done.paid else "02"
        return {**notice, "vnp_SecureHash": signature(notice, self.secret())}

    def transport(self, request: dict[str, Any]) -> dict[str, Any]:
        """The sandbox bank's merchant API, in process: checks the request's checksum, answers from its ledger."""
        return bank_answer(request, merchant=self.MERCHANT, secret=self.secret())


def _answer(request: dict[str, Any], order: tuple[str, ...], secret: str, **fields: Any) -> dict[str, Any]:
    answer = {
        "vnp_ResponseId": secrets.token_hex(16),
        "vnp_Command": request.get("vnp_Command", ""),
        "vnp_TmnCode": request.get("vnp_TmnCode", ""),
        "vnp_TxnRef": request.get("vnp_TxnRef", ""),
        "vnp_BankCode": "NCB",
        **{key: str(value) for key, value in fields.items()},
    }
    return pipe_signed(answer, order, secret)


def bank_answer(request: dict[str, Any], *, merchant: str, secret: str) -> dict[str, Any]:
    """What VNPay's merchant API answers to ``request`` (querydr or refund), from the sandbox's ledger."""
    command = request.get("vnp_Command")
    order, answer_order = (
        (QUERY_REQUEST, QUERY_ANSWER) if command == "querydr" else (REFUND_REQUEST, REFUND_ANSWER)
    )
    if command not in ("querydr", "refund"):
        return _answer(request, answer_order, secret, vnp_ResponseCode="03", vnp_Message="Invalid command")
    if not pipe_verify(request, order, secret):
        return _answer(request, answer_order, secret, vnp_ResponseCode="97", vnp_Message="Invalid Checksum")
    if request.get("vnp_TmnCode") != merchant:
        return _answer(request, answer_order, secret, vnp_ResponseCode="02", vnp_Message="Invalid merchant")
    with transaction.atomic():
        txn = SandboxTransaction.objects.select_for_update().filter(txn_ref=request.get("vnp_TxnRef")).first()
        if txn is None:
            return _answer(request, answer_order, secret, vnp_ResponseCode="91", vnp_Message="Not found")
        if command == "querydr":
            return _query_answer(txn, secret=secret, request=request, order=answer_order)
        return _refund_answer(txn, secret=secret, request=request, order=answer_order)


def _query_answer(
    txn: SandboxTransaction, *, secret: str, request: dict[str, Any], order: tuple[str, ...]
) -> dict[str, Any]:
    return _answer(
        request,
        order,
        secret,
        vnp_ResponseCode="00",
        vnp_Message="QueryDR Success",
        vnp_Amount=txn.amount * 100,
        vnp_PayDate=txn.pay_date,
        vnp_TransactionNo=txn.transaction_no,
        vnp_TransactionType="01",
        vnp_TransactionStatus="00" if txn.paid else "02",
        vnp_OrderInfo=txn.order_info,
        vnp_PromotionCode="",
        vnp_PromotionAmount="",
    )


def _refund_answer(
    txn: SandboxTransaction, *, secret: str, request: dict[str, Any], order: tuple[str, ...]
) -> dict[str, Any]:
    def refused(code: str, message: str) -> dict[str, Any]:
        return _answer(request, order, secret, vnp_ResponseCode=code, vnp_Message=message)

    if request.get("vnp_RequestId") in txn.refund_requests:
        return refused("94", "Duplicate request")
    try:
        amount = int(request.get("vnp_Amount", ""))
    except ValueError:
        return refused("03", "Invalid amount")
    kind = request.get("vnp_TransactionType")
    left = (txn.amount - txn.refunded) * 100
    if (
        not txn.paid
        or request.get("vnp_TransactionNo") != txn.transaction_no
        or kind not in (FULL_REFUND, PARTIAL_REFUND)
    ):
        return refused("91", "Transaction not found")
    if amount % 100 or not 0 < amount <= left or (kind == FULL_REFUND and (txn.refunded or amount != left)):
        return refused("03", "Invalid amount")
    txn.refunded += amount // 100
    txn.refund_requests = [*txn.refund_requests, request.get("vnp_RequestId")]
    txn.save(update_fields=["refunded", "refund_requests"])
    return _answer(
        request,
        order,
        secret,
        vnp_ResponseCode="00",
        vnp_Message="Refund success",
        vnp_Amount=amount,
        vnp_PayDate=local_stamp(timezone.now()),
        vnp_TransactionNo=str(secrets.randbelow(10**8)).zfill(8),
        vnp_TransactionType=kind,
        vnp_TransactionStatus="05",
        vnp_OrderInfo=request.get("vnp_OrderInfo", ""),
    )
