"""Signing on a real Celery worker with the machine's Redis as broker (CI sets REDIS_URL; skipped without it).

The worker runs in a thread of the test process, on the test database, and listens on a queue of its own, so that
no other worker sharing the Redis server takes these tasks. Each wait is on a task's result, never on the clock.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
from celery.backends.redis import RedisBackend
from celery.contrib.testing.worker import start_worker
from celery.signals import after_task_publish
from django.conf import settings
from kombu.exceptions import OperationalError

from dossiers import tasks, workflow
from dossiers.constants import State
from dossiers.models import Dossier, DossierEvent, Result
from portal.celery import app
from tests.signing.conftest import result_pdf, validate

pytestmark = [
    pytest.mark.skipif(
        not settings.REDIS_URL, reason="needs REDIS_URL: a real worker needs the Redis broker"
    ),
    pytest.mark.django_db(transaction=True),
    # Celery's Redis result backend still calls redis-py's setex.
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

TIMEOUT = 60  # seconds a task may take before the test gives up on it


@dataclass
class Worker:
    """The running worker's queue, its result store, and the ids of the tasks sent to it."""

    queue: str
    backend: RedisBackend
    signing_tasks: list[str] = field(default_factory=list)
    sweeps: list[str] = field(default_factory=list)

    def wait_for_signing(self) -> None:
        """Wait until every signing task sent so far has run; a task that failed fails the test."""
        assert self.signing_tasks, "no signing task was sent"
        for task_id in self.signing_tasks:
            tasks.sign_result.AsyncResult(task_id).get(timeout=TIMEOUT)


@pytest.fixture
def worker(transactional_db: None, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:
    """A solo worker in a thread, consuming a queue of this test only; tasks are sent to it, not run in process."""
    queue = f"test-signing-{uuid.uuid4().hex}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.CELERY_WORKER_HIJACK_ROOT_LOGGER = False
    # The portal keeps no task results; these tests wait on them, so the two tasks they wait on store theirs.
    backend = RedisBackend(app=app, url=settings.REDIS_URL)
    monkeypatch.setattr(tasks.sign_result, "_backend", backend)
    monkeypatch.setattr(tasks.sweep_signing, "_backend", backend)
    running = Worker(queue=queue, backend=backend)

    def record(sender: str | None = None, headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if sender == tasks.sign_result.name and headers:
            running.signing_tasks.append(headers["id"])
        elif sender == tasks.sweep_signing.name and headers:
            running.sweeps.append(headers["id"])

    after_task_publish.connect(record, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=TIMEOUT
        ):
            yield running
    finally:
        after_task_publish.disconnect(record)
        for task_id in running.signing_tasks + running.sweeps:
            backend.forget(task_id)
        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()


def assert_signed_once(dossier: Dossier) -> None:
    dossier.refresh_from_db()
    assert dossier.state == State.RESULT_READY
    assert Result.objects.filter(dossier=dossier).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action="signed").count() == 1


def test_a_real_worker_signs_an_approved_dossier(
    worker: Worker, assessed: Dossier, approver: Any, demo_pki: Any
) -> None:
    workflow.apply(dossier_id=assessed.pk, action="approve", actor=approver)

    assert len(worker.signing_tasks) == 1
    worker.wait_for_signing()

    assert_signed_once(assessed)
    assert validate(result_pdf(assessed), demo_pki.ca_asn1()).bottom_line


def test_the_sweep_finishes_a_dossier_approved_while_the_broker_was_down(
    worker: Worker, assessed: Dossier, approver: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = app.connection_for_write("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        with monkeypatch.context() as outage:
            outage.setattr(
                tasks.sign_result,
                "delay",
                lambda *args, **kwargs: tasks.sign_result.apply_async(args, kwargs, connection=unreachable),
            )
            with pytest.raises(OperationalError):  # the outage is real: kombu cannot reach the broker
                tasks.sign_result.delay(assessed.pk)

            workflow.apply(dossier_id=assessed.pk, action="approve", actor=approver)
    finally:
        unreachable.release()

    assessed.refresh_from_db()
    assert assessed.state == State.SIGNING
    assert assessed.signing_queued_at is not None
    assert worker.signing_tasks == []
    assert not Result.objects.exists()

    # The broker is back; the beat's sweep runs on the worker and queues the signing again.
    settings.SIGNING_SWEEP_AFTER = 0
    assert tasks.sweep_signing.delay().get(timeout=TIMEOUT) == 1
    worker.wait_for_signing()

    assert_signed_once(assessed)
