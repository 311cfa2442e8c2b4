"""The province admin's publishing pages under /manage/: who may use them, and create, edit, preview, publish,
archive, each leaving a history row; bad input re-renders the form and changes nothing."""

from typing import Any

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procedures.constants import CatalogueAction, VersionState
from procedures.models import CatalogueEvent, Procedure, ProcedureVersion
from tests.factories import ProcedureFactory, ProcedureVersionFactory, SectorFactory

# What the browser posts for the empty row at the end of each formset: the fields' initial values.
EMPTY_ROW = {
    "fees": {},
    "components": {"required": True, "copies": "1", "copy_type": "original"},
    "form": {"type": "text"},
    "steps": {"role": "receiver"},
}


def row_data(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A formset's management form and rows, as the edit page posts them (with its empty extra row)."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + 1),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for i, row in enumerate([*rows, EMPTY_ROW[prefix]]):
        for key, value in row.items():
            if value is True:
                value = "on"
            if value is False:
                continue  # an unticked checkbox is not posted
            data[f"{prefix}-{i}-{key}"] = value
    return data


def form_data(
    *,
    sector: Any,
    agency: Any,
    code: str | None = None,
    name: str = "Cấp giấy phép kinh doanh karaoke",
    fees: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    form: list[dict[str, Any]] | None = None,
    steps: list[dict[str, Any]] | None = None,
    **main: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "sector": sector.pk,
        "level": "province",
        "agency": agency.pk,
        "processing_days": "5",
        "online_level": "partial",
        "fee_due": "before_reception",
        "result": "Giấy phép kinh doanh",
        "legal_basis": "Nghị định 54/2019/NĐ-CP",
        **main,
    }
    if code is not None:
        data["code"] = code
    data |= row_data("fees", fees if fees is not None else [{"name": "Phí thẩm định", "amount": "6000000"}])
    data |= row_data(
        "components",
        components
        if components is not None
        else [
            {
                "name": "Đơn đề nghị cấp giấy phép",
                "required": True,
                "copies": "1",
                "copy_type": "certified",
                "file_types": ["pdf"],
            }
        ],
    )
    data |= row_data(
        "form",
        form
        if form is not None
        else [
            {"name": "business_name", "label": "Tên hộ kinh doanh", "type": "text", "required": True},
            {"name": "rooms", "label": "Số phòng", "type": "select", "choices": "1-5\n6-10\nTrên 10"},
        ],
    )
    data |= row_data(
        "steps",
        steps
        if steps is not None
        else [
            {"name": "Tiếp nhận hồ sơ", "role": "receiver", "days": "0.5"},
            {"name": "Thẩm định", "role": "assessor", "days": "4.5"},
        ],
    )
    return data


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sector(db: Any) -> Any:
    return SectorFactory(code="VH", name="Văn hóa")


@pytest.fixture
def published(agency_a: Any, sector: Any) -> ProcedureVersion:
    return ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.001029"),
        number=1,
        name="Cấp giấy phép kinh doanh karaoke",
        sector=sector,
        agency=agency_a,
        published=True,
    )


@pytest.fixture
def admin_client(client: Any, province_admin: Any) -> Any:
    client.force_login(province_admin)
    return client


def events(procedure: Procedure) -> list[tuple[str, int]]:
    return list(procedure.events.order_by("id").values_list("action", "version__number"))


def snapshot() -> list[Any]:
    """Everything the publishing pages can change."""
    versions = list(
        ProcedureVersion.objects.order_by("pk").values_list(
            "pk", "state", "name", "processing_days", "sector_id"
        )
    )
    fees = list(ProcedureVersion.objects.order_by("pk").values_list("pk", "fees__name", "fees__amount"))
    return [versions, fees, Procedure.objects.count(), CatalogueEvent.objects.count()]


