"""The OpenAPI schema itself: every refusal an endpoint answers is declared, each with the one ``Error`` body."""

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_every_error_status_of_every_operation_has_the_error_body(schema: dict[str, Any]) -> None:
    wrong = [
        (path, method, status)
        for path, method, op in _operations(schema)
        for status, response in op["responses"].items()
        if status.startswith(("4", "5"))
        and response["content"]["application/json"]["schema"] != {"$ref": ERROR_REF}
    ]
    assert wrong == []
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"detail", "code"}


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        (
            "/api/v1/dossiers/{id}/actions/{action}/",
            "post",
            {"400", "401", "403", "404", "409", "413", "415"},
        ),
        ("/api/v1/dossiers/{id}/result/", "get", {"401", "403", "404", "409", "503"}),
        ("/api/v1/dossiers/{id}/documents/", "post", {"403", "409", "413", "415", "429"}),
        ("/api/v1/dossiers/{id}/invoice/pay/", "post", {"403", "404", "409"}),
        ("/api/v1/dossiers/", "post", {"403", "404", "409", "429"}),
        ("/api/v1/auth/token/", "post", {"400", "429"}),
        ("/api/v1/verify/", "post", {"400", "413", "429"}),
    ],
)
def test_the_refusals_an_endpoint_answers_are_in_its_schema(
    schema: dict[str, Any], path: str, method: str, statuses: set[str]
) -> None:
    assert statuses <= set(schema["paths"][path][method]["responses"])


def test_an_endpoint_without_a_login_declares_no_401(schema: dict[str, Any]) -> None:
    assert "401" not in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" not in schema["paths"]["/api/v1/verify/"]["post"]["responses"]
