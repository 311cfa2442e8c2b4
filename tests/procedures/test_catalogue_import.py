"""Importing and exporting the whole catalogue: all or nothing, every bad row by its line, and a stable round trip."""

import hashlib
import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from portal.errors import NotAllowed
from procedures import catalogue_file
from procedures.constants import CatalogueAction, VersionState
from procedures.content import version_content
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
from procedures.services import CatalogueInvalid, catalogue_import
from tests.factories import ProcedureVersionFactory

DATA = Path(__file__).resolve().parent.parent / "data"
SMALL_CATALOGUE = DATA / "small_catalogue.json"
TEMPLATE = DATA / "templates" / "to-khai.pdf"


def counts() -> dict[str, int]:
    """How many rows of each kind the catalogue has."""
    models = (Agency, Sector, Procedure, ProcedureVersion, Fee, Component, FormField, Step, CatalogueEvent)
    return {model.__name__: model.objects.count() for model in models}


def run_import(path: Path, *args: str) -> tuple[str, str]:
    """``manage.py catalogue_import path``; its standard output and error."""
    out, err = StringIO(), StringIO()
    call_command("catalogue_import", str(path), "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_text(text: str, base_dir: Path) -> dict[str, int]:
    """What the command does, step by step: read, store the template files, import."""
    catalogue = catalogue_file.read(text)
    catalogue_file.store_templates(catalogue, base_dir)
    return catalogue_import(catalogue=catalogue, actor=None)


def published(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.get(procedure__code=code, state=VersionState.PUBLISHED)


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    """A folder with a copy of the small catalogue and its template file, to change freely."""
    folder = tmp_path / "catalogue"
    shutil.copytree(DATA, folder)
    return folder


def edit_catalogue(folder: Path, code: str, **changes: Any) -> Path:
    """Change one procedure of the small catalogue in ``folder``; the file keeps one record a line."""
    path = folder / "small_catalogue.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for record in document["procedures"]:
        if record["code"] == code:
            record.update(changes)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


# A good file


def test_the_small_catalogue_imports_every_agency_sector_and_procedure(db):
    out, _ = run_import(SMALL_CATALOGUE)

    assert "3 created, 0 updated, 0 unchanged" in out
    assert counts() == {
        "Agency": 3,
        "Sector": 2,
        "Procedure": 3,
        "ProcedureVersion": 3,
        "Fee": 2,
        "Component": 4,
        "FormField": 3,
        "Step": 6,
        "CatalogueEvent": 6,  # imported, then published, for each procedure
    }
    assert dict(Agency.objects.values_list("code", "parent__code")) == {
        "T01": None,
        "T01.01": "T01",
        "T01.30": "T01",
    }
    birth = published("1.001193")
    assert birth.procedure.published_version == birth
    assert (birth.name, birth.sector.code, birth.agency.code, birth.level) == (
        "Đăng ký khai sinh",
        "HT",
        "T01.30",
        "commune",
    )
    content = version_content(birth)
    assert [s["days"] for s in content["steps"]] == [0.5, 0.5]
    assert content["form"][1] == {
        "name": "sex",
        "label": "Giới tính",
        "type": "select",
        "required": True,
        "choices": ["Nam", "Nữ"],
    }
    assert published("2.000488").total_fee == 200_000
    assert list(
        CatalogueEvent.objects.filter(version=birth).order_by("id").values_list("action", flat=True)
    ) == [
        CatalogueAction.IMPORT,
        CatalogueAction.PUBLISH,
    ]


def test_importing_the_same_file_again_changes_nothing(db):
    run_import(SMALL_CATALOGUE)
    before = counts()
    versions = list(ProcedureVersion.objects.order_by("pk").values())

    out, _ = run_import(SMALL_CATALOGUE)

    assert "0 created, 0 updated, 3 unchanged" in out
    assert counts() == before
    assert list(ProcedureVersion.objects.order_by("pk").values()) == versions


def test_a_changed_procedure_gets_a_new_published_version_and_the_old_one_is_archived(db, catalogue_dir):
    run_import(catalogue_dir / "small_catalogue.json")
    old = published("2.000488")
    old_content = version_content(old)
    path = edit_catalogue(
        catalogue_dir,
        "2.000488",
        fees=[{"name": "Phí cung cấp thông tin lý lịch tư pháp", "amount": 100_000}],
    )

    out, _ = run_import(path)

    assert "0 created, 1 updated, 2 unchanged" in out
    new = published("2.000488")
    assert (new.number, new.total_fee) == (2, 100_000)
    assert new.procedure.published_version == new
    old.refresh_from_db()
    assert old.state == VersionState.ARCHIVED
    assert version_content(old) == old_content
    assert ProcedureVersion.objects.count() == 4


def test_an_import_that_changes_a_procedure_discards_its_open_draft(db, catalogue_dir):
    run_import(catalogue_dir / "small_catalogue.json")
    draft = ProcedureVersionFactory(procedure=Procedure.objects.get(code="1.000894"), number=2)
    path = edit_catalogue(catalogue_dir, "1.000894", processing_days=3)

    run_import(path)

    draft.refresh_from_db()
    assert draft.state == VersionState.ARCHIVED
    assert published("1.000894").number == 3
    assert CatalogueEvent.objects.filter(version=draft, action=CatalogueAction.ARCHIVE).count() == 1


def test_the_command_shows_a_progress_bar_unless_told_not_to(db):
    out, err = StringIO(), StringIO()

    call_command("catalogue_import", str(SMALL_CATALOGUE), stdout=out, stderr=err)

    assert "3 created" in out.getvalue()
    assert "procedures" in err.getvalue() and "3/3" in err.getvalue()


# Template files


def test_template_files_are_stored_by_their_content_so_a_reimport_keeps_their_name(db):
    run_import(SMALL_CATALOGUE)
    component = Component.objects.get(name="Tờ khai đăng ký khai sinh")
    digest = hashlib.sha256(TEMPLATE.read_bytes()).hexdigest()[:16]

    assert component.template.name == f"templates/{digest}/to-khai.pdf"
    with default_storage.open(component.template.name) as stored:
        assert stored.read() == TEMPLATE.read_bytes()

    run_import(SMALL_CATALOGUE)

    assert list(Component.objects.exclude(template="").values_list("template", flat=True)) == [
        component.template.name
    ]
    assert default_storage.listdir("templates") == ([digest], [])


def test_a_new_template_file_makes_a_new_version_and_the_old_version_keeps_its_file(db, catalogue_dir):
    run_import(catalogue_dir / "small_catalogue.json")
    old_name = Component.objects.get(name="Tờ khai đăng ký khai sinh").template.name
    (catalogue_dir / "templates" / "to-khai.pdf").write_bytes(b"%PDF-1.4 mau to khai moi\n")

    out, _ = run_import(catalogue_dir / "small_catalogue.json")

    assert "0 created, 1 updated, 2 unchanged" in out
    new_name = published("1.001193").components.get(position=0).template.name
    assert new_name != old_name
    old_version = ProcedureVersion.objects.get(procedure__code="1.001193", number=1)
    assert old_version.components.get(position=0).template.name == old_name
    assert default_storage.exists(old_name) and default_storage.exists(new_name)


# A bad file: every error, with its line, and nothing imported

BAD_ROWS = """\
{"format": "portal-catalogue", "version": 1,
"agencies": [
{"code": "N01", "name": "Sở Mới", "level": "department", "parent": ""},
{"code": "N02", "name": "Phòng Mới", "level": "commune", "parent": "KHONGCO"}
],
"sectors": [
{"code": "NEW", "name": "Lĩnh vực mới"}
],
"procedures": [
{"code": "9.000001", "name": "Hợp lệ", "sector": "NEW", "level": "province", "agency": "N01", "processing_days": 3, "online_level": "full"},
{"code": "9.000002", "name": "Cấp sai", "sector": "NEW", "level": "district", "agency": "N01", "processing_days": 3, "online_level": "full"},
{"code": "9.000003", "name": "Phí âm", "sector": "NEW", "level": "province", "agency": "N01", "processing_days": 3, "online_level": "full",
 "fees": [{"name": "Phí", "amount": 1000}, {"name": "Lệ phí", "amount": -5000}]},
{"code": "9.000004", "name": "Lĩnh vực lạ", "sector": "KHONGCO", "level": "province", "agency": "N01", "processing_days": 3, "online_level": "full"},
{"code": "9.000005", "name": "Chọn", "sector": "NEW", "level": "province", "agency": "N01", "processing_days": 3, "online_level": "full",
 "form": [{"name": "loai", "label": "Loại", "type": "select"}]},
{"code": "9.000001", "name": "Mã trùng", "sector": "NEW", "level": "province", "agency": "N01", "processing_days": 3, "online_level": "full"},
{"code": "9.000006", "name": "Trường trùng", "sector": "NEW", "level": "province", "agency": "N01", "processing_days": 3, "online_level": "full",
 "form": [{"name": "ten", "label": "Tên", "type": "text"}, {"name": "ten", "label": "Tên nữa", "type": "text"}]},
%(not_an_object)s
{"code": "9.000007", "name": "Mẫu thiếu", "sector": "NEW", "level": "province", "agency": "N01", "processing_days": 3, "online_level": "full",
 "components": [{"name": "Tờ khai", "template": ""}, {"name": "Đơn", "template": "templates/khong-co.pdf"}]}
]
}
"""
NOT_AN_OBJECT = '["không phải một đối tượng"],'
# Where each error is reported; the message after it comes from the validation and may be translated.
BAD_ROW_ERRORS = [
    "line 4: agencies[1] (N02): parent: no agency with code KHONGCO",
    "line 11: procedures[1] (9.000002): level: ",
    "line 12: procedures[2] (9.000003): fees[1].amount: ",
    "line 14: procedures[3] (9.000004): sector: ",
    "line 15: procedures[4] (9.000005): form[0].choices: A choice field needs at least one choice.",
    "line 17: procedures[5] (9.000001): code repeats the one on line 10",
    "line 18: procedures[6] (9.000006): form: Field names must be unique: ten.",
    "line 20: procedures[7]: must be an object",
    "line 21: procedures[8] (9.000007): components[1].template: no file 'templates/khong-co.pdf'",
]


def assert_reported(lines: list[str], expected: list[str]) -> None:
    """``lines`` are the errors of ``expected``, one each, in the order of the file.

    An expected error that ends with ": " leaves the message open (it is the validation's, maybe translated).
    """
    assert len(lines) == len(expected), "\n".join(lines)
    for line, wanted in zip(lines, expected, strict=True):
        if wanted.endswith(": "):
            assert line.startswith(wanted) and len(line) > len(wanted), f"{line!r} is not {wanted!r}..."
        else:
            assert line == wanted


def test_a_file_with_bad_rows_reports_every_error_with_its_line_and_imports_nothing(db, tmp_path):
    run_import(SMALL_CATALOGUE)
    before = counts()
    agencies, sectors = list(Agency.objects.values()), list(Sector.objects.values())

    with pytest.raises(CatalogueInvalid) as invalid:
        import_text(BAD_ROWS.replace("%(not_an_object)s", NOT_AN_OBJECT), tmp_path)

    assert_reported([str(error) for error in invalid.value.errors], BAD_ROW_ERRORS)
    # All or nothing: the file's good agency, sector and procedure are not kept either.
    assert counts() == before
    assert (list(Agency.objects.values()), list(Sector.objects.values())) == (agencies, sectors)
    assert not Agency.objects.filter(code="N01").exists()


def test_the_import_command_fails_and_writes_each_bad_row_on_its_own_line_of_stderr(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(BAD_ROWS.replace("%(not_an_object)s\n", ""), encoding="utf-8")
    expected = [
        # Without the row that is not an object, the rows after it are one line up and one index down.
        *BAD_ROW_ERRORS[:7],
        "line 20: procedures[7] (9.000007): components[1].template: no file 'templates/khong-co.pdf'",
    ]
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("catalogue_import", str(path), "--no-progress", stdout=out, stderr=err)

    assert "8 error(s); nothing was imported" in str(failed.value)
    assert_reported(err.getvalue().splitlines(), expected)
    assert out.getvalue() == ""
    assert counts() == dict.fromkeys(counts(), 0)


def test_the_import_command_reports_a_missing_template_even_beside_a_row_that_is_not_an_object(db, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(BAD_ROWS.replace("%(not_an_object)s", NOT_AN_OBJECT), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("catalogue_import", str(path), "--no-progress", stdout=StringIO(), stderr=err)

    assert_reported(err.getvalue().splitlines(), BAD_ROW_ERRORS)


def test_an_unreadable_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "khong-co.json")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            '{"format": "portal-catalogue",\n"sectors": [\n{"code": "HT", "name": "Hộ tịch"}\n{"code": "X"}\n]}\n',
            "line 4: file: not valid JSON: Expecting ',' delimiter",
            id="a missing comma",
        ),
        pytest.param('{"procedures": [\n', "line 2: file: not valid JSON: ", id="a file cut short"),
        pytest.param("", "line 1: file: not valid JSON: ", id="an empty file"),
        pytest.param(
            '{"procedures": [], "procedure": [], "agency": 1}',
            "line 1: file: unknown keys: agency, procedure",
            id="unknown top-level keys",
        ),
        pytest.param(
            '{"format": "csv", "procedures": []}',
            "line 1: file: format must be 'portal-catalogue'",
            id="a format",
        ),
        pytest.param(
            '{"procedures": {"code": "1"}}', "line 1: procedures: must be a list", id="a section not a list"
        ),
        pytest.param(
            '[{"code": "1"}]', "line 1: file: the catalogue must be a JSON object", id="not an object"
        ),
    ],
)
def test_a_file_of_the_wrong_shape_is_reported_with_its_line_and_imports_nothing(
    db, tmp_path, text, expected
):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("catalogue_import", str(path), "--no-progress", stdout=StringIO(), stderr=err)

    [line] = err.getvalue().splitlines()
    assert line.startswith(expected)
    assert counts() == dict.fromkeys(counts(), 0)


def test_only_a_province_admin_or_the_system_imports_the_catalogue(receiver, province_admin):
    catalogue = catalogue_file.read(SMALL_CATALOGUE.read_text(encoding="utf-8"))
    catalogue_file.store_templates(catalogue, DATA)

    with pytest.raises(NotAllowed):
        catalogue_import(catalogue=catalogue, actor=receiver)
    assert Procedure.objects.count() == 0

    assert catalogue_import(catalogue=catalogue, actor=province_admin)["created"] == 3
    assert set(CatalogueEvent.objects.values_list("actor", flat=True)) == {province_admin.pk}


# Export


def test_an_exported_catalogue_imports_back_unchanged(db, tmp_path):
    run_import(SMALL_CATALOGUE)
    before = counts()
    exported = StringIO()
    call_command("catalogue_export", stdout=exported)
    path = tmp_path / "export.json"
    path.write_text(exported.getvalue(), encoding="utf-8")

    out, _ = run_import(path)

    assert "0 created, 0 updated, 3 unchanged" in out
    assert counts() == before
    again = StringIO()
    call_command("catalogue_export", stdout=again)
    assert again.getvalue() == exported.getvalue()


def test_the_export_holds_only_published_versions_one_record_a_line(db, tmp_path):
    run_import(SMALL_CATALOGUE)
    ProcedureVersionFactory(procedure=Procedure.objects.get(code="1.001193"), number=2, name="Bản nháp")
    path = tmp_path / "export.json"

    call_command("catalogue_export", "--output", str(path), stdout=StringIO())

    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert [p["code"] for p in document["procedures"]] == ["1.000894", "1.001193", "2.000488"]
    assert "Bản nháp" not in text
    lines = text.splitlines()
    assert all(line.startswith('{"code": ') for line in lines if '"processing_days"' in line)
    read_back = catalogue_file.read(text)
    assert read_back.errors == []
    assert [lines[r.line - 1].startswith(f'{{"code": "{r.data["code"]}"') for r in read_back.procedures] == [
        True
    ] * 3
