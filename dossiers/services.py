"""Every change to a dossier that is not a change of state: create, edit, upload, assign, walk-in.

State changes are ``dossiers.workflow.apply``. Each service here is one transaction with a history row where the
change is worth keeping as evidence.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import Profile, User
from accounts.policy import Ask
from accounts.services import verified_citizen
from dossiers import codes, forms, selectors, workflow
from dossiers.access import dossier_for
from dossiers.constants import FINAL_STATES, Channel, DislikeReason, EventAction, State
from dossiers.history import history_write
from dossiers.models import Document, Dossier, Rating
from dossiers.workflow import Action
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
from portal.hooks import Hook
from procedures.constants import DEFAULT_FILE_TYPES, FILE_TYPES, VersionState
from procedures.models import ProcedureVersion

EDITABLE_STATES = frozenset({State.DRAFT, State.SUPPLEMENT_REQUESTED})

# Run in the transaction of a new rating, with the dossier's id (the service index's counters).
RATED: Hook[Callable[[int], None]] = Hook("what runs when a dossier is rated")


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class TooMany(ServiceError):
    """A citizen's limit is reached: papers in a dossier, open drafts."""

    status = 409
    code = "limit_reached"


class UnsupportedType(ServiceError):
    status = 415
    code = "unsupported_type"


class InvalidInput(ServiceError):
    """Input that does not validate; ``errors`` holds the messages by field."""

    def __init__(self, errors: dict[str, Any]) -> None:
        from dossiers.completeness import describe

        super().__init__(describe(errors), code="invalid")
        self.errors = errors


def _clean_input(
    version: ProcedureVersion, applicant: Any, form: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    applicant_data, applicant_errors = forms.validate(forms.ApplicantForm, applicant or {}, complete=False)
    form_data, form_errors = forms.validate(forms.procedure_form_class(version), form or {}, complete=False)
    errors = {k: v for k, v in (("applicant", applicant_errors), ("form", form_errors)) if v}
    if errors:
        raise InvalidInput(errors)
    return applicant_data, form_data


def profile_values(user: Any) -> dict[str, Any]:
    """What the citizen gave before, to fill in a new dossier; their account's name and e-mail otherwise."""
    profile = Profile.objects.filter(user=user).first()
    values: dict[str, Any] = {"full_name": user.get_full_name(), "email": user.email}
    if profile is not None:
        for name in forms.APPLICANT_FIELDS:
            value = getattr(profile, name)
            if value:
                values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return {k: v for k, v in values.items() if v}


# What the national e-ID vouches for (accounts.services.eid_sign_in): not learnt from a dossier.
LOCKED_BY_EID = frozenset({"full_name", "id_number", "date_of_birth"})


def profile_learn(*, user: Any, applicant: dict[str, Any]) -> None:
    """Keep what the citizen entered for next time ("give once")."""
    profile, _created = Profile.objects.get_or_create(user=user)
    changed = []
    for name in forms.APPLICANT_FIELDS:
        if name == "id_number" and profile.id_verified:
            continue  # a verified number changes only through a verified source
        if name in LOCKED_BY_EID and profile.locked:
            continue  # the national e-ID's name and date of birth stay the e-ID's
        if applicant.get(name) and str(getattr(profile, name) or "") != str(applicant[name]):
            setattr(profile, name, applicant[name])
            changed.append(name)
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])


