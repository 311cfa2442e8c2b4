"""Forms of the province admin's pages; they produce the content that ``procedures.content`` validates."""

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from procedures.constants import FILE_TYPES, FeeDue, FieldType, OnlineLevel, ProcedureLevel, StaffRole
from procedures.models import Agency, CopyType
from procedures.selectors import sectors


class VersionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=500)
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=sectors())
    level = forms.ChoiceField(label=_("Level"), choices=ProcedureLevel.choices)
    agency = forms.ModelChoiceField(label=_("Competent agency"), queryset=Agency.objects.all())
    processing_days = forms.IntegerField(
        label=_("Processing time (working days)"), min_value=0, max_value=365
    )
    online_level = forms.ChoiceField(label=_("Online level"), choices=OnlineLevel.choices)
    fee_due = forms.ChoiceField(label=_("Fee due"), choices=FeeDue.choices, initial=FeeDue.BEFORE_RECEPTION)
    result = forms.CharField(label=_("Result"), max_length=500, required=False)
    legal_basis = forms.CharField(
        label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    result_title = forms.CharField(
        label=_("Title of the result"),
        max_length=255,
        required=False,
        help_text=_("Such as GIẤY PHÉP XÂY DỰNG; empty: the result's name."),
    )
    result_symbol = forms.CharField(
        label=_("Symbol of the document type"),
        max_length=16,
        required=False,
        help_text=_("Such as GPXD: the number reads 12/GPXD-UBND; empty: QĐ."),
    )
    result_template = forms.CharField(
        label=_("Content of the result"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        strip=False,
        help_text=_(
            "A blank line starts a paragraph; <b>, <i> and <u> mark words. Placeholders such as "
            "{{ form.field_name }} or {{ applicant.full_name }} are filled in from the dossier."
        ),
    )
    result_recipients = forms.CharField(
        label=_("Recipients (Nơi nhận)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One a line, such as: - Như trên;"),
    )

    RESULT_FIELDS = ("result_title", "result_symbol", "result_template", "result_recipients")


class NewProcedureForm(VersionForm):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,31}$",
        max_length=32,
        help_text=_("The national procedure code, such as 1.001193."),
    )
    field_order = ["code"]


class FeeForm(forms.Form):
    name = forms.CharField(label=_("Fee"), max_length=255)
    amount = forms.IntegerField(label=_("Amount (đồng)"), min_value=0, max_value=1_000_000_000)


class ComponentForm(forms.Form):
    name = forms.CharField(label=_("Paper"), max_length=500)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    copies = forms.IntegerField(label=_("Copies"), min_value=0, max_value=20, initial=1)
    copy_type = forms.ChoiceField(label=_("Copy type"), choices=CopyType.choices, initial=CopyType.ORIGINAL)
    file_types = forms.MultipleChoiceField(
        label=_("Accepted files"),
        choices=[(key, key.upper()) for key in FILE_TYPES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    template = forms.FileField(label=_("Template file"), required=False)
    existing_template = forms.CharField(widget=forms.HiddenInput, required=False)


class FormFieldForm(forms.Form):
    name = forms.SlugField(label=_("Field name"), max_length=64, help_text=_("Letters, digits, _ and -"))
    label = forms.CharField(label=_("Label"), max_length=255)
    # The initial value is what the select shows first, so an untouched empty row does not count as changed.
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices, initial=FieldType.TEXT)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        help_text=_("For a choice field: one choice per line"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class StepForm(forms.Form):
    name = forms.CharField(label=_("Step"), max_length=500)
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.RECEIVER)
    days = forms.DecimalField(label=_("Working days"), min_value=0, max_digits=5, decimal_places=1)


FORMSETS: dict[str, type[forms.Form]] = {
    "fees": FeeForm,
    "components": ComponentForm,
    "form": FormFieldForm,
    "steps": StepForm,
}


def make_formsets(
    data: Any = None, files: Any = None, initial: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, Any]:
    formsets = {}
    for prefix, form_class in FORMSETS.items():
        formset_class = formset_factory(form_class, extra=1, can_delete=True, max_num=100, absolute_max=200)
        formsets[prefix] = formset_class(data, files, prefix=prefix, initial=(initial or {}).get(prefix))
    return formsets


def initial_from_content(content: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        "fees": content["fees"],
        "components": [{**c, "existing_template": c["template"]} for c in content["components"]],
        "form": [{**f, "choices": "\n".join(f["choices"])} for f in content["form"]],
        "steps": content["steps"],
    }


def content_from_forms(main: forms.Form, formsets: dict[str, Any]) -> dict[str, Any]:
    """The content dict from valid forms, with sector and agency as codes, as ``VersionContent`` expects."""
    data = dict(main.cleaned_data)
    data.pop("code", None)
    data["sector"], data["agency"] = data["sector"].code, data["agency"].code
    rows: dict[str, list[dict[str, Any]]] = {}
    for prefix, formset in formsets.items():
        rows[prefix] = [
            form.cleaned_data
            for form in formset.forms
            if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
    data["fees"] = [{"name": r["name"], "amount": r["amount"]} for r in rows["fees"]]
    data["components"] = [
        {
            "name": r["name"],
            "required": r["required"],
            "copies": r["copies"],
            "copy_type": r["copy_type"],
            "file_types": r["file_types"],
            "template": r["existing_template"] or "",
            "upload": r["template"],
        }
        for r in rows["components"]
    ]
    data["form"] = [
        {
            "name": r["name"],
            "label": r["label"],
            "type": r["type"],
            "required": r["required"],
            "choices": r["choices"],
        }
        for r in rows["form"]
    ]
    data["steps"] = [{"name": r["name"], "role": r["role"], "days": r["days"]} for r in rows["steps"]]
    return data
