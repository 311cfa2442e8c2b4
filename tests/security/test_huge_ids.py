"""An id past the database's integer range is an unknown dossier (404), never a database error (500)."""

from typing import Any

import pytest

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/dossiers/{HUGE}/",
        f"/api/v1/dossiers/{HUGE}/access-log/",
        f"/api/v1/dossiers/{HUGE}/result/",
        f"/api/v1/dossiers/{HUGE}/slips/receipt/",
        f"/api/v1/dossiers/{HUGE}/invoice/",
        f"/api/v1/dossiers/1/documents/{HUGE}/",
    ],
)
def test_a_huge_id_on_the_api_is_unknown(api: Any, receiver: Any, path: str) -> None:
    assert api(receiver).get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/dossiers/{HUGE}/", f"/console/dossiers/{HUGE}/"])
def test_a_huge_id_on_a_page_is_unknown(client: Any, citizen: Any, receiver: Any, path: str) -> None:
    client.force_login(citizen if path.startswith("/dossiers/") else receiver)

    assert client.get(path).status_code == 404
