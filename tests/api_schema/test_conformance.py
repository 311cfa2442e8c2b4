"""The whole API against its own OpenAPI schema, with schemathesis: as a citizen and as counter staff.

Every operation of ``/api/schema/`` is called with generated input (valid and invalid), through Django's WSGI app
in this process and inside the test's transaction. Each answer must be a status the operation declares, with the
declared content type and a body that matches the declared schema, and never a server error. Generation is
derandomized (the same cases on every run) and keeps no example database, so a run leaves nothing behind.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis import checks

from accounts.constants import Role
from dossiers.models import Document
from payments import services as payment_services
from tests.factories import DossierFactory, ProcedureVersionFactory, UserFactory

# Cases per operation and persona: about 30 operations, two personas, well under a minute on two workers.
MAX_EXAMPLES = 15
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
# The examples and fuzzing phases; the coverage phase's boundary cases multiply the calls for little more.
schema.config.phases.update(phases=["examples", "fuzzing"])


@dataclass
class World:
    """What the personas can reach: ids of their dossiers, papers and procedures, and each persona's token."""

    dossier_ids: list[int]
    document_ids: list[int]
    procedure_code: str
    tokens: dict[str, str]


@pytest.fixture
def _one_connection() -> Iterator[None]:
    """Like Django's test client: requests do not close the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db: Any, settings: Any, agency_a: Any, _one_connection: None) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Limits high enough that the cases reach the views; the 429 answers are declared all the same.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "10000/min"
        ),
    }
    citizen = UserFactory(username="citizen", role=Role.CITIZEN)
    receiver = UserFactory(username="receiver", role=Role.RECEIVER, agency=agency_a)
    version = ProcedureVersionFactory(published=True, agency=agency_a)
    draft = DossierFactory(version=version, applicant=citizen)
    submitted = DossierFactory(version=version, applicant=citizen, submitted=True)
    received = DossierFactory(version=version, applicant=citizen, received=True)
    returned = DossierFactory(version=version, applicant=citizen, returned=True)
    for dossier in (submitted, received, returned):
        payment_services.invoice_open(dossier=dossier)
    component = version.components.first()
    paper = Document.objects.create(
        dossier=draft,
        component=component,
        file=ContentFile(b"%PDF-1.4 a paper", name="to-khai.pdf"),
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=16,
        sha256="0" * 64,
        storage_key="schema-paper-1",
        uploaded_by=citizen,
    )
    return World(
        dossier_ids=[draft.pk, submitted.pk, received.pk, returned.pk],
        document_ids=[paper.pk],
        procedure_code=version.procedure.code,
        tokens={user.username: AuthToken.objects.create(user=user)[1] for user in (citizen, receiver)},
    )


def _pick(value: Any, known: list[Any]) -> Any:
    """Most generated ids become one of ``known`` (so the cases reach real objects); the others stay unknown."""
    if isinstance(value, int) and not isinstance(value, bool) and value % (len(known) + 1) < len(known):
        return known[value % (len(known) + 1)]
    return value


def _aim(case: Any, world: World) -> None:
    path = case.path_parameters
    if not path:
        return
    if "id" in path:
        path["id"] = _pick(path["id"], world.dossier_ids)
    if "document_id" in path:
        path["document_id"] = _pick(path["document_id"], world.document_ids)
    if path.get("code") and len(str(path["code"])) % 2 == 0:
        path["code"] = world.procedure_code
    if path.get("provider") and len(str(path["provider"])) % 2 == 0:
        path["provider"] = "sandbox"


@pytest.mark.parametrize("persona", ["citizen", "receiver"])
@schema.parametrize()
# The world is made once per operation and persona; the cases of one test may change it (as clients would).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_answer_of_the_api_is_declared_by_its_schema(case: Any, persona: str, world: World) -> None:
    _aim(case, world)
    case.call_and_validate(headers={"Authorization": f"Token {world.tokens[persona]}"}, checks=CHECKS)
