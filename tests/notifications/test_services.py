"""The citizen hears of every step of their dossier, by e-mail, SMS and in the portal, in their language."""

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.constants import Role
from dossiers import workflow
from dossiers.models import Dossier, DossierEvent
from notifications import services
from notifications.models import Message, Preference
from tests.dossiers.conftest import attach_required_papers
from tests.factories import DossierFactory, UserFactory
from tests.notifications.conftest import BASE_URL, CITIZEN_EMAIL, CITIZEN_PHONE, sms_files

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SUPPLEMENT_REASON = "Thiếu bản sao giấy chứng nhận quyền sử dụng đất"
REFUSAL_REASON = "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan"

# Each step the citizen hears of: the dossier before it (factory traits), who takes it, and the comment.
STEPS: dict[str, tuple[dict[str, Any], str | None, str]] = {
    "submit": ({}, "citizen", ""),
    "receive": ({"submitted": True}, "receiver", ""),
    "request_supplement": ({"received": True}, "assessor", SUPPLEMENT_REASON),
    "refuse": ({"submitted": True}, "receiver", REFUSAL_REASON),
    "signed": ({"approved": True}, None, ""),
    "return": ({"result_ready": True}, "receiver", ""),
}
EVENTS = {"signed": "result_ready"}

SUBJECTS = {
    ("submit", "vi"): "Đã gửi hồ sơ {code}",
    ("submit", "en"): "Dossier {code} sent",
    ("receive", "vi"): "Hồ sơ {code} đã được tiếp nhận – hẹn trả kết quả ngày {due}",
    ("receive", "en"): "Dossier {code} received – result due on {due}",
    ("request_supplement", "vi"): "Hồ sơ {code} cần bổ sung, hoàn thiện",
    ("request_supplement", "en"): "Dossier {code} needs more papers",
    ("refuse", "vi"): "Hồ sơ {code} không được tiếp nhận",
    ("refuse", "en"): "Dossier {code} was not accepted",
    ("signed", "vi"): "Đã có kết quả giải quyết hồ sơ {code}",
    ("signed", "en"): "The result of dossier {code} is ready",
    ("return", "vi"): "Hồ sơ {code} đã hoàn thành",
    ("return", "en"): "Dossier {code} is finished",
}
# What the e-mail and the portal message say besides the code and the links.
FACTS = {
    ("submit", "vi"): ["Trạng thái: Đã gửi, chờ tiếp nhận", "Mã tra cứu: {key}", "Thủ tục: {procedure}"],
    ("submit", "en"): ["Status: Sent, waiting to be received", "Lookup key: {key}", "Procedure: {procedure}"],
    ("receive", "vi"): ["Ngày hẹn trả kết quả: 17:00 ngày {due}", "Trạng thái: Đã tiếp nhận, đang xử lý"],
    ("receive", "en"): ["Result due: {due} at 17:00", "Status: Received, being checked"],
    ("request_supplement", "vi"): [f"Nội dung cần bổ sung: {SUPPLEMENT_REASON}", "Bổ sung trực tuyến tại"],
    ("request_supplement", "en"): [f"What is needed: {SUPPLEMENT_REASON}", "Provide it online"],
    ("refuse", "vi"): [f"Lý do: {REFUSAL_REASON}", "Trạng thái: Từ chối tiếp nhận"],
    ("refuse", "en"): [f"Reason: {REFUSAL_REASON}", "Status: Refused"],
    ("signed", "vi"): ["Kết quả: Chấp thuận", "Tải kết quả tại: {dossier_url}"],
    ("signed", "en"): ["Decision: Granted", "Download it: {dossier_url}"],
    ("return", "vi"): ["Trạng thái: Hoàn thành: đã trả kết quả", "Cảm ơn Ông/Bà đã sử dụng dịch vụ công"],
    ("return", "en"): [
        "Status: Finished: result handed over",
        "Thank you for using the public services portal",
    ],
}
# What the short SMS must still carry.
SMS_FACTS = {
    "submit": ["{lookup_url}"],
    "receive": ["{due}", "{key}"],
    "request_supplement": [SUPPLEMENT_REASON],
    "refuse": [REFUSAL_REASON],
    "signed": ["{dossier_url}"],
    "return": [],
}


