from rest_framework import serializers

from complaints.constants import TEXT_MAX_LENGTH, ComplaintState
from complaints.models import Complaint
from complaints.selectors import is_overdue


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint as API.md gives it: `id, state ("open" | "answered"), due_at`, and its text and answer."""

    dossier = serializers.IntegerField(source="dossier_id", read_only=True)
    dossier_code = serializers.CharField(source="dossier.code", read_only=True)
    state = serializers.ChoiceField(choices=ComplaintState.choices, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "dossier",
            "dossier_code",
            "state",
            "text",
            "filed_at",
            "due_at",
            "overdue",
            "answer",
            "answered_at",
        ]
        read_only_fields = fields

    def get_overdue(self, complaint: Complaint) -> bool:
        return is_overdue(complaint)


class TextInput(serializers.Serializer):
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class ListQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=ComplaintState.choices, required=False)
