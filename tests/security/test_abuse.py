"""Abuse has limits: papers per dossier, a citizen's storage across open dossiers, open drafts, drafts left for
good, rejected payment notices, and a GET that creates nothing."""

import io
from typing import Any

from django.conf import settings

from dossiers.models import Document, Dossier
from tests.contract import assert_error
from tests.factories import DossierFactory

LIST = "/api/v1/dossiers/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored_paper(dossier: Dossier, n: int, size: int = len(PDF)) -> Document:
    """A document row as an upload leaves it (no file written)."""
    return Document.objects.create(
        dossier=dossier,
        component=dossier.version.components.get(required=True),
        file=f"dossiers/{dossier.pk}/p{n}.pdf",
        storage_key=f"d{dossier.pk}n{n}.pdf",
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=size,
        sha256="0" * 64,
        uploaded_by=dossier.created_by,
    )


def upload(api: Any, user: Any, dossier: Dossier) -> Any:
    paper = io.BytesIO(PDF)
    paper.name = "to-khai.pdf"
    component = dossier.version.components.get(required=True)
    return api(user).post(
        f"{LIST}{dossier.pk}/documents/", {"component": component.pk, "file": paper}, format="multipart"
    )


# --- Papers and storage ------------------------------------------------------------------------------------


def test_the_51st_paper_of_a_dossier_is_refused_and_nothing_is_stored(
    api: Any, citizen: Any, version_a: Any
) -> None:
    draft = DossierFactory(version=version_a, applicant=citizen)
    for n in range(settings.UPLOAD_MAX_DOSSIER_DOCUMENTS - 1):
        stored_paper(draft, n)
    assert upload(api, citizen, draft).status_code == 201

    body = assert_error(upload(api, citizen, draft), 409, "too_many_documents")

    assert "50" in body["detail"]
    assert draft.documents.count() == settings.UPLOAD_MAX_DOSSIER_DOCUMENTS


def test_a_paper_past_the_citizens_quota_across_open_dossiers_is_refused_and_nothing_is_stored(
    api: Any, citizen: Any, version_a: Any, settings: Any
) -> None:
    settings.UPLOAD_MAX_USER_BYTES = 1000
    other = DossierFactory(version=version_a, applicant=citizen, submitted=True)
    stored_paper(other, 0, size=1000 - len(PDF) + 1)
    draft = DossierFactory(version=version_a, applicant=citizen)

    assert_error(upload(api, citizen, draft), 413, "quota_exceeded")

    assert not draft.documents.exists()
    assert not (settings.MEDIA_ROOT / "dossiers" / str(draft.pk)).exists()


def test_papers_of_finished_dossiers_do_not_count_toward_the_quota(
    api: Any, citizen: Any, version_a: Any, settings: Any
) -> None:
    settings.UPLOAD_MAX_USER_BYTES = 1000
    stored_paper(DossierFactory(version=version_a, applicant=citizen, returned=True), 0, size=1000)
    draft = DossierFactory(version=version_a, applicant=citizen)

    assert upload(api, citizen, draft).status_code == 201


# --- Drafts ------------------------------------------------------------------------------------------------


def test_the_21st_open_draft_is_refused_with_a_clear_message(api: Any, citizen: Any, version_a: Any) -> None:
    for _ in range(settings.DOSSIER_MAX_OPEN_DRAFTS):
        DossierFactory(version=version_a, applicant=citizen)
    DossierFactory(version=version_a, applicant=citizen, submitted=True)  # a sent dossier does not count

    response = api(citizen).post(LIST, {"procedure": version_a.procedure.code}, format="json")

    body = assert_error(response, 409, "too_many_drafts")
    assert "20" in body["detail"]
    assert (
        Dossier.objects.filter(applicant=citizen, state="draft").count() == settings.DOSSIER_MAX_OPEN_DRAFTS
    )


def test_a_draft_under_the_limit_is_created(api: Any, citizen: Any, version_a: Any) -> None:
    for _ in range(settings.DOSSIER_MAX_OPEN_DRAFTS - 1):
        DossierFactory(version=version_a, applicant=citizen)

    response = api(citizen).post(LIST, {"procedure": version_a.procedure.code}, format="json")

    assert response.status_code == 201, response.content