def pages(version: ProcedureVersion) -> list[tuple[str, str]]:
    code, pk = version.procedure.code, version.pk
    return [
        ("get", "/manage/procedures/"),
        ("get", "/manage/procedures/new/"),
        ("post", "/manage/procedures/new/"),
        ("get", f"/manage/procedures/{code}/"),
        ("post", f"/manage/procedures/{code}/draft/"),
        ("get", f"/manage/versions/{pk}/edit/"),
        ("post", f"/manage/versions/{pk}/edit/"),
        ("get", f"/manage/versions/{pk}/preview/"),
        ("post", f"/manage/versions/{pk}/publish/"),
        ("post", f"/manage/versions/{pk}/archive/"),
    ]


# Who may use the pages


def test_an_anonymous_visitor_is_sent_to_log_in_and_changes_nothing(published, client):
    before = snapshot()

    for method, url in pages(published):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=/manage/"), url

    assert snapshot() == before


@pytest.mark.parametrize("persona", ["citizen", "receiver", "leader"])
def test_anyone_but_a_province_admin_is_forbidden_and_changes_nothing(published, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot()

    for method, url in pages(published):
        assert getattr(client, method)(url).status_code == 403, url

    assert snapshot() == before


def test_the_province_admin_sees_the_catalogue_and_a_procedures_history(published, admin_client):
    listing = admin_client.get("/manage/procedures/")
    procedure = admin_client.get("/manage/procedures/1.001029/")

    assert listing.status_code == 200
    assert "1.001029" in listing.content.decode()
    assert procedure.status_code == 200
    assert "Cấp giấy phép kinh doanh karaoke" in procedure.content.decode()


def test_the_catalogue_list_finds_by_code_or_name(published, admin_client):
    ProcedureVersionFactory(procedure=ProcedureFactory(code="2.000001"), number=1, name="Cấp phép quảng cáo")

    by_name = admin_client.get("/manage/procedures/", {"q": "quảng cáo"}).content.decode()
    by_code = admin_client.get("/manage/procedures/", {"q": "1.0010"}).content.decode()

    assert "2.000001" in by_name and "1.001029" not in by_name
    assert "1.001029" in by_code and "2.000001" not in by_code


def test_the_publishing_pages_are_linked_for_the_province_admin_only(
    published, client, province_admin, receiver
):
    client.force_login(receiver)
    assert 'href="/manage/procedures/"' not in client.get("/").content.decode()

    client.force_login(province_admin)
    assert 'href="/manage/procedures/"' in client.get("/").content.decode()


# Create


def test_the_province_admin_creates_a_procedure_as_a_draft(admin_client, province_admin, sector, agency_b):
    response = admin_client.post(
        "/manage/procedures/new/", form_data(code="1.012345", sector=sector, agency=agency_b)
    )

    assert response.status_code == 302
    assert response["Location"] == "/manage/procedures/1.012345/"
    procedure = Procedure.objects.get(code="1.012345")
    version = procedure.versions.get()
    assert version.state == VersionState.DRAFT
    assert version.created_by == province_admin
    assert (version.name, version.sector, version.agency, version.level) == (
        "Cấp giấy phép kinh doanh karaoke",
        sector,
        agency_b,
        "province",
    )
    assert list(version.fees.values_list("name", "amount")) == [("Phí thẩm định", 6_000_000)]
    assert list(version.components.values_list("name", "required", "copies", "copy_type", "file_types")) == [
        ("Đơn đề nghị cấp giấy phép", True, 1, "certified", ["pdf"])
    ]
    assert list(version.form_fields.values_list("name", "type", "required", "choices")) == [
        ("business_name", "text", True, []),
        ("rooms", "select", False, ["1-5", "6-10", "Trên 10"]),
    ]
    assert [(s.name, s.role, float(s.days)) for s in version.steps.all()] == [
        ("Tiếp nhận hồ sơ", "receiver", 0.5),
        ("Thẩm định", "assessor", 4.5),
    ]
    assert list(procedure.events.values_list("action", "actor")) == [
        (CatalogueAction.CREATE, province_admin.pk)
    ]
    # A draft is not public yet.
    assert admin_client.get("/procedures/1.012345/").status_code == 404


def test_a_new_procedures_template_file_is_stored_and_downloadable_by_the_admin(
    admin_client, sector, agency_a
):
    data = form_data(code="1.012345", sector=sector, agency=agency_a)
    data["components-0-template"] = SimpleUploadedFile(
        "don.pdf", b"%PDF-1.4 don", content_type="application/pdf"
    )

    assert admin_client.post("/manage/procedures/new/", data).status_code == 302

    component = ProcedureVersion.objects.get(procedure__code="1.012345").components.get()
    assert component.template.name.endswith(".pdf")
    response = admin_client.get(f"/components/{component.pk}/template/")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 don"


# Edit, preview, publish, archive


def test_editing_a_published_procedure_makes_a_draft_and_leaves_the_published_version_alone(
    published, admin_client, province_admin, sector, agency_a
):
    response = admin_client.post("/manage/procedures/1.001029/draft/")

    draft = published.procedure.versions.get(state=VersionState.DRAFT)
    assert response.status_code == 302
    assert response["Location"] == f"/manage/versions/{draft.pk}/edit/"
    assert draft.number == 2 and draft.name == published.name  # a copy of the latest version
    assert list(draft.fees.values_list("name", "amount")) == [("Lệ phí", 50_000)]

    edit_page = admin_client.get(f"/manage/versions/{draft.pk}/edit/")
    assert edit_page.status_code == 200
    assert 'value="Cấp giấy phép kinh doanh karaoke"' in edit_page.content.decode()

    response = admin_client.post(
        f"/manage/versions/{draft.pk}/edit/",
        form_data(
            sector=sector,
            agency=agency_a,
            name="Cấp giấy phép kinh doanh dịch vụ karaoke",
            fees=[{"name": "Phí thẩm định", "amount": "4000000"}],
        ),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Cấp giấy phép kinh doanh dịch vụ karaoke"
    assert list(draft.fees.values_list("amount", flat=True)) == [4_000_000]
    published.refresh_from_db()
    assert published.state == VersionState.PUBLISHED
    assert published.name == "Cấp giấy phép kinh doanh karaoke"
    assert list(published.fees.values_list("amount", flat=True)) == [50_000]
    page = admin_client.get("/procedures/1.001029/").content.decode()
    assert "<h1>Cấp giấy phép kinh doanh karaoke</h1>" in page and "4.000.000 đ" not in page
    assert events(published.procedure) == [(CatalogueAction.CREATE_DRAFT, 2), (CatalogueAction.EDIT, 2)]


def browser_form(page: str) -> dict[str, Any]:
    """What a browser submits from the edit page's form as it is: every field with the value it shows."""
    form = lxml.html.fromstring(page).forms[-1]
    values: dict[str, Any] = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return {name: v[0] if len(v) == 1 else v for name, v in values.items()}


def test_a_draft_saves_from_the_edit_page_as_a_browser_submits_it(published, admin_client):
    """The empty row at the end of each formset, untouched, is ignored rather than failing "required"."""
    admin_client.post("/manage/procedures/1.001029/draft/")
    draft = published.procedure.versions.get(state=VersionState.DRAFT)
    url = f"/manage/versions/{draft.pk}/edit/"
    data = browser_form(admin_client.get(url).content.decode())
    data["name"] = "Cấp giấy phép kinh doanh dịch vụ karaoke"
    data["fees-0-amount"] = "150000"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert draft.name == "Cấp giấy phép kinh doanh dịch vụ karaoke"
    assert list(draft.fees.values_list("name", "amount")) == [("Lệ phí", 150_000)]
    # The rest of the content is kept as it was.
    assert [c.name for c in draft.components.all()] == ["Tờ khai", "Bản sao giấy tờ"]
    assert [f.name for f in draft.form_fields.all()] == ["full_name", "sex"]
    assert draft.form_fields.get(name="sex").choices == ["Nam", "Nữ"]
    assert [(s.name, float(s.days)) for s in draft.steps.all()] == [("Tiếp nhận", 1.0), ("Thẩm định", 4.0)]


def test_a_new_procedure_saves_from_the_new_page_as_a_browser_submits_it(admin_client, sector, agency_a):
    data = browser_form(admin_client.get("/manage/procedures/new/").content.decode())
    data |= {
        "code": "1.012345",
        "name": "Cấp giấy phép biểu diễn nghệ thuật",
        "sector": str(sector.pk),
        "agency": str(agency_a.pk),
        "processing_days": "5",
        "steps-0-name": "Thẩm định",
        "steps-0-days": "4",
    }

    response = admin_client.post("/manage/procedures/new/", data)

    assert response.status_code == 302, response.context["form"].errors
    version = ProcedureVersion.objects.get(procedure__code="1.012345")
    assert list(version.steps.values_list("name", "role")) == [("Thẩm định", "receiver")]
    assert not version.fees.exists() and not version.components.exists() and not version.form_fields.exists()


def test_asking_for_a_draft_twice_opens_the_same_draft(published, admin_client):
    first = admin_client.post("/manage/procedures/1.001029/draft/")
    second = admin_client.post("/manage/procedures/1.001029/draft/")

    assert first["Location"] == second["Location"]
    assert published.procedure.versions.filter(state=VersionState.DRAFT).count() == 1
    assert events(published.procedure) == [(CatalogueAction.CREATE_DRAFT, 2)]


def test_save_and_preview_goes_to_the_preview(published, admin_client, sector, agency_a):
    admin_client.post("/manage/procedures/1.001029/draft/")
    draft = published.procedure.versions.get(state=VersionState.DRAFT)

    response = admin_client.post(
        f"/manage/versions/{draft.pk}/edit/", {**form_data(sector=sector, agency=agency_a), "preview": "1"}
    )

    assert response["Location"] == f"/manage/versions/{draft.pk}/preview/"


def test_the_preview_shows_the_drafts_content_with_the_preview_banner(published, admin_client, agency_a):
    draft = ProcedureVersionFactory(
        procedure=published.procedure,
        number=2,
        name="Karaoke (dự thảo mới)",
        sector=published.sector,
        agency=agency_a,
    )
    draft.fees.update(amount=7_500_000)

    response = admin_client.get(f"/manage/versions/{draft.pk}/preview/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="preview-banner"' in page
    assert "<h1>Karaoke (dự thảo mới)</h1>" in page
    assert "7.500.000 đ" in page
    assert "qr.svg" not in page  # the draft has no public QR code yet
    # The public page still shows the published version.
    public = admin_client.get("/procedures/1.001029/").content.decode()
    assert "preview-banner" not in public and "dự thảo mới" not in public


def test_publishing_a_draft_replaces_the_public_page_and_archives_the_old_version(
    published, admin_client, province_admin, anonymous, agency_a
):
    draft = ProcedureVersionFactory(
        procedure=published.procedure,
        number=2,
        name="Karaoke (sửa đổi 2025)",
        sector=published.sector,
        agency=agency_a,
    )

    response = admin_client.post(f"/manage/versions/{draft.pk}/publish/")

    assert response.status_code == 302
    assert response["Location"] == "/manage/procedures/1.001029/"
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.state == VersionState.PUBLISHED and draft.published_at is not None
    assert published.state == VersionState.ARCHIVED and published.archived_at is not None
    assert Procedure.objects.get(code="1.001029").published_version == draft
    page = admin_client.get("/procedures/1.001029/").content.decode()
    assert "<h1>Karaoke (sửa đổi 2025)</h1>" in page
    assert anonymous.get("/api/v1/procedures/1.001029/").json()["name"] == "Karaoke (sửa đổi 2025)"
    assert events(published.procedure) == [(CatalogueAction.ARCHIVE, 1), (CatalogueAction.PUBLISH, 2)]
    assert set(published.procedure.events.values_list("actor", flat=True)) == {province_admin.pk}


def test_archiving_the_published_version_takes_the_procedure_off_the_catalogue(
    published, admin_client, anonymous
):
    response = admin_client.post(f"/manage/versions/{published.pk}/archive/")

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.state == VersionState.ARCHIVED
    assert Procedure.objects.get(code="1.001029").published_version is None
    assert admin_client.get("/procedures/1.001029/").status_code == 404
    assert anonymous.get("/api/v1/procedures/1.001029/").status_code == 404
    assert anonymous.get("/api/v1/procedures/").json()["results"] == []
    assert events(published.procedure) == [(CatalogueAction.ARCHIVE, 1)]


def test_discarding_a_draft_leaves_the_published_version_public(published, admin_client, agency_a):
    draft = ProcedureVersionFactory(
        procedure=published.procedure, number=2, sector=published.sector, agency=agency_a
    )

    admin_client.post(f"/manage/versions/{draft.pk}/archive/")

    draft.refresh_from_db()
    assert draft.state == VersionState.ARCHIVED
    assert admin_client.get("/procedures/1.001029/").status_code == 200
    assert events(published.procedure) == [(CatalogueAction.ARCHIVE, 2)]


def test_the_history_is_shown_on_the_procedures_page(published, admin_client, province_admin):
    admin_client.post("/manage/procedures/1.001029/draft/")
    draft = published.procedure.versions.get(state=VersionState.DRAFT)
    admin_client.post(f"/manage/versions/{draft.pk}/publish/")

    page = admin_client.get("/manage/procedures/1.001029/")

    history = list(page.context["history"])
    assert [(e.action, e.version.number) for e in history] == [
        (CatalogueAction.PUBLISH, 2),
        (CatalogueAction.ARCHIVE, 1),
        (CatalogueAction.CREATE_DRAFT, 2),
    ]
    assert province_admin.get_full_name() in page.content.decode()


# Actions not allowed in the current state change nothing


def test_a_published_version_cannot_be_edited(published, admin_client, sector, agency_a):
    before = snapshot()

    response = admin_client.post(
        f"/manage/versions/{published.pk}/edit/",
        form_data(sector=sector, agency=agency_a, name="Đổi trực tiếp"),
    )

    assert response.status_code == 302
    assert response["Location"] == "/manage/procedures/1.001029/"
    assert snapshot() == before


@pytest.mark.parametrize("action", ["publish", "archive"])
def test_an_archived_version_cannot_be_published_or_archived_again(published, admin_client, agency_a, action):
    archived = ProcedureVersionFactory(
        procedure=published.procedure, number=2, sector=published.sector, agency=agency_a, archived=True
    )
    before = snapshot()

    response = admin_client.post(f"/manage/versions/{archived.pk}/{action}/", follow=True)

    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert snapshot() == before


def test_publishing_an_already_published_version_changes_nothing(published, admin_client):
    before = snapshot()

    response = admin_client.post(f"/manage/versions/{published.pk}/publish/", follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert snapshot() == before


@pytest.mark.parametrize("method", ["get"])
@pytest.mark.parametrize("action", ["publish", "archive", "draft"])
def test_state_changes_need_a_post(published, admin_client, method, action):
    before = snapshot()
    url = (
        "/manage/procedures/1.001029/draft/"
        if action == "draft"
        else f"/manage/versions/{published.pk}/{action}/"
    )

    assert getattr(admin_client, method)(url).status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize(
    "url",
    ["/manage/procedures/9.999999/", "/manage/versions/999999/edit/", "/manage/versions/999999/preview/"],
)
def test_an_unknown_procedure_or_version_is_not_found(db, admin_client, url):
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/manage/procedures/9.999999/draft/", "/manage/versions/999999/publish/"])
def test_acting_on_an_unknown_procedure_or_version_is_not_found(db, admin_client, url):
    assert admin_client.post(url).status_code == 404


# Bad input re-renders the form with the error and changes nothing


BAD_INPUT = {
    "a select field without choices": (
        {"form": [{"name": "rooms", "label": "Số phòng", "type": "select", "choices": ""}]},
        "choice",
    ),
    "choices on a text field": (
        {"form": [{"name": "rooms", "label": "Số phòng", "type": "text", "choices": "a\nb"}]},
        "choice",
    ),
    "a negative fee": ({"fees": [{"name": "Phí", "amount": "-1000"}]}, "fees-0-amount"),
    "a fee that is not a number": ({"fees": [{"name": "Phí", "amount": "năm nghìn"}]}, "fees-0-amount"),
    "a fee row without a name": ({"fees": [{"name": "", "amount": "5000"}]}, "fees-0-name"),
    "negative copies": ({"components": [{"name": "Đơn", "copies": "-1"}]}, "components-0-copies"),
    "unknown copy type": (
        {"components": [{"name": "Đơn", "copies": "1", "copy_type": "photocopy"}]},
        "components-0-copy_type",
    ),
    "an unknown file type": (
        {"components": [{"name": "Đơn", "copies": "1", "file_types": ["exe"]}]},
        "components-0-file_types",
    ),
    "a form field name with spaces": (
        {"form": [{"name": "tên hộ", "label": "Tên", "type": "text"}]},
        "form-0-name",
    ),
    "two form fields with one name": (
        {
            "form": [
                {"name": "name", "label": "Tên", "type": "text"},
                {"name": "name", "label": "Tên khác", "type": "text"},
            ]
        },
        "unique",
    ),
    "an unknown field type": ({"form": [{"name": "x", "label": "X", "type": "signature"}]}, "form-0-type"),
    "negative step days": (
        {"steps": [{"name": "Thẩm định", "role": "assessor", "days": "-2"}]},
        "steps-0-days",
    ),
    "an unknown step role": ({"steps": [{"name": "Ký", "role": "janitor", "days": "1"}]}, "steps-0-role"),
    "a negative processing time": ({"processing_days": "-5"}, "processing_days"),
    "a processing time over a year": ({"processing_days": "366"}, "processing_days"),
    "no name": ({"name": ""}, "name"),
    "an unknown level": ({"level": "galaxy"}, "level"),
}


def _error_is_shown(response: Any, where: str) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="errorlist' in page
    form = response.context["form"]
    formsets = response.context["formsets"]
    if "-" in where:
        prefix, index, field = where.split("-")
        assert formsets[prefix].forms[int(index)].errors[field]
    elif where in form.fields:
        assert form.errors[where]
    else:
        assert any(where in message for message in form.non_field_errors()), form.non_field_errors()


@pytest.mark.parametrize(("changes", "where"), list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_on_a_new_procedure_shows_the_error_and_creates_nothing(
    admin_client, sector, agency_a, changes, where
):
    before = snapshot()

    response = admin_client.post(
        "/manage/procedures/new/", form_data(code="1.012345", sector=sector, agency=agency_a, **changes)
    )

    _error_is_shown(response, where)
    assert snapshot() == before
    assert not Procedure.objects.filter(code="1.012345").exists()


@pytest.mark.parametrize(("changes", "where"), list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_bad_input_on_a_draft_shows_the_error_and_leaves_the_draft_as_it_was(
    published, admin_client, agency_a, changes, where
):
    draft = ProcedureVersionFactory(
        procedure=published.procedure, number=2, sector=published.sector, agency=agency_a
    )
    before = snapshot()

    response = admin_client.post(
        f"/manage/versions/{draft.pk}/edit/", form_data(sector=published.sector, agency=agency_a, **changes)
    )

    _error_is_shown(response, where)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("code", "where"),
    [
        ("", "code"),
        ("mã có dấu", "code"),
        ("1" * 33, "code"),
        (".leading-dot", "code"),
        ("1.001029", "1.001029"),
    ],
)
def test_a_bad_or_taken_code_shows_the_error_and_creates_nothing(
    published, admin_client, agency_a, code, where
):
    before = snapshot()

    response = admin_client.post(
        "/manage/procedures/new/", form_data(code=code, sector=published.sector, agency=agency_a)
    )

    _error_is_shown(response, where)
    assert snapshot() == before


def test_an_unknown_sector_or_agency_shows_the_error_and_creates_nothing(admin_client, sector, agency_a):
    before = snapshot()
    data = form_data(code="1.012345", sector=sector, agency=agency_a)
    data["sector"], data["agency"] = "999999", "abc"

    response = admin_client.post("/manage/procedures/new/", data)

    assert response.context["form"].errors.keys() >= {"sector", "agency"}
    assert snapshot() == before


def test_a_broken_management_form_is_an_error_not_a_crash(admin_client, sector, agency_a):
    before = snapshot()
    data = form_data(code="1.012345", sector=sector, agency=agency_a)
    del data["fees-TOTAL_FORMS"]

    response = admin_client.post("/manage/procedures/new/", data)

    assert response.status_code == 200
    assert response.context["formsets"]["fees"].non_form_errors()
    assert snapshot() == before
