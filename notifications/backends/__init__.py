"""Back ends that deliver messages: plug-ins of one shape (a base class, a registry, one module each).

Each channel has its back ends: ``email`` is Django's mail (``EMAIL_BACKEND``: the console by default, SMTP with
``django.core.mail.backends.smtp.EmailBackend`` and ``EMAIL_HOST``...); ``sms`` is ``console`` (the log),
``folder`` (a JSON file per SMS) or ``http`` (a gateway), as ``settings.SMS_BACKEND`` says; ``portal`` is the
message page itself. ``check_config()`` says what is missing; ``send()`` raises ``DeliveryFailed``.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings

from notifications.constants import Channel

if TYPE_CHECKING:
    from notifications.models import Message


class DeliveryFailed(Exception):
    """The message did not go out (gateway down, refused, not configured); it is recorded and tried again."""


class Backend:
    """Delivers messages of one channel."""

    channel = ""
    name = ""

    def check_config(self) -> list[str]:
        """What is missing before this back end can deliver; empty when ready."""
        return []

    def send(self, message: "Message") -> str:
        """Deliver ``message``; return the back end's reference for it (may be empty). Raise ``DeliveryFailed``."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        return f"{self.channel}:{self.name}"


class Registry:
    def __init__(self) -> None:
        self._backends: dict[tuple[str, str], type[Backend]] = {}

    def __call__(self, name: str) -> Callable[[type[Backend]], type[Backend]]:
        def register(cls: type[Backend]) -> type[Backend]:
            if cls.channel not in Channel.values:
                raise ValueError(f"{cls.__name__}.channel must be one of {Channel.values}")
            cls.name = name
            self._backends[(cls.channel, name)] = cls
            return cls

        return register

    def names(self, channel: str) -> list[str]:
        return sorted(name for kind, name in self._backends if kind == channel)

    def get(self, channel: str, name: str) -> Backend:
        cls = self._backends.get((channel, name))
        if cls is None:
            raise DeliveryFailed(
                f"Unknown {channel} back end {name!r}; known: {', '.join(self.names(channel)) or 'none'}."
            )
        return cls()


register = Registry()


def configured_name(channel: str) -> str:
    """The name of the back end that ``channel`` uses under the current settings."""
    if channel == Channel.SMS:
        return str(settings.SMS_BACKEND)
    return channel  # e-mail and the portal have one back end each; e-mail's transport is EMAIL_BACKEND


def current(channel: str) -> Backend:
    return register.get(channel, configured_name(channel))


def check_all() -> list[str]:
    """What is missing for each channel in ``settings.NOTIFY_CHANNELS``, each line naming the back end."""
    problems = []
    for channel in settings.NOTIFY_CHANNELS:
        try:
            backend = current(channel)
        except DeliveryFailed as exc:
            problems.append(str(exc))
            continue
        problems += [f"{backend.label}: {missing}" for missing in backend.check_config()]
    return problems


def _load_plugins() -> None:
    from notifications.backends import email, portal, sms_console, sms_folder, sms_http  # noqa: F401


_load_plugins()

__all__: list[Any] = ["Backend", "DeliveryFailed", "Registry", "check_all", "current", "register"]
