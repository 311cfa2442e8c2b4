"""Fixtures of the complaint tests: the citizen's dossier of agency A, received, and complaints on it."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from complaints.constants import ComplaintState
from complaints.models import Complaint
from tests.factories import DossierFactory, ProcedureVersionFactory
from tests.security.conftest import (  # noqa: F401 - fixtures, registered by being imported here
    inactive_receiver,
    make_dossier,
    superuser,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def version_a(agency_a: Any) -> Any:
    return ProcedureVersionFactory(published=True, agency=agency_a)


@pytest.fixture
def dossier(version_a: Any, citizen: Any, agency_a: Any) -> Any:
    """The citizen's online dossier of agency A, received and being assessed."""
    return DossierFactory(version=version_a, applicant=citizen, received=True, received_at_agency=agency_a)


@pytest.fixture
def make_complaint() -> Any:
    """``make_complaint(dossier, due_at=..., answered_at=...)``: a complaint written straight to the table."""

    def make(
        dossier: Any, *, due_at: datetime | None = None, answered_at: datetime | None = None
    ) -> Complaint:
        now = timezone.now()
        return Complaint.objects.create(
            dossier=dossier,
            author=dossier.applicant or dossier.created_by,
            text="Cán bộ hẹn trả kết quả nhưng không trả.",
            state=ComplaintState.ANSWERED if answered_at else ComplaintState.OPEN,
            filed_at=now - timedelta(days=1),
            due_at=due_at or now + timedelta(days=10),
            answer="Đã xử lý." if answered_at else "",
            answered_at=answered_at,
        )

    return make


@pytest.fixture
def version_b(agency_b: Any) -> Any:
    return ProcedureVersionFactory(published=True, agency=agency_b)
