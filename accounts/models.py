from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.constants import STAFF_ROLES, IdSource, Role


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
    # Printed under the documents an approver signs (Decree 30/2020: the signer's title and name).
    position = models.CharField(
        _("position"), max_length=255, blank=True, help_text=_("Such as Phó Chủ tịch or Giám đốc")
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        # Vietnamese order: family name, middle name, given name (Nguyễn Văn An).
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_counter_staff(self) -> bool:
        return self.role in STAFF_ROLES


class Profile(models.Model):
    """What a citizen gave once and the portal fills in next time (chỉ cung cấp thông tin một lần)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    id_number = models.CharField(_("citizen ID number"), max_length=12, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The ID number counts as verified only when a verified source set it: the national e-ID login, or a counter
    # clerk who checked the ID card (who and when kept here). A number the citizen typed links nothing.
    id_verified_at = models.DateTimeField(_("ID verified at"), null=True, blank=True)
    id_verified_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ID verified by"),
    )
    id_verified_source = models.CharField(
        _("ID verified through"), max_length=16, choices=IdSource.choices, blank=True
    )
    # The national e-ID's subject for this person: the account it logs into. While set, the name, ID number and
    # date of birth are the e-ID's and the citizen does not change them (``locked``).
    eid_subject = models.CharField(_("e-ID subject"), max_length=255, null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            # One verified account per citizen ID: a walk-in joins exactly one account.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(id_verified_at__isnull=False),
                name="profile_one_verified_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.user.username

    @property
    def locked(self) -> bool:
        """The identity came from the national e-ID: name, ID number and date of birth are not the citizen's to
        change."""
        return bool(self.eid_subject)

    @property
    def id_verified(self) -> bool:
        return self.id_verified_at is not None and bool(self.id_number)


class OneTimeCode(models.Model):
    """A code sent to a phone or an e-mail address to prove it is the citizen's (sign-up). Only its digest is kept;
    it is used once, expires, and dies after a few wrong tries."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254, db_index=True)
    digest = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"


class StaffChange(models.Model):
    """One change a province admin made to a staff account: evidence of who gave whom which rights, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("Account created")
        ROLE = "role", _("Role or agency changed")
        DEACTIVATE = "deactivate", _("Account switched off")
        REACTIVATE = "reactivate", _("Account switched on again")
        PASSWORD_RESET = "password_reset", _("Password reset forced")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor removed")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="staff_changes")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("change"), max_length=24, choices=Action.choices)
    # What it was and what it became: role and agency code, for a role change or a creation.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("staff change")
        verbose_name_plural = _("staff changes")

    def __str__(self) -> str:
        return f"{self.action} {self.user_id} by {self.actor_id}"
