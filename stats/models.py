from django.db import models


class Snapshot(models.Model):
    """The service index of one agency (or the whole province, agency empty) for a period, rolled up by beat."""

    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period = models.CharField(max_length=7)  # "2026" or "2026-11"
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "period"], name="snapshot_agency_period"),
            models.UniqueConstraint(
                fields=["period"], condition=models.Q(agency__isnull=True), name="snapshot_province_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id or 'province'} {self.period}"
