"""A test client as a visitor who chose English with the language switch.

The pages are Vietnamese whatever the browser's Accept-Language says (portal.language); tests whose assertions
read the English words set the language cookie, as the switch does.
"""

from typing import TypeVar

from django.conf import settings
from django.test import Client

C = TypeVar("C", bound=Client)


def in_english(client: C) -> C:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
