"""Back ends that deliver messages: plug-ins of one shape (a base class, a registry, one module each).

Each channel has its back ends: ``email`` is Django's mail (``EMAIL_BACKEND``: the console by default, SMTP with
``django.core.mail.backends.smtp.EmailBackend`` and ``EMAIL_HOST``...); ``sms`` is ``console`` (the log),
``folder`` (a JSON file per SMS) or ``http`` (a gateway), as ``settings.SMS_BACKEND`` says; ``portal`` is the
message page itself. ``check_config()`` says what is missing; ``send()`` raises ``DeliveryFailed``.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings

from notifications.constants import Channel
from portal.registry import Plugin, Registry

if TYPE_CHECKING:
    from notifications.models import Message


class DeliveryFailed(Exception):
    """The message did not go out (gateway down, refused, not configured); it is recorded and tried again."""


class Backend(Plugin):
    """Delivers messages of one channel."""

    channel = ""

    def send(self, message: "Message") -> str:
        """Deliver ``message``; return the back end's reference for it (may be empty). Raise ``DeliveryFailed``."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        return f"{self.channel}:{self.name}"


class BackendRegistry(Registry[Backend]):
    """Back ends by ``channel:name`` (``sms:http``), each channel with its own names."""

    def key(self, cls: type[Backend], name: str) -> str:
        if cls.channel not in Channel.values:
            raise ValueError(f"{cls.__name__}.channel must be one of {Channel.values}")
        return f"{cls.channel}:{name}"

    def unknown_message(self, key: str) -> str:
        channel, _, name = key.partition(":")
        known = [known.partition(":")[2] for known in self.names() if known.startswith(f"{channel}:")]
        return f"Unknown {channel} back end {name!r}; known: {', '.join(known) or 'none'}."


register = BackendRegistry("back end", error=DeliveryFailed)


def configured_name(channel: str) -> str:
    """The name of the back end that ``channel`` uses under the current settings."""
    if channel == Channel.SMS:
        return str(settings.SMS_BACKEND)
    return channel  # e-mail and the portal have one back end each; e-mail's transport is EMAIL_BACKEND


def configured_key(channel: str) -> str:
    """What the back end that ``channel`` uses under the current settings is registered as."""
    return f"{channel}:{configured_name(channel)}"


def current(channel: str) -> Backend:
    return register.get(configured_key(channel))


def check_all() -> list[str]:
    """What is missing for each channel in ``settings.NOTIFY_CHANNELS``, each line naming the back end."""
    return register.problems(configured_key(channel) for channel in settings.NOTIFY_CHANNELS)


def _load_plugins() -> None:
    from notifications.backends import email, portal, sms_console, sms_folder, sms_http  # noqa: F401


_load_plugins()

__all__: list[Any] = ["Backend", "BackendRegistry", "DeliveryFailed", "check_all", "current", "register"]
