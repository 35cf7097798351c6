from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages follow the active language (Indonesian by default); these tests read
    them in English. The Indonesian texts are checked in tests/web."""
    with translation.override("en"):
        yield
