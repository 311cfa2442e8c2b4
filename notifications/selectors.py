"""Read queries of notifications: a person's messages, newest first, one keyset page at a time."""

from dataclasses import dataclass
from typing import Any

from notifications.constants import Channel
from notifications.models import Message


@dataclass(frozen=True)
class Page:
    items: list[Message]
    next_cursor: int | None


def inbox_page(user: Any, *, after: int | None, size: int) -> Page:
    """``user``'s messages on every channel, newest first; ``after`` is the last id of the page before."""
    messages = Message.objects.filter(recipient_id=user.pk).select_related("dossier")
    if after is not None:
        messages = messages.filter(id__lt=after)
    items = list(messages.order_by("-id")[: size + 1])
    more = len(items) > size
    items = items[:size]
    return Page(items=items, next_cursor=items[-1].pk if more and items else None)


def unread_count(user: Any) -> int:
    return Message.objects.filter(recipient_id=user.pk, channel=Channel.PORTAL, read_at__isnull=True).count()


def language_of(user: Any) -> str:
    from notifications.texts import language_or_default

    preference = getattr(user, "notification_preference", None)
    return language_or_default(preference.language if preference else None)
