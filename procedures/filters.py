"""The catalogue's search filters, shared by the API and the public search page."""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from procedures.constants import ProcedureLevel
from procedures.models import Agency, ProcedureVersion
from procedures.search import MAX_QUERY_LENGTH, has_control_characters
from procedures.selectors import search_published, sectors


def _validate_query(value: str) -> None:
    if has_control_characters(value):
        raise forms.ValidationError(_("The search text contains control characters."), code="invalid")


class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        validators=[_validate_query],
        label=_("Search"),
    )
    sector = django_filters.ModelChoiceFilter(
        queryset=sectors(), to_field_name="code", label=_("Sector"), empty_label=_("All sectors")
    )
    level = django_filters.ChoiceFilter(
        choices=ProcedureLevel.choices, label=_("Level"), empty_label=_("All levels")
    )
    agency = django_filters.ModelChoiceFilter(
        queryset=Agency.objects.all(), to_field_name="code", label=_("Agency"), empty_label=_("All agencies")
    )

    class Meta:
        model = ProcedureVersion
        fields = ["q", "sector", "level", "agency"]

    def filter_q(
        self, queryset: QuerySet[ProcedureVersion], name: str, value: Any
    ) -> QuerySet[ProcedureVersion]:
        return search_published(queryset, query=value)
