"""Staff hear of dossiers due soon or overdue at their step: the assignee, or the step's people of the agency; once
a day per dossier."""

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.constants import Role
from notifications import services, tasks
from notifications.models import Message, Preference
from tests.factories import DossierFactory, UserFactory
from tests.notifications.conftest import BASE_URL

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def assessor_with_email(assessor: Any) -> Any:
    assessor.email = "tham.dinh@sotuphap.example.vn"
    assessor.save(update_fields=["email"])
    return assessor


def recipients(event: str = "overdue") -> set[str]:
    return set(
        Message.objects.filter(event=event, channel="portal").values_list("recipient__username", flat=True)
    )


@pytest.mark.parametrize(
    ("traits", "told"),
    [
        ({"submitted": True}, {"receiver"}),
        ({"received": True}, {"assessor"}),
        ({"assessed": True}, {"approver"}),
        ({"result_ready": True}, {"receiver"}),  # the result waits to be handed over
        ({"approved": True}, set()),  # signing is the worker's, and the sweep's
        ({"supplement_requested": True}, set()),  # the clock is paused: the citizen has the dossier
        ({"returned": True}, set()),
    ],
)
def test_the_staff_of_the_dossiers_current_step_are_told(
    version_a: Any,
    receiver: Any,
    assessor: Any,
    approver: Any,
    receiver_b: Any,
    assessor_b: Any,
    traits: dict[str, Any],
    told: set[str],
) -> None:
    dossier = DossierFactory(version=version_a, **traits)

    services.notify_staff_due(dossier_ids=[dossier.pk], event="overdue")

    assert recipients() == told


def test_every_active_assessor_of_the_agency_is_told_when_nobody_took_the_dossier(
    version_a: Any, assessor: Any, assessor_b: Any
) -> None:
    colleague = UserFactory(username="assessor2", role=Role.ASSESSOR, agency=assessor.agency)
    UserFactory(username="assessor_left", role=Role.ASSESSOR, agency=assessor.agency, is_active=False)
    dossier = DossierFactory(version=version_a, received=True)

    services.notify_staff_due(dossier_ids=[dossier.pk], event="due_soon")

    assert recipients("due_soon") == {assessor.username, colleague.username}


def test_only_the_assignee_is_told_while_the_dossier_is_at_their_step(version_a: Any, assessor: Any) -> None:
    UserFactory(username="assessor2", role=Role.ASSESSOR, agency=assessor.agency)
    dossier = DossierFactory(version=version_a, received=True, assignee=assessor)

    services.notify_staff_due(dossier_ids=[dossier.pk], event="overdue")

    assert recipients() == {"assessor"}


def test_an_assignee_from_an_earlier_step_is_not_told_the_next_steps_people_are(
    version_a: Any, receiver: Any, assessor: Any
) -> None:
    dossier = DossierFactory(version=version_a, received=True, assignee=receiver)

    services.notify_staff_due(dossier_ids=[dossier.pk], event="overdue")

    assert recipients() == {"assessor"}


def test_staff_are_told_once_a_day_per_dossier_and_event(
    settings: Any, version_a: Any, assessor_with_email: Any
) -> None:
    dossier = DossierFactory(version=version_a, received=True)
    morning = timezone.now().astimezone(TZ).replace(hour=8, minute=0)

    services.notify_staff_due(dossier_ids=[dossier.pk], event="overdue", now=morning)
    services.notify_staff_due(dossier_ids=[dossier.pk], event="overdue", now=morning + timedelta(hours=8))
    assert Message.objects.filter(channel="email").count() == 1

    services.notify_staff_due(dossier_ids=[dossier.pk], event="due_soon", now=morning)
    services.notify_staff_due(dossier_ids=[dossier.pk], event="overdue", now=morning + timedelta(days=1))
    assert sorted(Message.objects.filter(channel="email").values_list("event", flat=True)) == [
        "due_soon",
        "overdue",
        "overdue",
    ]


@pytest.mark.parametrize(
    ("event", "language", "subject", "facts"),
    [
        (
            "overdue",
            "vi",
            "Hồ sơ {code} đã quá hạn (hạn {due})",
            ["Hạn trả kết quả: 17:00 ngày {due}", "phiếu xin lỗi"],
        ),
        (
            "overdue",
            "en",
            "Dossier {code} is overdue (due {due})",
            ["Result due: {due} at 17:00", "apology slip"],
        ),
        ("due_soon", "vi", "Hồ sơ {code} sắp đến hạn ({due})", ["Hạn trả kết quả: 17:00 ngày {due}"]),
        ("due_soon", "en", "Dossier {code} is due soon ({due})", ["Result due: {due} at 17:00"]),
    ],
)
def test_the_deadline_message_names_the_dossier_its_due_date_and_the_console_page(
    django_capture_on_commit_callbacks: Any,
    version_a: Any,
    assessor_with_email: Any,
    event: str,
    language: str,
    subject: str,
    facts: list[str],
) -> None:
    if language != "vi":
        Preference.objects.create(user=assessor_with_email, language=language)
    due_at = timezone.now().astimezone(TZ).replace(hour=17, minute=0, second=0, microsecond=0)
    dossier = DossierFactory(version=version_a, received=True, due_at=due_at)
    values = {"code": dossier.code, "due": due_at.strftime("%d/%m/%Y")}

    with django_capture_on_commit_callbacks(execute=True):
        services.notify_staff_due(dossier_ids=[dossier.pk], event=event)

    [email] = mail.outbox
    assert email.to == ["tham.dinh@sotuphap.example.vn"]
    assert email.subject == subject.format(**values)
    for fact in facts:
        assert fact.format(**values) in email.body
    assert f"{BASE_URL}/console/dossiers/{dossier.pk}/" in email.body
    assert version_a.name in email.body


def test_the_beat_task_tells_staff_of_the_dossiers_due_soon_and_overdue(
    django_capture_on_commit_callbacks: Any, version_a: Any, assessor: Any
) -> None:
    now = timezone.now()
    due_soon = DossierFactory(version=version_a, received=True, due_at=now + timedelta(hours=1))
    overdue = DossierFactory(version=version_a, received=True, due_at=now - timedelta(days=1))
    DossierFactory(version=version_a, received=True, due_at=now + timedelta(days=30))

    with django_capture_on_commit_callbacks(execute=True):
        counts = tasks.notify_due.delay().get()

    assert counts == {"due_soon": 1, "overdue": 1}  # one portal message each: the assessor has no e-mail
    assert set(Message.objects.values_list("event", "dossier_id", "recipient")) == {
        ("due_soon", due_soon.pk, assessor.pk),
        ("overdue", overdue.pk, assessor.pk),
    }


def test_the_beat_task_reads_the_due_dossiers_from_the_schedule(
    monkeypatch: Any, version_a: Any, assessor: Any
) -> None:
    from dossiers import schedule

    dossier = DossierFactory(version=version_a, received=True)
    asked: list[Any] = []

    def due_dossiers(now: Any = None) -> tuple[list[int], list[int]]:
        asked.append(now)
        return [], [dossier.pk]

    monkeypatch.setattr(schedule, "due_dossiers", due_dossiers)

    assert tasks.notify_due.delay().get() == {"due_soon": 0, "overdue": 1}
    assert asked and asked[0] is not None


def test_an_unknown_deadline_event_is_refused(db: Any) -> None:
    with pytest.raises(ValueError, match="not a staff deadline event"):
        services.notify_staff_due(dossier_ids=[], event="receive")
