"""The Vietnamese catalogue: complete, faithful to its placeholders, compiled, and what a citizen sees by default.

Vietnamese is the portal's default language; English is one click away. A string left out of the catalogue shows
in English to every Vietnamese visitor, so the source and the catalogue are checked against each other here.
"""

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from procedures.constants import CatalogueAction
from procedures.models import CatalogueEvent
from tests.factories import ProcedureVersionFactory

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "vi" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# What makemessages leaves out: the virtual environment, tools, generated files, tests and benchmarks.
NOT_SOURCE = (
    ".venv",
    ".tools",
    "var",
    "tests",
    "bench",
    ".git",
    ".hypothesis",
    "__pycache__",
    "*.sqlite3",
    ".*_cache",
    "media",
)
# %(name)s and %s style, as Python and {% blocktranslate %} write them; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[sdif]")


def _untranslated(po: polib.POFile) -> list[str]:
    return [entry.msgid for entry in po if not entry.obsolete and (not entry.translated() or entry.fuzzy)]


def _catalogue(entries: Any) -> dict[tuple[str | None, str], Any]:
    """(context, message) → translation, with a plural's forms as a tuple; the header entry left out."""
    return {
        (entry.msgctxt, entry.msgid): (
            tuple(sorted(entry.msgstr_plural.items())) if entry.msgid_plural else entry.msgstr
        )
        for entry in entries
        if entry.msgid
    }


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_FILE))


def test_the_catalogue_declares_vietnamese_in_utf8_with_one_plural_form(po: polib.POFile) -> None:
    assert po.metadata["Language"] == "vi"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy


def test_every_message_of_the_catalogue_is_translated_and_none_is_fuzzy(po: polib.POFile) -> None:
    assert _untranslated(po) == []


def test_every_translation_keeps_the_placeholders_of_its_message(po: polib.POFile) -> None:
    wrong = []
    for entry in po.translated_entries():
        expected = Counter(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            # One Vietnamese form serves every count, so it must carry what the English plural carries.
            expected |= Counter(PLACEHOLDER.findall(entry.msgid_plural))
            translations = list(entry.msgstr_plural.values())
        else:
            translations = [entry.msgstr]
        for text in translations:
            if Counter(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_the_compiled_catalogue_holds_exactly_the_translations_of_the_po_file(po: polib.POFile) -> None:
    mo = polib.mofile(str(MO_FILE))

    assert _catalogue(mo) == _catalogue(po.translated_entries())


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        # Django's admin catalogue says "Bản ghi nhớ", "Thoát", "Gỡ bỏ" and "Đoạn văn" for these; ours comes first.
        ("History", "Lịch sử"),
        ("Log out", "Đăng xuất"),
        ("Remove", "Xóa"),
        ("Text", "Văn bản"),
        ("Search", "Tìm kiếm"),
        ("Log in", "Đăng nhập"),
    ],
)
def test_the_portals_words_win_over_djangos_own_translations(english: str, vietnamese: str) -> None:
    with translation.override("vi"):
        assert translation.gettext(english) == vietnamese


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext's xgettext")
def test_every_string_marked_in_the_source_has_a_vietnamese_translation(tmp_path: Path) -> None:
    """makemessages, run on a copy of the source, finds nothing new to translate."""
    copy = tmp_path / "src"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    subprocess.run(  # noqa: S603 - the interpreter running the tests, on a copy of this repository
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale=vi",
            *(f"--ignore={name}" for name in NOT_SOURCE),
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )

    assert _untranslated(polib.pofile(str(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))) == []


PAGES = [
    ("/", "Tìm thủ tục hành chính", "Find an administrative procedure"),
    ("/procedures/", "Thủ tục hành chính", "Administrative procedures"),
    ("/lookup/", "Tra cứu hồ sơ", "Look up a dossier"),
    ("/verify/", "Kiểm tra văn bản điện tử", "Check that a result is genuine"),
    ("/accounts/login/", "Đăng nhập", "Log in"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "vietnamese", "english"), PAGES)
def test_a_public_page_is_in_vietnamese_unless_the_visitor_chose_english(
    url: str, vietnamese: str, english: str
) -> None:
    default = Client().get(url)
    chosen = Client()
    chosen.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    in_english = chosen.get(url)

    assert default.status_code == in_english.status_code == 200
    assert '<html lang="vi">' in default.content.decode()
    assert vietnamese in default.content.decode()
    assert english not in default.content.decode()
    assert '<html lang="en">' in in_english.content.decode()
    assert english in in_english.content.decode()


@pytest.mark.django_db
def test_a_procedure_page_speaks_the_words_of_the_public_service_portal() -> None:
    version = ProcedureVersionFactory(published=True, processing_days=7)

    page = Client().get(f"/procedures/{version.procedure.code}/").content.decode()

    for words in (
        "Thời hạn giải quyết",
        "7 ngày làm việc",
        "Lệ phí",
        "Nộp hồ sơ trực tuyến",
        "Thành phần hồ sơ",
        "(nếu có)",
        "Cán bộ thẩm định, 4 ngày làm việc",
        "Căn cứ pháp lý",
        "Trực tuyến toàn trình",
    ):
        assert words in page


def test_the_citizens_dossier_list_is_in_vietnamese(citizen: Any) -> None:
    client = Client()
    client.force_login(citizen)

    page = client.get("/dossiers/").content.decode()

    assert "Hồ sơ của tôi" in page
    assert "Bạn chưa có hồ sơ nào." in page


def test_the_counter_console_names_its_queues_in_vietnamese(receiver: Any) -> None:
    client = Client()
    client.force_login(receiver)

    page = client.get("/console/", follow=True).content.decode()

    for queue in ("Chờ tiếp nhận", "Chờ thẩm định", "Chờ phê duyệt", "Chờ trả kết quả"):
        assert queue in page


def test_the_catalogue_history_names_the_system_for_an_imported_procedure(province_admin: Any) -> None:
    version = ProcedureVersionFactory(published=True)
    CatalogueEvent.objects.create(
        procedure=version.procedure, version=version, action=CatalogueAction.IMPORT, actor=None
    )
    client = Client()
    client.force_login(province_admin)

    response = client.get(f"/manage/procedures/{version.procedure.code}/")

    assert response.status_code == 200
    assert "Hệ thống" in response.content.decode()
    assert "Nhập từ tệp" in response.content.decode()
