"""The catalogue's services: create, draft, edit, publish and archive, each with its history row and its guard."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from portal.errors import InvalidState, NotAllowed
from procedures import services
from procedures.catalogue_file import CatalogueFile, Record
from procedures.constants import CatalogueAction, VersionState
from procedures.content import VersionContent, version_content
from procedures.models import (
    Agency,
    CatalogueEvent,
    Component,
    Fee,
    FormField,
    Procedure,
    ProcedureVersion,
    Sector,
    Step,
)
from procedures.selectors import published_versions, search_published
from tests.factories import AgencyFactory, DossierFactory, ProcedureVersionFactory, SectorFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The personas' passwords play no part here; hash them cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_content(**overrides: Any) -> dict[str, Any]:
    """Validated content, as the province admin's pages hand it to the services."""
    agency = overrides.pop("agency", None) or AgencyFactory(code="H12.01", name="Sở Tư pháp")
    sector = overrides.pop("sector", None) or SectorFactory(code="HT", name="Hộ tịch")
    data = {
        "name": "Đăng ký khai sinh",
        "sector": sector.code,
        "level": "commune",
        "agency": agency.code,
        "processing_days": 1,
        "online_level": "full",
        "result": "Giấy khai sinh",
        "legal_basis": "Luật Hộ tịch 2014",
        "fees": [{"name": "Lệ phí cấp bản sao", "amount": 8_000}],
        "components": [
            {
                "name": "Tờ khai đăng ký khai sinh",
                "required": True,
                "copies": 1,
                "file_types": ["pdf", "jpg"],
            },
            {"name": "Giấy chứng sinh", "required": True, "copies": 1, "file_types": ["pdf"]},
        ],
        "form": [
            {"name": "child_name", "label": "Họ và tên trẻ", "type": "text", "required": True},
            {
                "name": "sex",
                "label": "Giới tính",
                "type": "select",
                "required": True,
                "choices": ["Nam", "Nữ"],
            },
        ],
        "steps": [
            {"name": "Tiếp nhận", "role": "receiver", "days": "0.5"},
            {"name": "Thẩm định", "role": "assessor", "days": "0.5"},
        ],
        **overrides,
    }
    serializer = VersionContent(data=data)
    assert serializer.is_valid(), serializer.errors
    return dict(serializer.validated_data)


def content_of(version: ProcedureVersion) -> dict[str, Any]:
    return version_content(ProcedureVersion.objects.get(pk=version.pk))


def row_of(version: ProcedureVersion) -> dict[str, Any]:
    """Every column of a version's row."""
    return ProcedureVersion.objects.filter(pk=version.pk).values().get()


def snapshot() -> dict[str, Any]:
    """Everything the catalogue services may change, to show that a refused call changed nothing."""
    return {
        "procedures": list(Procedure.objects.order_by("pk").values_list("pk", "code", "published_version")),
        "versions": list(ProcedureVersion.objects.order_by("pk").values()),
        "events": CatalogueEvent.objects.count(),
        "fees": list(Fee.objects.order_by("pk").values_list("pk", "version", "name", "amount")),
        "components": list(Component.objects.order_by("pk").values_list("pk", "version", "name")),
        "form_fields": list(FormField.objects.order_by("pk").values_list("pk", "version", "name")),
        "steps": list(Step.objects.order_by("pk").values_list("pk", "version", "name")),
        "agencies": list(Agency.objects.order_by("pk").values()),
        "sectors": list(Sector.objects.order_by("pk").values()),
    }


def events_since(count: int) -> list[CatalogueEvent]:
    return list(CatalogueEvent.objects.order_by("id")[count:])


@pytest.fixture
def published(db: Any) -> ProcedureVersion:
    return ProcedureVersionFactory(published=True, number=1, name="Đăng ký kết hôn")


# procedure_create


def test_province_admin_creates_a_procedure_with_its_first_draft_and_a_history_row(province_admin):
    content = make_content()

    version = services.procedure_create(code="1.001193", content=content, actor=province_admin)

    procedure = Procedure.objects.get(code="1.001193")
    assert version.procedure == procedure
    assert (version.number, version.state, version.created_by) == (1, VersionState.DRAFT, province_admin)
    assert procedure.published_version is None
    saved = content_of(version)
    assert saved["name"] == "Đăng ký khai sinh"
    assert saved["fees"] == [{"name": "Lệ phí cấp bản sao", "amount": 8_000}]
    assert [c["name"] for c in saved["components"]] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert [(f["name"], f["choices"]) for f in saved["form"]] == [("child_name", []), ("sex", ["Nam", "Nữ"])]
    assert [(s["role"], s["days"]) for s in saved["steps"]] == [("receiver", 0.5), ("assessor", 0.5)]
    [event] = CatalogueEvent.objects.all()
    assert (event.procedure, event.version, event.action, event.actor) == (
        procedure,
        version,
        CatalogueAction.CREATE,
        province_admin,
    )


