"""A Word document uploaded for import, waiting for its author (:class:`PendingImport`).

The import (:mod:`laksana.procedures.docx_import`) reads the document into a draft and lists
what it could not decide. The upload keeps that result, owned by the person who uploaded it,
until they confirm every item (or choose a correction where one is offered: the row's actor,
a time's unit, where a decision's 'Tidak' leads) and save it as a draft
(:func:`laksana.procedures.drafts.create_from_source`), or for a day. Only the uploader sees a
pending import: anyone else, of the same agency or another, is answered as if it did not
exist.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Collection, Mapping
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.engine.messages import from_data, translated
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.procedures import drafts, drafttree
from laksana.procedures.docx_confirm import ImportRefused
from laksana.procedures.docx_import import import_stream
from laksana.procedures.models import PendingImport, ProcedureDraft

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
KEPT_FOR = dt.timedelta(days=1)
TIME_UNITS = ("menit", "jam", "hari")


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class PendingNotFound(ServiceError):
    """A pending import that does not exist, is someone else's, or has expired."""

    def __init__(self) -> None:
        super().__init__("not_found", _("There is no such import."))


def _refuse_writer(person: Person | None) -> Person:
    if person is None or not drafts.may_write(person, person.agency_id):
        raise NotAllowed(_("Only the agency's own staff may import a procedure from Word."))
    return person


def may_import(person: Person | None) -> bool:
    """Whether ``person`` may upload a Word document to import (as for writing drafts)."""
    return person is not None and drafts.may_write(person, person.agency_id)


def remove_expired() -> int:
    """Remove every pending import older than :data:`KEPT_FOR`; how many were removed."""
    removed, _kinds = PendingImport.objects.filter(
        created_at__lt=timezone.now() - KEPT_FOR
    ).delete()
    return removed


