"""The delivery back ends: e-mail through Django's mail, SMS to the log, to a folder or to an HTTP gateway, and
what each says is missing from its configuration."""

import json
import logging
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from notifications import backends, services, tasks
from notifications.backends import DeliveryFailed
from notifications.models import Message
from tests.notifications.conftest import Gateway, sms_files


def make_message(channel: str = "sms", to_address: str = "0912345678", **fields: Any) -> Message:
    values = {
        "key": f"test:{channel}:{to_address}:{Message.objects.count()}",
        "channel": channel,
        "to_address": to_address,
        "event": "receive",
        "subject": "Hồ sơ H12.01-261123-0007 đã được tiếp nhận",
        "body": "Hồ sơ H12.01-261123-0007 đã được tiếp nhận. Hẹn trả kết quả: 17:00 ngày 01/12/2026.",
        **fields,
    }
    return Message.objects.create(**values)


# --- The folder and the console ------------------------------------------------------------------------------


def test_the_folder_back_end_writes_one_json_file_per_sms(db: Any, settings: Any) -> None:
    message = make_message()

    services.message_send(message_id=message.pk)

    files = list(Path(settings.SMS_FOLDER).iterdir())
    assert [path.suffix for path in files] == [".json"]
    written = json.loads(files[0].read_text(encoding="utf-8"))
    assert written["to"] == "0912345678"
    assert written["text"] == message.body  # Vietnamese as it is, not \u-escaped
    assert "Hẹn trả kết quả" in files[0].read_text(encoding="utf-8")
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.backend == "sms:folder"
    assert message.reference == files[0].name


