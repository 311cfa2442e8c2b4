"""E-mail through Django's mail: ``EMAIL_BACKEND`` is the console by default and Django's SMTP back end in
production (``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.module_loading import import_string

from notifications.backends import Backend, DeliveryFailed, register
from notifications.constants import Channel
from notifications.models import Message

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@register("email")
class EmailBackend(Backend):
    channel = Channel.EMAIL

    def check_config(self) -> list[str]:
        missing = []
        try:
            import_string(settings.EMAIL_BACKEND)
        except ImportError:
            missing.append(f"EMAIL_BACKEND={settings.EMAIL_BACKEND!r} cannot be imported")
        if settings.EMAIL_BACKEND == SMTP:
            if not settings.EMAIL_HOST:
                missing.append("EMAIL_HOST is not set")
            if settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
                missing.append("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
        if not settings.DEFAULT_FROM_EMAIL:
            missing.append("DEFAULT_FROM_EMAIL is not set")
        return missing

    def send(self, message: Message) -> str:
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to_address],
            headers={"X-Portal-Message": message.key},
            connection=get_connection(fail_silently=False),
        )
        try:
            mail.send()
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"e-mail to {message.to_address} failed: {exc}") from exc
        return ""
