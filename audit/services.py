"""Writing the access log; called only by the policy's door (``dossiers.access``)."""

from django.utils import timezone

from accounts.models import User
from audit.models import AccessLog


def access_record(*, dossier_id: int, user: User, what: str, detail: str = "") -> None:
    """Log that ``user`` read ``what`` of the dossier (one INSERT; the caller decided that the read is logged)."""
    AccessLog.objects.create(
        dossier_id=dossier_id,
        user=user,
        role="superuser" if user.is_superuser and not user.role else user.role,
        agency_id=user.agency_id,
        what=what,
        detail=str(detail)[:64],
        at=timezone.now(),
    )
