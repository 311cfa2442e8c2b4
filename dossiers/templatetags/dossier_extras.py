"""The dossier pages' tags: ``{% slip_links dossier %}``, the one-stop slips a dossier has, as links;
``{% dossier_panels dossier %}``, the sections other apps add (``dossiers.panels``)."""

from typing import Any

from django import template
from django.template import Context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from dossiers import panels, slips
from dossiers.models import Dossier

register = template.Library()


@register.inclusion_tag("dossiers/_slip_links.html")
def slip_links(dossier: Any) -> dict[str, Any]:
    kinds = slips.available_kinds(dossier)
    return {
        "dossier": dossier,
        "links": [
            (kind, slips.LABELS[kind], reverse("dossiers-api:slip", kwargs={"pk": dossier.pk, "kind": kind}))
            for kind in kinds
        ],
    }


@register.simple_tag(takes_context=True)
def dossier_panels(context: Context, dossier: Dossier) -> SafeString:
    """The sections other apps add to this dossier's page (``dossiers.panels``)."""
    request = context["request"]
    return mark_safe("".join(panel(request, dossier) for panel in panels.PANELS))  # noqa: S308 - rendered templates
