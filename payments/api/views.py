"""The payments API (API.md, "Payments")."""

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import Ask
from audit.models import AccessWhat
from payments import receipts, services
from payments.constants import InvoiceStatus, RefundStatus
from payments.models import Invoice, Refund
from portal.api.parsers import NoticeJSONParser
from portal.api.schema import PDF_RESPONSE, error_responses
from portal.client_ip import client_ip
from portal.downloads import private_file_response
from portal.throttling import CallbackThrottle
from portal.urls_public import absolute_url


def _absolute(context: dict[str, Any], url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


class RefundSerializer(serializers.ModelSerializer):
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = Refund
        fields = [
            "id",
            "reference",
            "amount",
            "status",
            "rule",
            "reason",
            "requested_at",
            "done_at",
            "receipt_url",
        ]

    def get_receipt_url(self, refund: Refund) -> str | None:
        if refund.status != RefundStatus.DONE:
            return None
        return _absolute(
            self.context, reverse("payments-api:refund-receipt", args=[refund.invoice.dossier_id, refund.pk])
        )


class InvoiceSerializer(serializers.ModelSerializer):
    receipt_url = serializers.SerializerMethodField()
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "reference",
            "amount",
            "status",
            "paid_at",
            "refunded_amount",
            "items",
            "due_before",
            "provider",
            "online",
            "receipt_url",
            "refunds",
        ]

    def get_receipt_url(self, invoice: Invoice) -> str | None:
        if invoice.status in (InvoiceStatus.OPEN, InvoiceStatus.WAIVED):
            return None
        return _absolute(self.context, reverse("payments-api:receipt", args=[invoice.dossier_id]))


def _client_ip(request: Request) -> str:
    return client_ip(request._request)


class InvoiceView(APIView):
    """The dossier's fee invoice; 404 when the procedure has no fee or the dossier is not yours."""

    @extend_schema(responses={200: InvoiceSerializer, **error_responses(403, 409)})
    def get(self, request: Request, pk: int) -> Response:
        invoice = services.invoice_for(dossier_id=pk, user=request.user)
        return Response(InvoiceSerializer(invoice, context={"request": request}).data)


class PayView(APIView):
    """Start paying online: `{"provider": "sandbox"}` → `{"redirect_url"}` to send the citizen to.

    409 when the invoice is not open; 400 for a provider that is not online or not configured; 404 unknown."""

    class InputSerializer(serializers.Serializer):
        # A name that fits in the return page's address (no "/"); an unknown one is 404 below.
        provider = serializers.RegexField(r"^[\w-]+\Z", max_length=32)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("PaymentStart", {"redirect_url": serializers.URLField()}),
            **error_responses(403, 409),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        provider = data.validated_data["provider"]
        url = services.payment_start(
            dossier_id=pk,
            user=request.user,
            provider_name=provider,
            return_url=absolute_url(request, reverse("payments:return", args=[provider])),
            client_ip=_client_ip(request),
        )
        # The sandbox's pay page is on this portal; give clients a full address either way.
        return Response({"redirect_url": request.build_absolute_uri(url)})


class CounterPaymentView(APIView):
    """Record a fee paid at the desk: `{"method": "card" | "bank_qr", "reference": "<card slip or QR transaction>"}`."""

    class InputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=services.COUNTER_METHODS)
        reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={200: InvoiceSerializer, **error_responses(403, 409)})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = services.counter_payment_record(dossier_id=pk, user=request.user, **data.validated_data)
        return Response(InvoiceSerializer(invoice, context={"request": request}).data)


class WaiveView(APIView):
    """Exempt the dossier from its fee: `{"reason": "<legal reason>"}`; staff of the competent agency."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: InvoiceSerializer, **error_responses(403, 409)})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = services.invoice_waive(
            dossier_id=pk, user=request.user, reason=data.validated_data["reason"]
        )
        return Response(InvoiceSerializer(invoice, context={"request": request}).data)


class RefundView(APIView):
    """Finance staff refund the fee, in full or in part: `{"amount": <đồng, all that is left if omitted>,
    "reason": "<legal reason>"}` → 201 with the refund (`pending` until the provider or the desk pays it back; an
    online refund is sent to the provider at once). 403 for others; 409 when the invoice is not paid (or a refund
    is under way); 400 for an amount above what is left."""

    class InputSerializer(serializers.Serializer):
        amount = serializers.IntegerField(min_value=1, max_value=10**15, required=False)
        reason = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={201: RefundSerializer, **error_responses(403, 409)})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        amount = data.validated_data.get("amount")
        if amount is None:
            invoice = services.invoice_for(dossier_id=pk, user=request.user)
            amount = max(invoice.amount - invoice.refunded_amount, 0)
        made = services.refund_start(
            dossier_id=pk, user=request.user, amount=amount, reason=data.validated_data["reason"]
        )
        made.refresh_from_db()
        return Response(RefundSerializer(made, context={"request": request}).data, status=201)


class RefundReceiptView(APIView):
    """The refund receipt (PDF) of a refund that is done; 409 before it is."""

    @extend_schema(responses={**PDF_RESPONSE, **error_responses(403, 409)})
    def get(self, request: Request, pk: int, refund_id: int) -> HttpResponse:
        refund = services.refund_for(dossier_id=pk, refund_id=refund_id, user=request.user)
        return private_file_response(
            receipts.refund_receipt_pdf(refund), filename=f"hoan-tra-{refund.reference}.pdf"
        )


class ReceiptView(APIView):
    """The electronic receipt (PDF) of a paid invoice; 409 before it is paid."""

    @extend_schema(responses={**PDF_RESPONSE, **error_responses(403, 409)})
    def get(self, request: Request, pk: int) -> HttpResponse:
        invoice = services.invoice_for(
            dossier_id=pk, user=request.user, ask=Ask.RECEIPT, log=AccessWhat.RECEIPT
        )
        return private_file_response(
            receipts.receipt_pdf(invoice), filename=f"bien-lai-{invoice.reference}.pdf"
        )


class CallbackView(APIView):
    """A provider's server-to-server notice (the sandbox and VNPay: the VNPay 2.1 IPN, GET or POST).

    Always answered in the provider's format (VNPay: `{"RspCode", "Message"}`); a forged, replayed, mismatched or
    late notice changes nothing, is recorded, and the answer says why.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    parser_classes = [FormParser, NoticeJSONParser, MultiPartParser]
    throttle_classes = [CallbackThrottle]

    def _handle(self, request: Request, provider: str) -> Response:
        # The notice as received, read before the parsers (a rejected one is kept as its digest only).
        raw = request.META.get("QUERY_STRING", "").encode("latin-1", "replace") + b"\n" + request.body
        params = request.query_params.dict()
        if request.method == "POST" and hasattr(request.data, "items"):
            params.update({k: str(v) for k, v in request.data.items() if isinstance(v, str | int)})
        result = services.notice_handle(
            provider_name=provider, params=params, remote_addr=_client_ip(request) or None, raw=raw
        )
        return Response(result.body, status=result.status)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, provider: str) -> Response:
        return self._handle(request, provider)

    @extend_schema(
        request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, provider: str) -> Response:
        return self._handle(request, provider)
