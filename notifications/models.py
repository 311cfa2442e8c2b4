"""Messages to citizens and staff (e-mail, SMS, in-portal), and each person's language for them.

A ``Message`` is stored before it is sent and is never sent twice: its ``key`` names the dossier, the event, its
occurrence (the history row, or the day for a deadline), the channel and the recipient, and is unique; sending
claims the row with a conditional update first.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.constants import LANGUAGE_CHOICES, LANGUAGES, Channel, Event


class Message(models.Model):
    key = models.CharField(max_length=255, unique=True)
    # Empty for a walk-in without an account: the message goes to the phone or e-mail of the dossier.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    to_address = models.CharField(
        _("to"), max_length=254, blank=True, help_text=_("E-mail address or phone.")
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    # The history row the message tells of; deadlines have none.
    dossier_event = models.ForeignKey(
        "dossiers.DossierEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8, default=LANGUAGES[0])
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A sender holds the message until then; a sender that died is replaced once it has passed.
    claimed_until = models.DateTimeField(null=True, blank=True)
    backend = models.CharField(max_length=32, blank=True, help_text=_("The back end that delivered it."))
    reference = models.CharField(max_length=64, blank=True, help_text=_("The back end's reference for it."))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="message_inbox"),
            models.Index(fields=["created_at"], name="message_pending", condition=Q(sent_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event} → {self.to_address or self.recipient_id}"

    @property
    def unread(self) -> bool:
        return self.channel == Channel.PORTAL and self.read_at is None


class Preference(models.Model):
    """The language a person's messages are written in (Vietnamese unless they chose English)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("language of messages"),
        max_length=8,
        choices=LANGUAGE_CHOICES,
        default=LANGUAGES[0],
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
