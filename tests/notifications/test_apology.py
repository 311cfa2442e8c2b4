"""An apology for a late dossier reaches the citizen, with the new date (it had no registrant before)."""

from datetime import timedelta
from typing import Any

from django.core import mail

from dossiers import schedule
from notifications.models import Message
from notifications.texts import local_date
from tests.factories import DossierFactory
from tests.notifications.conftest import CITIZEN_EMAIL, CITIZEN_PHONE, sms_files


def test_an_apology_tells_the_citizen_of_the_new_date_by_every_channel_once(
    django_capture_on_commit_callbacks: Any, settings: Any, version_a: Any, reachable_citizen: Any
) -> None:
    dossier = DossierFactory(version=version_a, applicant=reachable_citizen, received=True)

    with django_capture_on_commit_callbacks(execute=True):
        apology = schedule.apology_issue(
            dossier_id=dossier.pk,
            reason="Chờ kết quả xác minh của xã.",
            now=dossier.due_at + timedelta(days=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        schedule.ON_APOLOGY[-1](apology.pk)  # told twice (a retried task): no second message

    new_date = local_date(apology.new_due_at)
    [email] = mail.outbox
    assert email.to == [CITIZEN_EMAIL]
    assert email.subject == f"Xin lỗi về việc trễ hẹn hồ sơ {dossier.code}"
    assert new_date in email.body
    assert "Chờ kết quả xác minh của xã." in email.body
    [sms] = sms_files(settings)
    assert sms["to"] == CITIZEN_PHONE
    assert new_date in sms["text"]
    assert set(Message.objects.values_list("event", "channel")) == {
        ("apology", "email"),
        ("apology", "sms"),
        ("apology", "portal"),
    }
