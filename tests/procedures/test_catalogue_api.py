"""The catalogue's public read API, as API.md's "Catalogue" section promises it, and its answers to bad input."""

import re
from typing import Any

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procedures.constants import ProcedureLevel, VersionState
from procedures.models import Component, Procedure, ProcedureVersion
from tests.contract import assert_error
from tests.factories import ProcedureFactory, ProcedureVersionFactory, SectorFactory

LIST = "/api/v1/procedures/"


def detail(code: str) -> str:
    return f"/api/v1/procedures/{code}/"


def codes(response: Any) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The personas' passwords are hashed as they are made; a fast hasher keeps that quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def civil_status(db: Any) -> Any:
    return SectorFactory(code="HT", name="Hộ tịch")


@pytest.fixture
def construction(db: Any) -> Any:
    return SectorFactory(code="XD", name="Xây dựng")


@pytest.fixture
def catalogue(agency_a: Any, agency_b: Any, civil_status: Any, construction: Any) -> dict[str, Any]:
    """Three published procedures, one draft-only and one archived."""

    def published(code: str, name: str, **kwargs: Any) -> ProcedureVersion:
        return ProcedureVersionFactory(
            procedure=ProcedureFactory(code=code), number=1, name=name, published=True, **kwargs
        )

    return {
        "birth": published(
            "1.001193",
            "Đăng ký khai sinh",
            sector=civil_status,
            agency=agency_a,
            level=ProcedureLevel.COMMUNE,
        ),
        "marriage": published(
            "1.000894", "Đăng ký kết hôn", sector=civil_status, agency=agency_b, level=ProcedureLevel.COMMUNE
        ),
        "permit": published(
            "1.009994",
            "Cấp giấy phép xây dựng",
            sector=construction,
            agency=agency_b,
            level=ProcedureLevel.PROVINCE,
        ),
        "draft": ProcedureVersionFactory(
            procedure=ProcedureFactory(code="1.000656"),
            number=1,
            name="Đăng ký khai tử",
            sector=civil_status,
            agency=agency_a,
        ),
        "archived": ProcedureVersionFactory(
            procedure=ProcedureFactory(code="1.000689"),
            number=1,
            name="Đăng ký giám hộ",
            sector=civil_status,
            agency=agency_a,
            archived=True,
        ),
    }


# The list


def test_the_list_shows_only_published_procedures_by_name_with_the_paginated_shape(catalogue, anonymous):
    response = anonymous.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    # By name; how "khai" and "kết" sort depends on the database's collation.
    assert codes(response)[0] == "1.009994"
    assert sorted(codes(response)) == ["1.000894", "1.001193", "1.009994"]
    assert set(body["results"][0]) >= {"code", "name", "sector", "level", "agency", "processing_days"}


def test_the_list_gives_a_next_link_while_more_pages_follow(catalogue, anonymous):
    first = anonymous.get(LIST, {"page_size": 2})
    second = anonymous.get(first.json()["next"])

    assert len(first.json()["results"]) == 2
    assert "page=2" in first.json()["next"]
    assert second.status_code == 200
    assert second.json()["next"] is None
    assert sorted(codes(first) + codes(second)) == ["1.000894", "1.001193", "1.009994"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dang ky khai sinh", ["1.001193"]),
        ("ĐĂNG KÝ KHAI SINH", ["1.001193"]),
        ("Đăng ký khai sinh", ["1.001193"]),
        ("DANG KY", ["1.000894", "1.001193"]),
        ("khai sinh dang", ["1.001193"]),  # every word, in any order
        ("giay phep xay dung", ["1.009994"]),
        ("khai tu", []),  # a draft is not in the catalogue
        ("giam ho", []),  # nor is an archived version
        ("1.0011", ["1.001193"]),  # a code-like query matches codes that start with it
        ("   ", ["1.009994", "1.000894", "1.001193"]),
    ],
)
def test_q_ignores_case_and_vietnamese_diacritics(catalogue, anonymous, query, expected):
    response = anonymous.get(LIST, {"q": query})

    assert response.status_code == 200
    assert sorted(codes(response)) == sorted(expected)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"sector": "HT"}, ["1.000894", "1.001193"]),
        ({"sector": "XD"}, ["1.009994"]),
        ({"level": "commune"}, ["1.000894", "1.001193"]),
        ({"level": "province"}, ["1.009994"]),
        ({"level": "central"}, []),
        ({"agency": "H12.01"}, ["1.001193"]),
        ({"agency": "H12.02"}, ["1.009994", "1.000894"]),
        ({"sector": "HT", "agency": "H12.02"}, ["1.000894"]),
        ({"sector": "HT", "level": "province"}, []),
        ({"q": "dang ky", "agency": "H12.01"}, ["1.001193"]),
        ({"q": "cap", "sector": "XD", "level": "province", "agency": "H12.02"}, ["1.009994"]),
    ],
)
def test_filters_take_codes_and_combine(catalogue, anonymous, filters, expected):
    response = anonymous.get(LIST, filters)

    assert response.status_code == 200
    assert sorted(codes(response)) == sorted(expected)


