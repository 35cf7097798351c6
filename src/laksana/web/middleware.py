"""Language selection: Indonesian first, English when the user chooses it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware without the browser's Accept-Language header.

    Many office computers in Indonesia run an English browser; the product is Indonesian
    first, so the language is the one the user chose with the switcher (Django's language
    cookie, set by the ``set_language`` view) and otherwise ``LANGUAGE_CODE`` ("id").
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
