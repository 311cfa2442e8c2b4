from decimal import Decimal
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from procedures.models import Agency, Component, Fee, FormField, ProcedureVersion, Sector, Step


class AgencySerializer(serializers.ModelSerializer):
    # A field named like DRF's own ``Field.parent`` attribute (the metaclass takes it out of the class).
    parent = serializers.SlugRelatedField(  # type: ignore[assignment,var-annotated]
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Agency
        fields = ["code", "name", "level", "parent"]


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["code", "name"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["name", "amount"]


class ComponentSerializer(serializers.ModelSerializer):
    template_url = serializers.SerializerMethodField()

    class Meta:
        model = Component
        fields = ["id", "name", "required", "copies", "copy_type", "file_types", "template_url"]

    def get_template_url(self, component: Component) -> str | None:
        if not component.template:
            return None
        url = reverse("procedures:component-template", args=[component.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class FormFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormField
        fields = ["name", "label", "type", "required", "choices"]

    def to_representation(self, instance: FormField) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.type != "select":
            del data["choices"]
        return data


class StepSerializer(serializers.ModelSerializer):
    days = serializers.SerializerMethodField()

    class Meta:
        model = Step
        fields = ["name", "role", "days"]

    def get_days(self, step: Step) -> float:
        return float(Decimal(step.days))


class ProcedureListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code")
    sector = serializers.CharField(source="sector.code")
    agency = serializers.CharField(source="agency.code")
    url = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = ["code", "name", "sector", "level", "agency", "processing_days", "online_level", "url"]

    def get_url(self, version: ProcedureVersion) -> str:
        url = reverse("procedures-api:procedure-detail", args=[version.procedure.code])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ProcedureDetailSerializer(ProcedureListSerializer):
    version = serializers.IntegerField(source="number")
    sector_name = serializers.CharField(source="sector.name")
    agency_name = serializers.CharField(source="agency.name")
    fees = FeeSerializer(many=True)
    components = ComponentSerializer(many=True)
    steps = StepSerializer(many=True)
    form = FormFieldSerializer(many=True, source="form_fields")

    class Meta:
        model = ProcedureVersion
        fields = [
            "code",
            "version",
            "name",
            "sector",
            "sector_name",
            "level",
            "agency",
            "agency_name",
            "processing_days",
            "fees",
            "online_level",
            "fee_due",
            "components",
            "steps",
            "legal_basis",
            "result",
            "form",
            "published_at",
        ]