# One procedure


def test_the_detail_gives_every_field_of_the_published_version(catalogue, anonymous):
    version = catalogue["birth"]

    response = anonymous.get(detail("1.001193"))

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "1.001193"
    assert body["name"] == "Đăng ký khai sinh"
    assert body["sector"] == "HT"
    assert body["level"] == "commune"
    assert body["agency"] == "H12.01"
    assert body["processing_days"] == 5
    assert body["online_level"] == "full"
    assert body["legal_basis"] == "Nghị định thử nghiệm"
    assert body["fees"] == [{"name": "Lệ phí", "amount": 50_000}]
    components = list(version.components.order_by("position"))
    assert [{key: c[key] for key in ("id", "name", "required", "copies")} for c in body["components"]] == [
        {"id": components[0].pk, "name": "Tờ khai", "required": True, "copies": 1},
        {"id": components[1].pk, "name": "Bản sao giấy tờ", "required": False, "copies": 2},
    ]
    assert [step["name"] for step in body["steps"]] == ["Tiếp nhận", "Thẩm định"]
    assert body["form"] == [
        {"name": "full_name", "label": "Họ và tên", "type": "text", "required": True},
        {"name": "sex", "label": "Giới tính", "type": "select", "required": True, "choices": ["Nam", "Nữ"]},
    ]


def test_the_detail_shows_the_published_version_not_the_open_draft(catalogue, anonymous):
    birth = catalogue["birth"]
    ProcedureVersionFactory(procedure=birth.procedure, number=2, name="Đăng ký khai sinh (sửa đổi)")

    response = anonymous.get(detail("1.001193"))

    assert response.json()["name"] == "Đăng ký khai sinh"


@pytest.mark.parametrize("which", ["draft", "archived"])
def test_a_procedure_without_a_published_version_is_not_found(catalogue, anonymous, which):
    code = catalogue[which].procedure.code

    assert_error(anonymous.get(detail(code)), 404, "not_found")


def test_an_unknown_code_is_not_found(catalogue, anonymous):
    body = assert_error(anonymous.get(detail("9.999999")), 404, "not_found")

    assert "9.999999" in body["detail"]


# Agencies and sectors