@transaction.atomic(durable=True)
def dossier_create(
    *,
    actor: Any,
    procedure_code: str,
    applicant: Any = None,
    form: Any = None,
    channel: str = Channel.ONLINE,
) -> Dossier:
    """A draft for the published version of ``procedure_code``.

    A citizen files for themselves; what they leave out of ``applicant`` comes from their profile. Counter staff
    file for a person at the desk (``channel='counter'``); the dossier joins that person's account when one has
    the same citizen ID verified (never one they typed themselves), so they can follow it online.
    """
    version = (
        ProcedureVersion.objects.select_related("procedure", "agency")
        .prefetch_related("form_fields")
        .filter(procedure__code=procedure_code, state=VersionState.PUBLISHED)
        .first()
    )
    if version is None:
        raise NotFound(_("No published procedure has the code %(code)s.") % {"code": procedure_code})
    if channel not in Channel.values:
        raise ServiceError(_("Unknown channel %(channel)s.") % {"channel": channel}, code="invalid_channel")
    if actor.role == Role.CITIZEN:
        if channel != Channel.ONLINE:
            raise NotAllowed(_("Citizens file online; the counter files walk-in dossiers."))
        applicant = {**profile_values(actor), **(applicant or {})}
        owner = actor
    elif actor.role == Role.RECEIVER and channel in (Channel.COUNTER, Channel.POST):
        owner = None
    else:
        raise NotAllowed(_("Only a citizen, or a receiver for a walk-in dossier, files a dossier."))
    applicant_data, form_data = _clean_input(version, applicant, form)
    if actor.role == Role.CITIZEN:
        # The citizen's row is locked so that two requests at once cannot both take the last place.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        drafts = Dossier.objects.filter(applicant=actor, state=State.DRAFT).count()
        if drafts >= settings.DOSSIER_MAX_OPEN_DRAFTS:
            raise TooMany(
                _(
                    "You have %(count)s unsent drafts, the most one may keep. Continue one of them; a draft "
                    "left unused for 30 days is deleted."
                )
                % {"count": drafts},
                code="too_many_drafts",
            )
    if owner is None:
        # A walk-in joins an account only through a verified ID number; otherwise the citizen claims it with the
        # code and lookup key of their receipt (dossier_claim).
        owner = verified_citizen(applicant_data.get("id_number", ""))
    dossier = Dossier.objects.create(
        version=version,
        agency=version.agency,
        applicant=owner,
        created_by=actor,
        channel=channel,
        lookup_key=codes.new_lookup_key(),
        applicant_data=applicant_data,
        form_data=form_data,
    )
    history_write(dossier=dossier, action=EventAction.CREATE, actor=actor, data={"channel": channel})
    return dossier


def _locked_for_change(dossier_id: int, actor: Any) -> Dossier:
    return dossier_for(
        actor, dossier_id, ask=Ask.EDIT, lock=True, queryset=Dossier.objects.select_related("version")
    )


def _update_draft(*, dossier_id: int, actor: Any, applicant: Any = None, form: Any = None) -> Dossier:
    """Change a draft's (or a supplement's) applicant details and form values; what is not given stays."""
    dossier = _locked_for_change(dossier_id, actor)
    version = ProcedureVersion.objects.prefetch_related("form_fields").get(pk=dossier.version_id)
    applicant_data, form_data = _clean_input(
        version,
        {**dossier.applicant_data, **applicant}
        if isinstance(applicant, dict)
        else (applicant or dossier.applicant_data),
        {**dossier.form_data, **form} if isinstance(form, dict) else (form or dossier.form_data),
    )
    dossier.applicant_data, dossier.form_data = applicant_data, form_data
    dossier.save(update_fields=["applicant_data", "form_data", "updated_at"])
    return dossier


def sniff(upload: UploadedFile) -> tuple[str, str]:
    """The type of ``upload`` from its first bytes (never its name): (short name such as ``pdf``, MIME type)."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf", FILE_TYPES["pdf"]
    kind = filetype.guess(head)
    if kind is not None:
        for short, mime in FILE_TYPES.items():
            if kind.mime == mime or (short == "jpg" and kind.extension == "jpg"):
                return short, mime
    return "", kind.mime if kind else "application/octet-stream"


def _size(upload: UploadedFile) -> int:
    """The upload's length in bytes, counted from its content when the upload does not say it."""
    if upload.size is not None:
        return upload.size
    size = sum(len(chunk) for chunk in upload.chunks())
    upload.seek(0)
    return size


