"""Abuse has limits: papers per dossier, a citizen's storage across open dossiers, open drafts, drafts left for
good, rejected payment notices, and a GET that creates nothing."""

import hashlib
import io
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import TestCase
from django.utils import timezone

from dossiers.models import Document, Dossier
from payments.models import PaymentEvent
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


# --- Rejected payment notices ------------------------------------------------------------------------------

CALLBACK = "/api/v1/payments/sandbox/callback/"


def forged(**extra: str) -> dict[str, str]:
    """A notice that is not signed with the secret (anyone may send one); about 34 KB with the big fields."""
    return {
        "vnp_TxnRef": "HP26112300000001",
        "vnp_Amount": "5000000",
        "vnp_ResponseCode": "00",
        "vnp_TransactionNo": "14123456",
        "vnp_SecureHash": "0" * 128,
        **{f"vnp_F{n}": "x" * 500 for n in range(64)},
        **extra,
    }


def rejected() -> list[Any]:
    return list(PaymentEvent.objects.filter(kind="rejected").order_by("id"))


def test_a_rejected_notice_is_stored_as_a_small_digest_not_its_body(anonymous: Any, db: Any) -> None:
    notice = forged()
    body = "&".join(f"{k}={v}" for k, v in notice.items()).encode()

    response = anonymous.post(CALLBACK, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    (event,) = rejected()
    assert event.provider == "sandbox" and event.reason.startswith("forged: ") and event.at
    assert event.payload == {
        "reference": "HP26112300000001",
        "sha256": hashlib.sha256(b"\n" + body).hexdigest(),
        "size": len(body) + 1,
        "count": 1,
    }
    assert len(str(event.payload)) < 300 < len(body)


def test_an_unparsable_reference_is_left_out_of_the_digest(anonymous: Any, db: Any) -> None:
    anonymous.get(CALLBACK, {"vnp_TxnRef": "<script>" + "x" * 100})

    assert rejected()[0].payload["reference"] == ""


def test_the_same_rejected_notice_again_is_counted_not_stored_again(anonymous: Any, db: Any) -> None:
    for _ in range(5):
        anonymous.get(CALLBACK, forged())
    anonymous.get(CALLBACK, forged(vnp_TransactionNo="2"))

    events = rejected()
    assert [event.payload["count"] for event in events] == [5, 1]
    assert "last_at" in events[0].payload


def test_past_the_windows_cap_rejected_notices_are_only_counted(
    anonymous: Any, db: Any, settings: Any
) -> None:
    settings.PAYMENT_REJECTED_MAX_PER_WINDOW = 3
    for n in range(10):
        anonymous.get(CALLBACK, forged(vnp_TransactionNo=str(n)))

    events = rejected()
    assert len(events) == 3
    assert sum(event.payload["count"] for event in events) == 10


def test_an_old_rejection_outside_the_window_is_not_counted_on(anonymous: Any, db: Any) -> None:
    anonymous.get(CALLBACK, forged())
    PaymentEvent.objects.update(at=timezone.now() - timedelta(seconds=settings.PAYMENT_REJECTED_WINDOW + 1))
    anonymous.get(CALLBACK, forged())

    assert [event.payload["count"] for event in rejected()] == [1, 1]


# --- Drafts left unused expire -----------------------------------------------------------------------------


def idle(dossier: Dossier, days: float, now: Any) -> None:
    """Make ``dossier`` and its papers last used ``days`` before ``now``."""
    then = now - timedelta(days=days)
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=then)
    Document.objects.filter(dossier=dossier).update(uploaded_at=then)


def warnings_of(user: Any) -> list[Any]:
    from notifications.models import Message

    return list(Message.objects.filter(recipient=user, event="draft_expiring"))


def test_an_unused_draft_is_told_of_first_and_deleted_later_and_each_step_is_safe_to_run_twice(
    api: Any, citizen: Any, version_a: Any
) -> None:
    from dossiers import schedule

    draft = DossierFactory(version=version_a, applicant=citizen)
    assert upload(api, citizen, draft).status_code == 201
    (paper,) = draft.documents.all()
    assert paper.file.storage.exists(paper.file.name)
    now = timezone.now()
    idle(draft, settings.DRAFT_WARN_DAYS + 1, now)

    assert schedule.drafts_warn(now=now) == [draft.pk]
    assert schedule.drafts_warn(now=now) == []
    told = warnings_of(citizen)
    assert told and {m.channel for m in told} >= {"portal"}
    assert all(m.dossier_id is None and f"/dossiers/{draft.pk}/edit/" in m.body for m in told)
    portal = next(m for m in told if m.channel == "portal")
    assert "sẽ bị xóa" in portal.subject

    # Idle for 30 days, but told only now: not yet.
    idle(draft, settings.DRAFT_EXPIRE_DAYS + 1, now)
    assert schedule.drafts_delete(now=now) == []
    assert Dossier.objects.filter(pk=draft.pk).exists()

    later = now + timedelta(days=settings.DRAFT_EXPIRE_DAYS - settings.DRAFT_WARN_DAYS)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert schedule.drafts_delete(now=later) == [draft.pk]
    assert schedule.drafts_delete(now=later) == []
    assert schedule.drafts_warn(now=later) == []
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not Document.objects.filter(pk=paper.pk).exists()
    assert not paper.file.storage.exists(paper.file.name)
    assert len(warnings_of(citizen)) == len(told)  # the citizen's messages stay


def test_a_draft_used_again_after_the_warning_is_kept_and_told_of_again_later(
    citizen: Any, version_a: Any
) -> None:
    from dossiers import schedule

    draft = DossierFactory(version=version_a, applicant=citizen)
    now = timezone.now()
    idle(draft, settings.DRAFT_WARN_DAYS + 1, now)
    schedule.drafts_warn(now=now)
    Dossier.objects.filter(pk=draft.pk).update(updated_at=now + timedelta(hours=1))  # the citizen saved it

    assert schedule.drafts_delete(now=now + timedelta(days=settings.DRAFT_EXPIRE_DAYS)) == []
    assert Dossier.objects.filter(pk=draft.pk).exists()
    again = now + timedelta(days=settings.DRAFT_WARN_DAYS + 2)
    assert schedule.drafts_warn(now=again) == [draft.pk]


def test_a_draft_never_told_of_is_not_deleted_and_sent_dossiers_are_left_alone(
    citizen: Any, version_a: Any
) -> None:
    from dossiers import tasks

    draft = DossierFactory(version=version_a, applicant=citizen)
    sent = DossierFactory(version=version_a, applicant=citizen, submitted=True)
    now = timezone.now()
    idle(draft, 90, now)
    idle(sent, 90, now)

    assert tasks.expire_drafts() == {"told": 1, "deleted": 0}
    assert tasks.expire_drafts() == {"told": 0, "deleted": 0}
    assert Dossier.objects.filter(pk__in=[draft.pk, sent.pk]).count() == 2
    assert Dossier.objects.get(pk=sent.pk).expiry_warned_at is None


def test_the_beat_runs_the_expiry_of_drafts() -> None:
    assert settings.CELERY_BEAT_SCHEDULE["expire-drafts"]["task"] == "dossiers.tasks.expire_drafts"
