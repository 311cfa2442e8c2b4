from django import template

from portal.money import thousands

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    """An amount in đồng as Vietnamese write it: 1.200.000 đ."""
    if amount is None:
        return ""
    return thousands(amount) + " đ"
