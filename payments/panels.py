"""The fee panel of a dossier's pages (``dossiers.panels``): the invoice, and what the viewer may do with it: pay
online as the applicant; take it at the desk or waive it as staff; download the receipt."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts import policy
from dossiers.models import Dossier
from payments import selectors
from payments.constants import InvoiceStatus
from payments.providers import register as providers
from payments.services import enabled_online_providers


def invoice_panel(request: HttpRequest, dossier: Dossier) -> str:
    invoice = selectors.invoice_of(dossier.pk)
    if invoice is None:
        return ""
    user = request.user
    is_open = invoice.status == InvoiceStatus.OPEN
    context = {
        "invoice": invoice,
        "dossier": dossier,
        "next": request.get_full_path(),
        "may_pay_online": is_open and policy.may(user, policy.Ask.PAY_ONLINE, dossier),
        "online_providers": [providers.get(name) for name in enabled_online_providers()] if is_open else [],
        "may_take_at_counter": is_open and policy.may(user, policy.Ask.COUNTER_PAYMENT, dossier),
        "may_waive": is_open and policy.may(user, policy.Ask.WAIVE, dossier),
        "may_read_receipt": policy.may(user, policy.Ask.RECEIPT, dossier),
        "refunds": list(invoice.refunds.all()),
        "may_pay_back": policy.may(user, policy.Ask.COUNTER_PAYMENT, dossier),
    }
    return render_to_string("payments/_invoice_panel.html", context, request=request)
