"""Bad input never reaches a 500: invalid Unicode, deep JSON, absurd dates, too many fields, too large bodies.

Each is refused at the edge (the API's JSON parser, the middleware, the API's exception handler) with 400 or 413
and the API's error body under /api/, a page elsewhere; nothing is stored, and the pages that show the citizen's
dossiers keep answering.
"""

import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from dossiers.api.views import DocumentUploadView, DossierListView
from dossiers.models import Dossier
from portal.api import parsers
from portal.middleware import CountingStream, LimitRequestBody
from tests.contract import assert_error
from tests.factories import DossierFactory

LIST = "/api/v1/dossiers/"
LONE_SURROGATE = "a\udfffb"


def create(api: Any, user: Any, version: Any, **parts: Any) -> Any:
    body = {"procedure": version.procedure.code, **parts}
    return api(user).post(LIST, body, format="json")


def raw_json(client: Any, path: str, text: str, method: str = "post") -> Any:
    return getattr(client, method)(
        path, text.encode("utf-8", "surrogatepass"), content_type="application/json"
    )


def assert_pages_still_answer(api: Any, browser: Client, citizen: Any) -> None:
    assert api(citizen).get(LIST).status_code == 200
    assert browser.get("/dossiers/").status_code == 200
    for dossier in Dossier.objects.filter(applicant=citizen):
        assert api(citizen).get(f"{LIST}{dossier.pk}/").status_code == 200
        assert browser.get(f"/dossiers/{dossier.pk}/").status_code == 200
        assert browser.get(f"/dossiers/{dossier.pk}/edit/").status_code == 200


# --- Invalid Unicode and control characters --------------------------------------------------------------------


@pytest.mark.parametrize(
    "parts",
    [
        {"applicant": {"full_name": LONE_SURROGATE}},
        {"form": {"full_name": LONE_SURROGATE}},
        {"applicant": {"address": "12 Lê Lợi\x00"}},
        {"form": {"full_name": "Nguyễn\x1b[31m Văn An"}},
        {"form": {LONE_SURROGATE: "x"}},
    ],
    ids=["surrogate-in-applicant-name", "surrogate-in-form-value", "nul", "escape", "surrogate-in-a-key"],
)
def test_bad_text_in_a_new_dossier_is_refused_and_nothing_is_stored(
    api: Any, browser: Client, citizen: Any, version_a: Any, parts: dict[str, Any]
) -> None:
    text = json.dumps(
        {"procedure": version_a.procedure.code, **parts}
    )  # ensure_ascii: sent as \\udfff escapes

    body = assert_error(raw_json(api(citizen), LIST, text), 400, "invalid_text")

    assert "control characters" in body["detail"] or "Unicode" in body["detail"] or body["detail"]
    assert not Dossier.objects.exists()
    assert_pages_still_answer(api, browser, citizen)


def test_a_lone_surrogate_in_a_drafts_change_is_refused_and_the_draft_is_unchanged(
    api: Any, browser: Client, citizen: Any, version_a: Any
) -> None:
    draft = DossierFactory(version=version_a, applicant=citizen)
    before = (draft.applicant_data, draft.form_data)
    text = json.dumps({"applicant": {"full_name": LONE_SURROGATE}, "form": {"full_name": LONE_SURROGATE}})

    assert_error(raw_json(api(citizen), f"{LIST}{draft.pk}/", text, method="patch"), 400, "invalid_text")

    draft.refresh_from_db()
    assert (draft.applicant_data, draft.form_data) == before
    assert_pages_still_answer(api, browser, citizen)


def test_tabs_and_line_breaks_in_a_value_are_kept(api: Any, citizen: Any, version_a: Any) -> None:
    response = create(api, citizen, version_a, applicant={"address": "12 Lê Lợi\r\nphường Hòa Bình\tHB"})

    assert response.status_code == 201, response.content
    assert response.json()["applicant"]["address"] == "12 Lê Lợi\r\nphường Hòa Bình\tHB"


def test_a_nul_in_a_query_value_is_refused_with_the_error_body(api: Any, citizen: Any) -> None:
    assert_error(api(citizen).get(LIST, {"procedure": "T\x00"}), 400, "invalid_text")


def test_a_nul_in_a_form_posted_to_a_page_is_a_clear_page(db: Any) -> None:
    response = Client().post("/accounts/login/", {"username": "citizen\x00", "password": "x"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert response.templates[0].name == "400.html"
    assert "ký tự điều khiển" in response.content.decode()


def test_a_nul_in_a_form_posted_to_the_api_is_refused_with_the_error_body(anonymous: Any) -> None:
    response = anonymous.post(
        "/api/v1/auth/token/", {"username": "a\x00", "password": "x"}, format="multipart"
    )

    assert_error(response, 400, "invalid_text")


# --- Deep JSON ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_100000_deep_is_refused_with_the_error_body(api: Any, citizen: Any, opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    text = opening * 100_000 + "1" + closing * 100_000

    assert_error(raw_json(api(citizen), LIST, text), 400, "too_deep")
    assert not Dossier.objects.exists()


def test_json_nested_deeper_than_the_limit_is_refused_and_within_it_is_parsed() -> None:
    depth = parsers.MAX_JSON_DEPTH
    assert parsers.loads("[" * depth + "]" * depth) is not None
    with pytest.raises(parsers.ParseError):
        parsers.loads("[" * (depth + 1) + "]" * (depth + 1))


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"comment": "[" * 1000 + '\\"{' * 1000})

    assert parsers.loads(text) == json.loads(text)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_does_not_allow_are_refused(
    api: Any, citizen: Any, version_a: Any, constant: str
) -> None:
    text = f'{{"procedure": "{version_a.procedure.code}", "form": {{"full_name": {constant}}}}}'

    assert_error(raw_json(api(citizen), LIST, text), 400, "parse_error")