def test_a_new_procedure_stays_out_of_the_public_catalogue_until_it_is_published(province_admin):
    services.procedure_create(code="1.001193", content=make_content(), actor=province_admin)

    assert not published_versions().exists()
    assert not search_published(query="khai sinh").exists()


def test_a_procedure_code_that_exists_already_is_refused(province_admin, published):
    content = make_content()
    before = snapshot()

    with pytest.raises(InvalidState) as refused:
        services.procedure_create(code=published.procedure.code, content=content, actor=province_admin)

    assert refused.value.code == "duplicate"
    assert snapshot() == before


# version_create_draft


def test_a_new_draft_copies_the_published_content_with_fees_components_fields_and_steps(
    province_admin, published
):
    draft = services.version_create_draft(procedure=published.procedure, actor=province_admin)

    assert (draft.state, draft.number, draft.created_by) == (VersionState.DRAFT, 2, province_admin)
    copied = content_of(draft)
    assert copied == content_of(published)
    assert len(copied["fees"]) == 1 and len(copied["components"]) == 2
    assert len(copied["form"]) == 2 and len(copied["steps"]) == 2
    # The copy has rows of its own: editing the draft cannot touch the published version.
    assert not set(draft.fees.values_list("pk", flat=True)) & set(published.fees.values_list("pk", flat=True))
    published.refresh_from_db()
    assert published.state == VersionState.PUBLISHED
    assert Procedure.objects.get(pk=published.procedure_id).published_version_id == published.pk
    [event] = CatalogueEvent.objects.all()
    assert (event.version, event.action, event.actor) == (draft, CatalogueAction.CREATE_DRAFT, province_admin)


def test_creating_a_draft_when_one_is_open_returns_the_open_draft(province_admin, published):
    first = services.version_create_draft(procedure=published.procedure, actor=province_admin)
    before = snapshot()

    second = services.version_create_draft(procedure=published.procedure, actor=province_admin)

    assert second.pk == first.pk
    assert snapshot() == before


def test_a_discarded_draft_does_not_come_back_in_the_next_draft(province_admin, published):
    discarded = services.version_create_draft(procedure=published.procedure, actor=province_admin)
    services.version_update(
        version=discarded, content=make_content(name="Tên sai, đã bỏ"), actor=province_admin
    )
    services.version_archive(version=discarded, actor=province_admin)

    draft = services.version_create_draft(procedure=published.procedure, actor=province_admin)

    assert draft.number == 3
    assert content_of(draft) == content_of(published)


def test_a_withdrawn_procedure_gets_a_draft_of_the_version_published_last(province_admin, published):
    discarded = services.version_create_draft(procedure=published.procedure, actor=province_admin)
    services.version_update(
        version=discarded, content=make_content(name="Tên sai, đã bỏ"), actor=province_admin
    )
    services.version_archive(version=discarded, actor=province_admin)
    services.version_archive(version=published, actor=province_admin)

    draft = services.version_create_draft(procedure=published.procedure, actor=province_admin)

    assert content_of(draft) == content_of(published)
    assert CatalogueEvent.objects.filter(version=draft).get().comment == "from version 1"


# version_update


def test_province_admin_edits_a_draft_and_the_edit_is_logged(province_admin, published):
    draft = services.version_create_draft(procedure=published.procedure, actor=province_admin)
    count = CatalogueEvent.objects.count()
    content = make_content(
        name="Đăng ký kết hôn có yếu tố nước ngoài",
        fees=[{"name": "Lệ phí", "amount": 1_500_000}],
        steps=[{"name": "Tiếp nhận và giải quyết", "role": "receiver", "days": "15"}],
    )

    services.version_update(version=draft, content=content, actor=province_admin)

    edited = content_of(draft)
    assert edited["name"] == "Đăng ký kết hôn có yếu tố nước ngoài"
    assert (edited["sector"], edited["agency"]) == ("HT", "H12.01")
    assert edited["fees"] == [{"name": "Lệ phí", "amount": 1_500_000}]
    assert edited["steps"] == [{"name": "Tiếp nhận và giải quyết", "role": "receiver", "days": 15.0}]
    assert [(e.version, e.action, e.actor) for e in events_since(count)] == [
        (draft, CatalogueAction.EDIT, province_admin)
    ]
    assert content_of(published)["name"] == "Đăng ký kết hôn"


