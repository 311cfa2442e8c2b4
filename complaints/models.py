"""A complaint or suggestion (phản ánh, kiến nghị) about a dossier, filed by its applicant and answered by the
competent agency within the province's deadline in working days.

The row keeps its own timestamps (filed, due, answered): the service index's "complaints answered on time" reads
them, and they are the evidence of when the agency answered.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.constants import ComplaintState


class Complaint(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="complaints")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("complaint"))
    state = models.CharField(max_length=16, choices=ComplaintState.choices, default=ComplaintState.OPEN)
    filed_at = models.DateTimeField()
    due_at = models.DateTimeField()
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["dossier", "-id"], name="complaint_dossier"),
            # The console's open and overdue counts, and the service index's complaints due in a period.
            models.Index(fields=["state", "due_at"], name="complaint_state_due"),
            models.Index(fields=["due_at"], name="complaint_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=ComplaintState.OPEN, answered_at__isnull=True)
                | models.Q(state=ComplaintState.ANSWERED, answered_at__isnull=False),
                name="complaint_answered_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"complaint {self.pk} on dossier {self.dossier_id}"
