"""The language of a response: Vietnamese first.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language, so a phone set to English got English pages
though the portal is Vietnamese first. Here a page is in Vietnamese unless the visitor chose English with the
language switch (Django's ``set_language`` view, which sets the language cookie). The API's clients are programs
that say what they want, so ``/api/`` still honours Accept-Language.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def _chosen_language(request: HttpRequest) -> str:
    supported = dict(settings.LANGUAGES)
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in supported:
        return cookie
    if request.path_info.startswith("/api/"):
        return translation.get_language_from_request(request)
    return settings.LANGUAGE_CODE


class VietnameseFirst:
    """Activate the chosen language (the cookie), else Vietnamese; the API also reads Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(
            response, ("Cookie", "Accept-Language") if request.path_info.startswith("/api/") else ("Cookie",)
        )
        response.headers.setdefault("Content-Language", language)
        return response
