"""Fixtures of the service index's tests: small worlds of dossiers written straight to the tables, then rolled up."""

import datetime
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from complaints.models import Complaint
from dossiers.models import Document, Dossier, DossierEvent, Rating, Result
from payments.models import Invoice
from stats import selectors, services

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def this_month() -> selectors.Scope:
    today = timezone.localdate()
    return selectors.Scope(start=today.replace(day=1), end=today)


def add_document(dossier: Dossier) -> None:
    n = next(_serial)
    Document.objects.create(
        dossier=dossier,
        file=f"x{n}",
        storage_key=f"k{n}",
        original_name="a.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=dossier.created_by,
    )


def add_result(dossier: Dossier) -> None:
    n = next(_serial)
    Result.objects.create(
        dossier=dossier,
        file=f"r{n}",
        storage_key=f"r{n}",
        verification_token=f"t{n}",
        sha256=f"{n:064d}",
        outcome="grant",
        signer="Sở Tư pháp",
        certificate_serial="1",
        signed_at=timezone.now(),
    )


def add_invoice(dossier: Dossier, *, status: str = "open", online: bool = False) -> None:
    Invoice.objects.create(
        dossier=dossier,
        reference=f"R{next(_serial)}",
        amount=50_000,
        due_before="before_reception",
        status=status,
        online=online,
        paid_at=timezone.now() if status == "paid" else None,
    )


def add_supplement_requests(dossier: Dossier, count: int) -> None:
    for _ in range(count):
        DossierEvent.objects.create(
            dossier=dossier,
            action="request_supplement",
            from_state="assessing",
            to_state="supplement_requested",
            at=timezone.now(),
        )


def add_rating(dossier: Dossier, score: int, dislike_reason: str = "") -> None:
    Rating.objects.create(dossier=dossier, score=score, dislike_reason=dislike_reason)


def add_complaint(
    dossier: Dossier, *, due_in_hours: float, answered_after_hours: float | None = None
) -> Complaint:
    now = timezone.now()
    due = now + datetime.timedelta(hours=due_in_hours)
    filed = min(now, due) - datetime.timedelta(days=1)
    answered = (
        None if answered_after_hours is None else filed + datetime.timedelta(hours=answered_after_hours)
    )
    return Complaint.objects.create(
        dossier=dossier,
        author=dossier.applicant,
        text="Chậm",
        state="open" if answered is None else "answered",
        filed_at=filed,
        due_at=due,
        answer="" if answered is None else "Đã xử lý",
        answered_at=answered,
    )


@pytest.fixture
def index() -> Callable[..., dict[str, Any]]:
    """``index(scope=None)``: the rollups rebuilt from the tables, then the index of this month (or ``scope``)."""

    def compute(scope: selectors.Scope | None = None) -> dict[str, Any]:
        services.rebuild()
        return selectors.index(scope or this_month())

    return compute


def indicator(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(row for row in data["indicators"] if row["code"] == code)