def act(capture: Any, dossier: Dossier, action: str, actor: Any, comment: str = "", **params: Any) -> Dossier:
    """Take ``action`` and run what the workflow queues after commit (the messages among it)."""
    with capture(execute=True):
        given = workflow.TRANSITIONS[action].input(comment=comment, **params)
        workflow.apply(dossier_id=dossier.pk, action=action, actor=actor, input=given)
    dossier.refresh_from_db()
    return dossier


def dossier_at_step(action: str, version: Any, applicant: Any) -> Dossier:
    traits, _actor, _comment = STEPS[action]
    dossier = DossierFactory(version=version, applicant=applicant, **traits)
    if action == "submit":
        attach_required_papers(dossier)
    return dossier


def local_date(moment: Any) -> str:
    return timezone.localtime(moment, TZ).strftime("%d/%m/%Y")


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("action", list(STEPS))
def test_each_step_reaches_the_citizen_by_email_sms_and_portal_in_their_language(
    request: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    version_a: Any,
    reachable_citizen: Any,
    action: str,
    language: str,
) -> None:
    if language != "vi":
        Preference.objects.create(user=reachable_citizen, language=language)
    dossier = dossier_at_step(action, version_a, reachable_citizen)
    _traits, actor_name, comment = STEPS[action]
    actor = request.getfixturevalue(actor_name) if actor_name else None

    dossier = act(django_capture_on_commit_callbacks, dossier, action, actor, comment)

    facts = {
        "code": dossier.code,
        "key": dossier.lookup_key,
        "due": local_date(dossier.due_at) if dossier.due_at else "",
        "procedure": version_a.name,
        "lookup_url": f"{BASE_URL}/lookup/?code={dossier.code}&key={dossier.lookup_key}",
        "dossier_url": f"{BASE_URL}/dossiers/{dossier.pk}/",
    }
    subject = SUBJECTS[(action, language)].format(**facts)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [CITIZEN_EMAIL]
    assert email.subject == subject
    for fact in [facts["code"], facts["lookup_url"], *FACTS[(action, language)]]:
        assert fact.format(**facts) in email.body

    [sms] = sms_files(settings)
    assert sms["to"] == CITIZEN_PHONE
    assert sms["language"] == language
    for fact in [facts["code"], *SMS_FACTS[action]]:
        assert fact.format(**facts) in sms["text"]

    [portal] = Message.objects.filter(channel="portal")
    assert portal.recipient == reachable_citizen
    assert portal.subject == subject
    assert portal.body == email.body
    assert portal.unread
    assert set(Message.objects.values_list("event", "language", "dossier_id").distinct()) == {
        (EVENTS.get(action, action), language, dossier.pk)
    }
    assert Message.objects.filter(sent_at__isnull=True).count() == 0


def test_vietnamese_is_the_language_of_messages_unless_the_citizen_chose_another(
    django_capture_on_commit_callbacks: Any, version_a: Any, reachable_citizen: Any, receiver: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)

    act(django_capture_on_commit_callbacks, dossier, "receive", receiver)

    assert mail.outbox[0].subject.startswith(f"Hồ sơ {dossier.code} đã được tiếp nhận")
    assert "Kính gửi Nguyễn Văn An" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("traits", "action", "actor_name", "params"),
    [
        ({"received": True}, "assess", "assessor", {"outcome": "grant"}),
        ({"assessed": True}, "send_back", "approver", {"comment": "Cần thẩm định lại"}),
        ({"submitted": True}, "withdraw", "citizen", {}),
    ],
)
def test_steps_inside_the_agency_send_the_citizen_nothing(
    request: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    version_a: Any,
    reachable_citizen: Any,
    traits: dict[str, Any],
    action: str,
    actor_name: str,
    params: dict[str, Any],
) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, **traits)

    act(django_capture_on_commit_callbacks, dossier, action, request.getfixturevalue(actor_name), **params)

    assert DossierEvent.objects.filter(dossier=dossier, action=action).exists()
    assert Message.objects.count() == 0
    assert mail.outbox == []
    assert sms_files(settings) == []


