"""Catalogue test fixtures: the Bali agency with the sample inventory's units, the sample
inventory as a table, and the lifecycle agencies (UTN for SOP 003 and 000, Sukamaju for 001)."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.catalog import samples, spreadsheet
from laksana.demo.catalog import add_sample_units
from laksana.demo.orgs import DemoOrg, build_generic, build_university


@pytest.fixture(autouse=True)
def _english_messages(client, settings):
    """Problems and refusals follow the active language; these tests read them in English
    (the screens too: the language cookie, as the language switcher sets it)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def province(bali) -> DemoOrg:
    """The Bali agency with every unit the sample inventory names."""
    add_sample_units(bali)
    return bali


@pytest.fixture
def sample_table() -> spreadsheet.Table:
    return spreadsheet.read_table(samples.inventory_bytes(), samples.INVENTORY_NAME)


@pytest.fixture
def utn(db) -> DemoOrg:
    return build_university()


@pytest.fixture
def skm(db) -> DemoOrg:
    return build_generic()
