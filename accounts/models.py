from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.constants import STAFF_ROLES, Role


class User(AbstractUser):
    """A person using the portal, with one role and, for staff, the agency they belong to."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    agency = models.ForeignKey(
        "procedures.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("agency"),
        help_text=_("For counter staff: the agency whose queues they work."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_counter_staff(self) -> bool:
        return self.role in STAFF_ROLES
