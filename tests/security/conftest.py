"""Fixtures of the security tests: a published procedure of agency A and the citizen's clients."""

from typing import Any

import pytest
from django.test import Client

from tests.factories import ProcedureVersionFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def version_a(agency_a: Any) -> Any:
    """A published procedure of agency A: a required PDF form, an optional copy; fields full_name and sex."""
    return ProcedureVersionFactory(published=True, agency=agency_a, processing_days=5)


@pytest.fixture
def browser(citizen: Any) -> Client:
    """The citizen, logged in to the pages."""
    client = Client()
    client.force_login(citizen)
    return client
