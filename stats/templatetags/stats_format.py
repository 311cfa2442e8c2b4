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
    "satisfaction": _("Satisfaction"),
}


@register.filter
def rate_label(name: str) -> Any:
    return LABELS.get(name, name)


@register.filter
def percent(value: float | None) -> str:
    """A fraction as a percentage, Vietnamese style (a decimal comma); a dash where nothing counts."""
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


@register.filter
def rate_value(rates: dict[str, Any], name: str) -> str:
    return percent((rates or {}).get(name))


@register.filter
def points(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


@register.filter
def item(mapping: dict[Any, Any], key: Any) -> Any:
    return (mapping or {}).get(key)
