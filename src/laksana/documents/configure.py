"""What an agency sets for its documents: its templates (versioned overrides of the shipped
ones, checked before they are saved), its numbering patterns and its letterheads (kop surat,
of the agency and of its units). Only the agency's administrators and procedure
administrators (:mod:`laksana.org.roles`), or the installation's superuser, change them; each
change is one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.servicebase import NotAllowed, ServiceError, _atomic, _now
from laksana.documents import numbering
from laksana.documents.kinds import KINDS, DocumentKind
from laksana.documents.models import Letterhead, NumberingPattern, TemplateVersion
from laksana.documents.pdfstore import sha256 as _sha
from laksana.documents.pdfstore import written as _written
from laksana.org import changes, roles
from laksana.org.models import Agency, ChangeAction, Person, Unit


def template_for(agency: Agency | int, kind: str, at: dt.datetime | None = None) -> TemplateVersion:
    """The template a new document of ``kind`` is made with: the agency's latest override,
    else the shipped template's version (a row with no agency, written on first use and
    again whenever the shipped file changes)."""
    from laksana.documents import templating

    agency_id = agency if isinstance(agency, int) else agency.pk
    own = TemplateVersion.objects.filter(agency_id=agency_id, kind=kind).order_by("-number").first()
    if own is not None:
        return own
    source = templating.shipped_source(kind)
    digest = _sha(source)
    latest = TemplateVersion.objects.filter(agency=None, kind=kind).order_by("-number").first()
    if latest is not None and latest.sha256 == digest:
        return latest
    try:
        # A savepoint: two first uses at once both try to write version 1; the one that
        # loses reads the winner's row instead of failing its action.
        with transaction.atomic():
            return TemplateVersion.objects.create(
                agency=None,
                kind=kind,
                number=(latest.number + 1) if latest else 1,
                source=source,
                sha256=digest,
                note="shipped",
                created_at=_now(at),
            )
    except IntegrityError:
        found = (
            TemplateVersion.objects.filter(agency=None, kind=kind, sha256=digest)
            .order_by("-number")
            .first()
        )
        if found is None:
            raise
        return found


def _may_administer(person: Person, agency: Agency) -> bool:
    return roles.may_keep_procedures(person, agency)


def _administer_or_refuse(person: Person, agency: Agency) -> None:
    if not _may_administer(person, agency):
        raise NotAllowed(
            _(
                "Only the agency's administrators or procedure administrators can change "
                "its documents' templates, numbering and letterheads."
            )
        )


def _kind_or_refuse(kind: str, *, field: str = "kind") -> DocumentKind:
    found = KINDS.get(kind) if isinstance(kind, str) else None
    if found is None:
        raise ServiceError(
            "invalid",
            _("Unknown document kind; the kinds are: %(items)s") % {"items": ", ".join(KINDS)},
            field=field,
        )
    return found


@_atomic
def save_template(
    person: Person, agency: Agency, kind: str, source: str, note: str = ""
) -> TemplateVersion:
    """A new version of the agency's template of ``kind``, once it is checked."""
    from laksana.documents import templating

    _administer_or_refuse(person, agency)
    _kind_or_refuse(kind)
    if not isinstance(source, str) or not source.strip():
        raise ServiceError("required", _("Write the template."), field="source")
    problems = templating.check(source, kind)
    if problems:
        raise ServiceError(
            "invalid_template",
            _("The template cannot be saved: %(items)s") % {"items": "; ".join(problems)},
            field="source",
            items=problems,
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise ServiceError("too_long", _("The note has at most 300 characters."), field="note")
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one version at a time
    last = TemplateVersion.objects.filter(agency=agency, kind=kind).aggregate(n=Max("number"))["n"]
    return TemplateVersion.objects.create(
        agency=agency,
        kind=kind,
        number=(last or 0) + 1,
        source=source,
        sha256=_sha(source),
        note=note,
        created_by=person,
        created_at=timezone.now(),
    )


@_atomic
@_atomic
def save_numbering_pattern(
    person: Person, agency: Agency, kind: str, pattern: str
) -> NumberingPattern:
    """Set how the agency numbers documents of ``kind`` (recorded in the agency's changes)."""
    _administer_or_refuse(person, agency)
    _kind_or_refuse(kind)
    pattern = (pattern or "").strip() if isinstance(pattern, str) else ""
    problems = numbering.check_pattern(pattern)
    if problems:
        raise ServiceError("invalid_pattern", "; ".join(problems), field="pattern", items=problems)
    before = (
        NumberingPattern.objects.filter(agency=agency, kind=kind)
        .values_list("pattern", flat=True)
        .first()
    )
    row, created = NumberingPattern.objects.update_or_create(
        agency=agency, kind=kind, defaults={"pattern": pattern}
    )
    changes.record(
        agency,
        person,
        "numbering",
        row,
        ChangeAction.CREATED if created else ChangeAction.CHANGED,
        None if before is None else {"kind": kind, "pattern": before},
        {"kind": kind, "pattern": pattern},
        label=kind,
    )
    return row


LETTERHEAD_FIELDS = (
    "government",
    "agency_name",
    "unit_name",
    "address",
    "phone",
    "website",
    "email",
)


def _letterhead_state(row: Letterhead | None) -> dict[str, Any] | None:
    """A letterhead's fields for the change record (the logo by its file's name)."""
    state = changes.snapshot(row, LETTERHEAD_FIELDS)
    if row is not None and state is not None:
        state["logo"] = row.logo.name or ""
    return state


@_atomic
def save_letterhead(
    person: Person, agency: Agency, unit: Unit | None = None, **fields: Any
) -> Letterhead:
    """Set the kop surat of the agency (``unit`` None) or of one of its units. ``fields``:
    government, agency_name, unit_name, address, phone, website, email, and ``logo`` (an
    uploaded PNG or JPEG image)."""
    _administer_or_refuse(person, agency)
    if unit is not None and unit.agency_id != agency.pk:
        raise ServiceError("invalid", _("This unit is not one of the agency's."), field="unit")
    logo = fields.pop("logo", None)
    unknown = sorted(k for k in fields if k not in LETTERHEAD_FIELDS)
    if unknown:
        raise ServiceError(
            "invalid",
            _("Unknown field %(name)s; the fields are: %(known)s")
            % {"name": unknown[0], "known": ", ".join((*LETTERHEAD_FIELDS, "logo"))},
            field=unknown[0],
        )
    values: dict[str, str] = {}
    for key in LETTERHEAD_FIELDS:
        value = fields.get(key, "")
        if not isinstance(value, str):
            raise ServiceError("invalid", _("%(field)s: write a text.") % {"field": key}, field=key)
        model_field = Letterhead._meta.get_field(key)
        limit = getattr(model_field, "max_length", 0) or 0
        if len(value.strip()) > limit:
            raise ServiceError(
                "too_long",
                _("%(field)s: at most %(limit)s characters.")
                % {"field": str(getattr(model_field, "verbose_name", key)), "limit": limit},
                field=key,
            )
        values[key] = value.strip()
    values["agency_name"] = values["agency_name"] or agency.name
    old = Letterhead.objects.filter(agency=agency, unit=unit).first()
    before = _letterhead_state(old)
    row, created = Letterhead.objects.update_or_create(agency=agency, unit=unit, defaults=values)
    if logo is not None:
        from laksana.cases.uploads import UploadRejected, check_upload

        try:
            checked = check_upload(logo)
        except UploadRejected as exc:
            raise ServiceError("upload_rejected", str(exc), field="logo") from exc
        if checked.content_type not in ("image/png", "image/jpeg"):
            raise ServiceError("invalid", _("The logo is a PNG or JPEG image."), field="logo")
        row.logo.save(checked.name, ContentFile(checked.content), save=True)
        _written(row.logo.storage, row.logo.name or "")
    changes.record(
        agency,
        person,
        "letterhead",
        row,
        ChangeAction.CREATED if created else ChangeAction.CHANGED,
        before,
        _letterhead_state(row),
        label=str(unit) if unit is not None else agency.short_name or agency.name,
    )
    return row
