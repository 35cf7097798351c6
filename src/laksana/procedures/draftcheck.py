"""Checking procedure drafts: a draft's messages at the fields they concern, the procedure
id a draft may take, the shape of what the editor's forms send. Used by
:mod:`laksana.procedures.drafts` (which re-exports :func:`check` and its results)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from laksana.engine.loader import ProcedureErrors, load_text
from laksana.engine.messages import translated
from laksana.engine.spec import ProcedureSpec
from laksana.engine.yamlread import MAX_YAML_DEPTH
from laksana.errors import ServiceError
from laksana.procedures import drafttree
from laksana.procedures.models import ProcedureDraft, ProcedureVersion
from laksana.procedures.services import check_bounds, check_size, latest_version

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def filename(draft: ProcedureDraft) -> str:
    """The name a draft's messages are reported under."""
    return f"{draft.procedure_key or 'draft'}.yaml"


@dataclass(frozen=True)
class FieldMessage:
    """One problem of a draft at the field it concerns ("" for the top of the form)."""

    path: str
    line: int
    column: int
    text: str  # in the active language


@dataclass(frozen=True)
class DraftCheck:
    messages: tuple[FieldMessage, ...]
    spec: ProcedureSpec | None

    @property
    def ok(self) -> bool:
        return not self.messages

    def by_path(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for m in self.messages:
            out.setdefault(m.path, []).append(m.text)
        return out


def check(draft: ProcedureDraft) -> DraftCheck:
    """The draft checked as for publishing (the size bounds too), except that its SOP number
    may be empty; each message at the field it concerns."""
    source, name = draft.source, filename(draft)
    try:
        check_size(source, name)
        spec = load_text(source, name, draft=True)
        check_bounds(spec, name)
    except ProcedureErrors as exc:
        finder = drafttree.path_finder(source)
        return DraftCheck(
            tuple(
                FieldMessage(
                    finder(e.position.line, e.position.column, e.message),
                    e.position.line,
                    e.position.column,
                    translated(e.message, _),
                )
                for e in exc.errors
            ),
            None,
        )
    return DraftCheck((), spec)


def check_key(agency_id: int, key: Any, base: ProcedureVersion | None, field: str) -> str:
    """The procedure key of a draft, refused when it is no key, or (for a new procedure) one
    the agency has already published."""
    if not isinstance(key, str) or not _KEY.match(key) or len(key) > 100:
        raise ServiceError(
            "invalid",
            _("The procedure id must be lower-case letters, digits and '-', not '%(key)s'.")
            % {"key": key if isinstance(key, str | int) else ""},
            field=field,
        )
    if base is not None:
        if key != base.procedure_key:
            raise ServiceError(
                "key_fixed",
                _(
                    "This draft revises %(key)s: its id cannot be changed. To write another "
                    "procedure, start a new draft."
                )
                % {"key": base.procedure_key},
                field="identity.id",
            )
        return key
    latest = latest_version(agency_id, key)
    if latest is not None:
        raise ServiceError(
            "exists",
            _(
                "The agency has already published %(key)s (version %(number)s): revise that "
                "version instead of starting a new procedure with its id."
            )
            % {"key": key, "number": latest.number},
            field=field,
        )
    return key


def refuse_large(source: str) -> None:
    try:
        check_size(source, "source")
    except ProcedureErrors as exc:
        raise ServiceError("too_large", str(exc.errors[0].message), field="source") from None


def check_plain(data: Any, path: str, depth: int = 0) -> None:
    """Refuse data that is no plain tree (of mappings with text keys, lists, texts, whole
    numbers, true/false, dates), naming the field."""
    if depth > MAX_YAML_DEPTH:
        raise ServiceError(
            "shape",
            _("%(path)s: nested too deeply") % {"path": path or "data"},
            field=path or None,
        )
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                raise ServiceError(
                    "shape", _("%(path)s: a key must be text") % {"path": path}, field=path
                )
            check_plain(value, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            check_plain(item, f"{path}.{i}" if path else str(i), depth + 1)
    elif data is not None and not isinstance(data, str | int | bool | dt.date):
        raise ServiceError(
            "shape",
            _("%(path)s must be text, a whole number, true/false, a list or a mapping")
            % {"path": path},
            field=path,
        )
