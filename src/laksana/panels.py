"""Panels that domain modules add to a page of another module, without that module
importing them: the case page (:mod:`laksana.cases.panels`), the application's record in the
catalogue (:mod:`laksana.catalog.panels`).

A module registers, in its ``AppConfig.ready()``, a function that gets the person reading the
page and the record shown, and returns the template to include and its context (as
``panel``), or None when it has nothing to show. The page calls every registered function, in
the order of registration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

Panel = tuple[str, dict[str, Any]]
"""A template name and the context it is included with (as ``panel``)."""

R = TypeVar("R")


class Panels(Generic[R]):
    """The panels registered for one kind of page, showing a record of type ``R``."""

    def __init__(self) -> None:
        self._fns: dict[str, Callable[[Any, R], Panel | None]] = {}

    def register(self, name: str, fn: Callable[[Any, R], Panel | None]) -> None:
        """Register (or replace, by ``name``) a module's panel."""
        self._fns[name] = fn

    def shown(self, person: Any, record: R) -> list[Panel]:
        """The panels the registered modules show on ``record``'s page for ``person``."""
        out: list[Panel] = []
        for fn in self._fns.values():
            found = fn(person, record)
            if found is not None:
                out.append(found)
        return out
