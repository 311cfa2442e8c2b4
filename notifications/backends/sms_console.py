"""SMS to the log: the embedded default, for development and the demo."""

import logging

from notifications.backends import Backend, register
from notifications.constants import Channel
from notifications.models import Message

log = logging.getLogger("notifications.sms")


@register("console")
class ConsoleSms(Backend):
    channel = Channel.SMS

    def send(self, message: Message) -> str:
        log.info("SMS to %s: %s", message.to_address, message.body)
        return ""
