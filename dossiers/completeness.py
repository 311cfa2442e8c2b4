"""Whether a dossier can be submitted: the applicant, the procedure's form and every required paper are there."""

from typing import Any

from django.utils.translation import gettext as _

from dossiers import forms
from dossiers.models import Dossier
from portal.errors import ServiceError


class Incomplete(ServiceError):
    code = "incomplete"
    errors: dict[str, Any]

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(_("The dossier is not complete: %(what)s") % {"what": describe(errors)})
        self.errors = errors


def describe(errors: dict[str, Any]) -> str:
    parts = []
    for name, messages in errors.items():
        if isinstance(messages, dict):
            parts += [f"{name}.{field}: {' '.join(map(str, m))}" for field, m in messages.items()]
        else:
            parts.append(f"{name}: {' '.join(map(str, messages))}")
    return "; ".join(parts)


def missing_components(dossier: Dossier) -> list[Any]:
    have = {document.component_id for document in dossier.documents.all()}
    return [c for c in dossier.version.components.all() if c.required and c.pk not in have]


def problems(dossier: Dossier) -> dict[str, Any]:
    """Everything that stops ``dossier`` from being submitted, by part; empty when it is complete."""
    errors: dict[str, Any] = {}
    _values, applicant_errors = forms.validate(forms.ApplicantForm, dossier.applicant_data, complete=True)
    if applicant_errors:
        errors["applicant"] = applicant_errors
    _values, form_errors = forms.validate(
        forms.procedure_form_class(dossier.version), dossier.form_data, complete=True
    )
    if form_errors:
        errors["form"] = form_errors
    missing = missing_components(dossier)
    if missing:
        errors["documents"] = [_("Missing: %(name)s") % {"name": c.name} for c in missing]
    return errors


def check_ready_to_submit(dossier: Dossier) -> None:
    errors = problems(dossier)
    if errors:
        raise Incomplete(errors)
