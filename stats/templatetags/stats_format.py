from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = {
    "on_time": _("On time"),
    "online": _("Filed online"),
    "full_online": _("Full online"),
    "online_payment": _("Paid online"),
    "digitised": _("Digitised"),
    "satisfaction": _("Satisfied"),
}


@register.filter
def rate_label(name: str) -> Any:
    return LABELS.get(name, name)


@register.filter
def rate_value(rates: dict[str, Any], name: str) -> str:
    value = (rates or {}).get(name)
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")
