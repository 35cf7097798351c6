"""Panels of domain modules on an application's record in the catalogue (the testing
module's scenario sets, runs and figures; later maintenance plans and monitors), without the
catalogue importing them (:mod:`laksana.panels`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from laksana.panels import Panel, Panels

if TYPE_CHECKING:
    from laksana.catalog.models import Application
    from laksana.org.models import Person

PanelFunction = Callable[["Person | None", "Application"], Panel | None]

_PANELS: Panels[Application] = Panels()


def register_panel(name: str, fn: PanelFunction) -> None:
    """Register (or replace, by ``name``) a module's panel of the application page. ``fn``
    gets the person reading the page (None for an account without one) and the application
    the person may see, and returns (template name, context) or None."""
    _PANELS.register(name, fn)


def panels_for(person: Person | None, application: Application) -> list[Panel]:
    """The panels the registered modules show on the application's page for ``person``."""
    return _PANELS.shown(person, application)
