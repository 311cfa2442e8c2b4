"""Static files are light: content-hashed names, gzip and brotli copies, cached for a year and more."""

import re

import pytest
from django.test import Client

HASHED = re.compile(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"')


@pytest.fixture
def stylesheet(db: None) -> str:
    page = Client().get("/").content.decode()
    found = HASHED.search(page)
    assert found, "the page links the stylesheet by its hashed name"
    return found[1]


def test_a_page_links_its_stylesheet_and_script_by_content_hashed_names(db: None) -> None:
    page = Client().get("/").content.decode()

    assert HASHED.search(page)
    assert re.search(r'src="/static/vendor/htmx\.min\.[0-9a-f]{12}\.js"', page)


@pytest.mark.parametrize(("encoding", "expected"), [("br", "br"), ("gzip", "gzip")])
def test_a_hashed_file_is_compressed_and_cached_for_a_year(
    stylesheet: str, encoding: str, expected: str
) -> None:
    response = Client().get(stylesheet, HTTP_ACCEPT_ENCODING=encoding)

    assert response.status_code == 200
    assert response["Content-Encoding"] == expected
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"])[1])  # type: ignore[index]
    assert max_age >= 365 * 24 * 3600
    assert "immutable" in response["Cache-Control"]
    assert int(response["Content-Length"]) < 8_000  # 22 KB of CSS
