"""Payment pages: the sandbox's demo pay page, the page the citizen returns to, and reconciliation for finance."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import permission_required
from payments import selectors, services
from payments.constants import InvoiceStatus
from payments.models import Reconciliation
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
        signed = provider.pay_page_notice(asked, paid=request.POST.get("decision") == "pay")
        # The provider's server notice; the sandbox lives in the portal, so it is delivered in process.
        services.notice_handle(
            provider_name="sandbox", params=signed, remote_addr="127.0.0.1", raw=urlencode(signed).encode()
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


@permission_required("payments.reconcile")
def reconciliation(request: HttpRequest) -> HttpResponse:
    runs = Paginator(Reconciliation.objects.prefetch_related("mismatches"), 10).get_page(
        request.GET.get("page")
    )
    return render(request, "payments/reconciliation.html", {"page": runs})


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
