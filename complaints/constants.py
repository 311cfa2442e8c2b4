from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintState(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


# The longest complaint or answer, in characters.
TEXT_MAX_LENGTH = 4000