def test_agencies_are_listed_by_code(catalogue, anonymous):
    response = anonymous.get("/api/v1/agencies/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["code"] for row in rows] == ["H12.01", "H12.02"]
    assert rows[0] == {"code": "H12.01", "name": "Sở Tư pháp", "level": "department", "parent": None}


def test_sectors_are_listed_by_name(catalogue, anonymous):
    response = anonymous.get("/api/v1/sectors/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"code": "HT", "name": "Hộ tịch"},
        {"code": "XD", "name": "Xây dựng"},
    ]


# The QR code


def _path_data(svg: str) -> str:
    match = re.search(r'<path[^>]*\sd="([^"]+)"', svg)
    assert match, svg[:200]
    return match.group(1)


def test_the_qr_code_is_an_svg_of_the_procedures_public_page(catalogue, client):
    response = client.get("/procedures/1.001193/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<?xml")
    # A standalone SVG needs its namespace, or a browser will not show it in an <img>.
    assert re.search(r'<svg[^>]*\sxmlns="http://www.w3.org/2000/svg"', svg)
    assert "<path" in svg
    # The same modules as a QR code of the page's public address (the demo's by default), so the code opens that page.
    expected = segno.make("http://127.0.0.1:8000/procedures/1.001193/", error="m").svg_inline(
        scale=4, border=2
    )
    assert _path_data(svg) == _path_data(expected)


def test_the_qr_code_uses_the_public_base_url_when_it_is_set(catalogue, client, settings):
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"

    svg = client.get("/procedures/1.001193/qr.svg").content.decode()

    expected = segno.make("https://dichvucong.example.gov.vn/procedures/1.001193/", error="m")
    assert _path_data(svg) == _path_data(expected.svg_inline(scale=4, border=2))


@pytest.mark.parametrize("code", ["9.999999", "1.000656", "1.000689"])  # unknown, draft only, archived
def test_the_qr_code_of_a_procedure_not_in_the_catalogue_is_not_found(catalogue, client, code):
    assert client.get(f"/procedures/{code}/qr.svg").status_code == 404


# Query counts do not grow with the catalogue


def _published_procedures(count: int, sector: Any, agency: Any) -> None:
    for _ in range(count):
        ProcedureVersionFactory(published=True, sector=sector, agency=agency, content=False)


def _queries(client: Any, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_list_takes_as_many_queries_for_thirty_procedures_as_for_three(
    anonymous, civil_status, agency_a, agency_b, construction
):
    _published_procedures(3, civil_status, agency_a)
    few = _queries(anonymous, LIST, {"page_size": 50})
    few_searched = _queries(anonymous, LIST, {"page_size": 50, "q": "thu tuc", "sector": "HT"})
    _published_procedures(27, construction, agency_b)

    many = _queries(anonymous, LIST, {"page_size": 50})
    many_searched = _queries(anonymous, LIST, {"page_size": 50, "q": "thu tuc", "sector": "XD"})

    assert len(anonymous.get(LIST, {"page_size": 50}).json()["results"]) == 30
    assert many == few
    assert many_searched == few_searched


def test_the_detail_takes_as_many_queries_for_thirty_components_as_for_three(db, anonymous):
    small = ProcedureVersionFactory(published=True, content=False)
    large = ProcedureVersionFactory(published=True, content=False)
    for version, count in ((small, 3), (large, 30)):
        Component.objects.bulk_create(
            Component(version=version, position=i, name=f"Giấy tờ {i}") for i in range(count)
        )

    few = _queries(anonymous, detail(small.procedure.code))
    many = _queries(anonymous, detail(large.procedure.code))

    assert len(anonymous.get(detail(large.procedure.code)).json()["components"]) == 30
    assert many == few


# Bad input: each answer has the error body, and nothing changes


@pytest.fixture
def unchanged(catalogue: Any) -> Any:
    """Asserts, after the test, that the catalogue's rows are as they were."""

    def snapshot() -> list[tuple[Any, ...]]:
        return list(
            ProcedureVersion.objects.order_by("pk").values_list("pk", "procedure__code", "state", "name")
        ) + [("procedures", Procedure.objects.count())]

    before = snapshot()
    yield
    assert snapshot() == before


@pytest.mark.parametrize("code", ["%00", "1.001193%00", "%07", "%1B"])
def test_a_code_with_control_characters_is_not_found(unchanged, anonymous, code):
    assert_error(anonymous.get(f"/api/v1/procedures/{code}/"), 404, "not_found")


@pytest.mark.parametrize("name", ["sector", "agency", "level", "page", "page_size"])
def test_a_nul_character_in_a_filter_is_never_a_server_error(unchanged, anonymous, name):
    response = anonymous.get(LIST, {name: "\x00"})

    assert response.status_code < 500
    if response.status_code != 200:
        assert_error(response, response.status_code)


def test_a_bad_level_is_a_bad_request(unchanged, anonymous):
    body = assert_error(anonymous.get(LIST, {"level": "planet"}), 400)

    assert "level" in body["detail"]


@pytest.mark.parametrize("name", ["sector", "agency"])
def test_an_unknown_sector_or_agency_code_is_a_bad_request(unchanged, anonymous, name):
    body = assert_error(anonymous.get(LIST, {name: "NO-SUCH-CODE"}), 400)

    assert name in body["detail"]


def test_a_query_longer_than_200_characters_is_a_bad_request(unchanged, anonymous):
    assert anonymous.get(LIST, {"q": "a" * 200}).status_code == 200

    body = assert_error(anonymous.get(LIST, {"q": "a" * 201}), 400)

    assert "q" in body["detail"]


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f"])
def test_a_query_with_control_characters_is_a_bad_request(unchanged, anonymous, control):
    body = assert_error(anonymous.get(LIST, {"q": f"khai{control}sinh"}, HTTP_ACCEPT_LANGUAGE="en"), 400)

    assert "control" in body["detail"]


def test_a_page_past_the_end_is_not_found(unchanged, anonymous):
    assert_error(anonymous.get(LIST, {"page": 99}), 404, "not_found")


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_a_page_that_is_not_a_page_number_is_refused_with_the_error_body(unchanged, anonymous, page):
    response = anonymous.get(LIST, {"page": page})

    assert response.status_code in (400, 404)
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    ("page_size", "expected"),
    [("2", 2), ("100000", 3), ("-5", 3), ("abc", 3), ("0", 3), ("", 3)],
)
def test_an_odd_page_size_is_capped_or_ignored_not_a_server_error(unchanged, anonymous, page_size, expected):
    response = anonymous.get(LIST, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == expected


def test_the_page_size_is_capped_at_one_hundred(anonymous, civil_status, agency_a):
    _published_procedures(101, civil_status, agency_a)

    response = anonymous.get(LIST, {"page_size": 100000})

    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None


def test_an_unknown_api_path_is_a_json_not_found(unchanged, anonymous):
    assert_error(anonymous.get("/api/v1/no-such-thing/"), 404, "not_found")


@pytest.mark.parametrize("url", [LIST, detail("1.001193"), "/api/v1/agencies/", "/api/v1/sectors/"])
def test_posting_to_a_read_only_endpoint_is_method_not_allowed(unchanged, api, citizen, url):
    response = api(citizen).post(url, {"code": "1.001193", "name": "Hijacked"}, format="json")

    assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_a_procedure_through_the_api_is_method_not_allowed(unchanged, api, province_admin, method):
    response = getattr(api(province_admin), method)(detail("1.001193"), {"name": "Hijacked"}, format="json")

    assert_error(response, 405, "method_not_allowed")
    assert ProcedureVersion.objects.get(procedure__code="1.001193", state=VersionState.PUBLISHED).name == (
        "Đăng ký khai sinh"
    )


def test_asking_for_a_token_with_get_is_method_not_allowed(anonymous):
    assert_error(anonymous.get("/api/v1/auth/token/"), 405, "method_not_allowed")


# Anything a client sends: never a server error

_anything = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]),  # any code point a URL can carry; no lone surrogates
    max_size=300,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "q": _anything | st.text(min_size=150, max_size=2000),
            "sector": _anything,
            "level": _anything | st.sampled_from(ProcedureLevel.values),
            "agency": _anything,
            "page": _anything | st.integers().map(str),
            "page_size": _anything | st.integers().map(str),
        },
    )
)
def test_no_query_string_makes_the_list_answer_a_server_error(catalogue, anonymous, params):
    response = anonymous.get(LIST, params)

    assert response.status_code < 500
    if response.status_code != 200:
        assert_error(response, response.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=_anything.filter(lambda s: s.strip("/") and "/" not in s))
def test_no_code_makes_the_detail_answer_a_server_error(catalogue, anonymous, code):
    from urllib.parse import quote

    response = anonymous.get(detail(quote(code, safe="")))

    assert response.status_code < 500
