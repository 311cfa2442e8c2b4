"""Fixtures of the dossier tests: a published procedure of agency A, files to upload, complete dossiers."""

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Document, Dossier
from procedures.models import Component
from tests.factories import DossierFactory, ProcedureVersionFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The smallest files each type sniffer recognises; the names they are uploaded under are chosen by each test.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The personas are created with a password; a fast hasher keeps the many tests here quick."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def multipart(component: Any, name: str, content: bytes) -> dict[str, Any]:
    """The multipart body of POST /api/v1/dossiers/{id}/documents/."""
    file = io.BytesIO(content)
    file.name = name
    return {"component": getattr(component, "pk", component), "file": file}


def attach_required_papers(dossier: Dossier) -> None:
    """A document row for each required component, so the dossier is complete (no file is written)."""
    for component in Component.objects.filter(version=dossier.version, required=True):
        Document.objects.create(
            dossier=dossier,
            component=component,
            file=f"dossiers/{dossier.pk}/paper-{component.pk}.pdf",
            storage_key=f"d{dossier.pk}c{component.pk}.pdf",
            original_name="to-khai.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            sha256="0" * 64,
            uploaded_by=dossier.created_by,
        )


@pytest.fixture
def version_a(agency_a: Any) -> Any:
    """A published procedure of agency A: five working days, a required PDF form and an optional copy."""
    return ProcedureVersionFactory(published=True, agency=agency_a, processing_days=5)


@pytest.fixture
def required_component(version_a: Any) -> Component:
    return version_a.components.get(required=True)


@pytest.fixture
def optional_component(version_a: Any) -> Component:
    return version_a.components.get(required=False)


@pytest.fixture
def complete_draft(version_a: Any, citizen: Any) -> Dossier:
    """The citizen's draft with every required paper: ready to submit."""
    dossier = DossierFactory(version=version_a, applicant=citizen)
    attach_required_papers(dossier)
    return dossier
