"""SMS through an HTTP gateway: ``POST SMS_HTTP_URL`` with a JSON body and ``Authorization: Bearer
SMS_HTTP_TOKEN``.

The body is ``{"to", "text", "reference"}``; ``reference`` is the message's unique key, so a gateway that keeps
references can drop a message it already has. A 2xx answer is a delivery (its JSON ``id``, if any, is kept); any
other answer, a timeout or a refused connection is recorded on the message and tried again.
"""

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from notifications.backends import Backend, DeliveryFailed, register
from notifications.constants import Channel
from notifications.models import Message


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET whose 200 says nothing about the SMS: it is an answer like any other
    # non-2xx one.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@register("http")
class HttpSms(Backend):
    channel = Channel.SMS

    def check_config(self) -> list[str]:
        missing = []
        url = settings.SMS_HTTP_URL
        if not url:
            missing.append("SMS_HTTP_URL is not set (the gateway's address, https://...)")
        elif urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            missing.append(f"SMS_HTTP_URL={url!r} is not an http(s) address")
        if not settings.SMS_HTTP_TOKEN:
            missing.append("SMS_HTTP_TOKEN is not set (the gateway's access token)")
        return missing

    def send(self, message: Message) -> str:
        missing = self.check_config()
        if missing:
            raise DeliveryFailed(f"the http SMS back end is not configured: {'; '.join(missing)}")
        body = json.dumps(
            {"to": message.to_address, "text": message.body, "reference": message.key}, ensure_ascii=False
        ).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s) above
            settings.SMS_HTTP_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
            },
        )
        try:
            with _opener.open(request, timeout=settings.SMS_HTTP_TIMEOUT) as response:
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace").strip()
            raise DeliveryFailed(f"SMS gateway answered {exc.code}: {detail or exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryFailed(f"SMS gateway unreachable: {reason}") from exc
        try:
            reference = json.loads(answer or b"{}").get("id", "")
        except (ValueError, AttributeError):
            reference = ""
        return str(reference)[:64]
