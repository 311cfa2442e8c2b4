"""The applicant's details and the procedure's own form, validated on the server for the API and the pages.

The procedure's form is data (``procedures.FormField`` rows); ``procedure_form_class`` turns it into a Django form.
Both forms run in two modes: ``complete=False`` while a draft is being filled in (what is there must be valid),
``complete=True`` on submission (what is required must be there).
"""

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.id_numbers import validate_id_number as id_number_validator
from dossiers.constants import DayKind, Outcome
from procedures.constants import FieldType
from procedures.models import ProcedureVersion
from procedures.search import has_control_characters

APPLICANT_FIELDS = (
    "full_name",
    "id_number",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "tax_code",
    "organisation",
)

phone_validator = RegexValidator(
    r"^(\+84|0)\d{9,10}$", _("A Vietnamese phone number, such as 0912345678."), code="invalid_phone"
)
tax_code_validator = RegexValidator(
    r"^\d{10}(-\d{3})?$", _("A tax code has 10 digits, or 10-3."), code="invalid_tax_code"
)


# The dates a procedure's form may hold (a paper's date, a birth, an event): a year such as 0001 is a typing error.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"


class PhoneField(forms.CharField):
    """A phone number as people write it ("0912 345 678", "0912.345.678"), kept without the separators."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel"}))
        super().__init__(validators=[phone_validator], **kwargs)

    def to_python(self, value: Any) -> str:
        # Before the validators run, so that the separators are not refused.
        return re.sub(r"[\s.\-]", "", super().to_python(value) or "")


def not_in_the_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError(_("A date of birth cannot be in the future."), code="invalid_date")


def is_birth_date(name: str) -> bool:
    """Whether a procedure's date field is someone's birth (``child_birth_date``, ``birth_date``)."""
    return name.endswith("birth_date") or name == "date_of_birth"


class ApplicantForm(forms.Form):
    # What review asks for: these three, and the citizen ID number unless a business files (``clean`` checks it).
    required_on_submit = ("full_name", "phone", "address")
    needed_on_submit = (*required_on_submit, "id_number")

    full_name = forms.CharField(label=_("Full name"), max_length=255)
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        max_length=12,
        validators=[id_number_validator],
        help_text=_("12 digits. A business gives its tax code and name instead."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput)
    phone = PhoneField(label=_("Phone"))
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    address = forms.CharField(label=_("Address"), max_length=500)
    tax_code = forms.CharField(
        label=_("Tax code (businesses)"), max_length=14, validators=[tax_code_validator]
    )
    organisation = forms.CharField(label=_("Organisation (businesses)"), max_length=255)

    def __init__(self, *args: Any, complete: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # A person gives their citizen ID; a business its tax code and name. Phone is for the slips' SMS.
            field.required = complete and name in self.required_on_submit
        self.complete = complete

    def clean_date_of_birth(self) -> datetime.date | None:
        value = self.cleaned_data["date_of_birth"]
        if value and not (datetime.date(1900, 1, 1) <= value <= timezone.localdate()):
            raise forms.ValidationError(
                _("The date of birth must be between 1900 and today."), code="invalid_date"
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.complete and not (
            data.get("id_number") or (data.get("tax_code") and data.get("organisation"))
        ):
            raise forms.ValidationError(
                _("Give the citizen ID number, or a business's tax code and name."), code="identity_required"
            )
        return data


def _field_for(spec: Any) -> forms.Field:
    label = spec.label
    match spec.type:
        case FieldType.TEXTAREA:
            return forms.CharField(label=label, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
        case FieldType.NUMBER:
            return forms.DecimalField(label=label, max_digits=18, decimal_places=4)
        case FieldType.DATE:
            return forms.DateField(
                label=label,
                widget=DateInput,
                validators=[
                    MinValueValidator(EARLIEST_DATE),
                    not_in_the_future if is_birth_date(spec.name) else MaxValueValidator(LATEST_DATE),
                ],
            )
        case FieldType.EMAIL:
            return forms.EmailField(label=label)
        case FieldType.PHONE:
            return PhoneField(label=label)
        case FieldType.SELECT:
            return forms.ChoiceField(label=label, choices=[("", "—"), *[(c, c) for c in spec.choices]])
        case FieldType.CHECKBOX:
            return forms.BooleanField(label=label)
        case _:
            return forms.CharField(label=label, max_length=500)


class ProcedureForm(forms.Form):
    """The form of one procedure version; ``procedure_form_class`` makes its fields from the version's."""

    required_names: frozenset[str] = frozenset()

    def __init__(self, *args: Any, complete: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = complete and name in self.required_names


def procedure_form_class(version: ProcedureVersion) -> type[ProcedureForm]:
    """A Django form with one field per ``FormField`` of ``version`` (prefetch ``form_fields``)."""
    specs = list(version.form_fields.all())
    attrs: dict[str, Any] = {spec.name: _field_for(spec) for spec in specs}
    attrs["required_names"] = frozenset(spec.name for spec in specs if spec.required)
    return type("ProcedureForm", (ProcedureForm,), attrs)


def to_json(cleaned: dict[str, Any]) -> dict[str, Any]:
    """Cleaned form values as JSON: dates as ISO strings, numbers as numbers; empty values left out."""
    result: dict[str, Any] = {}
    for name, value in cleaned.items():
        if value in (None, ""):
            continue
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        result[name] = value
    return result


def as_form_data(values: dict[str, Any]) -> dict[str, Any]:
    """Stored JSON values as form input again (checkbox False is absent in HTML forms)."""
    return {k: v for k, v in values.items() if v is not False}


def validate(
    form_class: type[ApplicantForm] | type[ProcedureForm], values: Any, *, complete: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate ``values`` (a dict) with ``form_class``; returns (JSON-ready values, errors). Unknown keys are errors."""
    if not isinstance(values, dict):
        return {}, {"non_field_errors": [str(_("Must be an object with one value per field."))]}
    errors: dict[str, Any] = {}
    data: dict[str, Any] = {}
    # JSON gives numbers, booleans, lists and objects where a form field expects the text of one value: a list or
    # an object is an error, any other value is read as its text (a date field cannot read a number).
    for name, value in as_form_data(values).items():
        if isinstance(value, dict | list):
            errors[name] = [str(_("Must be a single value."))]
        else:
            data[name] = value if value is None or isinstance(value, str) else str(value)
    form = form_class(data=data, complete=complete)
    unknown = sorted(set(values) - set(form.fields))
    if unknown:
        errors["non_field_errors"] = [str(_("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)})]
    if not form.is_valid():
        for name, messages in form.errors.items():
            errors.setdefault("non_field_errors" if name == "__all__" else name, []).extend(messages)
    return (to_json(form.cleaned_data) if not errors else {}), errors


# --- The pages' own forms -------------------------------------------------------------------------------------

# The applicant's and the procedure's fields are prefixed on the draft page: a procedure's form may also have a
# "full_name".
APPLICANT, FORM = "applicant", "form"
BUSINESS_FIELDS = ("tax_code", "organisation")
AUTOCOMPLETE = {
    "full_name": "name",
    "date_of_birth": "bday",
    "phone": "tel",
    "email": "email",
    "address": "street-address",
    "organisation": "organization",
}


def draft_forms(
    version: ProcedureVersion,
    *,
    initial: tuple[dict[str, Any], dict[str, Any]] | None = None,
    data: Any = None,
    complete: bool = False,
) -> tuple[forms.Form, forms.Form]:
    """The applicant's form and the procedure's form of one page, bound to ``data`` or filled with ``initial``;
    with the hints a phone's keyboard and autofill use."""
    form_class = procedure_form_class(version)
    if data is None:
        applicant_initial, form_initial = initial or ({}, {})
        applicant = ApplicantForm(initial=applicant_initial, prefix=APPLICANT, complete=complete)
        form = form_class(initial=form_initial, prefix=FORM, complete=complete)
    else:
        applicant = ApplicantForm(data=data, prefix=APPLICANT, complete=complete)
        form = form_class(data=data, prefix=FORM, complete=complete)
    for name, value in AUTOCOMPLETE.items():
        applicant.fields[name].widget.attrs["autocomplete"] = value
    for name in ("id_number", "tax_code"):
        applicant.fields[name].widget.attrs["inputmode"] = "numeric"
    return applicant, form


def posted_values(form: forms.Form, data: Any) -> dict[str, Any]:
    """Each field's value as posted (an unticked checkbox is False, not absent, so that it can be unticked)."""
    return {
        name: field.widget.value_from_datadict(data, {}, form.add_prefix(name))
        for name, field in form.fields.items()
    }


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Why do you withdraw it? (you may leave this empty)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LookupForm(forms.Form):
    """A dossier's code and lookup key, as on the receipt (the public lookup, and joining a walk-in)."""

    code = forms.CharField(
        label=_("Dossier code"), max_length=48, help_text=_("On your receipt, such as H12.01-261123-0007.")
    )
    key = forms.CharField(
        label=_("Lookup key"), max_length=32, help_text=_("The 10 letters and digits beside it.")
    )

    def _clean_text(self, name: str) -> str:
        value = str(self.cleaned_data[name]).strip().upper()
        if has_control_characters(value):
            raise forms.ValidationError(_("Use only letters, digits, dots and dashes."), code="invalid")
        return value

    def clean_code(self) -> str:
        return self._clean_text("code")

    def clean_key(self) -> str:
        return self._clean_text("key")


class ActionForm(forms.Form):
    """What any action of the console may carry; the workflow decides what each one needs (a reason, an outcome)."""

    comment = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)
    outcome = forms.ChoiceField(required=False, choices=[("", "—"), *Outcome.choices])


class UploadForm(forms.Form):
    """One paper scanned at the counter."""

    component = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("File"), allow_empty_file=False)


class CalendarDayForm(forms.Form):
    """One day of the province's calendar, set by the province admin: an extra day off or a working Saturday."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("kind"), choices=DayKind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
