"""Panels of domain modules on the case page.

A domain module (documents, testing, later maintenance) shows what it holds about a case in a
panel of the case page without ``cases`` importing it: it registers a function in its
``AppConfig.ready()`` that, for the person reading the page and the case, returns the template
to include and its context, or None when it has nothing to show (:mod:`laksana.panels`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from laksana.panels import Panel, Panels

if TYPE_CHECKING:
    from laksana.cases.models import Case
    from laksana.org.models import Person

PanelFunction = Callable[["Person | None", "Case"], Panel | None]

_PANELS: Panels[Case] = Panels()


def register_panel(name: str, fn: PanelFunction) -> None:
    """Register (or replace, by ``name``) a domain module's panel of the case page. ``fn``
    gets the person reading the page (None for an account without one) and the case the
    person may see, and returns (template name, context) or None."""
    _PANELS.register(name, fn)


def panels_for(person: Person | None, case: Case) -> list[Panel]:
    """The panels the registered modules show on ``case``'s page for ``person``."""
    return _PANELS.shown(person, case)