def _add_document(*, dossier_id: int, actor: Any, component_id: Any, upload: UploadedFile) -> Document:
    """Store one paper of the dossier under a random name with its SHA-256.

    413 when the file or the dossier's papers together pass the limits; 415 when the content is not a type the
    component accepts (the type is read from the bytes, not the file name).
    """
    dossier = _locked_for_change(dossier_id, actor)
    component = (
        dossier.version.components.filter(pk=component_id).first() if str(component_id).isdigit() else None
    )
    if component is None:
        raise ServiceError(_("This procedure has no such component."), code="unknown_component")
    size = _size(upload)
    if size > settings.UPLOAD_MAX_FILE_BYTES:
        raise TooLarge(
            _("A file may be at most %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)}
        )
    used = dossier.documents.aggregate(total=Sum("size"))["total"] or 0
    if used + size > settings.UPLOAD_MAX_DOSSIER_BYTES:
        raise TooLarge(
            _("A dossier's files may be at most %(mb)s MB together.")
            % {"mb": settings.UPLOAD_MAX_DOSSIER_BYTES // (1024 * 1024)}
        )
    if dossier.documents.count() >= settings.UPLOAD_MAX_DOSSIER_DOCUMENTS:
        raise TooMany(
            _("A dossier may hold at most %(count)s files.")
            % {"count": settings.UPLOAD_MAX_DOSSIER_DOCUMENTS},
            code="too_many_documents",
        )
    if actor.role == Role.CITIZEN:
        User.objects.select_for_update().filter(pk=actor.pk).first()
        stored = (
            Document.objects.filter(dossier__applicant=actor)
            .exclude(dossier__state__in=FINAL_STATES)
            .aggregate(total=Sum("size"))["total"]
            or 0
        )
        if stored + size > settings.UPLOAD_MAX_USER_BYTES:
            raise TooLarge(
                _("Your open dossiers may hold at most %(mb)s MB of files together.")
                % {"mb": settings.UPLOAD_MAX_USER_BYTES // (1024 * 1024)},
                code="quota_exceeded",
            )
    short, mime = sniff(upload)
    accepted = component.file_types or DEFAULT_FILE_TYPES
    if short not in accepted:
        raise UnsupportedType(
            _("This paper must be one of: %(types)s.") % {"types": ", ".join(t.upper() for t in accepted)}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        dossier=dossier,
        component=component,
        storage_key=f"{secrets.token_hex(16)}.{short}",
        original_name=(upload.name or "file")[-255:],
        content_type=mime,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    document.file.save(document.storage_key, upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    if dossier.state != State.DRAFT:
        history_write(
            dossier=dossier,
            action=EventAction.DOCUMENT,
            actor=actor,
            data={"component": component.pk, "sha256": document.sha256},
        )
    return document


def _remove_document(*, dossier_id: int, actor: Any, document_id: int) -> None:
    """Take a paper out of a draft (the citizen uploaded the wrong one)."""
    dossier = _locked_for_change(dossier_id, actor)
    if dossier.state != State.DRAFT:
        raise InvalidState(_("Papers can only be removed from a draft."))
    document = dossier.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    name = document.file.name
    document.delete()
    transaction.on_commit(lambda: document.file.storage.delete(name))


@transaction.atomic(durable=True)
def dossier_assign(*, dossier_id: int, actor: Any) -> Dossier:
    """Take a dossier of one's own agency's queue ("assign to me")."""
    dossier = dossier_for(actor, dossier_id, ask=Ask.ASSIGN, lock=True)
    if dossier.assignee_id != actor.pk:
        dossier.assignee = actor
        dossier.save(update_fields=["assignee", "updated_at"])
        history_write(dossier=dossier, action=EventAction.ASSIGN, actor=actor)
    return dossier


@transaction.atomic(durable=True)
def submit(*, dossier_id: int, actor: Any) -> Dossier:
    """Submit a draft, and remember what the citizen entered for their next dossier."""
    dossier = workflow.apply(dossier_id=dossier_id, action=Action.SUBMIT, actor=actor)
    if dossier.applicant_id and dossier.applicant_id == actor.pk:
        profile_learn(user=actor, applicant=dossier.applicant_data)
    return dossier


@transaction.atomic
def receive_walk_in(*, dossier_id: int, actor: Any, comment: str = "") -> Dossier:
    """A walk-in dossier entered at the counter is submitted on the citizen's behalf and received at once."""
    filed = workflow.Note(comment=_("Filed at the counter"))
    workflow.apply(dossier_id=dossier_id, action=Action.SUBMIT, actor=actor, input=filed)
    return workflow.apply(
        dossier_id=dossier_id, action=Action.RECEIVE, actor=actor, input=workflow.Note(comment=comment)
    )


# The parts of a draft, each its own transaction when called alone (the API, one paper's upload on the page); the
# draft page's "Save" runs them together in one (draft_save), each in a savepoint.
@transaction.atomic(durable=True)
def dossier_update(*, dossier_id: int, actor: Any, applicant: Any = None, form: Any = None) -> Dossier:
    return _update_draft(dossier_id=dossier_id, actor=actor, applicant=applicant, form=form)


@transaction.atomic(durable=True)
def document_add(*, dossier_id: int, actor: Any, component_id: Any, upload: UploadedFile) -> Document:
    return _add_document(dossier_id=dossier_id, actor=actor, component_id=component_id, upload=upload)


@transaction.atomic(durable=True)
def document_remove(*, dossier_id: int, actor: Any, document_id: int) -> None:
    _remove_document(dossier_id=dossier_id, actor=actor, document_id=document_id)


@dataclass(frozen=True)
class WalkInFiled:
    dossier: Dossier
    held: str | None  # why reception waits (a fee due before it), or None: received


@transaction.atomic(durable=True)
def walk_in_file(*, dossier_id: int, actor: Any, comment: str = "") -> WalkInFiled:
    """File a walk-in at the counter: submitted on the person's behalf and received at once, if nothing holds
    reception back.

    When a rule of another app holds reception back (a fee due before reception: the invoice only exists once the
    dossier is submitted), the dossier is still submitted, so that the person leaves with its code and key, and it
    waits in the receive queue until the counter can receive it.
    """
    try:
        with transaction.atomic():
            return WalkInFiled(receive_walk_in(dossier_id=dossier_id, actor=actor, comment=comment), None)
    except InvalidState as exc:
        if exc.code != "blocked":
            raise
        held = exc.message
    filed = workflow.Note(comment=_("Filed at the counter"))
    dossier = workflow.apply(dossier_id=dossier_id, action=Action.SUBMIT, actor=actor, input=filed)
    return WalkInFiled(dossier, held)


@dataclass
class DraftSaved:
    """What saving the draft page did not do: the details' errors, each paper's, the removal's."""

    details: "InvalidInput | None" = None
    uploads: dict[int, ServiceError] = field(default_factory=dict)
    removal: ServiceError | None = None

    @property
    def errors(self) -> list[ServiceError]:
        return [e for e in (self.details, *self.uploads.values(), self.removal) if e is not None]


@transaction.atomic(durable=True)
def draft_save(
    *,
    dossier_id: int,
    actor: Any,
    applicant: dict[str, Any],
    form: dict[str, Any],
    uploads: dict[int, UploadedFile],
    remove: int | None = None,
) -> DraftSaved:
    """Save the whole draft page at once (it works without JavaScript): the details, the files chosen for each
    paper, and the paper whose "Remove" was pressed. Each part that is refused is rolled back alone and said in
    the result, so that nothing valid the citizen typed or chose is lost to another part's error."""
    saved = DraftSaved()
    try:
        with transaction.atomic():
            _update_draft(dossier_id=dossier_id, actor=actor, applicant=applicant, form=form)
    except InvalidInput as exc:
        saved.details = exc
    for component_id, upload in uploads.items():
        try:
            with transaction.atomic():
                _add_document(dossier_id=dossier_id, actor=actor, component_id=component_id, upload=upload)
        except ServiceError as exc:
            if isinstance(exc, NotFound | NotAllowed):
                raise
            saved.uploads[component_id] = exc
    if remove is not None:
        try:
            with transaction.atomic():
                _remove_document(dossier_id=dossier_id, actor=actor, document_id=remove)
        except ServiceError as exc:
            saved.removal = exc
    return saved


@transaction.atomic(durable=True)
def rating_create(
    *, dossier_id: int, actor: Any, score: int, comment: str = "", dislike_reason: str = ""
) -> Rating:
    """The applicant rates the service, once, after the result is returned, and may dislike it with a reason (the
    service index counts both: ``RATED`` runs in the transaction)."""
    dossier = dossier_for(actor, dossier_id, ask=Ask.RATE, lock=True)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ServiceError(_("The score is a whole number from 1 to 5."), code="invalid_score")
    if dislike_reason and dislike_reason not in DislikeReason.values:
        raise ServiceError(_("Choose one of the reasons offered."), code="invalid_dislike_reason")
    if Rating.objects.filter(dossier=dossier).exists():
        raise InvalidState(_("This dossier was rated already."), code="already_rated")
    rating = Rating.objects.create(
        dossier=dossier, score=score, comment=(comment or "").strip()[:2000], dislike_reason=dislike_reason
    )
    for effect in RATED:
        effect(dossier.pk)
    return rating


@transaction.atomic(durable=True)
def dossier_claim(*, actor: Any, code: str, key: str) -> Dossier:
    """A citizen adds a dossier filed for them at the counter to their account, with the code and lookup key of
    the receipt. 404 for a wrong code or key (alike); 409 when the dossier already belongs to an account."""
    if actor.role != Role.CITIZEN:
        raise NotAllowed(_("Citizens add their counter dossiers to their account."))
    found = selectors.lookup(code or "", key or "")
    if found is None:
        raise NotFound(_("No dossier has this code and key."))
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=found.pk)
    if dossier.applicant_id == actor.pk:
        return dossier
    if dossier.applicant_id is not None or dossier.channel == Channel.ONLINE:
        raise InvalidState(_("This dossier already belongs to an account."), code="already_claimed")
    dossier.applicant = actor
    history_write(dossier=dossier, action=EventAction.CLAIM, actor=actor)
    dossier.save(update_fields=["applicant", "updated_at"])
    return dossier
