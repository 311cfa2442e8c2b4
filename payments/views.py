"""Payment pages: the sandbox's demo pay page, the page the citizen returns to, and the finance office's page:
figures by agency and period, refunds, reconciliation runs with their mismatches (CSV, resolve with a note)."""

import csv
import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from payments import reconciliation as reconciling
from payments import selectors, services
from payments.constants import InvoiceStatus, MismatchKind, RefundStatus
from payments.models import Invoice, Mismatch, Reconciliation, Refund
from payments.providers import register
from portal.client_ip import client_ip
from portal.errors import NotFound, ServiceError
from portal.urls_public import absolute_url, public_host


def _fields(request: HttpRequest) -> dict[str, str]:
    return (request.POST if request.method == "POST" else request.GET).dict()


@login_required
def sandbox_pay(request: HttpRequest) -> HttpResponse:
    """The sandbox's payment page: shows what is asked, then pays or cancels, and sends the server notice."""
    provider = register.get("sandbox")
    asked = provider.read_signed(_fields(request))
    invoice = selectors.invoice_by_reference(asked.reference) if asked else None
    if provider.check_config() or asked is None or invoice is None:
        return render(request, "payments/sandbox_pay.html", {"invalid": True}, status=400)
    if request.method == "POST":
        decision = request.POST.get("decision")
        signed = provider.pay_page_notice(asked, paid=decision in ("pay", "pay_lose_notice"))
        # The provider's server notice; the sandbox lives in the portal, so it is delivered in process, unless the
        # demo user chose to lose it (a network fault): then only asking the provider (querydr) settles it.
        if decision != "pay_lose_notice":
            services.notice_handle(
                provider_name="sandbox",
                params=signed,
                remote_addr="127.0.0.1",
                raw=urlencode(signed).encode(),
            )
        return_url = asked.fields.get("vnp_ReturnUrl", "/")
        # The return address is on PUBLIC_BASE_URL (payment_start), which may not be the host this request used.
        if not url_has_allowed_host_and_scheme(return_url, allowed_hosts={request.get_host(), public_host()}):
            return_url = "/"
        return HttpResponseRedirect(f"{return_url}?{urlencode(signed)}")
    return render(
        request,
        "payments/sandbox_pay.html",
        {"invoice": invoice, "amount": asked.amount, "params": asked.fields},
    )


def payment_return(request: HttpRequest, provider: str) -> HttpResponse:
    """Where the citizen lands after paying: the outcome in plain words. The server notice, not this page, marks
    the invoice paid; this page only reads it."""
    try:
        plugin = register.get(provider)
    except ServiceError:
        return render(request, "payments/return.html", {"outcome": "invalid"}, status=404)
    back = plugin.read_signed(_fields(request))
    invoice = selectors.invoice_by_reference(back.reference) if back else None
    if back is None or invoice is None:
        outcome = "invalid"
    elif invoice.status == InvoiceStatus.PAID:
        outcome = "paid"
    elif not back.success:
        outcome = "failed"
    else:
        outcome = "waiting"
    return render(
        request,
        "payments/return.html",
        {"outcome": outcome, "invoice": invoice},
        status=400 if outcome == "invalid" else 200,
    )


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """The period asked (``from``, ``to``: yyyy-mm-dd); by default the current month so far."""
    today = timezone.localdate()
    start = reconciling.read_day(request.GET.get("from", "")) or today.replace(day=1)
    end = reconciling.read_day(request.GET.get("to", "")) or today
    return (start, end) if start <= end else (end, start)


@permission_required("payments.reconcile")
def reconciliation(request: HttpRequest) -> HttpResponse:
    """The finance office's page: figures by agency for a period, refunds, and the reconciliation runs."""
    start, end = _period(request)
    runs = Paginator(Reconciliation.objects.prefetch_related("mismatches__resolved_by"), 10).get_page(
        request.GET.get("page")
    )
    figures = selectors.finance_figures(start=start, end=end)
    totals = {
        key: sum(row[key] for row in figures)
        for key in ("paid", "paid_online", "refunded", "refund_pending", "net", "outstanding")
    }
    refunds = Refund.objects.select_related("invoice", "requested_by").order_by("-id")
    return render(
        request,
        "payments/reconciliation.html",
        {
            "page": runs,
            "start": start,
            "end": end,
            "figures": figures,
            "totals": totals,
            "pending_refunds": refunds.filter(status=RefundStatus.PENDING),
            "recent_refunds": refunds.exclude(status=RefundStatus.PENDING)[:20],
            "kinds": MismatchKind.choices,
        },
    )


def _finance_back() -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("payments:reconciliation"))


