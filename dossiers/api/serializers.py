from typing import Any

from django.urls import reverse
from rest_framework import serializers

from accounts import policy
from dossiers import sla, supplement, workflow
from dossiers.constants import State
from dossiers.models import Document, Dossier, Result


def _url(context: dict[str, Any], name: str, *args: Any) -> str:
    url = reverse(name, args=args)
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


class DocumentSerializer(serializers.ModelSerializer):
    component = serializers.IntegerField(source="component_id")
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "component", "name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, document: Document) -> str:
        return _url(self.context, "dossiers-api:document", document.dossier_id, document.pk)


def history_rows(dossier: Dossier, user: Any) -> list[dict[str, Any]]:
    """The history as ``user`` may read it (``accounts.policy.history_for``), in API.md's shape."""
    return [
        {
            "action": row["event"].action,
            "from": row["event"].from_state or None,
            "to": row["event"].to_state or None,
            "by": row["by"],
            "by_agency": row["by_agency"],
            "at": serializers.DateTimeField().to_representation(row["event"].at),
            "comment": row["comment"],
            "hash": row["event"].hash,
            "prev_hash": row["event"].prev_hash,
        }
        for row in policy.history_for(user, dossier, dossier.events.all())
    ]


class DossierListSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="version.procedure.code")
    procedure_name = serializers.CharField(source="version.name")
    agency = serializers.CharField(source="agency.code")
    overdue = serializers.SerializerMethodField()
    due_soon = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    applicant_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "state",
            "channel",
            "procedure",
            "procedure_name",
            "agency",
            "applicant_name",
            "submitted_at",
            "received_at",
            "due_at",
            "overdue",
            "due_soon",
            "assignee",
            "url",
        ]

    def _clock(self, dossier: Dossier) -> dict[str, Any]:
        cache = self.context.setdefault("_clock", {})
        if dossier.pk not in cache:
            calendar = self.context.setdefault("_calendar", sla.Calendar())
            cache[dossier.pk] = sla.clock(dossier, calendar)
        return cache[dossier.pk]

    def get_overdue(self, dossier: Dossier) -> bool:
        return self._clock(dossier)["overdue"]

    def get_due_soon(self, dossier: Dossier) -> bool:
        return self._clock(dossier)["due_soon"]

    def get_assignee(self, dossier: Dossier) -> str | None:
        return dossier.assignee.username if dossier.assignee else None

    def _may(self, dossier: Dossier, ask: policy.Ask) -> bool:
        request = self.context.get("request")
        return request is not None and policy.may(request.user, ask, dossier)

    def get_applicant_name(self, dossier: Dossier) -> str | None:
        if not self._may(dossier, policy.Ask.PERSONAL):
            return None
        return dossier.applicant_data.get("organisation") or dossier.applicant_data.get("full_name", "")

    def get_url(self, dossier: Dossier) -> str:
        return _url(self.context, "dossiers-api:detail", dossier.pk)


class DossierSerializer(DossierListSerializer):
    """One dossier as the caller may read it: the applicant's identity, the form and the papers only for those the
    policy lets read them (not leaders and province admins, who steer by aggregates)."""

    applicant = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    fee = serializers.SerializerMethodField()
    fees = serializers.SerializerMethodField()
    timeliness = serializers.SerializerMethodField()
    missing_components = serializers.SerializerMethodField()
    supplement_requested = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    received_at_agency = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            *DossierListSerializer.Meta.fields,
            "lookup_key",
            "received_at_agency",
            "applicant",
            "form",
            "documents",
            "missing_components",
            "supplement_requested",
            "fee",
            "fees",
            "returned_at",
            "timeliness",
            "proposed_outcome",
            "outcome",
            "actions",
            "history",
            "result",
        ]

    def get_applicant(self, dossier: Dossier) -> dict[str, Any] | None:
        return dossier.applicant_data if self._may(dossier, policy.Ask.PERSONAL) else None

    def get_form(self, dossier: Dossier) -> dict[str, Any] | None:
        return dossier.form_data if self._may(dossier, policy.Ask.PERSONAL) else None

    def get_documents(self, dossier: Dossier) -> list[dict[str, Any]]:
        if not self._may(dossier, policy.Ask.DOCUMENTS):
            return []
        return list(DocumentSerializer(dossier.documents.all(), many=True, context=self.context).data)

    def get_result(self, dossier: Dossier) -> dict[str, Any] | None:
        """The signed result's signature, for those who may read the result: who signed, when, at what level
        (``PAdES-B-LT``: time-stamped, with its validation data) and the time stamp's time; null before."""
        if not self._may(dossier, policy.Ask.RESULT):
            return None
        result = Result.objects.filter(dossier=dossier).first()
        if result is None:
            return None
        return {
            "signer": result.signer,
            "signed_at": result.signed_at.isoformat(),
            "level": result.level,
            "timestamped_at": result.timestamped_at.isoformat() if result.timestamped_at else None,
        }

    def get_history(self, dossier: Dossier) -> list[dict[str, Any]]:
        request = self.context.get("request")
        return history_rows(dossier, request.user) if request else []

    def get_fee(self, dossier: Dossier) -> int:
        return sum(fee.amount for fee in dossier.version.fees.all())

    def get_fees(self, dossier: Dossier) -> list[dict[str, Any]]:
        return [{"name": fee.name, "amount": fee.amount} for fee in dossier.version.fees.all()]

    def get_timeliness(self, dossier: Dossier) -> str | None:
        return self._clock(dossier)["timeliness"]

    def get_missing_components(self, dossier: Dossier) -> list[dict[str, Any]]:
        if dossier.state not in (State.DRAFT, State.SUPPLEMENT_REQUESTED):
            return []
        have = {d.component_id for d in dossier.documents.all()}
        return [
            {"id": c.pk, "name": c.name}
            for c in dossier.version.components.all()
            if c.required and c.pk not in have
        ]

    def get_supplement_requested(self, dossier: Dossier) -> list[dict[str, Any]]:
        """While a supplement is asked for: the components the request named, with the copy type and count asked
        and whether a paper was uploaded for each since."""
        if dossier.state != State.SUPPLEMENT_REQUESTED:
            return []
        return supplement.requested(dossier)

    def get_actions(self, dossier: Dossier) -> list[str]:
        request = self.context.get("request")
        return [str(action) for action in workflow.allowed_actions(dossier, request.user)] if request else []

    def get_received_at_agency(self, dossier: Dossier) -> str | None:
        return dossier.received_at_agency.code if dossier.received_at_agency else None


class LookupSerializer(serializers.ModelSerializer):
    """What anyone with the code and key may see: nothing personal."""

    procedure = serializers.CharField(source="version.name")
    procedure_code = serializers.CharField(source="version.procedure.code")
    agency = serializers.CharField(source="agency.name")
    state_label = serializers.CharField(source="get_state_display")

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure",
            "procedure_code",
            "agency",
            "state",
            "state_label",
            "submitted_at",
            "received_at",
            "due_at",
            "returned_at",
        ]
