"""SMS as files: one JSON file per SMS in ``settings.SMS_FOLDER`` (var/sms/ by default), for tests and demos."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.backends import Backend, DeliveryFailed, register
from notifications.constants import Channel
from notifications.models import Message


@register("folder")
class FolderSms(Backend):
    channel = Channel.SMS

    def check_config(self) -> list[str]:
        if not settings.SMS_FOLDER:
            return ["SMS_FOLDER is not set"]
        folder = Path(settings.SMS_FOLDER)
        if folder.exists() and not folder.is_dir():
            return [f"SMS_FOLDER={settings.SMS_FOLDER!r} is not a folder"]
        return []

    def send(self, message: Message) -> str:
        folder = Path(settings.SMS_FOLDER)
        # Named by the message: a second delivery of the same message replaces its file, never adds one.
        # A message sent without being stored (a one-time code) is named by its key.
        path = folder / (
            f"sms-{message.pk:010d}.json" if message.pk else f"sms-{message.key.replace(':', '-')}.json"
        )
        record = {
            "id": message.pk,
            "key": message.key,
            "to": message.to_address,
            "text": message.body,
            "language": message.language,
            "written_at": timezone.now().isoformat(),
        }
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
            partial.replace(path)
        except OSError as exc:
            raise DeliveryFailed(f"could not write {path}: {exc}") from exc
        return path.name
