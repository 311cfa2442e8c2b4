"""Every change to the catalogue: create a procedure, make a draft, edit it, publish, archive, import.

Each service is one transaction that checks the actor, locks the procedure row, changes what it must and writes a
``CatalogueEvent``. A published version is never changed: editing a published procedure makes a new draft.
``actor=None`` is the system itself (the import and demo commands).
"""

import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename
from rest_framework import serializers

from accounts.models import User
from accounts.permissions import has_permission
from portal.errors import InvalidState, NotAllowed, ServiceError
from procedures.catalogue_file import (
    AgencyRecord,
    CatalogueFile,
    Record,
    RowError,
    SectorRecord,
    flatten_errors,
)
from procedures.constants import CatalogueAction, VersionState
from procedures.content import ProcedureContent, version_content
from procedures.models import (
    Agency,
    CatalogueEvent,
    Component,
    CopyType,
    Fee,
    FormField,
    Procedure,
    ProcedureVersion,
    Sector,
    Step,
)

_SCALAR_FIELDS = (
    "name",
    "sector",
    "level",
    "agency",
    "processing_days",
    "online_level",
    "fee_due",
    "result",
    "result_title",
    "result_symbol",
    "result_template",
    "result_recipients",
    "legal_basis",
)


def _check_actor(actor: User | None) -> None:
    if actor is not None and not has_permission(actor, "catalogue.manage"):
        raise NotAllowed("Only a province admin manages the catalogue.")


def _log(*, version: ProcedureVersion, action: str, actor: User | None, comment: str = "") -> None:
    CatalogueEvent.objects.create(
        procedure_id=version.procedure_id, version=version, action=action, actor=actor, comment=comment
    )


