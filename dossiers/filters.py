"""The one filter of dossier lists (django-filter), used by the API's list and the counter console's queues.

``state``, ``procedure`` (its code), ``overdue`` (true/false; 1/0 from the console's checkbox), ``assigned=me`` and
``code`` (any part of the dossier code, in any case: a clerk types the last digits from a paper receipt). A value
that is not one of these shapes is a 400 with the field's error, on the API and on the page alike.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dossiers import selectors
from dossiers.constants import State
from dossiers.models import Dossier
from procedures.search import has_control_characters


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, on) as a query value; empty is "no filter"; anything else is an error, not ignored."""

    default_error_messages = {"invalid": _("Use true or false.")}
    TRUE, FALSE = frozenset({"true", "1", "on"}), frozenset({"false", "0"})

    def to_python(self, value: Any) -> bool | None:
        text = str(value or "").strip().lower()
        if text == "":
            return None
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class CodeField(forms.CharField):
    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip()
        if has_control_characters(text):
            raise forms.ValidationError(_("A code has no control characters."), code="invalid")
        return text


class CodeFilter(django_filters.CharFilter):
    field_class = CodeField


class DossierFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    procedure = django_filters.CharFilter(field_name="version__procedure__code", max_length=32)
    overdue = StrictBooleanFilter(method="filter_overdue")
    assigned = django_filters.ChoiceFilter(choices=[("me", "me")], method="filter_assigned")
    code = CodeFilter(field_name="code", lookup_expr="icontains", max_length=48)

    class Meta:
        model = Dossier
        fields = ["state", "procedure", "overdue", "assigned", "code"]

    def filter_overdue(self, dossiers: QuerySet[Dossier], name: str, value: bool | None) -> QuerySet[Dossier]:
        if value is None:
            return dossiers
        return (
            dossiers.filter(selectors.overdue_filter())
            if value
            else dossiers.exclude(selectors.overdue_filter())
        )

    def filter_assigned(self, dossiers: QuerySet[Dossier], name: str, value: str) -> QuerySet[Dossier]:
        user = getattr(self.request, "user", None)
        return dossiers.filter(assignee_id=user.pk) if value == "me" and user is not None else dossiers


class QueueFilter(DossierFilter):
    """A console queue's filter: the state is the queue's, the procedures those the user's agency settles."""

    procedure = django_filters.ChoiceFilter(field_name="version__procedure__code", label=_("Procedure"))

    class Meta(DossierFilter.Meta):
        fields = ["procedure", "overdue", "assigned", "code"]

    def __init__(self, *args: Any, procedures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["procedure"].extra["choices"] = procedures
        self.filters["procedure"].extra["empty_label"] = _("All procedures")
