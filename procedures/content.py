"""The content of a procedure version as plain data, and its validation.

One shape serves the catalogue file (import and export), the province admin's pages and the copy made for a new
draft: ``VersionContent`` validates it, ``version_content`` reads it back from a version.
"""

from types import SimpleNamespace
from typing import Any

from rest_framework import serializers

from procedures import result_template
from procedures.constants import FILE_TYPES, FeeDue, FieldType, OnlineLevel, ProcedureLevel, StaffRole
from procedures.models import Agency, CopyType, ProcedureVersion, Sector

MAX_FEE = 1_000_000_000  # đồng; no administrative fee comes near a billion


class FeeContent(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    amount = serializers.IntegerField(min_value=0, max_value=MAX_FEE)


class ComponentContent(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    # A field named like an attribute of Field: the stubs see a clash, but DRF's metaclass takes declared fields off
    # the class, so nothing is shadowed.
    required = serializers.BooleanField(default=True)  # type: ignore[assignment]
    copies = serializers.IntegerField(min_value=0, max_value=20, default=1)
    copy_type = serializers.ChoiceField(choices=CopyType.choices, default=CopyType.ORIGINAL)
    file_types = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(FILE_TYPES)), default=list, max_length=len(FILE_TYPES)
    )
    template = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class FormFieldContent(serializers.Serializer):
    name = serializers.SlugField(max_length=64)
    # A field named like an attribute of Field: the stubs see a clash, but DRF's metaclass takes declared fields off
    # the class, so nothing is shadowed.
    label = serializers.CharField(max_length=255)  # type: ignore[assignment]
    type = serializers.ChoiceField(choices=FieldType.choices)
    # A field named like an attribute of Field: the stubs see a clash, but DRF's metaclass takes declared fields off
    # the class, so nothing is shadowed.
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]
    choices = serializers.ListField(child=serializers.CharField(max_length=255), default=list, max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["type"] == FieldType.SELECT and not attrs["choices"]:
            raise serializers.ValidationError({"choices": "A choice field needs at least one choice."})
        if attrs["type"] != FieldType.SELECT and attrs["choices"]:
            raise serializers.ValidationError({"choices": "Only a choice field has choices."})
        return attrs


class StepContent(serializers.Serializer):
    name = serializers.CharField(max_length=500)
    role = serializers.ChoiceField(choices=StaffRole.choices)
    days = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, coerce_to_string=False)


class VersionContent(serializers.Serializer):
    """Everything a version holds; ``sector`` and ``agency`` are given by code."""

    name = serializers.CharField(max_length=500)
    sector = serializers.SlugRelatedField(slug_field="code", queryset=Sector.objects.all())
    level = serializers.ChoiceField(choices=ProcedureLevel.choices)
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    processing_days = serializers.IntegerField(min_value=0, max_value=365)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices)
    fee_due = serializers.ChoiceField(choices=FeeDue.choices, default=FeeDue.BEFORE_RECEPTION)
    result = serializers.CharField(max_length=500, allow_blank=True, default="")
    result_title = serializers.CharField(max_length=255, allow_blank=True, default="")
    result_symbol = serializers.RegexField(
        r"^[0-9A-Za-zÀ-ỹĐđ.\-]{0,16}$", max_length=16, allow_blank=True, default=""
    )
    result_template = serializers.CharField(
        max_length=result_template.MAX_LENGTH, allow_blank=True, default="", trim_whitespace=False
    )
    result_recipients = serializers.CharField(max_length=2000, allow_blank=True, default="")
    legal_basis = serializers.CharField(allow_blank=True, default="")
    fees = FeeContent(many=True, default=list)
    components = ComponentContent(many=True, default=list)
    form = FormFieldContent(many=True, default=list)
    steps = StepContent(many=True, default=list)

    def validate_form(self, fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
        names = [field["name"] for field in fields]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise serializers.ValidationError(f"Field names must be unique: {', '.join(duplicates)}.")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The result's template and recipients may name only the placeholders this version's form gives.
        fields = [SimpleNamespace(**field) for field in attrs.get("form", [])]
        for name in ("result_template", "result_recipients"):
            try:
                result_template.validate(attrs.get(name, ""), fields)
            except result_template.TemplateError as exc:
                raise serializers.ValidationError({name: str(exc)}) from None
        return attrs


class ProcedureContent(VersionContent):
    """A procedure as the catalogue file holds it: its code and its (published) content."""

    code = serializers.RegexField(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,31}$", max_length=32)


def version_content(version: ProcedureVersion) -> dict[str, Any]:
    """The content of ``version`` in the shape ``VersionContent`` validates (prefetch its children)."""
    return {
        "name": version.name,
        "sector": version.sector.code,
        "level": version.level,
        "agency": version.agency.code,
        "processing_days": version.processing_days,
        "online_level": version.online_level,
        "fee_due": version.fee_due,
        "result": version.result,
        "result_title": version.result_title,
        "result_symbol": version.result_symbol,
        "result_template": version.result_template,
        "result_recipients": version.result_recipients,
        "legal_basis": version.legal_basis,
        "fees": [{"name": fee.name, "amount": fee.amount} for fee in version.fees.all()],
        "components": [
            {
                "name": component.name,
                "required": component.required,
                "copies": component.copies,
                "copy_type": component.copy_type,
                "file_types": list(component.file_types),
                "template": component.template.name or "",
            }
            for component in version.components.all()
        ],
        "form": [
            {
                "name": field.name,
                "label": field.label,
                "type": field.type,
                "required": field.required,
                "choices": list(field.choices),
            }
            for field in version.form_fields.all()
        ],
        "steps": [
            {"name": step.name, "role": step.role, "days": float(step.days)} for step in version.steps.all()
        ],
    }