def _lock(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().get(pk=procedure.pk)


TEMPLATE_PREFIX = "templates/"
# Where the import command stores a catalogue file's templates (``catalogue_file.store_templates``): by content.
IMPORTED_TEMPLATE = re.compile(r"templates/[0-9a-f]{16}/[^/\\]+")


class InvalidTemplate(ServiceError):
    code = "invalid_template"


def _kept_templates(procedure: Procedure) -> set[str]:
    """The template files this procedure's components already hold: the only stored names an edit may keep."""
    return set(
        Component.objects.filter(version__procedure=procedure)
        .exclude(template="")
        .values_list("template", flat=True)
    )


def _template_name(name: str, *, procedure: Procedure, imported: bool) -> str:
    """A stored template named in ``content``, accepted only where it cannot reach another file.

    An edit may keep a file the procedure's components already hold; a new file comes as an upload. An import
    may also name a file the import command stored from the catalogue file (by its content's hash). Any other
    stored name, such as a citizen's result, is refused.
    """
    parts = name.split("/")
    inside = name.startswith(TEMPLATE_PREFIX) and ".." not in parts and "" not in parts and "\\" not in name
    if inside and (
        name in _kept_templates(procedure) or (imported and IMPORTED_TEMPLATE.fullmatch(name) is not None)
    ):
        return name
    raise InvalidTemplate("A template file must be uploaded; a stored file cannot be named.")


def _write_children(version: ProcedureVersion, content: dict[str, Any], *, imported: bool = False) -> None:
    """Replace the fees, components, form fields and steps of a draft with those of ``content``."""
    version.fees.all().delete()
    version.components.all().delete()
    version.form_fields.all().delete()
    version.steps.all().delete()
    Fee.objects.bulk_create(
        Fee(version=version, position=i, name=f["name"], amount=f["amount"])
        for i, f in enumerate(content["fees"])
    )
    for i, c in enumerate(content["components"]):
        component = Component(
            version=version,
            position=i,
            name=c["name"],
            required=c["required"],
            copies=c["copies"],
            copy_type=c.get("copy_type", CopyType.ORIGINAL),
            file_types=list(c["file_types"]),
        )
        template = c.get("template") or ""
        if isinstance(template, File):
            # Under a random folder of the templates' own prefix: the admin's file name never picks a path.
            try:
                safe = get_valid_filename((template.name or "").rsplit("/", 1)[-1])[-100:]
            except SuspiciousFileOperation:
                safe = "template"
            component.template.save(f"{secrets.token_hex(8)}-{safe}", template, save=False)
        elif template:
            component.template.name = _template_name(template, procedure=version.procedure, imported=imported)
        component.save()
    FormField.objects.bulk_create(
        FormField(
            version=version,
            position=i,
            name=f["name"],
            label=f["label"],
            type=f["type"],
            required=f["required"],
            choices=list(f["choices"]),
        )
        for i, f in enumerate(content["form"])
    )
    Step.objects.bulk_create(
        Step(version=version, position=i, name=s["name"], role=s["role"], days=s["days"])
        for i, s in enumerate(content["steps"])
    )


def _new_version(
    *, procedure: Procedure, content: dict[str, Any], actor: User | None, imported: bool = False
) -> ProcedureVersion:
    number = (procedure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        state=VersionState.DRAFT,
        created_by=actor,
        **{field: content[field] for field in _SCALAR_FIELDS},
    )
    _write_children(version, content, imported=imported)
    return version


@transaction.atomic
def procedure_create(*, code: str, content: dict[str, Any], actor: User | None) -> ProcedureVersion:
    """Create a procedure with its first draft from validated ``content`` (see ``procedures.content``)."""
    _check_actor(actor)
    if Procedure.objects.filter(code=code).exists():
        raise InvalidState(f"A procedure with code {code} already exists.", code="duplicate")
    procedure = Procedure.objects.create(code=code)
    version = _new_version(procedure=procedure, content=content, actor=actor)
    _log(version=version, action=CatalogueAction.CREATE, actor=actor)
    return version


@transaction.atomic
def version_create_draft(*, procedure: Procedure, actor: User | None) -> ProcedureVersion:
    """The procedure's draft: the open one if there is one, else a new one copied from the published version.

    A procedure with no published version copies the one published last. A discarded draft is never the source
    while another version exists: its edits were thrown away on purpose.
    """
    _check_actor(actor)
    procedure = _lock(procedure)
    draft = procedure.versions.filter(state=VersionState.DRAFT).first()
    if draft is not None:
        return draft
    versions = procedure.versions.prefetch_related("fees", "components", "form_fields", "steps")
    source = (
        versions.filter(state=VersionState.PUBLISHED).first()
        or versions.filter(published_at__isnull=False).first()
        or versions.first()
    )
    if source is None:
        raise InvalidState("This procedure has no version to copy.")
    content = version_content(source)
    content["sector"], content["agency"] = source.sector, source.agency
    draft = _new_version(procedure=procedure, content=content, actor=actor)
    _log(
        version=draft,
        action=CatalogueAction.CREATE_DRAFT,
        actor=actor,
        comment=f"from version {source.number}",
    )
    return draft


@transaction.atomic
def version_update(
    *, version: ProcedureVersion, content: dict[str, Any], actor: User | None
) -> ProcedureVersion:
    """Replace the content of a draft. Published and archived versions never change."""
    _check_actor(actor)
    _lock(version.procedure)
    version = ProcedureVersion.objects.get(pk=version.pk)
    if version.state != VersionState.DRAFT:
        raise InvalidState("Only a draft can be edited; make a new draft of the published version.")
    for field in _SCALAR_FIELDS:
        setattr(version, field, content[field])
    version.save(update_fields=list(_SCALAR_FIELDS))
    _write_children(version, content)
    _log(version=version, action=CatalogueAction.EDIT, actor=actor)
    return version


@transaction.atomic
def version_publish(
    *, version: ProcedureVersion, actor: User | None, action: str = CatalogueAction.PUBLISH
) -> None:
    """Publish a draft; the version published before it is archived. Dossiers keep the version they were filed under."""
    _check_actor(actor)
    procedure = _lock(version.procedure)
    version = ProcedureVersion.objects.get(pk=version.pk)
    if version.state != VersionState.DRAFT:
        raise InvalidState(f"Version {version.number} is {version.get_state_display().lower()}, not a draft.")
    now = timezone.now()
    previous = procedure.published_version
    if previous is not None:
        previous.state, previous.archived_at = VersionState.ARCHIVED, now
        previous.save(update_fields=["state", "archived_at"])
        _log(
            version=previous,
            action=CatalogueAction.ARCHIVE,
            actor=actor,
            comment=f"replaced by {version.number}",
        )
    version.state, version.published_at = VersionState.PUBLISHED, now
    version.save(update_fields=["state", "published_at"])
    procedure.published_version = version
    procedure.save(update_fields=["published_version"])
    _log(version=version, action=action, actor=actor)


@transaction.atomic
def version_archive(*, version: ProcedureVersion, actor: User | None, comment: str = "") -> None:
    """Archive a published version (the procedure leaves the public catalogue) or discard a draft."""
    _check_actor(actor)
    procedure = _lock(version.procedure)
    version = ProcedureVersion.objects.get(pk=version.pk)
    if version.state == VersionState.ARCHIVED:
        raise InvalidState(f"Version {version.number} is archived already.")
    if procedure.published_version_id == version.pk:
        procedure.published_version = None
        procedure.save(update_fields=["published_version"])
    version.state, version.archived_at = VersionState.ARCHIVED, timezone.now()
    version.save(update_fields=["state", "archived_at"])
    _log(version=version, action=CatalogueAction.ARCHIVE, actor=actor, comment=comment)


def _same_content(version: ProcedureVersion, content: dict[str, Any]) -> bool:
    current = version_content(version)
    wanted = {**content, "sector": content["sector"].code, "agency": content["agency"].code}
    wanted["steps"] = [{**s, "days": float(s["days"])} for s in content["steps"]]
    return current == {key: wanted[key] for key in current}


class CatalogueInvalid(ServiceError):
    """The catalogue file has errors; ``errors`` lists every one with its line. Nothing was imported."""

    code = "invalid_catalogue"
    errors: list[RowError]

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"The catalogue file has {len(errors)} error(s); nothing was imported.")
        self.errors = errors