def test_the_console_sms_back_end_writes_the_sms_to_the_log(
    db: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SMS_BACKEND = "console"
    message = make_message()

    with caplog.at_level(logging.INFO, logger="notifications.sms"):
        services.message_send(message_id=message.pk)

    assert f"SMS to 0912345678: {message.body}" in caplog.text
    assert sms_files(settings) == []
    message.refresh_from_db()
    assert message.sent_at is not None and message.backend == "sms:console"


def test_the_console_email_back_end_prints_the_mail(
    db: Any, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    message = make_message(channel="email", to_address="an.nguyen@example.vn")

    services.message_send(message_id=message.pk)

    printed = capsys.readouterr().out
    assert "To: an.nguyen@example.vn" in printed
    assert "Hẹn trả kết quả: 17:00 ngày 01/12/2026" in printed
    message.refresh_from_db()
    assert message.sent_at is not None and message.backend == "email:email"


def test_a_portal_message_is_delivered_by_being_stored(db: Any, citizen: Any) -> None:
    message = make_message(channel="portal", to_address="", recipient=citizen)

    services.message_send(message_id=message.pk)

    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.unread


def test_a_sent_message_is_never_sent_again(db: Any, settings: Any) -> None:
    message = make_message()

    first = services.message_send(message_id=message.pk)
    second = services.message_send(message_id=message.pk)

    assert first is not None and second is None
    assert len(sms_files(settings)) == 1
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_a_message_another_sender_holds_is_left_to_it(db: Any, settings: Any) -> None:
    message = make_message(claimed_until=timezone.now() + timedelta(minutes=1))

    assert services.message_send(message_id=message.pk) is None
    assert sms_files(settings) == []
    # A sender that died lets go when its claim runs out.
    assert services.message_send(message_id=message.pk, now=timezone.now() + timedelta(minutes=2)) is not None
    assert len(sms_files(settings)) == 1


# --- The HTTP gateway ----------------------------------------------------------------------------------------


@pytest.fixture
def http_sms(settings: Any, gateway: Gateway) -> Gateway:
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = "gw-token-123"
    return gateway


def test_the_http_back_end_posts_the_sms_as_json_with_the_token(db: Any, http_sms: Gateway) -> None:
    message = make_message()

    services.message_send(message_id=message.pk)

    [received] = http_sms.requests
    assert received["path"] == "/sms"
    assert received["authorization"] == "Bearer gw-token-123"
    assert received["content_type"].startswith("application/json")
    assert received["json"] == {"to": "0912345678", "text": message.body, "reference": message.key}
    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.reference == "gw-1"


def test_a_gateway_error_is_recorded_and_the_sms_is_sent_when_tried_again(db: Any, http_sms: Gateway) -> None:
    http_sms.statuses = [503]
    message = make_message()

    with pytest.raises(DeliveryFailed):
        services.message_send(message_id=message.pk)

    message.refresh_from_db()
    assert message.sent_at is None
    assert message.failed_at is not None
    assert "503" in message.error
    assert message.attempts == 1
    assert message.claimed_until is None

    # The beat's resend, once the message is a minute old and its back-off has passed.
    later = timezone.now() + timedelta(minutes=5)
    assert services.pending_message_ids(now=later) == [message.pk]
    services.message_send(message_id=message.pk, now=later)

    message.refresh_from_db()
    assert message.sent_at is not None
    assert message.attempts == 2
    assert len(http_sms.requests) == 2
    assert http_sms.requests[0]["json"] == http_sms.requests[1]["json"]


def test_resend_pending_sends_what_the_gateway_refused_before(db: Any, http_sms: Gateway) -> None:
    http_sms.statuses = [500]
    message = make_message()
    tasks.send_message.delay(message.pk)  # in process, a failure is left to the beat
    message.refresh_from_db()
    assert message.sent_at is None and "500" in message.error

    past = timezone.now() - timedelta(minutes=10)
    Message.objects.filter(pk=message.pk).update(created_at=past, failed_at=past)
    assert tasks.resend_pending.delay().get() == 1

    message.refresh_from_db()
    assert message.sent_at is not None
    assert len(http_sms.requests) == 2


def test_a_failed_delivery_is_raised_for_the_worker_to_retry_with_backoff(db: Any, http_sms: Gateway) -> None:
    http_sms.statuses = [502]
    message = make_message()

    # Called as a worker calls it (not in process): the failure is raised, so Celery retries the task.
    with pytest.raises(DeliveryFailed, match="502"):
        tasks.send_message(message.pk)

    assert Message.objects.get(pk=message.pk).attempts == 1


def test_an_unreachable_gateway_is_recorded_as_such(db: Any, settings: Any) -> None:
    with socket.socket() as probe:  # a free port that nobody listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{port}/sms"
    settings.SMS_HTTP_TOKEN = "gw-token-123"
    message = make_message()

    with pytest.raises(DeliveryFailed):
        services.message_send(message_id=message.pk)

    message.refresh_from_db()
    assert message.sent_at is None
    assert "unreachable" in message.error


def test_messages_are_given_up_after_the_attempt_limit(db: Any, settings: Any) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 3
    long_ago = timezone.now() - timedelta(days=1)
    tried_enough = make_message(attempts=3, failed_at=long_ago, created_at=long_ago)
    tried_less = make_message(to_address="0987654321", attempts=2, failed_at=long_ago, created_at=long_ago)

    assert services.pending_message_ids() == [tried_less.pk]
    assert tried_enough.pk not in services.pending_message_ids()


def test_a_new_message_waits_a_minute_before_the_beat_resends_it(db: Any) -> None:
    message = make_message()

    assert services.pending_message_ids() == []
    assert services.pending_message_ids(now=message.created_at + timedelta(minutes=1)) == [message.pk]


# --- What is missing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"SMS_HTTP_URL": "", "SMS_HTTP_TOKEN": ""},
            ["SMS_HTTP_URL is not set", "SMS_HTTP_TOKEN is not set"],
        ),
        (
            {"SMS_HTTP_URL": "https://sms.example.vn/send", "SMS_HTTP_TOKEN": ""},
            ["SMS_HTTP_TOKEN is not set"],
        ),
        ({"SMS_HTTP_URL": "", "SMS_HTTP_TOKEN": "t"}, ["SMS_HTTP_URL is not set"]),
        ({"SMS_HTTP_URL": "ftp://sms.example.vn/", "SMS_HTTP_TOKEN": "t"}, ["is not an http(s) address"]),
        ({"SMS_HTTP_URL": "https://sms.example.vn/send", "SMS_HTTP_TOKEN": "t"}, []),
    ],
)
def test_the_http_back_end_says_what_is_missing(
    settings: Any, overrides: dict[str, str], expected: list[str]
) -> None:
    for name, value in overrides.items():
        setattr(settings, name, value)

    missing = backends.register.get("sms:http").check_config()

    assert len(missing) == len(expected)
    for problem, words in zip(missing, expected, strict=True):
        assert words in problem


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": ""}, "EMAIL_HOST"),
        ({"EMAIL_BACKEND": "portal.no_such_mail.Backend"}, "cannot be imported"),
        ({"SMS_BACKEND": "carrier-pigeon"}, "Unknown sms back end 'carrier-pigeon'"),
    ],
)
def test_the_start_up_check_names_what_a_configured_back_end_lacks(
    settings: Any, overrides: dict[str, str], expected: str
) -> None:
    for name, value in overrides.items():
        setattr(settings, name, value)

    with pytest.raises(SystemCheckError, match="notifications.E001") as error:
        call_command("check", "--tag", "notifications")

    assert expected in str(error.value)


def test_the_folder_back_end_refuses_a_file_in_place_of_its_folder(settings: Any, tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    settings.SMS_FOLDER = str(tmp_path / "not-a-folder")

    assert backends.register.get("sms:folder").check_config() == [
        f"SMS_FOLDER={settings.SMS_FOLDER!r} is not a folder"
    ]


def test_the_default_configuration_needs_nothing_more(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SMS_BACKEND = "console"

    assert backends.check_all() == []
