"""The messages page: one's own messages on every channel, newest first; unread ones marked; opening marks read."""

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Message, Preference

INBOX = "/messages/"


def message(recipient: Any, subject: str, channel: str = "portal", **fields: Any) -> Message:
    values = {
        "key": f"page:{recipient.pk}:{channel}:{subject}",
        "recipient": recipient,
        "channel": channel,
        "to_address": "" if channel == "portal" else "0912345678",
        "event": "receive",
        "subject": subject,
        "body": f"{subject}\nTra cứu hồ sơ: https://dichvucong.example.vn/lookup/?code=X&key=Y",
        "sent_at": timezone.now(),
        **fields,
    }
    return Message.objects.create(**values)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_messages_page_shows_only_ones_own_messages(citizen: Any, citizen2: Any) -> None:
    message(citizen, "Hồ sơ H12.01-261123-0001 đã được tiếp nhận")
    message(citizen2, "Hồ sơ H12.01-261123-0002 cần bổ sung, hoàn thiện")

    page = logged_in(citizen).get(INBOX).content.decode()

    assert "H12.01-261123-0001" in page
    assert "H12.01-261123-0002" not in page


def test_the_messages_page_lists_every_channel_with_its_badge_newest_first(citizen: Any) -> None:
    message(citizen, "First: by e-mail", channel="email")
    message(citizen, "Second: by SMS", channel="sms")
    message(citizen, "Third: in the portal")

    page = logged_in(citizen).get(INBOX).content.decode()

    assert page.index("Third: in the portal") < page.index("Second: by SMS") < page.index("First: by e-mail")
    for channel in ("email", "sms", "portal"):
        assert f"badge channel-{channel}" in page


def test_unread_portal_messages_are_marked_and_opening_one_marks_it_read(citizen: Any) -> None:
    unread = message(citizen, "Đã có kết quả giải quyết hồ sơ H12.01-261123-0003")
    message(citizen, "Hồ sơ H12.01-261123-0004 đã hoàn thành", read_at=timezone.now())
    client = logged_in(citizen)

    before = client.get(INBOX).content.decode()
    opened = client.get(f"{INBOX}{unread.pk}/")
    after = client.get(INBOX).content.decode()

    assert before.count('class="badge unread"') == 1
    assert opened.status_code == 200
    assert "https://dichvucong.example.vn/lookup/?code=X&amp;key=Y" in opened.content.decode()
    unread.refresh_from_db()
    assert unread.read_at is not None
    assert 'class="badge unread"' not in after


def test_opening_someone_elses_message_is_not_found_and_leaves_it_unread(citizen: Any, citizen2: Any) -> None:
    theirs = message(citizen2, "Hồ sơ H12.01-261123-0005 đã được tiếp nhận")

    response = logged_in(citizen).get(f"{INBOX}{theirs.pk}/")

    assert response.status_code == 404
    assert "H12.01-261123-0005" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("path", [INBOX, f"{INBOX}1/"])
def test_anonymous_visitors_are_asked_to_log_in(db: Any, path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_messages_page_pages_by_keyset(citizen: Any) -> None:
    for number in range(25):
        message(citizen, f"Message {number:02d}")
    client = logged_in(citizen)

    first = client.get(INBOX).content.decode()
    [older] = re.findall(r'href="(/messages/\?cursor=\d+)"', first)
    second = client.get(older).content.decode()

    assert re.findall(r"Message (\d\d)", first) == [f"{n:02d}" for n in range(24, 4, -1)]
    assert re.findall(r"Message (\d\d)", second) == [f"{n:02d}" for n in range(4, -1, -1)]
    assert "cursor=" not in second.split("Message 00")[1]  # no page after the last


def test_staff_see_their_deadline_messages_too(assessor: Any) -> None:
    message(assessor, "Hồ sơ H12.01-261123-0006 đã quá hạn", event="overdue")

    assert "H12.01-261123-0006" in logged_in(assessor).get(INBOX).content.decode()


@pytest.mark.parametrize(("language", "saved"), [("en", "en"), ("vi", "vi"), ("fr", None)])
def test_a_person_chooses_the_language_of_their_messages(
    citizen: Any, language: str, saved: str | None
) -> None:
    response = logged_in(citizen).post(f"{INBOX}language/", {"language": language})

    assert response.status_code == 302
    assert Preference.objects.filter(user=citizen).values_list("language", flat=True).first() == saved


def test_the_citizens_menu_links_to_the_messages_page(citizen: Any) -> None:
    page = logged_in(citizen).get(INBOX).content.decode()

    assert f'<a href="{INBOX}">' in page
