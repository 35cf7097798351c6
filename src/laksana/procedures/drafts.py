"""Procedure drafts: written and revised by an agency's staff, reviewed, published.

The only writer of drafts and their journal (:mod:`laksana.procedures.draftjournal`). A draft
holds the procedure's YAML; the editor's forms save one section at a time
(:mod:`laksana.procedures.drafttree`) as canonical YAML, the YAML tab saves the text itself.
A draft need not check clean while it is written; it is sent for review once it does (with
its SOP number and every Word-import item confirmed), and a procedure administrator other
than the person who sent it approves it: it is then published
(:func:`laksana.procedures.services.publish`) as the agency's next version of the procedure,
and never changes again. Every write is one transaction, bumps the draft's ``revision`` and
appends one journal entry.

Another agency's draft, and one that does not exist, is :class:`DraftNotFound` (404).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.engine.loader import ProcedureErrors
from laksana.errors import NotAllowed, ServiceError
from laksana.org import roles
from laksana.org.models import Agency, Person, UnitKind
from laksana.procedures import drafttree
from laksana.procedures.draftcheck import (
    DraftCheck as DraftCheck,
)
from laksana.procedures.draftcheck import (
    FieldMessage as FieldMessage,
)
from laksana.procedures.draftcheck import (
    check as check,
)
from laksana.procedures.draftcheck import (
    check_key,
    check_plain,
    filename,
    refuse_large,
)
from laksana.procedures.draftjournal import append, entries
from laksana.procedures.draftjournal import verify_journal as verify_journal
from laksana.procedures.models import (
    DraftState,
    ProcedureDraft,
    ProcedureEvent,
    ProcedureEventKind,
    ProcedureVersion,
)
from laksana.procedures.services import (
    PublishRefused,
    latest_version,
    publish,
)

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ORIGINS = ("editor", "yaml", "docx", "version")


class DraftNotFound(ServiceError):
    """No draft of the person's agency has this id (another agency's is not told apart)."""

    def __init__(self) -> None:
        super().__init__("not_found", _("No such procedure draft."))


# who ---------------------------------------------------------------------------------------


def may_write(person: Person | None, agency: Agency | int) -> bool:
    """Whether ``person`` may write the agency's drafts: its own staff with a sign-in (not a
    vendor's staff, not a requesting unit's, not a system account), or the superuser."""
    if person is None or person.user_id is None:
        return False
    agency_id = agency if isinstance(agency, int) else agency.pk
    if person.agency_id != agency_id:
        return False
    if roles.is_superuser(person):
        return True
    return person.vendor_id is None and person.unit.kind not in (
        UnitKind.VENDOR,
        UnitKind.REQUESTING,
    )


def may_review(person: Person | None, agency: Agency | int) -> bool:
    """Whether ``person`` may return or approve the agency's drafts: its procedure
    administrators and the superuser (of the agency's own people)."""
    if person is None:
        return False
    agency_id = agency if isinstance(agency, int) else agency.pk
    return person.agency_id == agency_id and roles.may_publish(person, agency_id)


def _may_read(person: Person, agency_id: int) -> bool:
    return may_write(person, agency_id) or may_review(person, agency_id)


def _refuse_writer(person: Person, agency_id: int) -> None:
    if not may_write(person, agency_id):
        raise NotAllowed(_("Only the agency's own staff may write its procedure drafts."))


def _refuse_reviewer(person: Person, agency_id: int) -> None:
    if not may_review(person, agency_id):
        raise NotAllowed(_("Only procedure administrators of the agency review its drafts."))


# reading -----------------------------------------------------------------------------------


def drafts_of(person: Person) -> QuerySet[ProcedureDraft]:
    """The drafts of the person's agency, newest first (none for those who may not read
    them)."""
    if not _may_read(person, person.agency_id):
        return ProcedureDraft.objects.none()
    return ProcedureDraft.objects.filter(agency_id=person.agency_id).order_by("-updated_at", "-id")


def get(person: Person, pk: int) -> ProcedureDraft:
    """The draft ``pk`` of the person's agency: DraftNotFound for another agency's or one
    that does not exist, NotAllowed for a person who may not read drafts."""
    draft = (
        ProcedureDraft.objects.filter(pk=pk, agency_id=person.agency_id)
        .select_related("agency", "base_version")
        .first()
    )
    if draft is None:
        raise DraftNotFound()
    if not _may_read(person, draft.agency_id):
        raise NotAllowed(_("Only the agency's own staff may read its procedure drafts."))
    return draft


def export_yaml(draft: ProcedureDraft) -> str:
    """The draft's procedure text (YAML)."""
    return draft.source


def journal(person: Person, agency_or_draft: Agency | ProcedureDraft) -> QuerySet[ProcedureEvent]:
    """The journal of the person's agency, or of one of its drafts, oldest first."""
    if isinstance(agency_or_draft, ProcedureDraft):
        draft = get(person, agency_or_draft.pk)
        return entries(draft.agency_id).filter(draft=draft)
    if agency_or_draft.pk != person.agency_id:
        raise ServiceError("not_found", _("No such agency."))
    if not _may_read(person, person.agency_id):
        raise NotAllowed(_("Only the agency's own staff may read its procedure drafts."))
    return entries(agency_or_draft)


# checking ----------------------------------------------------------------------------------


# writing -----------------------------------------------------------------------------------


def _locked(draft: ProcedureDraft) -> ProcedureDraft:
    return ProcedureDraft.objects.select_for_update().get(pk=draft.pk, agency_id=draft.agency_id)


def _writable(person: Person, draft: ProcedureDraft, revision: int | None = None) -> ProcedureDraft:
    """The draft, locked, if the person may write it now (its state a draft, ``revision``
    the one they read)."""
    current = get(person, draft.pk)
    _refuse_writer(person, current.agency_id)
    locked = _locked(current)
    if locked.state != DraftState.DRAFT:
        raise ServiceError(
            "read_only",
            _("The draft is %(state)s and can no longer be changed.")
            % {"state": DraftState(locked.state).label},
        )
    if revision is not None and revision != locked.revision:
        raise ServiceError(
            "stale",
            _(
                "Someone saved this draft after you opened it (revision %(now)s, yours "
                "%(yours)s); open it again and redo your change."
            )
            % {"now": locked.revision, "yours": revision},
            field="revision",
        )
    return locked


def _touch(draft: ProcedureDraft, person: Person) -> None:
    draft.revision += 1
    draft.updated_by = person
    draft.updated_at = timezone.now()


def _source_of(tree: dict[str, Any]) -> str:
    source = drafttree.dump(tree)
    refuse_large(source)
    return source


def _title_of(tree: dict[str, Any]) -> str:
    identity = tree.get("identity")
    title = identity.get("title") if isinstance(identity, dict) else ""
    return str(title or "")[:300]


def _new(
    person: Person,
    *,
    key: str,
    title: str,
    source: str,
    origin: str,
    base: ProcedureVersion | None = None,
    to_confirm: list[dict[str, Any]] | None = None,
) -> ProcedureDraft:
    now = timezone.now()
    draft = ProcedureDraft.objects.create(
        agency_id=person.agency_id,
        procedure_key=key,
        title=title,
        source=source,
        base_version=base,
        origin=origin,
        to_confirm=to_confirm or [],
        revision=1,
        created_by=person,
        created_at=now,
        updated_by=person,
        updated_at=now,
    )
    data: dict[str, Any] = {"origin": origin, "revision": 1}
    if base is not None:
        data["base_version"] = base.number
    append(draft, ProcedureEventKind.CREATED, person, data)
    return draft


@transaction.atomic
def create_blank(person: Person, *, procedure_key: str, title: str) -> ProcedureDraft:
    """A new procedure's draft, with its id and title and nothing else yet."""
    _refuse_writer(person, person.agency_id)
    key = check_key(person.agency_id, procedure_key, None, "procedure_key")
    title = (title or "").strip()
    if not title:
        raise ServiceError("invalid", _("Give the procedure a title."), field="title")
    tree: dict[str, Any] = {
        "format": "laksana/procedure@1",
        "id": key,
        "identity": {"number": "", "title": title[:300], "agency": person.agency.name},
        "actors": {},
        "steps": [],
    }
    return _new(person, key=key, title=title[:300], source=_source_of(tree), origin="editor")


@transaction.atomic
def create_from_version(person: Person, version: ProcedureVersion) -> ProcedureDraft:
    """A draft revising a published version of the person's agency (its text as published)."""
    _refuse_writer(person, person.agency_id)
    if version.agency_id != person.agency_id:
        raise ServiceError("not_found", _("No such procedure version."))
    return _new(
        person,
        key=version.procedure_key,
        title=version.title,
        source=version.source,
        origin="version",
        base=version,
    )


@transaction.atomic
def create_from_source(
    person: Person, source: str, *, origin: str = "yaml", to_confirm: Sequence[dict[str, Any]] = ()
) -> ProcedureDraft:
    """A draft from procedure text (a YAML file opened, a Word import's result); the items
    the import could not decide are kept to be confirmed before it is sent for review."""
    _refuse_writer(person, person.agency_id)
    if origin not in ORIGINS:
        raise ServiceError(
            "invalid",
            _("origin must be one of: %(allowed)s") % {"allowed": ", ".join(ORIGINS)},
            field="origin",
        )
    refuse_large(source)
    tree = drafttree.parse(source)
    key = check_key(person.agency_id, tree.get("id"), None, "id")
    items = [
        {
            "where": str(item.get("where", ""))[:300],
            "text": str(item.get("text", ""))[:2000],
            "confirmed": bool(item.get("confirmed", False)),
        }
        for item in list(to_confirm)[:500]
        if isinstance(item, dict)
    ]
    return _new(
        person,
        key=key,
        title=_title_of(tree),
        source=source,
        origin=origin,
        to_confirm=items,
    )


def _save_tree(
    person: Person, draft: ProcedureDraft, tree: dict[str, Any], source: str, data: dict[str, Any]
) -> ProcedureDraft:
    draft.procedure_key = check_key(
        draft.agency_id, tree.get("id"), draft.base_version, "identity.id"
    )
    draft.title = _title_of(tree)
    draft.source = source
    _touch(draft, person)
    draft.save()
    append(draft, ProcedureEventKind.SAVED, person, {**data, "revision": draft.revision})
    return draft


@transaction.atomic
def save_section(
    person: Person,
    draft: ProcedureDraft,
    section: str,
    data: Any,
    *,
    revision: int,
    renames: Sequence[Sequence[str]] = (),
) -> ProcedureDraft:
    """Replace one section of the draft (canonical YAML is written). Refused when someone
    saved in between (``stale``) or the draft is no longer being written. ``renames``
    ((kind, old id, new id): an actor, artifact or step the section renamed) are carried to
    every place that refers to them in the same save (drafttree.apply_renames)."""
    if section not in drafttree.SECTIONS:
        drafttree.section({}, section)  # raises, naming the sections
    locked = _writable(person, draft, revision)
    check_plain(data, {"service": "identity", "flow": ""}.get(section, section))
    before = drafttree.parse(locked.source)
    tree = drafttree.apply_renames(
        drafttree.with_section(before, section, data), list(renames), before
    )
    said: dict[str, Any] = {"section": section}
    if renames:
        said["renamed"] = [list(r) for r in renames]
    return _save_tree(person, locked, tree, _source_of(tree), said)


@transaction.atomic
def save_source(
    person: Person, draft: ProcedureDraft, source: str, *, revision: int
) -> ProcedureDraft:
    """Replace the draft's text (the YAML tab); it must be a YAML mapping within the size
    bound, and keep a revision's id."""
    locked = _writable(person, draft, revision)
    refuse_large(source)
    tree = drafttree.parse(source)
    if locked.base_version is not None:
        check_key(locked.agency_id, tree.get("id"), locked.base_version, "identity.id")
    return _save_tree(person, locked, tree, source, {"section": "source"})


@transaction.atomic
def confirm_item(person: Person, draft: ProcedureDraft, index: int) -> ProcedureDraft:
    """Confirm one item a Word import could not decide."""
    locked = _writable(person, draft)
    items = list(locked.to_confirm or [])
    if not isinstance(index, int) or not 0 <= index < len(items):
        raise ServiceError(
            "invalid",
            _("There is no item %(index)s to confirm.") % {"index": index},
            field="index",
        )
    items[index] = {**items[index], "confirmed": True}
    locked.to_confirm = items
    _touch(locked, person)
    locked.save()
    append(
        locked,
        ProcedureEventKind.SAVED,
        person,
        {
            "confirmed": index,
            "where": str(items[index].get("where", "")),
            "revision": locked.revision,
        },
    )
    return locked


def _checksum(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@transaction.atomic
def submit(person: Person, draft: ProcedureDraft) -> ProcedureDraft:
    """Send the draft for review: only a draft that checks clean, has its SOP number and has
    every Word-import item confirmed."""
    locked = _writable(person, draft)
    open_items = [
        str(item.get("where") or item.get("text") or i)
        for i, item in enumerate(locked.to_confirm or [])
        if not item.get("confirmed")
    ]
    if open_items:
        raise ServiceError(
            "unconfirmed",
            _("Confirm what the Word import could not decide first: %(items)s")
            % {"items": "; ".join(open_items)},
            field="to_confirm",
            items=open_items,
        )
    result = check(locked)
    if not result.ok:
        raise ServiceError(
            "invalid",
            _("The draft has %(n)s problems; correct them before sending it for review.")
            % {"n": len(result.messages)},
            items=[f"{m.path or '-'}: {m.text}" for m in result.messages],
        )
    assert result.spec is not None
    if not result.spec.identity.number:
        raise ServiceError(
            "invalid",
            _("Give the SOP number (Nomor SOP) before sending the draft for review."),
            field="identity.number",
        )
    check_key(locked.agency_id, result.spec.id, locked.base_version, "identity.id")
    locked.state = DraftState.IN_REVIEW
    locked.submitted_by = person
    locked.submitted_at = timezone.now()
    _touch(locked, person)
    locked.save()
    append(
        locked,
        ProcedureEventKind.SUBMITTED,
        person,
        {"revision": locked.revision, "checksum": _checksum(locked.source)},
    )
    return locked


def _in_review(person: Person, draft: ProcedureDraft) -> ProcedureDraft:
    current = get(person, draft.pk)
    _refuse_reviewer(person, current.agency_id)
    locked = _locked(current)
    if locked.state != DraftState.IN_REVIEW:
        raise ServiceError(
            "state",
            _("The draft is %(state)s, not in review.") % {"state": DraftState(locked.state).label},
        )
    return locked


@transaction.atomic
def return_to_authors(person: Person, draft: ProcedureDraft, note: str) -> ProcedureDraft:
    """The reviewer sends the draft back to be written further, saying why."""
    locked = _in_review(person, draft)
    note = (note or "").strip()
    if not note:
        raise ServiceError("invalid", _("Say what the authors should change."), field="note")
    locked.state = DraftState.DRAFT
    _touch(locked, person)
    locked.save()
    append(
        locked,
        ProcedureEventKind.RETURNED,
        person,
        {"note": note[:4000], "revision": locked.revision},
    )
    return locked


@transaction.atomic
def approve(person: Person, draft: ProcedureDraft, note: str = "") -> ProcedureVersion:
    """The reviewer approves the draft: it is published as the agency's next version of the
    procedure (by the reviewer), and the draft is closed. The person who sent it for review
    may not approve it (four eyes), and a revision of a version that is no longer the latest
    is refused."""
    locked = _in_review(person, draft)
    if locked.submitted_by_id == person.pk:
        raise NotAllowed(
            _(
                "You sent this draft for review, so you cannot approve it yourself (four "
                "eyes): another procedure administrator must approve it."
            )
        )
    latest = latest_version(locked.agency_id, locked.procedure_key)
    base = locked.base_version
    if base is not None and latest is not None and latest.number != base.number:
        raise ServiceError(
            "stale",
            _(
                "This draft revises version %(base)s, but version %(latest)s has been "
                "published since; return it so its authors revise the latest version."
            )
            % {"base": base.number, "latest": latest.number},
            field="base_version",
        )
    if base is None and latest is not None:
        check_key(locked.agency_id, locked.procedure_key, None, "identity.id")
    if latest is not None and latest.checksum == _checksum(locked.source):
        raise ServiceError(
            "unchanged",
            _("The draft is the same as version %(number)s: there is nothing to publish.")
            % {"number": latest.number},
        )
    try:
        version = publish(locked.source, filename(locked), locked.agency, by=person)
    except PublishRefused as exc:
        raise NotAllowed(exc.message) from None
    except ProcedureErrors as exc:
        raise ServiceError(
            "invalid",
            _("The draft cannot be published: %(n)s problems.") % {"n": len(exc.errors)},
            items=[str(e) for e in exc.errors],
        ) from None
    locked.state = DraftState.PUBLISHED
    locked.published_version = version
    _touch(locked, person)
    locked.save()
    append(
        locked,
        ProcedureEventKind.APPROVED,
        person,
        {"version": version.number, "checksum": version.checksum, "note": (note or "")[:4000]},
    )
    return version


@transaction.atomic
def withdraw(person: Person, draft: ProcedureDraft) -> ProcedureDraft:
    """Withdraw a draft being written or in review (its authors or a reviewer)."""
    current = get(person, draft.pk)
    if not _may_read(person, current.agency_id):
        raise NotAllowed(_("Only the agency's own staff may write its procedure drafts."))
    locked = _locked(current)
    if locked.state not in (DraftState.DRAFT, DraftState.IN_REVIEW):
        raise ServiceError(
            "read_only",
            _("The draft is %(state)s and can no longer be changed.")
            % {"state": DraftState(locked.state).label},
        )
    locked.state = DraftState.WITHDRAWN
    _touch(locked, person)
    locked.save()
    append(locked, ProcedureEventKind.WITHDRAWN, person, {"revision": locked.revision})
    return locked