@permission_required("payments.refund")
@require_POST
def refund(request: HttpRequest) -> HttpResponse:
    """Finance staff start a refund of an invoice (by its reference), in full or in part, with the legal reason."""
    reference = request.POST.get("reference", "").strip()[:32]
    invoice = Invoice.objects.filter(reference=reference).first()
    try:
        amount = int(request.POST.get("amount", "").replace(".", "").strip() or "0")
    except ValueError:
        amount = -1
    if invoice is None:
        messages.error(request, _("No invoice has the reference %(reference)s.") % {"reference": reference})
        return _finance_back()
    try:
        made = services.refund_start(
            dossier_id=invoice.dossier_id,
            user=request.user,
            amount=amount if amount else invoice.amount - invoice.refunded_amount,
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        made.refresh_from_db()
        messages.success(
            request,
            _("Refund %(reference)s is %(status)s.")
            % {"reference": made.reference, "status": made.get_status_display().lower()},
        )
    return _finance_back()


@login_required
@require_POST
def refund_paid_back(request: HttpRequest, pk: int) -> HttpResponse:
    """The desk handed a counter payment's refund back."""
    try:
        services.refund_paid_back(
            refund_id=pk, user=request.user, reference=request.POST.get("reference", "").strip()[:64]
        )
    except ServiceError as exc:
        _not_found(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The refund is recorded as paid back at the desk."))
    return _back(request, reverse("payments:reconciliation"))


@permission_required("payments.reconcile")
@require_POST
def mismatch_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        reconciling.mismatch_resolve(mismatch_id=pk, user=request.user, note=request.POST.get("note", ""))
    except ServiceError as exc:
        _not_found(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The mismatch is marked resolved."))
    return _finance_back()


@permission_required("payments.reconcile")
def mismatches_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """One run's mismatches as CSV, for the finance office's books."""
    run = Reconciliation.objects.filter(pk=pk).first()
    if run is None:
        raise Http404(_("No such reconciliation."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="doi-soat-{run.provider}-{run.pk}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with its mark
    writer = csv.writer(response)
    writer.writerow(
        [
            "kind",
            "line",
            "reference",
            "transaction_no",
            "portal_amount",
            "report_amount",
            "detail",
            "resolved_at",
            "resolved_by",
            "resolution",
        ]  # fmt: skip
    )
    for m in Mismatch.objects.filter(reconciliation=run).select_related("resolved_by"):
        writer.writerow(
            [
                m.kind,
                m.line or "",
                _cell(m.reference),
                _cell(m.transaction_no),
                "" if m.portal_amount is None else m.portal_amount,
                "" if m.report_amount is None else m.report_amount,
                _cell(m.detail),
                m.resolved_at.isoformat() if m.resolved_at else "",
                m.resolved_by.username if m.resolved_by else "",
                _cell(m.resolution),
            ]
        )
    return response


def _cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (a report's row is outside data)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _not_found(exc: ServiceError) -> None:
    """The door's "no such dossier" (unknown, or not the user's to see) is a 404 page, not a redirect back to the
    dossier; a missing invoice or provider stays a message on the dossier's page."""
    if isinstance(exc, NotFound) and exc.code == NotFound.code:
        raise Http404(exc.message) from exc


def _back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target)


@login_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    """The citizen's "pay online" button: start the payment and go to the provider."""
    provider = request.POST.get("provider", "")
    try:
        return_url = absolute_url(request, reverse("payments:return", args=[provider]))
    except NoReverseMatch:  # no provider has a name like that ("" or with a "/"); payment_start says so
        return_url = ""
    try:
        url = services.payment_start(
            dossier_id=pk,
            user=request.user,
            provider_name=provider,
            return_url=return_url,
            client_ip=client_ip(request),
        )
    except ServiceError as exc:
        _not_found(exc)
        messages.error(request, exc.message)
        return _back(request, reverse("dossiers:detail", args=[pk]))
    return HttpResponseRedirect(url)


@login_required
@require_POST
def counter_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Counter staff record a fee taken at the desk by card or bank QR."""
    try:
        services.counter_payment_record(
            dossier_id=pk,
            user=request.user,
            method=request.POST.get("method", ""),
            reference=request.POST.get("reference", "").strip()[:64],
        )
    except ServiceError as exc:
        _not_found(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The payment at the desk is recorded."))
    return _back(request, reverse("console:dossier", args=[pk]))


@login_required
@require_POST
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.invoice_waive(dossier_id=pk, user=request.user, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        _not_found(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The fee is waived."))
    return _back(request, reverse("console:dossier", args=[pk]))
