"""Who read a citizen's dossier: every read by staff, leaders or admins (Decree 13/2023/NĐ-CP on personal data).

Append-only, like a dossier's history: rows are written by ``audit.services.access_record`` and never changed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessWhat(models.TextChoices):
    DOSSIER = "dossier", _("the dossier")
    DOCUMENT = "document", _("a paper")
    SLIP = "slip", _("a slip")
    RESULT = "result", _("the result")
    RECEIPT = "receipt", _("a payment receipt")


class AccessLog(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The reader's role and agency when they read it: a clerk who later moves agency stays as they were.
    role = models.CharField(max_length=16)
    agency = models.ForeignKey("procedures.Agency", on_delete=models.PROTECT, null=True, related_name="+")
    what = models.CharField(max_length=16, choices=AccessWhat.choices)
    detail = models.CharField(max_length=64, blank=True)  # the document's id, the slip's kind
    at = models.DateTimeField(db_index=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["dossier", "-at"], name="access_log_dossier")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.what} of {self.dossier_id}"
