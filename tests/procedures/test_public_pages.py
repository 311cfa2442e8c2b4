"""The public catalogue pages a citizen uses: home, search, a procedure's page, its template files, QR sheets."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files import File

from procedures.constants import OnlineLevel, ProcedureLevel
from procedures.models import Component, Fee
from tests.factories import AgencyFactory, ProcedureFactory, ProcedureVersionFactory, SectorFactory

TEMPLATE_FILE = Path(__file__).resolve().parent.parent / "data" / "templates" / "to-khai.pdf"


def text(response: Any) -> str:
    return response.content.decode()


def result_names(response: Any) -> list[str]:
    return sorted(v.name for v in response.context["page"])


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The personas' passwords are hashed as they are made; a fast hasher keeps that quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalogue(agency_a: Any, agency_b: Any) -> dict[str, Any]:
    civil = SectorFactory(code="HT", name="Hộ tịch")
    construction = SectorFactory(code="XD", name="Xây dựng")
    birth = ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.001193"),
        number=1,
        name="Đăng ký khai sinh",
        sector=civil,
        agency=agency_a,
        level=ProcedureLevel.COMMUNE,
        processing_days=1,
        legal_basis="Luật Hộ tịch số 60/2014/QH13",
        result="Giấy khai sinh",
        published=True,
    )
    permit = ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.009994"),
        number=1,
        name="Cấp giấy phép xây dựng",
        sector=construction,
        agency=agency_b,
        level=ProcedureLevel.PROVINCE,
        online_level=OnlineLevel.PARTIAL,
        published=True,
    )
    draft = ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.000656"),
        number=1,
        name="Đăng ký khai tử",
        sector=civil,
        agency=agency_a,
    )
    return {"birth": birth, "permit": permit, "draft": draft, "civil": civil}


# Home


def test_the_home_page_offers_the_search_and_the_sectors_with_published_procedures(catalogue, client):
    SectorFactory(code="EMPTY", name="Lĩnh vực trống")

    response = client.get("/")

    assert response.status_code == 200
    page = text(response)
    assert 'role="search"' in page
    sectors = page[page.index('<ul class="sectors">') :]
    assert "Hộ tịch" in sectors and "Xây dựng" in sectors
    assert "Lĩnh vực trống" not in sectors  # a sector without a published procedure is not listed
    assert 'href="/procedures/?sector=HT"' in sectors


# Search


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dang ky khai sinh", ["Đăng ký khai sinh"]),
        ("ĐĂNG KÝ", ["Đăng ký khai sinh"]),  # the draft "Đăng ký khai tử" is not public
        ("giay phep", ["Cấp giấy phép xây dựng"]),
        ("", ["Cấp giấy phép xây dựng", "Đăng ký khai sinh"]),
        ("ho chieu", []),
    ],
)
def test_search_ignores_case_and_diacritics(catalogue, client, query, expected):
    response = client.get("/procedures/", {"q": query})

    assert response.status_code == 200
    assert result_names(response) == sorted(expected)


def test_a_search_result_links_to_the_procedure_page(catalogue, client):
    page = text(client.get("/procedures/", {"q": "khai sinh"}))

    assert 'href="/procedures/1.001193/"' in page
    assert "Đăng ký khai sinh" in page


def test_nothing_found_says_so(catalogue, client):
    response = client.get("/procedures/", {"q": "ho chieu"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    page = text(response)
    assert 'class="title"' not in page
    assert re.search(r'<ul class="results">\s*<li>\S', page)  # a line that says so, in place of results


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"sector": "HT"}, ["Đăng ký khai sinh"]),
        ({"level": "province"}, ["Cấp giấy phép xây dựng"]),
        ({"agency": "H12.02"}, ["Cấp giấy phép xây dựng"]),
        ({"sector": "HT", "agency": "H12.02"}, []),
        ({"q": "cap", "sector": "XD", "level": "province"}, ["Cấp giấy phép xây dựng"]),
    ],
)
def test_search_filters_by_sector_level_and_agency(catalogue, client, filters, expected):
    response = client.get("/procedures/", filters)

    assert response.status_code == 200
    assert result_names(response) == sorted(expected)


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"level": "planet"}, "level"),
        ({"sector": "NO-SUCH"}, "sector"),
        ({"agency": "NO-SUCH"}, "agency"),
        ({"q": "x" * 201}, "q"),
        ({"q": "khai\x00sinh"}, "q"),
        ({"q": "khai\x1bsinh"}, "q"),
    ],
)
def test_a_bad_filter_shows_the_error_and_answers_bad_request(catalogue, client, filters, field):
    response = client.get("/procedures/", filters)

    assert response.status_code == 400
    assert response.context["filter"].errors[field]
    page = text(response)
    assert 'class="errorlist' in page
    assert 'role="alert"' in page  # "Please correct the search above."
    assert "Đăng ký khai sinh" not in page


@pytest.mark.parametrize("page", ["99", "abc", "-1", "0"])
def test_an_odd_page_number_shows_a_page_of_results_not_an_error(catalogue, client, page):
    response = client.get("/procedures/", {"page": page})

    assert response.status_code == 200
    assert result_names(response) == ["Cấp giấy phép xây dựng", "Đăng ký khai sinh"]


def test_search_results_come_in_pages_of_twenty(catalogue, client):
    for _ in range(21):
        ProcedureVersionFactory(published=True, sector=catalogue["civil"], content=False)

    first = client.get("/procedures/", {"sector": "HT"})
    second = client.get("/procedures/", {"sector": "HT", "page": 2})

    assert len(first.context["page"]) == 20
    assert len(second.context["page"]) == 2
    assert "sector=HT&amp;page=2" in text(first)


def test_an_htmx_search_returns_only_the_results(catalogue, client):
    response = client.get("/procedures/", {"q": "khai sinh"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and "<form" not in page
    assert 'class="results"' in page
    assert "Đăng ký khai sinh" in page
    assert [t.name for t in response.templates] == ["procedures/_results.html"]


def test_an_htmx_search_with_a_bad_filter_returns_the_fragment_with_bad_request(catalogue, client):
    response = client.get("/procedures/", {"level": "planet"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "<html" not in text(response)
    assert 'role="alert"' in text(response)


def test_a_full_search_page_has_the_form_and_the_results(catalogue, client):
    response = client.get("/procedures/", {"q": "khai sinh"})

    page = text(response)
    assert "<html" in page and 'role="search"' in page and 'id="results"' in page
    assert 'value="khai sinh"' in page


# A procedure's page


def test_the_procedure_page_shows_what_a_citizen_needs(catalogue, client):
    birth = catalogue["birth"]
    Fee.objects.create(version=birth, position=1, name="Phí cấp bản sao", amount=1_200_000)

    response = client.get("/procedures/1.001193/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Đăng ký khai sinh</h1>" in page
    assert "Lệ phí: <strong>50.000 đ</strong>" in page
    assert "Phí cấp bản sao: <strong>1.200.000 đ</strong>" in page
    assert "1.250.000 đ" in page  # the total
    assert "Tờ khai" in page and "Bản sao giấy tờ" in page  # the components
    assert "Tiếp nhận" in page and "Thẩm định" in page  # the steps
    assert "Luật Hộ tịch số 60/2014/QH13" in page
    assert "Giấy khai sinh" in page
    assert 'src="/procedures/1.001193/qr.svg"' in page
    assert 'href="/agencies/H12.01/qr/"' in page
    assert "preview-banner" not in page


def test_a_procedure_without_fees_says_it_is_free(catalogue, client):
    catalogue["birth"].fees.all().delete()

    page = text(client.get("/procedures/1.001193/"))

    assert "50.000 đ" not in page
    assert " đ</strong>" not in page


def test_the_procedure_page_shows_the_published_version_not_the_draft(catalogue, client):
    ProcedureVersionFactory(
        procedure=catalogue["birth"].procedure,
        number=2,
        name="Đăng ký khai sinh lưu động",
        sector=catalogue["civil"],
    )

    page = text(client.get("/procedures/1.001193/"))

    assert "<h1>Đăng ký khai sinh</h1>" in page
    assert "lưu động" not in page


@pytest.mark.parametrize("code", ["9.999999", "1.000656", "%00", "1.001193%1B"])
def test_an_unknown_or_unpublished_procedure_is_the_not_found_page(catalogue, client, code):
    response = client.get(f"/procedures/{code}/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_an_archived_procedure_is_not_found(catalogue, client):
    ProcedureVersionFactory(procedure=ProcedureFactory(code="1.000689"), number=1, archived=True)

    assert client.get("/procedures/1.000689/").status_code == 404


# Template files


@pytest.fixture
def template_component(catalogue: Any) -> Component:
    component = catalogue["birth"].components.get(name="Tờ khai")
    with TEMPLATE_FILE.open("rb") as handle:
        component.template.save("to-khai.pdf", File(handle), save=True)
    return component


def test_the_template_download_link_gives_the_file(template_component, client):
    page = text(client.get("/procedures/1.001193/"))
    link = re.search(r'href="(/components/\d+/template/)" download', page)
    assert link, "the page links the template"

    response = client.get(link.group(1))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TEMPLATE_FILE.read_bytes()
    assert "attachment" in response["Content-Disposition"]
    assert "to-khai" in response["Content-Disposition"]


def test_a_component_without_a_template_has_no_download(template_component, client):
    other = template_component.version.components.get(name="Bản sao giấy tờ")

    assert client.get(f"/components/{other.pk}/template/").status_code == 404


def test_a_drafts_template_is_not_public(catalogue, client, province_admin):
    component = catalogue["draft"].components.first()
    with TEMPLATE_FILE.open("rb") as handle:
        component.template.save("nhap.pdf", File(handle), save=True)
    url = f"/components/{component.pk}/template/"

    assert client.get(url).status_code == 404
    client.force_login(province_admin)
    assert client.get(url).status_code == 200


def test_an_unknown_template_is_not_found(db, client):
    assert client.get("/components/999999/template/").status_code == 404


# The agency's QR sheet


def test_the_qr_sheet_lists_the_agencys_published_procedures_with_inline_codes(catalogue, client, agency_a):
    ProcedureVersionFactory(
        procedure=ProcedureFactory(code="1.000894"),
        number=1,
        name="Đăng ký kết hôn",
        agency=agency_a,
        published=True,
    )

    response = client.get("/agencies/H12.01/qr/")

    assert response.status_code == 200
    page = text(response)
    assert "Sở Tư pháp" in page
    assert "1.001193" in page and "Đăng ký khai sinh" in page
    assert "1.000894" in page and "Đăng ký kết hôn" in page
    assert "Cấp giấy phép xây dựng" not in page  # another agency's
    assert "Đăng ký khai tử" not in page  # a draft
    assert page.count("<svg") == 2
    assert page.count("<path") >= 2


def test_the_qr_sheet_of_an_agency_without_procedures_says_so(db, client):
    AgencyFactory(code="H12.99", name="Sở Ngoại vụ")

    response = client.get("/agencies/H12.99/qr/")

    assert response.status_code == 200
    assert "<svg" not in text(response)


@pytest.mark.parametrize("code", ["NO-SUCH", "%00"])
def test_the_qr_sheet_of_an_unknown_agency_is_not_found(db, client, code):
    assert client.get(f"/agencies/{code}/qr/").status_code == 404
