"""Evaluation test fixtures: Sukamaju (SOP 001) and helpers to run its case to row f.1."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.demo.orgs import DemoOrg, build_generic


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages read in English (the screens too, through the language cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def skm(db) -> DemoOrg:
    return build_generic()
