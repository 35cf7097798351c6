"""The API client fixture of tests/api (the procedure tests open cases through it), and the
language the procedure tests read messages in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from ..api.conftest import api_as  # noqa: F401


@pytest.fixture(autouse=True)
def english(client):
    """The procedure tests read messages in English: the web pages (the language cookie) and
    the services and commands (the active language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