def test_a_walk_in_without_an_account_gets_sms_and_email_at_the_phone_and_address_given_at_the_counter(
    django_capture_on_commit_callbacks: Any, settings: Any, version_a: Any, receiver: Any
) -> None:
    dossier = DossierFactory(
        version=version_a,
        applicant=None,
        created_by=receiver,
        channel="counter",
        submitted=True,
        applicant_data={
            "full_name": "Trần Thị Bình",
            "id_number": "001190000456",
            "phone": "0987 654 321",
            "email": "binh.tran@example.vn",
        },
    )

    dossier = act(django_capture_on_commit_callbacks, dossier, "receive", receiver)

    [email] = mail.outbox
    assert email.to == ["binh.tran@example.vn"]
    assert "Kính gửi Trần Thị Bình" in email.body
    assert f"{BASE_URL}/lookup/?code={dossier.code}&key={dossier.lookup_key}" in email.body
    assert f"/dossiers/{dossier.pk}/" not in email.body  # no account: the lookup is their way in
    [sms] = sms_files(settings)
    assert sms["to"] == "0987654321"
    assert dossier.code in sms["text"]
    assert set(Message.objects.values_list("channel", "recipient")) == {("email", None), ("sms", None)}


def test_a_citizen_without_an_email_address_gets_sms_and_portal_messages_only(
    django_capture_on_commit_callbacks: Any, settings: Any, version_a: Any, citizen: Any, receiver: Any
) -> None:
    # No profile, no e-mail on the account: only the phone given in the dossier.
    dossier = DossierFactory(version=version_a, applicant=citizen, submitted=True)

    act(django_capture_on_commit_callbacks, dossier, "receive", receiver)

    assert mail.outbox == []
    assert [sms["to"] for sms in sms_files(settings)] == ["0912345678"]
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["portal", "sms"]


def test_only_the_channels_the_province_enabled_are_used(
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    version_a: Any,
    reachable_citizen: Any,
    receiver: Any,
) -> None:
    settings.NOTIFY_CHANNELS = ["portal"]
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)

    act(django_capture_on_commit_callbacks, dossier, "receive", receiver)

    assert mail.outbox == []
    assert sms_files(settings) == []
    assert list(Message.objects.values_list("channel", flat=True)) == ["portal"]


def test_a_message_sent_late_tells_of_its_own_step_not_of_where_the_dossier_is_now(
    settings: Any, version_a: Any, reachable_citizen: Any, receiver: Any, assessor: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)
    workflow.apply(dossier_id=dossier.pk, action="receive", actor=receiver)
    workflow.apply(
        dossier_id=dossier.pk, action="assess", actor=assessor, input=workflow.Assessment(outcome="grant")
    )
    received = DossierEvent.objects.get(dossier=dossier, action="receive")

    services.notify_dossier_event(dossier_id=dossier.pk, event_id=received.pk)

    assert "Trạng thái: Đã tiếp nhận, đang xử lý" in Message.objects.get(channel="portal").body


def test_every_supplement_request_is_told_even_for_the_same_dossier(
    django_capture_on_commit_callbacks: Any, version_a: Any, reachable_citizen: Any, receiver: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)
    attach_required_papers(dossier)
    act(django_capture_on_commit_callbacks, dossier, "request_supplement", receiver, "Thiếu tờ khai")
    act(django_capture_on_commit_callbacks, dossier, "resubmit", reachable_citizen)
    act(django_capture_on_commit_callbacks, dossier, "request_supplement", receiver, "Tờ khai chưa có chữ ký")

    bodies = [m.body for m in Message.objects.filter(channel="portal").order_by("id")]
    assert len(bodies) == 2
    assert "Thiếu tờ khai" in bodies[0]
    assert "Tờ khai chưa có chữ ký" in bodies[1]


def test_an_event_of_another_dossier_makes_no_message(version_a: Any, reachable_citizen: Any) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, submitted=True)
    other = DossierFactory(version=version_a, applicant=UserFactory(role=Role.CITIZEN), submitted=True)
    event = DossierEvent.objects.create(
        dossier=other, action="submit", to_state="submitted", at=timezone.now()
    )

    assert services.notify_dossier_event(dossier_id=dossier.pk, event_id=event.pk) == []
    assert Message.objects.count() == 0
