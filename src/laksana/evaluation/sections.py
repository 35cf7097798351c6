"""The sections of an application's evaluation page: a registry that modules fill with what
they know of an application over a period (:func:`register_section`). The built-in sections
are registered by :mod:`laksana.evaluation.providers`; another module may add its own from its
``AppConfig.ready()``.

A provider takes the application and the period (``start``..``end``, both days included) and
returns a :class:`Section`: its title, rows of (label, value) already worded for the reader,
a status ("ok": nothing to worry about, "warn": something to look at, "none": nothing known in
the period) and a link to the module's own screen (or "").
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError

from laksana.catalog.models import Application

log = logging.getLogger(__name__)

OK, WARN, NONE = "ok", "warn", "none"
STATUSES = (OK, WARN, NONE)


@dataclass(frozen=True)
class Section:
    """One section of the evaluation page."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    status: str = NONE
    link: str = ""

    def as_json(self) -> dict[str, Any]:
        """The section as kept in a concluded evaluation's figures."""
        return {
            "title": self.title,
            "rows": [[label, value] for label, value in self.rows],
            "status": self.status,
            "link": self.link,
        }

    @classmethod
    def from_json(cls, data: object) -> Section | None:
        """A section kept in figures (None for anything that is not one)."""
        if not isinstance(data, dict):
            return None
        rows = data.get("rows")
        status = data.get("status")
        return cls(
            str(data.get("title", "")),
            [
                (str(r[0]), str(r[1]))
                for r in (rows if isinstance(rows, list) else [])
                if isinstance(r, list | tuple) and len(r) == 2
            ],
            status if status in STATUSES else NONE,
            str(data.get("link", "")),
        )


Provider = Callable[[Application, dt.date, dt.date], Section]


@dataclass(frozen=True)
class _Registered:
    key: str
    title: Callable[[], str]
    provider: Provider
    order: int


_SECTIONS: dict[str, _Registered] = {}


def register_section(
    key: str, title: Callable[[], str] | str, provider: Provider, order: int = 100
) -> None:
    """Register (or replace, by ``key``) a section; ``title`` may be a callable giving the
    title in the reader's language (used when the provider fails)."""
    _SECTIONS[key] = _Registered(
        key, title if callable(title) else (lambda: str(title)), provider, order
    )


def keys() -> list[str]:
    """The registered sections' keys, in page order."""
    return [s.key for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))]


def compute(application: Application, start: dt.date, end: dt.date) -> dict[str, Section]:
    """Every section of the application over the period, in page order. A provider that
    fails gives a section saying its figures are unavailable (logged), never the page's end."""
    from django.utils.translation import gettext as _

    out: dict[str, Section] = {}
    for key in keys():
        entry = _SECTIONS[key]
        try:
            out[key] = entry.provider(application, start, end)
        except DatabaseError:
            raise  # the transaction is broken: the action fails as a whole
        except Exception:  # a module's failure must not take the evaluation down
            log.exception("evaluation section %s failed", key)
            out[key] = Section(entry.title(), [(_("Figures"), _("not available"))], NONE, "")
    return out