def _validated(record: Record, serializer_class: type[serializers.Serializer], errors: list[RowError]) -> Any:
    if not isinstance(record.data, dict):
        return None  # the reader has reported it ("must be an object")
    serializer = serializer_class(data=record.data)
    if serializer.is_valid():
        return serializer.validated_data
    errors += [RowError(record.line, record.where, message) for message in flatten_errors(serializer.errors)]
    return None


def _duplicates(records: list[Record], errors: list[RowError]) -> None:
    seen: dict[str, int] = {}
    for record in records:
        code = record.data.get("code") if isinstance(record.data, dict) else None
        if code in seen:
            errors.append(RowError(record.line, record.where, f"code repeats the one on line {seen[code]}"))
        elif code:
            seen[code] = record.line


@transaction.atomic
def catalogue_import(
    *,
    catalogue: CatalogueFile,
    actor: User | None,
    progress: Callable[[Iterable[Record]], Iterable[Record]] = iter,
) -> dict[str, int]:
    """Load a catalogue file, all or nothing; raises ``CatalogueInvalid`` listing every bad row by its line.

    Agencies and sectors are created or renamed by code. A procedure whose content differs from its published
    version gets a new version, published at once (an open draft is archived first, with a history row); an
    unchanged one is left alone, so importing a file twice changes nothing the second time. Returns how many
    procedures were created, updated and left unchanged.
    """
    if actor is not None and not has_permission(actor, "catalogue.import"):
        raise NotAllowed("Only a province admin imports the catalogue.")
    errors = list(catalogue.errors)
    for section in (catalogue.agencies, catalogue.sectors, catalogue.procedures):
        _duplicates(section, errors)
    agencies = [(r, _validated(r, AgencyRecord, errors)) for r in catalogue.agencies]
    sectors = [(r, _validated(r, SectorRecord, errors)) for r in catalogue.sectors]
    for _, data in agencies:
        if data:
            Agency.objects.update_or_create(
                code=data["code"],
                defaults={
                    "name": data["name"],
                    "level": data["level"],
                    "symbol": data["symbol"],
                    "superior": data["superior"],
                },
            )
    for record, data in agencies:
        if data and data["parent"]:
            parent = Agency.objects.filter(code=data["parent"]).first()
            if parent is None:
                errors.append(
                    RowError(record.line, record.where, f"parent: no agency with code {data['parent']}")
                )
            Agency.objects.filter(code=data["code"]).update(parent=parent)
    for _, data in sectors:
        if data:
            Sector.objects.update_or_create(code=data["code"], defaults={"name": data["name"]})
    # Procedures are checked once the file's own agencies and sectors exist; an error rolls all of it back.
    procedures = [(r, _validated(r, ProcedureContent, errors)) for r in catalogue.procedures]
    if errors:
        transaction.set_rollback(True)
        raise CatalogueInvalid(sorted(errors, key=lambda e: e.line))

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {
        p.code: p
        for p in Procedure.objects.select_related("published_version__sector", "published_version__agency")
        .prefetch_related(
            "published_version__fees",
            "published_version__components",
            "published_version__form_fields",
            "published_version__steps",
        )
        .filter(code__in=[data["code"] for _, data in procedures])
    }
    by_record = dict((id(r), data) for r, data in procedures)
    for record in progress(catalogue.procedures):
        content = by_record[id(record)]
        procedure = existing.get(content["code"])
        if procedure is None:
            procedure = Procedure.objects.create(code=content["code"])
            counts["created"] += 1
        elif procedure.published_version and _same_content(procedure.published_version, content):
            counts["unchanged"] += 1
            continue
        else:
            for draft in procedure.versions.filter(state=VersionState.DRAFT):
                version_archive(version=draft, actor=actor, comment="replaced by an import")
            counts["updated"] += 1
        version = _new_version(procedure=procedure, content=content, actor=actor, imported=True)
        _log(version=version, action=CatalogueAction.IMPORT, actor=actor)
        version_publish(version=version, actor=actor)
    return counts
