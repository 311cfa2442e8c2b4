from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    RECEIVER = "receiver", _("Receiver")
    ASSESSOR = "assessor", _("Assessor")
    APPROVER = "approver", _("Approver")
    PROVINCE_ADMIN = "province_admin", _("Province admin")
    LEADER = "leader", _("Leader")


STAFF_ROLES = frozenset({Role.RECEIVER, Role.ASSESSOR, Role.APPROVER})


class IdSource(models.TextChoices):
    """Where a verified citizen ID number came from."""

    COUNTER = "counter", _("ID card checked at a counter")
    EID = "eid", _("National e-ID (VNeID)")
