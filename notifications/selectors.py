"""Read queries of notifications: a person's messages, newest first, one keyset page at a time."""

from typing import Any

from notifications.constants import Channel
from notifications.models import Message
from portal.pagination import Page, keyset_page


def inbox_page(user: Any, *, after: int | None, size: int) -> Page[Message]:
    """``user``'s messages on every channel, newest first; ``after`` is the last id of the page before."""
    messages = Message.objects.filter(recipient_id=user.pk).select_related("dossier")
    return keyset_page(messages, after=after, size=size)


def unread_count(user: Any) -> int:
    return Message.objects.filter(recipient_id=user.pk, channel=Channel.PORTAL, read_at__isnull=True).count()


def language_of(user: Any) -> str:
    from notifications.texts import language_or_default

    preference = getattr(user, "notification_preference", None)
    return language_or_default(preference.language if preference else None)
