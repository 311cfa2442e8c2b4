"""The notification tasks are safe to run twice, and no step goes untold when the broker is down."""

from datetime import timedelta
from typing import Any

from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from dossiers import workflow
from dossiers.models import DossierEvent
from notifications import tasks
from notifications.models import Message
from tests.factories import DossierFactory
from tests.notifications.conftest import sms_files


def test_running_the_notify_task_twice_sends_each_message_once(
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    version_a: Any,
    reachable_citizen: Any,
    receiver: Any,
) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)
    # Not committed (the test's transaction): the hooks do not run, the task is run by hand.
    workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)
    event = DossierEvent.objects.get(dossier=dossier, action="receive")

    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.notify.delay(dossier.pk, event.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.notify.delay(dossier.pk, event.pk).get()

    assert first == second == 3
    assert Message.objects.count() == 3
    assert len(mail.outbox) == 1
    assert len(sms_files(settings)) == 1
    assert Message.objects.filter(sent_at__isnull=True).count() == 0


def test_a_step_taken_while_the_broker_is_down_is_told_once_it_is_back(
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    settings: Any,
    version_a: Any,
    reachable_citizen: Any,
    receiver: Any,
) -> None:
    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.notify, "delay", broker_down)
        patch.setattr(tasks.send_message, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)

    dossier.refresh_from_db()
    assert dossier.state == "assessing"  # the step itself is never held up
    assert Message.objects.filter(sent_at__isnull=True).count() == 3  # made in process, not yet sent
    assert mail.outbox == []

    Message.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    assert tasks.resend_pending.delay().get() == 3

    assert len(mail.outbox) == 1
    assert len(sms_files(settings)) == 1
    assert Message.objects.filter(sent_at__isnull=True).count() == 0
    assert tasks.resend_pending.delay().get() == 0


def test_the_hook_tells_of_the_latest_occurrence_of_the_step(
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    version_a: Any,
    reachable_citizen: Any,
    receiver: Any,
) -> None:
    queued: list[tuple[int, int]] = []
    monkeypatch.setattr(
        tasks.notify, "delay", lambda dossier_id, event_id: queued.append((dossier_id, event_id))
    )
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)
    DossierEvent.objects.create(
        dossier=dossier, action="request_supplement", to_state="supplement_requested", at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        workflow.apply(
            dossier_id=dossier.pk,
            action="request_supplement",
            actor=receiver,
            input=workflow.SupplementRequest(comment="Thiếu tờ khai"),
        )

    latest = DossierEvent.objects.filter(dossier=dossier, action="request_supplement").latest("id")
    assert queued == [(dossier.pk, latest.pk)]


def test_nothing_is_queued_until_the_step_is_committed(
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    version_a: Any,
    reachable_citizen: Any,
    receiver: Any,
) -> None:
    queued: list[tuple[int, int]] = []
    monkeypatch.setattr(tasks.notify, "delay", lambda *args: queued.append(args))
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)
        assert queued == []

    for callback in callbacks:  # the commit
        callback()
    assert queued == [(dossier.pk, DossierEvent.objects.get(dossier=dossier, action="receive").pk)]


def test_a_second_run_sends_what_a_first_run_stored_but_did_not_send(
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    version_a: Any,
    reachable_citizen: Any,
    receiver: Any,
) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)
    workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)
    event = DossierEvent.objects.get(dossier=dossier, action="receive")
    with django_capture_on_commit_callbacks(execute=False):  # the worker died before the messages went out
        tasks.notify.delay(dossier.pk, event.pk)
    assert Message.objects.filter(sent_at__isnull=True).count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        tasks.notify.delay(dossier.pk, event.pk)

    assert Message.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == 1
    assert len(sms_files(settings)) == 1
