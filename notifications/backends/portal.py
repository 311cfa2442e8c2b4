"""In-portal messages: the stored message is the delivery; the recipient reads it on the messages page."""

from notifications.backends import Backend, register
from notifications.constants import Channel
from notifications.models import Message


@register("portal")
class PortalBackend(Backend):
    channel = Channel.PORTAL

    def send(self, message: Message) -> str:
        return ""
