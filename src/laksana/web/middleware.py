"""Language selection (Indonesian first, English when the user chooses it) and the time zone
of the signed-in person's agency."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import timezone, translation

from laksana.org.models import Person


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


_NOT_LOOKED_UP = object()


def current_person(request: HttpRequest) -> Person | None:
    """The signed-in user's Person (with agency and unit), looked up once per request."""
    cached = getattr(request, "_laksana_person", _NOT_LOOKED_UP)
    if cached is _NOT_LOOKED_UP:
        user = getattr(request, "user", None)
        cached = (
            Person.objects.select_related("agency", "unit").filter(user_id=user.pk).first()
            if user is not None and user.is_authenticated
            else None
        )
        request._laksana_person = cached  # type: ignore[attr-defined]
    assert cached is None or isinstance(cached, Person)
    return cached


class AgencyTimeZoneMiddleware:
    """Show times in the signed-in person's agency time zone (WIB, WITA or WIT).

    Timestamps are stored in UTC; a Kominfos officer in Bali reads WITA, a DJKI officer in
    Jakarta WIB. Anonymous visitors see the site's default zone (settings.TIME_ZONE).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = current_person(request)
        if person is not None:
            timezone.activate(zoneinfo.ZoneInfo(person.agency.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
