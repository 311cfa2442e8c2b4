"""Changes to accounts: a citizen's verified identity, and the API's login tokens.

A profile's ID number counts as verified only when a verified source set it (``IdSource``); a self-declared
number never links a walk-in dossier to an account (``dossiers.services.dossier_create``).
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts.constants import STAFF_ROLES, IdSource, Role
from accounts.id_numbers import id_number_problem
from accounts.models import OneTimeCode, Profile, StaffChange, User
from accounts.permissions import has_permission
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
from portal.hooks import Hook
from procedures.models import Agency


def _valid_id_number(id_number: str) -> str:
    id_number = (id_number or "").strip()
    problem = id_number_problem(id_number)
    if problem is not None:
        raise ServiceError(problem[0], code=problem[1])
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


# ---- Sign-up with a phone number or an e-mail address, proved by a one-time code -------------------------------

CODE_LIFETIME = timedelta(minutes=10)
CODE_MAX_TRIES = 5
# Codes sent to one phone or address an hour, whoever asks (the page's limit counts per asking address).
CODES_PER_ADDRESS_PER_HOUR = 3
_PHONE = re.compile(r"0[35789][0-9]{8}")

# Who delivers a code (``notifications``, registered from its ``ready()``): ``send(channel, address, text_code,
# language)``; raises a ``ServiceError`` when it could not go out. Accounts know nothing of notifications.
SendCode = Callable[[str, str, str, str], None]
SEND_CODE: Hook[SendCode] = Hook("accounts.services.SEND_CODE")


def contact_parse(value: str) -> tuple[str, str]:
    """A Vietnamese mobile number (``0912 345 678``, ``+84 912 345 678``) as ``("sms", "0912345678")``, or an
    e-mail address as ``("email", "an@example.vn")``; 400 otherwise."""
    value = (value or "").strip()
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ServiceError(_("Enter a valid e-mail address."), code="invalid_contact") from None
        local, _at, domain = value.rpartition("@")
        return OneTimeCode.Channel.EMAIL, f"{local}@{domain.lower()}"[:254]
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _PHONE.fullmatch(digits):
        raise ServiceError(
            _("Enter a mobile number of 10 digits (e.g. 0912 345 678) or an e-mail address."),
            code="invalid_contact",
        )
    return OneTimeCode.Channel.SMS, digits


class TooManyCodes(ServiceError):
    status = 429
    code = "too_many_codes"


def _code_digest(address: str, code: str) -> str:
    return salted_hmac("accounts.one_time_code", f"{address}:{code}", algorithm="sha256").hexdigest()


def signup_code_send(*, contact: str, language: str) -> OneTimeCode:
    """Send a six-digit code to ``contact`` (a phone by SMS, an e-mail address by e-mail); the code's row, whose
    id the sign-up page keeps. 429 after a few codes to the same address within the hour."""
    channel, address = contact_parse(contact)
    now = timezone.now()
    if (
        OneTimeCode.objects.filter(address=address, created_at__gte=now - timedelta(hours=1)).count()
        >= CODES_PER_ADDRESS_PER_HOUR
    ):
        raise TooManyCodes(_("Several codes went to this address within the hour. Try again later."))
    code = f"{secrets.randbelow(10**6):06d}"
    row = OneTimeCode.objects.create(
        channel=channel, address=address, digest=_code_digest(address, code), expires_at=now + CODE_LIFETIME
    )
    if not SEND_CODE:
        raise ServiceError(_("The portal cannot send codes at the moment."), code="code_not_sent")
    for send in SEND_CODE:
        send(channel, address, code, language)
    return row


@dataclass(frozen=True)
class SignUp:
    code_id: int
    code: str
    full_name: str
    password: str


def signup_complete(*, sign_up: SignUp) -> User:
    """The citizen's new account, once the code sent to their phone or e-mail matches: that address is its user
    name and is kept on the profile. Each try counts; a code is used once, expires, and dies after
    ``CODE_MAX_TRIES``. 409 when an account with that address exists (the citizen then logs in or resets the
    password)."""
    now = timezone.now()
    counted = (
        OneTimeCode.objects.filter(
            pk=sign_up.code_id, used_at__isnull=True, expires_at__gt=now, attempts__lt=CODE_MAX_TRIES
        ).update(attempts=F("attempts") + 1)
        == 1
    )
    row = OneTimeCode.objects.filter(pk=sign_up.code_id).first()
    if not counted or row is None:
        raise InvalidState(
            _("This code has expired or was tried too often. Ask for a new one."), code="code_expired"
        )
    if not constant_time_compare(row.digest, _code_digest(row.address, sign_up.code.strip())):
        raise ServiceError(_("The code is not the one we sent."), code="wrong_code")
    return _signup_create(row=row, sign_up=sign_up)


@transaction.atomic(durable=True)
def _signup_create(*, row: OneTimeCode, sign_up: SignUp) -> User:
    if User.objects.filter(Q(username__iexact=row.address) | Q(email__iexact=row.address)).exists():
        raise InvalidState(
            _("An account with this phone number or e-mail exists already: log in, or reset its password."),
            code="account_exists",
        )
    if OneTimeCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now()) != 1:
        raise InvalidState(
            _("This code has expired or was tried too often. Ask for a new one."), code="code_expired"
        )
    is_email = row.channel == OneTimeCode.Channel.EMAIL
    full_name = " ".join(sign_up.full_name.split())[:255]
    family, _sep, given = full_name.partition(" ")
    user = User.objects.create_user(
        username=row.address,
        password=sign_up.password,
        email=row.address if is_email else "",
        role=Role.CITIZEN,
        last_name=family[:150],
        first_name=given[:150],
    )
    Profile.objects.create(
        user=user,
        full_name=full_name,
        email=row.address if is_email else "",
        phone="" if is_email else row.address,
    )
    return user


# ---- Staff accounts, managed by the province admin ------------------------------------------------------------------

MANAGED_ROLES = frozenset({*STAFF_ROLES, Role.LEADER, Role.PROVINCE_ADMIN})


def _staff_state(user: User) -> dict[str, str]:
    state = {"role": user.role, "agency": user.agency.code if user.agency else ""}
    if user.position:  # what an approver signs as (Decree 30/2020); kept out of the rows of those without one
        state["position"] = user.position
    return state


def _check_role(role: str, agency: Agency | None) -> None:
    if role not in MANAGED_ROLES:
        raise ServiceError(_("Choose a staff role."), code="invalid_role")
    if role in STAFF_ROLES and agency is None:
        raise ServiceError(_("Counter staff work for one agency: choose it."), code="agency_required")


def _managed(actor: User, user: User, *, lock: bool = True) -> User:
    """``user`` as a staff account ``actor`` may change (locked); 404 for anything else, 403 for a non-admin."""
    if not has_permission(actor, "staff.manage"):
        raise NotAllowed(_("Only the province admin manages staff accounts."))
    rows = User.objects.select_for_update() if lock else User.objects.all()
    found = rows.filter(pk=user.pk, role__in=MANAGED_ROLES, is_superuser=False).first()
    if found is None:
        raise NotFound(_("No such staff account."))
    return found


def _record(*, actor: User, user: User, action: str, before: dict[str, str], after: dict[str, str]) -> None:
    StaffChange.objects.create(actor=actor, user=user, action=action, before=before, after=after)


def password_link_send(*, user: User) -> None:
    """E-mail ``user`` a link to choose a password (Django's reset tokens, on the portal's public address)."""
    if not user.email:
        return
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "base_url": settings.PUBLIC_BASE_URL,
        "province": settings.PROVINCE_NAME,
    }
    subject = "".join(render_to_string("accounts/password_reset_subject.txt", context).splitlines())
    send_mail(subject, render_to_string("accounts/password_reset_email.txt", context), None, [user.email])


@transaction.atomic(durable=True)
def staff_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    email: str,
    role: str,
    agency: Agency | None,
    position: str = "",
) -> User:
    """A staff account with a role (and, for counter staff, an agency), without a password: a link to choose one
    goes to ``email`` once it is made. 409 when the user name is taken."""
    if not has_permission(actor, "staff.manage"):
        raise NotAllowed(_("Only the province admin manages staff accounts."))
    _check_role(role, agency)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidState(_("This user name is taken."), code="username_taken")
    family, _sep, given = " ".join(full_name.split()).partition(" ")
    user = User(
        username=username,
        email=email.strip(),
        role=role,
        agency=agency,
        last_name=family[:150],
        first_name=given[:150],
        position=" ".join(position.split())[:255],
    )
    user.set_unusable_password()
    user.save()
    _record(actor=actor, user=user, action=StaffChange.Action.CREATE, before={}, after=_staff_state(user))
    transaction.on_commit(lambda: password_link_send(user=user))
    return user


@transaction.atomic(durable=True)
def staff_update(
    *, actor: User, user: User, role: str, agency: Agency | None, position: str | None = None
) -> User:
    """Give a staff account another role or position, or move it to another agency; a history row says from
    what to what. ``position`` is what an approver signs results as; ``None`` leaves it as it is."""
    user = _managed(actor, user)
    _check_role(role, agency)
    if user.pk == actor.pk and role != user.role:
        raise InvalidState(_("You cannot change your own role."), code="own_account")
    before = _staff_state(user)
    user.role, user.agency = role, agency
    if position is not None:
        user.position = " ".join(position.split())[:255]
    if _staff_state(user) == before:
        return user
    user.save(update_fields=["role", "agency", "position"])
    _record(actor=actor, user=user, action=StaffChange.Action.ROLE, before=before, after=_staff_state(user))
    return user


@transaction.atomic(durable=True)
def staff_set_active(*, actor: User, user: User, active: bool) -> User:
    """Switch a staff account off (its sessions and API tokens stop working) or on again."""
    user = _managed(actor, user)
    if user.pk == actor.pk:
        raise InvalidState(_("You cannot switch off your own account."), code="own_account")
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        AuthToken.objects.filter(user=user).delete()
    action = StaffChange.Action.REACTIVATE if active else StaffChange.Action.DEACTIVATE
    _record(actor=actor, user=user, action=action, before={}, after={})
    return user


@transaction.atomic(durable=True)
def staff_password_reset(*, actor: User, user: User) -> User:
    """The password stops working at once (sessions and tokens with it); a link to choose a new one goes to the
    account's e-mail."""
    user = _managed(actor, user)
    if not user.email:
        raise InvalidState(_("This account has no e-mail address to send the link to."), code="no_email")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    AuthToken.objects.filter(user=user).delete()
    _record(actor=actor, user=user, action=StaffChange.Action.PASSWORD_RESET, before={}, after={})
    transaction.on_commit(lambda: password_link_send(user=user))
    return user


@transaction.atomic(durable=True)
def staff_second_factor_remove(*, actor: User, user: User) -> User:
    """Remove a staff member's second factor (a lost phone): their next login sets up a new one."""
    user = _managed(actor, user)
    removed, _counts = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        _record(actor=actor, user=user, action=StaffChange.Action.SECOND_FACTOR_RESET, before={}, after={})
    return user