@pytest.mark.parametrize("state", ["published", "archived"])
def test_a_version_that_is_not_a_draft_never_changes(province_admin, state):
    version = ProcedureVersionFactory(**{state: True})
    content = make_content(name="Sửa đổi")
    before = snapshot()

    with pytest.raises(InvalidState):
        services.version_update(version=version, content=content, actor=province_admin)

    assert snapshot() == before


# version_publish


def test_publishing_a_draft_archives_the_version_published_before_it(province_admin, citizen, published):
    procedure = published.procedure
    dossier = DossierFactory(version=published, applicant=citizen, submitted=True)
    old_row, old_content = row_of(published), content_of(published)
    draft = services.version_create_draft(procedure=procedure, actor=province_admin)
    services.version_update(
        version=draft, content=make_content(name="Đăng ký kết hôn (mới)"), actor=province_admin
    )
    count = CatalogueEvent.objects.count()

    services.version_publish(version=draft, actor=province_admin)

    procedure.refresh_from_db()
    assert procedure.published_version_id == draft.pk
    assert list(procedure.versions.filter(state=VersionState.PUBLISHED)) == [draft]
    draft.refresh_from_db()
    assert draft.published_at is not None
    dossier.refresh_from_db()
    old = dossier.version  # a dossier keeps the version it was filed under
    assert old.pk == published.pk
    assert old.state == VersionState.ARCHIVED and old.archived_at is not None
    assert {k: v for k, v in row_of(old).items() if k not in ("state", "archived_at")} == {
        k: v for k, v in old_row.items() if k not in ("state", "archived_at")
    }
    assert content_of(old) == old_content
    assert [(e.version_id, e.action, e.actor) for e in events_since(count)] == [
        (published.pk, CatalogueAction.ARCHIVE, province_admin),
        (draft.pk, CatalogueAction.PUBLISH, province_admin),
    ]


def test_publishing_the_first_draft_puts_the_procedure_in_the_public_catalogue(province_admin):
    draft = services.procedure_create(code="1.001193", content=make_content(), actor=province_admin)

    services.version_publish(version=draft, actor=province_admin)

    assert list(search_published(query="dang ky khai sinh")) == [draft]
    assert Procedure.objects.get(code="1.001193").published_version_id == draft.pk
    assert list(CatalogueEvent.objects.order_by("id").values_list("action", flat=True)) == [
        CatalogueAction.CREATE,
        CatalogueAction.PUBLISH,
    ]


@pytest.mark.parametrize("state", ["published", "archived"])
def test_only_a_draft_can_be_published(province_admin, state):
    version = ProcedureVersionFactory(**{state: True})
    before = snapshot()

    with pytest.raises(InvalidState):
        services.version_publish(version=version, actor=province_admin)

    assert snapshot() == before


def test_a_procedure_never_has_two_published_versions_after_several_publications(province_admin, published):
    for _ in range(3):
        draft = services.version_create_draft(procedure=published.procedure, actor=province_admin)
        services.version_publish(version=draft, actor=province_admin)

    states = dict(published.procedure.versions.values_list("number", "state"))
    assert states == {1: "archived", 2: "archived", 3: "archived", 4: "published"}
    assert Procedure.objects.get(pk=published.procedure_id).published_version.number == 4


# version_archive


def test_archiving_the_published_version_takes_the_procedure_out_of_the_public_catalogue(
    province_admin, published
):
    services.version_archive(version=published, actor=province_admin, comment="Bãi bỏ")

    published.refresh_from_db()
    assert published.state == VersionState.ARCHIVED and published.archived_at is not None
    assert Procedure.objects.get(pk=published.procedure_id).published_version is None
    assert not published_versions().exists()
    assert not search_published(query="ket hon").exists()
    [event] = CatalogueEvent.objects.all()
    assert (event.version, event.action, event.actor, event.comment) == (
        published,
        CatalogueAction.ARCHIVE,
        province_admin,
        "Bãi bỏ",
    )


def test_archiving_a_draft_discards_it_and_leaves_the_published_version_alone(province_admin, published):
    draft = services.version_create_draft(procedure=published.procedure, actor=province_admin)
    count = CatalogueEvent.objects.count()

    services.version_archive(version=draft, actor=province_admin)

    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.state, published.state) == (VersionState.ARCHIVED, VersionState.PUBLISHED)
    assert Procedure.objects.get(pk=published.procedure_id).published_version_id == published.pk
    assert list(published_versions()) == [published]
    assert [(e.version, e.action) for e in events_since(count)] == [(draft, CatalogueAction.ARCHIVE)]