def start(person: Person | None, name: str, stream: Readable) -> PendingImport:
    """Import the Word document in ``stream`` (named ``name``) and keep the result for
    ``person``: at most :data:`MAX_UPLOAD_BYTES` are read; a file that is not a .docx, whose
    package is absurd, or that has no flowchart table is refused with the import's reason."""
    person = _refuse_writer(person)
    name = (name or "sop.docx").replace("\\", "/").rsplit("/", 1)[-1][:200] or "sop.docx"
    if not name.lower().endswith(".docx"):
        raise ServiceError(
            "invalid",
            _("%(name)s is not a Word document (.docx); save it as .docx and try again.")
            % {"name": name},
            field="document",
        )
    raw = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ServiceError(
            "too_large",
            _("%(name)s is too large; the limit is %(limit)s MB.")
            % {"name": name, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="document",
        )
    try:
        draft = import_stream(io.BytesIO(raw), name)
    except ImportRefused as exc:
        raise ServiceError("invalid", translated(exc.message, _), field="document") from None
    with transaction.atomic():
        remove_expired()
        return PendingImport.objects.create(
            agency_id=person.agency_id,
            by=person,
            created_at=timezone.now(),
            file_name=name,
            source=draft.yaml(),
            to_confirm=[
                {**item.as_data(), **_choices_of(item.fix, draft.columns)}
                for item in draft.to_confirm
            ],
            table=draft.source_table,
        )


def _choices_of(fix: str, columns: list[dict[str, str]]) -> dict[str, Any]:
    """The choices kept with an item whose correction does not depend on the steps: the
    Pelaksana columns for an actor, the units for a time."""
    if fix == "actor":
        return {"choices": [[c["id"], c["name"]] for c in columns], "columns": columns}
    if fix == "time_unit":
        return {"choices": [[u, u] for u in TIME_UNITS]}
    return {}


def get(person: Person | None, pk: int) -> PendingImport:
    """The person's own pending import ``pk``; :class:`PendingNotFound` for anyone else's, one
    that does not exist, or one older than :data:`KEPT_FOR`."""
    person = _refuse_writer(person)
    found = PendingImport.objects.filter(
        pk=pk,
        by=person,
        agency_id=person.agency_id,
        created_at__gte=timezone.now() - KEPT_FOR,
    ).first()
    if found is None:
        raise PendingNotFound
    return found


def mine(person: Person | None) -> list[PendingImport]:
    """The person's pending imports, newest first (none for someone who may not import)."""
    if not may_import(person):
        return []
    assert person is not None
    return list(
        PendingImport.objects.filter(
            by=person, agency_id=person.agency_id, created_at__gte=timezone.now() - KEPT_FOR
        ).order_by("-created_at", "-pk")
    )


def tree_of(pending: PendingImport) -> dict[str, Any]:
    """The pending import's procedure as plain data (:func:`laksana.procedures.drafttree.parse`)."""
    return drafttree.parse(pending.source)


def choices(pending: PendingImport, index: int, tree: dict[str, Any]) -> list[tuple[str, str]]:
    """The corrections offered for item ``index`` as (value, label): the actors, the units,
    or the steps and ends a decision's 'Tidak' may lead to; none for an item without one."""
    item = pending.to_confirm[index]
    if item.get("fix") == "decision_target":
        out: list[tuple[str, str]] = []
        for step in tree.get("steps") or []:
            if isinstance(step, dict) and step.get("id"):
                no = step.get("no") or step["id"]
                activity = str(step.get("activity", ""))[:80]
                out.append((str(step["id"]), f"{no}. {activity}"))
        for end in tree.get("ends") or []:
            if isinstance(end, dict) and end.get("id"):
                out.append((str(end["id"]), str(end.get("label") or end["id"])))
        return out
    return [(str(v), str(label)) for v, label in item.get("choices") or []]


def item_text(item: Mapping[str, Any]) -> tuple[str, str]:
    """An item's place and text in the active language."""
    return (
        translated(from_data(item.get("where_message")), _) or str(item.get("where", "")),
        translated(from_data(item.get("message")), _) or str(item.get("text", "")),
    )


def _apply(tree: dict[str, Any], item: Mapping[str, Any], value: str) -> None:
    steps = tree.get("steps") or []
    index = item.get("step")
    if not isinstance(index, int) or not 0 <= index < len(steps):
        return
    step = steps[index]
    fix = item.get("fix")
    if fix == "actor":
        step["actor"] = value
        actors = tree.setdefault("actors", {})
        if value not in actors:
            column = next(c for c in item.get("columns", []) if c["id"] == value)
            actors[value] = {"name": column["name"], "kind": column["kind"]}
    elif fix == "time_unit":
        text = step.get("time")
        step["time"] = {"text": text.get("text") if isinstance(text, dict) else text, "unit": value}
    elif fix == "decision_target":
        for outcome in (step.get("decision") or {}).get("outcomes") or []:
            if outcome.get("label") == "Tidak":
                outcome["to"] = value


def _index(raw: str, count: int, field: str) -> int:
    try:
        index = int(raw)
    except (TypeError, ValueError):
        index = -1
    if not 0 <= index < count:
        raise ServiceError(
            "invalid",
            _("There is no item %(item)s to confirm in this import.") % {"item": str(raw)[:20]},
            field=field,
        )
    return index


def resolved(
    pending: PendingImport, confirmed: Collection[str], fixes: Mapping[str, str]
) -> tuple[set[int], dict[int, str]]:
    """The items confirmed and the corrections chosen, as given by a form (item indexes as
    text, ``fixes`` by index; an empty correction is none). Refuses an index that is not an
    item, a correction for an item that offers none, and a value that is not one of its
    choices."""
    count = len(pending.to_confirm)
    done = {_index(raw, count, "confirm") for raw in confirmed}
    chosen: dict[int, str] = {}
    tree = tree_of(pending)
    for raw, value in fixes.items():
        if not value:
            continue
        index = _index(raw, count, f"fix-{raw}"[:30])
        allowed = {v for v, _label in choices(pending, index, tree)}
        if value not in allowed:
            raise ServiceError(
                "invalid",
                _("Item %(item)s: choose one of the offered values.") % {"item": index + 1},
                field=f"fix-{index}",
            )
        chosen[index] = value
    return done, chosen


def save(
    person: Person | None,
    pending: PendingImport,
    confirmed: Collection[str],
    fixes: Mapping[str, str],
) -> ProcedureDraft:
    """Save the import as a draft once every item is confirmed or corrected: the corrections
    are written into the procedure, the items kept with the draft as confirmed, and the
    pending import removed. Refuses (changing nothing) while any item remains, naming them."""
    person = _refuse_writer(person)
    if pending.by_id != person.pk:
        raise PendingNotFound
    done, chosen = resolved(pending, confirmed, fixes)
    remaining = [i + 1 for i in range(len(pending.to_confirm)) if i not in done | set(chosen)]
    if remaining:
        raise ServiceError(
            "unconfirmed",
            _("Confirm or correct every item before saving; still open: %(items)s.")
            % {"items": ", ".join(str(i) for i in remaining)},
            field="confirm",
            items=[str(i) for i in remaining],
        )
    tree = tree_of(pending)
    items: list[dict[str, Any]] = []
    for i, item in enumerate(pending.to_confirm):
        if i in chosen:
            _apply(tree, item, chosen[i])
        kept = {k: v for k, v in item.items() if k not in ("choices", "columns")}
        items.append({**kept, "confirmed": True, "fixed": chosen.get(i, "")})
    source = drafttree.dump(tree)
    with transaction.atomic():
        draft = drafts.create_from_source(person, source, origin="docx", to_confirm=items)
        PendingImport.objects.filter(pk=pending.pk).delete()
    return draft


def discard(person: Person | None, pending: PendingImport) -> None:
    """Remove the person's pending import without saving it."""
    person = _refuse_writer(person)
    if pending.by_id != person.pk:
        raise PendingNotFound
    PendingImport.objects.filter(pk=pending.pk, by=person).delete()
