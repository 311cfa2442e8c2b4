"""What an operator reads off a running portal (issue 13, "Operable"): Prometheus metrics behind a token, and a
request id on every log line of a request and in its response."""

import io
import logging
import re
import uuid
from typing import Any

import pytest
from django.test import Client

from tests.factories import DossierFactory, ProcedureVersionFactory

TOKEN = "scrape-me-" + "x" * 20


def scrape(client: Client, token: str | None = TOKEN) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/metrics", headers=headers)


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (0 when the sample is absent)."""
    label_text = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(label_text) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.django_db
def test_metrics_are_served_only_with_the_token(settings: Any) -> None:
    client = Client()
    assert scrape(client).status_code == 404  # no token set: not served at all

    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, None).status_code == 404
    assert scrape(client, TOKEN + "y").status_code == 404
    assert scrape(client).status_code == 200


@pytest.mark.django_db
def test_metrics_count_requests_transitions_and_the_dossiers_waiting_at_each_step(
    settings: Any, api: Any, receiver: Any, agency_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.METRICS_TOKEN = TOKEN
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    submitted = [DossierFactory(version=version, submitted=True) for _ in range(3)]
    client = Client()
    before = scrape(client).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = api(receiver).post(f"/api/v1/dossiers/{submitted[0].pk}/actions/receive/")
    assert response.status_code == 200, response.content
    after = scrape(client).content.decode()

    assert sample(after, "portal_transitions_total", action="receive") == (
        sample(before, "portal_transitions_total", action="receive") + 1
    )
    assert sample(before, "portal_dossiers_waiting", state="submitted") == 3
    assert sample(after, "portal_dossiers_waiting", state="submitted") == 2
    assert sample(after, "portal_dossiers_waiting", state="assessing") == 1
    assert sample(after, "portal_signing_lag_seconds") == 0  # nothing being signed
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in after


def test_a_request_id_is_sent_back_and_printed_on_the_requests_log_lines(db: Any) -> None:
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    given = str(uuid.uuid4())
    try:
        response = Client().get("/no-such-page/", headers={"X-Request-ID": given})
        forged = Client().get("/healthz", headers={"X-Request-ID": "not a uuid\nINFO forged line"})
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]

    assert response["X-Request-ID"] == given
    assert given.replace("-", "") in stream.getvalue().replace("-", "")  # Django's "Not Found" warning
    assert forged["X-Request-ID"] != "not a uuid\nINFO forged line"
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])
