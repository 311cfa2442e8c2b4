"""``{% invoice_panel dossier %}``: the fee of a dossier on the citizen's and the counter's pages.

The pages of dossiers include it without knowing anything of payments: the invoice, and what the viewer may do
with it (pay online as the applicant; take it at the desk or waive it as staff; download the receipt).
"""

from typing import Any

from django import template

from accounts import policy
from payments.models import Invoice
from payments.providers import register as providers
from payments.services import enabled_online_providers

register = template.Library()


@register.inclusion_tag("payments/_invoice_panel.html", takes_context=True)
def invoice_panel(context: dict[str, Any], dossier: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    invoice = Invoice.objects.filter(dossier_id=dossier.pk).first()
    is_open = invoice is not None and invoice.status == "open"
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "invoice": invoice,
        "dossier": dossier,
        "next": request.get_full_path(),
        "may_pay_online": is_open and policy.may(user, policy.Ask.PAY_ONLINE, dossier),
        "online_providers": [providers.get(name) for name in enabled_online_providers()] if is_open else [],
        "may_take_at_counter": is_open and policy.may(user, policy.Ask.COUNTER_PAYMENT, dossier),
        "may_waive": is_open and policy.may(user, policy.Ask.WAIVE, dossier),
        "may_read_receipt": policy.may(user, policy.Ask.RECEIPT, dossier),
    }
