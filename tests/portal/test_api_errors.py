"""One error shape for the whole API, ``{"detail", "code"}`` with the status of API.md, whatever goes wrong."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from rest_framework import exceptions, serializers
from rest_framework.test import APIClient

from portal.api.errors import Conflict, exception_handler
from portal.errors import InvalidState, NotAllowed, NotFound, ServiceError
from portal.views import not_found, server_error


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["code"] == code
    return body


# Through the whole stack


@pytest.mark.parametrize(
    "path",
    ["/api/v1/no-such-thing/", "/api/v1/", "/api/", "/api/v2/procedures/", "/api/v1/procedures/a/b/c/"],
)
def test_an_unknown_api_path_is_a_json_not_found(db, anonymous, path):
    assert_error(anonymous.get(path), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_an_unknown_api_path_is_a_json_not_found_for_any_method(db, anonymous, method):
    assert_error(getattr(anonymous, method)("/api/v1/no-such-thing/"), 404, "not_found")


def test_an_unknown_page_is_an_html_not_found_page(db, client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in response.content.decode()
    assert response.templates[0].name == "404.html"


def test_a_wrong_method_names_the_method(db, anonymous):
    body = assert_error(anonymous.delete("/api/v1/sectors/"), 405, "method_not_allowed")

    assert "DELETE" in body["detail"]


def test_a_bad_token_is_not_logged_in_with_the_error_body(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    assert_error(client.get("/api/v1/procedures/"), 401, "authentication_failed")


def test_malformed_json_is_a_bad_request(db, anonymous):
    response = anonymous.post(
        "/api/v1/auth/token/", '{"username": "citizen", ', content_type="application/json"
    )

    assert_error(response, 400, "parse_error")


def test_an_unsupported_body_type_is_refused(db, anonymous):
    response = anonymous.post("/api/v1/auth/token/", b"\x00\x01", content_type="application/octet-stream")

    assert_error(response, 415, "unsupported_media_type")


def test_a_validation_error_keeps_each_fields_message(db, anonymous):
    response = anonymous.post("/api/v1/auth/token/", {}, format="json")

    body = assert_error(response, 400, "required")
    assert set(body["errors"]) == {"username", "password"}
    assert body["detail"].startswith("username: ")


# The handler itself, for each kind of error


def handle(exc: Exception) -> Any:
    response = exception_handler(exc, {})
    assert response is not None
    return response


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (ServiceError("Bad."), 400, "invalid"),
        (ServiceError("Bad.", code="duplicate"), 400, "duplicate"),
        (InvalidState("Not now."), 409, "invalid_state"),
        (NotAllowed("Not you."), 403, "permission_denied"),
        (NotFound("No such thing."), 404, "not_found"),
        (Http404("gone"), 404, "not_found"),
        (PermissionDenied(), 403, "permission_denied"),
        (PermissionDenied("Only a receiver."), 403, "permission_denied"),
        (Conflict(), 409, "conflict"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.Throttled(wait=30), 429, "throttled"),
        (exceptions.ValidationError({"name": ["Too long."]}), 400, "invalid"),
        (exceptions.ValidationError("Plain message."), 400, "invalid"),
    ],
)
def test_every_kind_of_error_gets_the_error_body(exc, status, code):
    response = handle(exc)

    assert response.status_code == status
    assert response.data["code"] == code
    assert isinstance(response.data["detail"], str) and response.data["detail"]


def test_a_service_errors_message_is_the_detail():
    assert (
        handle(InvalidState("Version 2 is archived already.")).data["detail"]
        == "Version 2 is archived already."
    )


def test_a_permission_denied_keeps_its_reason():
    assert handle(PermissionDenied("Only a receiver.")).data["detail"] == "Only a receiver."


def test_a_serializers_error_names_the_field_and_its_code():
    class Input(serializers.Serializer):
        amount = serializers.IntegerField(min_value=0)

    with pytest.raises(exceptions.ValidationError) as raised:
        Input(data={"amount": -1}).is_valid(raise_exception=True)
    response = handle(raised.value)

    assert response.data["code"] == "min_value"
    assert response.data["detail"].startswith("amount: ")
    assert "amount" in response.data["errors"]


def test_an_error_that_is_not_the_apis_is_left_to_django():
    assert exception_handler(ValueError("boom"), {}) is None


# Django's own error handlers


def test_the_not_found_handler_answers_json_under_api_and_a_page_elsewhere(db):
    factory = RequestFactory()
    page_request = factory.get("/whatever/")
    page_request.user = AnonymousUser()

    api = not_found(factory.get("/api/v1/whatever/"))
    page = not_found(page_request)

    assert api.status_code == page.status_code == 404
    assert api["Content-Type"] == "application/json"
    assert page["Content-Type"].startswith("text/html")


def test_the_server_error_handler_answers_json_under_api_and_a_page_elsewhere_even_before_login_middleware(
    db,
):
    factory = RequestFactory()

    api = server_error(factory.get("/api/v1/whatever/"))
    page = server_error(factory.get("/whatever/"))

    assert api.status_code == page.status_code == 500
    assert api["Content-Type"] == "application/json"
    assert b'"code": "server_error"' in api.content
    assert page["Content-Type"].startswith("text/html")


def test_an_unexpected_failure_under_the_api_still_answers_the_error_body(db, client, monkeypatch):
    def broken() -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("procedures.selectors.agencies", broken)
    client.raise_request_exception = False

    body = assert_error(client.get("/api/v1/agencies/"), 500, "server_error")

    assert "database" not in body["detail"]  # nothing internal leaks out


def test_an_unexpected_failure_on_a_page_answers_the_plain_error_page(db, client, monkeypatch):
    def broken() -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("procedures.selectors.sectors_with_counts", broken)
    client.raise_request_exception = False

    response = client.get("/")

    assert response.status_code == 500
    assert "Server error" in response.content.decode()
    assert "database" not in response.content.decode()