def test_an_archived_version_cannot_be_archived_again(province_admin, published):
    services.version_archive(version=published, actor=province_admin)
    before = snapshot()

    with pytest.raises(InvalidState):
        services.version_archive(version=published, actor=province_admin)

    assert snapshot() == before


# Who may change the catalogue


@dataclass
class Catalogue:
    with_draft: Procedure  # a published version and an open draft
    published_only: Procedure


def _create(catalogue: Catalogue, actor: Any) -> None:
    services.procedure_create(code="1.999999", content=make_content(), actor=actor)


def _create_draft(catalogue: Catalogue, actor: Any) -> None:
    services.version_create_draft(procedure=catalogue.published_only, actor=actor)


def _update(catalogue: Catalogue, actor: Any) -> None:
    draft = catalogue.with_draft.versions.get(state=VersionState.DRAFT)
    services.version_update(version=draft, content=make_content(name="Sửa đổi"), actor=actor)


def _publish(catalogue: Catalogue, actor: Any) -> None:
    services.version_publish(version=catalogue.with_draft.versions.get(state=VersionState.DRAFT), actor=actor)


def _archive_published(catalogue: Catalogue, actor: Any) -> None:
    services.version_archive(version=catalogue.published_only.versions.get(), actor=actor)


def _discard_draft(catalogue: Catalogue, actor: Any) -> None:
    services.version_archive(version=catalogue.with_draft.versions.get(state=VersionState.DRAFT), actor=actor)


def _import(catalogue: Catalogue, actor: Any) -> None:
    data = {
        "code": "1.999999",
        "name": "Thủ tục nhập",
        "sector": "HT",
        "level": "province",
        "agency": "H12.01",
        "processing_days": 3,
        "online_level": "partial",
    }
    catalogue_file = CatalogueFile(procedures=[Record(1, "procedures", 0, data)])
    services.catalogue_import(catalogue=catalogue_file, actor=actor)


# Each service, and the history rows a successful call writes: one per change, in order.
SERVICES: dict[str, tuple[Callable[[Catalogue, Any], None], list[str]]] = {
    "procedure_create": (_create, [CatalogueAction.CREATE]),
    "version_create_draft": (_create_draft, [CatalogueAction.CREATE_DRAFT]),
    "version_update": (_update, [CatalogueAction.EDIT]),
    "version_publish": (_publish, [CatalogueAction.ARCHIVE, CatalogueAction.PUBLISH]),
    "version_archive (published)": (_archive_published, [CatalogueAction.ARCHIVE]),
    "version_archive (draft)": (_discard_draft, [CatalogueAction.ARCHIVE]),
    "catalogue_import": (_import, [CatalogueAction.IMPORT, CatalogueAction.PUBLISH]),
}


@pytest.fixture
def catalogue(published: ProcedureVersion) -> Catalogue:
    """Two procedures; the agency and sector that new content names exist already."""
    ProcedureVersionFactory(procedure=published.procedure, number=2)
    AgencyFactory(code="H12.01", name="Sở Tư pháp")
    SectorFactory(code="HT", name="Hộ tịch")
    return Catalogue(
        with_draft=published.procedure,
        published_only=ProcedureVersionFactory(published=True, number=1).procedure,
    )


@pytest.mark.parametrize("role", ["citizen", "receiver", "assessor", "approver", "receiver_b", "leader"])
@pytest.mark.parametrize("service", list(SERVICES))
def test_only_a_province_admin_changes_the_catalogue(request, catalogue, role, service):
    call, _ = SERVICES[service]
    actor = request.getfixturevalue(role)
    before = snapshot()

    with pytest.raises(NotAllowed):
        call(catalogue, actor)

    assert snapshot() == before


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_change_by_a_province_admin_writes_one_history_row_per_change(
    catalogue, province_admin, service
):
    call, actions = SERVICES[service]
    count = CatalogueEvent.objects.count()

    call(catalogue, province_admin)

    new_events = events_since(count)
    assert [e.action for e in new_events] == actions
    assert all(e.actor == province_admin for e in new_events)
    assert all(e.procedure_id == e.version.procedure_id for e in new_events)


def test_an_inactive_province_admin_changes_nothing(province_admin, catalogue):
    province_admin.is_active = False
    province_admin.save()
    before = snapshot()

    with pytest.raises(NotAllowed):
        _publish(catalogue, province_admin)

    assert snapshot() == before


def test_the_system_itself_may_change_the_catalogue_and_is_logged_without_an_actor(catalogue):
    _publish(catalogue, None)

    [archived, published] = CatalogueEvent.objects.order_by("id")
    assert (archived.action, published.action) == (CatalogueAction.ARCHIVE, CatalogueAction.PUBLISH)
    assert archived.actor is None and published.actor is None
