"""The service index's rollups: counters kept by the workflow's events, and what each dossier put into them.

A ``Tally`` row holds the counters of one month, agency, procedure, sector and channel; the dashboard and the API sum
the rows of a period (a few thousand at most), never the dossiers. A ``Contribution`` remembers what one source (a
dossier, or a complaint) added to which rows, so that an event takes back the old contribution and adds the new one:
the same arithmetic as the nightly rebuild, which sums every source's contribution from scratch.
"""

from django.db import models

from stats.constants import COUNTERS, NO_DUE_MONTH


class Tally(models.Model):
    month = models.DateField()  # the first day of the month, local time
    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey("procedures.Sector", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=16)
    # The month a dossier in hand is due (its ``open`` counter is kept by it, so that one past its due date at a
    # period's end is found in the rollups); NO_DUE_MONTH on the rows of every other counter.
    due_month = models.DateField(default=NO_DUE_MONTH)
    # The counters of stats.constants.COUNTERS, added below as integer columns.

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency", "procedure", "sector", "channel", "due_month"], name="tally_key"
            ),
        ]
        indexes = [models.Index(fields=["agency", "month"], name="tally_agency_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.procedure_id} {self.channel}"


for _name in COUNTERS:
    Tally.add_to_class(_name, models.IntegerField(default=0))


class Contribution(models.Model):
    """``source`` is ``d<id>`` (a dossier) or ``c<id>`` (a complaint); ``rows`` maps a tally key (as text) to the
    counters it added there."""

    source = models.CharField(max_length=24, primary_key=True)
    rows = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.source
