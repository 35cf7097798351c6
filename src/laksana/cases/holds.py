"""Listeners of holds: what a domain module does, in the holding transaction, when a step of
a case it follows is put on hold (the public desk tells an outside requester that the case
waits on them). Registered from the owning app's ``AppConfig.ready()``, like the followers of
completed steps (:func:`laksana.cases.artifacts.follow_completions`); this module imports no
domain module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from laksana.cases.models import Case, CaseStep
from laksana.org.models import Person


class HoldListener(Protocol):
    """Called after the hold is written (``row.hold_reason`` holds the reason)."""

    def __call__(self, case: Case, row: CaseStep, *, by: Person, at: dt.datetime) -> None: ...


@dataclass(frozen=True)
class _Listener:
    applies: Callable[[Case], bool]
    listener: HoldListener


_LISTENERS: dict[str, _Listener] = {}


def follow_holds(name: str, listener: HoldListener, *, applies: Callable[[Case], bool]) -> None:
    """Register (or replace, by ``name``) a listener of holds; ``applies`` says cheaply,
    from the case alone, whether it can concern the case."""
    _LISTENERS[name] = _Listener(applies, listener)


def held(case: Case, row: CaseStep, *, by: Person, at: dt.datetime) -> None:
    """Run the listeners concerned (inside the hold's transaction)."""
    for entry in list(_LISTENERS.values()):
        if entry.applies(case):
            entry.listener(case, row, by=by, at=at)
