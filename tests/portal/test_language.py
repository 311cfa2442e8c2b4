"""Vietnamese first: a page is in Vietnamese whatever the browser asks, unless the visitor chose English with the
switch on every page; the words that came from code (verification reasons, the catalogue's history) are
translated too; one date format on every page."""

from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from procedures import services
from tests.english import in_english
from tests.factories import DossierFactory, ProcedureVersionFactory

PAGES = ["/", "/procedures/", "/lookup/", "/verify/", "/service-index/", "/accounts/login/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_a_browser_set_to_english_still_gets_vietnamese(url: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get(url)

    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert response["Content-Language"] == "vi"
    assert "Cookie" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_language_switch(url: str) -> None:
    page = Client().get(url).content.decode()
    english = in_english(Client()).get(url).content.decode()

    assert 'action="/i18n/setlang/"' in page and 'name="language" value="en"' in page
    assert 'action="/i18n/setlang/"' in english and 'name="language" value="vi"' in english


@pytest.mark.django_db
def test_the_switch_sets_a_cookie_that_sticks() -> None:
    browser = Client(HTTP_ACCEPT_LANGUAGE="vi")

    response = browser.post("/i18n/setlang/", {"language": "en", "next": "/procedures/"})

    assert response.status_code == 302 and response["Location"] == "/procedures/"
    assert browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in browser.get("/").content.decode()
    browser.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in browser.get("/").content.decode()


@pytest.mark.django_db
def test_the_api_still_answers_in_the_language_its_client_asks_for() -> None:
    english = Client().get("/api/v1/procedures/", {"level": "nowhere"}, HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = Client().get("/api/v1/procedures/", {"level": "nowhere"})

    assert english.status_code == vietnamese.status_code == 400
    assert english.json() != vietnamese.json()


@pytest.mark.django_db
def test_the_verification_page_gives_its_reason_in_vietnamese() -> None:
    pdf = SimpleUploadedFile("ket-qua.pdf", b"%PDF-1.7\n%%EOF", content_type="application/pdf")

    page = Client().post("/verify/", {"file": pdf}).content.decode()

    assert "Tệp này không phải là kết quả do cổng dịch vụ công này cấp." in page
    assert "This file is not a result of this portal." not in page


@pytest.mark.django_db
def test_the_catalogue_history_says_from_which_version_a_draft_was_made_in_vietnamese(
    province_admin: Any,
) -> None:
    version = ProcedureVersionFactory(published=True)
    services.version_create_draft(procedure=version.procedure, actor=province_admin)
    admin = Client()
    admin.force_login(province_admin)

    page = admin.get(f"/manage/procedures/{version.procedure.code}/").content.decode()
    english = in_english(admin).get(f"/manage/procedures/{version.procedure.code}/").content.decode()

    assert f"từ phiên bản {version.number}" in page
    assert f"from version {version.number}" not in page
    assert f"from version {version.number}" in english


@pytest.mark.django_db
def test_the_console_writes_the_date_of_birth_as_the_citizen_pages_do(receiver: Any) -> None:
    dossier = DossierFactory(
        submitted=True,
        version=ProcedureVersionFactory(published=True, agency=receiver.agency),
        applicant_data={
            "full_name": "Nguyễn Văn An",
            "id_number": "001089000123",
            "date_of_birth": "1989-05-14",
        },
    )
    staff = Client()
    staff.force_login(receiver)

    page = staff.get(f"/console/dossiers/{dossier.pk}/").content.decode()

    assert "14/05/1989" in page
    assert "1989-05-14" not in page