# --- Absurd dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"from": "0001-01-01"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"to": "9999-12-31"},
        {"from": "9999-12-30", "to": "9999-12-31"},
        {"from": "2026-02-01", "to": "2026-01-01"},
    ],
    ids=["year-1", "year-1-both", "year-9999", "year-9999-both", "from-after-to"],
)
def test_stats_with_a_date_out_of_range_or_reversed_is_a_bad_request(
    api: Any, leader: Any, query: dict[str, str]
) -> None:
    assert_error(api(leader).get("/api/v1/stats/", query), 400)


def test_stats_within_the_range_answers(api: Any, leader: Any) -> None:
    assert api(leader).get("/api/v1/stats/", {"from": "2026-01-01", "to": "2026-12-31"}).status_code == 200


@pytest.mark.parametrize("birth", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_an_absurd_date_of_birth_is_refused(api: Any, citizen: Any, version_a: Any, birth: str) -> None:
    assert_error(create(api, citizen, version_a, applicant={"date_of_birth": birth}), 400)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_absurd_date_in_a_procedures_form_is_refused(
    api: Any, citizen: Any, version_a: Any, day: str
) -> None:
    version_a.form_fields.create(position=5, name="issued_on", label="Ngày cấp", type="date", required=False)

    assert_error(create(api, citizen, version_a, form={"issued_on": day}), 400)
    assert create(api, citizen, version_a, form={"issued_on": "2020-05-17"}).status_code == 201


# --- Too many fields ----------------------------------------------------------------------------------------


def _many_fields() -> str:
    return "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))


def test_too_many_form_fields_on_the_api_are_a_bad_request_with_the_error_body(anonymous: Any) -> None:
    response = anonymous.post(
        "/api/v1/auth/token/", _many_fields(), content_type="application/x-www-form-urlencoded"
    )

    assert_error(response, 400, "too_many_fields")


def test_too_many_form_fields_on_a_page_are_a_clear_page(db: Any) -> None:
    response = Client().post(
        "/accounts/login/", _many_fields(), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in response.content.decode()
    assert response.templates[0].name == "400.html"


# --- Too large bodies ---------------------------------------------------------------------------------------


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readline = read


@pytest.fixture
def nothing_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    """The views and the parsers fail the test if a request reaches them."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the request reached a view or a parser")

    monkeypatch.setattr(DossierListView, "post", fail)
    monkeypatch.setattr(DocumentUploadView, "post", fail)
    monkeypatch.setattr(parsers.JSONParser, "parse", fail)


def post_declared(client: Any, path: str, length: int, content_type: str = "application/json") -> Any:
    return client.generic(
        "POST",
        path,
        b"",
        content_type=content_type,
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": UnreadableBody()},
    )


def test_a_json_body_over_the_limit_is_413_before_it_is_read(
    api: Any, citizen: Any, nothing_reached: None
) -> None:
    response = post_declared(api(citizen), LIST, settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    assert_error(response, 413, "too_large")


def test_an_upload_over_the_upload_limit_is_413_before_it_is_read(
    api: Any, citizen: Any, version_a: Any, nothing_reached: None
) -> None:
    draft = DossierFactory(version=version_a, applicant=citizen)

    response = post_declared(
        api(citizen),
        f"{LIST}{draft.pk}/documents/",
        settings.UPLOAD_MAX_FILE_BYTES + 1024 * 1024,
        "multipart/form-data; boundary=x",
    )

    assert_error(response, 413, "too_large")
    assert not draft.documents.exists()


def test_a_body_over_the_limit_on_a_page_is_a_clear_page(
    browser: Client, citizen: Any, version_a: Any
) -> None:
    draft = DossierFactory(version=version_a, applicant=citizen)

    response = post_declared(
        browser, f"/dossiers/{draft.pk}/papers/1/", 100 * 1024 * 1024, "multipart/form-data; boundary=x"
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert response.templates[0].name == "413.html"
    assert "quá lớn" in response.content.decode()


def test_an_upload_within_the_limit_but_over_the_json_limit_is_not_refused_by_size(
    api: Any, citizen: Any, version_a: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    draft = DossierFactory(version=version_a, applicant=citizen)
    paper = io.BytesIO(b"%PDF-1.4\n" + b"0" * 4096)
    paper.name = "to-khai.pdf"
    component = version_a.components.get(required=True)

    response = api(citizen).post(
        f"{LIST}{draft.pk}/documents/", {"component": component.pk, "file": paper}, format="multipart"
    )

    assert response.status_code == 201, response.content


def test_a_body_of_unknown_length_is_counted_while_it_is_read() -> None:
    stream = CountingStream(io.BytesIO(b"x" * 100), limit=64)

    assert stream.read(60) == b"x" * 60
    with pytest.raises(RequestDataTooBig):
        stream.read(10)


def test_a_body_of_unknown_length_is_read_whole_by_a_view_that_asks_for_the_body() -> None:
    # request.body closes the stream it read: the counting stream is a stream Django can close.
    request = RequestFactory().generic(
        "POST", LIST, b'{"a": 1}', content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    del request.META["CONTENT_LENGTH"]
    bodies = []

    def view(request: HttpRequest) -> HttpResponse:
        bodies.append(request.body)
        return HttpResponse()

    LimitRequestBody(view)(request)

    assert bodies == [b'{"a": 1}']


def test_a_content_length_that_is_not_a_number_is_a_bad_request(api: Any, citizen: Any) -> None:
    response = api(citizen).generic(
        "POST", LIST, b"{}", content_type="application/json", CONTENT_LENGTH="12x"
    )

    assert_error(response, 400)
