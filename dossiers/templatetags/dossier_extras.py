"""``{% slip_links dossier %}``: the one-stop slips a dossier has, as links, on the citizen's and the counter's pages."""

from typing import Any

from django import template
from django.urls import reverse

from dossiers import slips

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
