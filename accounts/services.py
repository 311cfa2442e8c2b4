"""Changes to accounts: a citizen's verified identity, and the API's login tokens.

A profile's ID number counts as verified only when a verified source set it (``IdSource``); a self-declared
number never links a walk-in dossier to an account (``dossiers.services.dossier_create``).
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.signals import user_logged_in
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from accounts.constants import IdSource, Role
from accounts.models import Profile, User
from accounts.permissions import has_permission
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError


def _valid_id_number(id_number: str) -> str:
    id_number = (id_number or "").strip()
    if not (id_number.isascii() and id_number.isdigit() and len(id_number) == 12):
        raise ServiceError(_("A citizen ID number has 12 digits."), code="invalid_id_number")
    return id_number


_TAKEN = _("Another account already holds this ID number, verified. Ask the province's staff to check it.")


@transaction.atomic(durable=True)
def identity_verify(
    *, actor: User | None, user: User | None, id_number: str, source: str = IdSource.COUNTER
) -> Profile:
    """Record ``user``'s ID number as verified: by a clerk who checked the ID card (``actor``), or by the
    national e-ID login (``actor=None``, ``source='eid'``). 409 when another account holds that number verified."""
    id_number = _valid_id_number(id_number)
    if source == IdSource.COUNTER and not has_permission(actor, "identity.verify"):
        raise NotAllowed(_("Only a counter clerk who checked the ID card verifies a citizen's ID number."))
    if source not in IdSource.values or (source == IdSource.EID and actor is not None):
        raise ServiceError(_("Unknown source of a verified identity."), code="invalid_source")
    if user is None or user.role != Role.CITIZEN or not user.is_active:
        raise NotFound(_("No such citizen account."))
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.locked and profile.id_number != id_number:
        raise InvalidState(
            _("This account's ID number comes from the national e-ID and is not changed at a counter."),
            code="identity_locked",
        )
    _mark_verified(profile, id_number=id_number, actor=actor, source=source)
    return profile


def _mark_verified(profile: Profile, *, id_number: str, actor: User | None, source: str) -> None:
    """Inside the caller's transaction, with ``profile`` locked: the number verified, unless another account holds
    it verified (409)."""
    taken = (
        Profile.objects.filter(id_number=id_number, id_verified_at__isnull=False)
        .exclude(pk=profile.pk)
        .exists()
    )
    if taken:
        raise InvalidState(_TAKEN, code="id_number_taken")
    profile.id_number = id_number
    profile.id_verified_at = timezone.now()
    profile.id_verified_by = actor
    profile.id_verified_source = source
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise InvalidState(_TAKEN, code="id_number_taken") from None


@dataclass(frozen=True)
class EidIdentity:
    """What the national e-ID vouches for, read from its verified claims (``accounts.eid``)."""

    subject: str
    full_name: str
    id_number: str
    date_of_birth: date


@transaction.atomic(durable=True)
def eid_sign_in(*, identity: EidIdentity) -> User:
    """The citizen account the national e-ID logs into: the one already linked to this e-ID subject, else the one
    whose ID number a counter verified, else a new one. The e-ID's name, ID number and date of birth fill the
    profile, verified and locked.

    Refused (409, nothing changed) when the linked account's ID number differs from the e-ID's (a number never
    changes silently), when the verified number belongs to an account linked to another e-ID, or when the
    account is not an active citizen's."""
    id_number = _valid_id_number(identity.id_number)
    if (
        not identity.subject
        or not identity.full_name.strip()
        or identity.date_of_birth >= timezone.localdate()
    ):
        raise ServiceError(_("The national e-ID did not give a name and a date of birth."), code="eid_claims")
    profile = Profile.objects.select_for_update().filter(eid_subject=identity.subject).first()
    if profile is None:
        profile = (
            Profile.objects.select_for_update()
            .filter(id_number=id_number, id_verified_at__isnull=False)
            .first()
        )
        if profile is not None and profile.eid_subject:
            raise InvalidState(_TAKEN, code="id_number_taken")
    elif profile.id_number != id_number:
        raise InvalidState(
            _(
                "The national e-ID gives another ID number than this account holds; nothing was changed. "
                "Ask the province's staff to check it."
            ),
            code="eid_id_number_changed",
        )
    if profile is None:
        user = User(username=_eid_username(identity.subject), role=Role.CITIZEN)
        user.set_unusable_password()
        user.save()
        profile = Profile.objects.create(user=user)
    user = profile.user
    if user.role != Role.CITIZEN or not user.is_active:
        raise NotAllowed(_("The national e-ID logs citizens in; staff log in with their password."))
    family, _sep, given = identity.full_name.strip().partition(" ")
    user.last_name, user.first_name = family[:150], given[:150]
    user.save(update_fields=["last_name", "first_name"])
    profile.eid_subject = identity.subject
    profile.full_name = identity.full_name.strip()[:255]
    profile.date_of_birth = identity.date_of_birth
    if profile.id_verified and profile.id_number == id_number:
        profile.save()
    else:
        _mark_verified(profile, id_number=id_number, actor=None, source=IdSource.EID)
    return user


def _eid_username(subject: str) -> str:
    # Not the ID number: staff see user names.
    return "vneid-" + hashlib.sha256(subject.encode()).hexdigest()[:16]


def citizen_by_username(username: str) -> User | None:
    return User.objects.filter(
        username=(username or "").strip()[:150], role=Role.CITIZEN, is_active=True
    ).first()


def verified_citizen(id_number: str) -> User | None:
    """The citizen account whose ID number is verified and equal to ``id_number``; never a self-declared one."""
    if not id_number:
        return None
    return User.objects.filter(
        role=Role.CITIZEN, is_active=True, profile__id_number=id_number, profile__id_verified_at__isnull=False
    ).first()


@transaction.atomic(durable=True)
def token_create(*, user: User, request: HttpRequest) -> tuple[AuthToken, str]:
    """A token login for ``user``, whose credentials the caller checked: the token row and the token itself,
    which is shown this once. A token is a login: like the login page, this clears the account's own failures
    (axes) and records ``last_login``."""
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    instance, token = AuthToken.objects.create(user=user)
    return instance, token


def token_revoke(*, token: AuthToken) -> None:
    """Revoke a token: it answers 401 from then on."""
    token.delete()
