"""What people add to a case besides its steps' work: comments, daily journal remarks
(jurnal harian) and files."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from laksana.cases import journal
from laksana.cases.limits import check_length
from laksana.cases.models import Attachment, JournalKind
from laksana.cases.servicebase import (
    NotAllowed,
    ServiceError,
    _atomic,
    _lock,
    _now,
    _store,
    _visible_or_refuse,
)
from laksana.cases.uploads import UploadRejected, check_upload
from laksana.org.models import Person


@_atomic
def add_comment(person: Person, case_id: int, text: str, *, now: dt.datetime | None = None) -> None:
    """A comment on the case, by anyone who can see it."""
    at = _now(now)
    case = _lock(case_id)
    _visible_or_refuse(person, case)
    if not text.strip():
        raise ServiceError("required", _("Write a comment."), field="text")
    check_length("comment", text.strip(), "text")
    journal.append(case, JournalKind.COMMENT, person, at, {"text": text.strip()})
    case.save(update_fields=["journal_seq", "journal_hash"])


@_atomic
def add_remark(person: Person, case_id: int, text: str, *, now: dt.datetime | None = None) -> None:
    """A daily journal remark (jurnal harian) by a staff member working the case."""
    at = _now(now)
    case = _lock(case_id)
    _visible_or_refuse(person, case)
    if (
        person.vendor_id is None
        and person.unit_id == case.requesting_unit_id
        and not case.steps.filter(completed_by=person).exists()
        and not case.steps.filter(claimed_by=person).exists()
    ):
        raise NotAllowed(_("Journal remarks are written by the staff working the case."))
    if not text.strip():
        raise ServiceError("required", _("Write the remark."), field="text")
    check_length("remark", text.strip(), "text")
    journal.append(case, JournalKind.REMARK, person, at, {"text": text.strip()})
    case.save(update_fields=["journal_seq", "journal_hash"])


@_atomic
def add_attachment(
    person: Person, case_id: int, upload: UploadedFile[bytes], *, now: dt.datetime | None = None
) -> Attachment:
    """A file added to the case outside a step (more evidence, a photo)."""
    at = _now(now)
    case = _lock(case_id)
    _visible_or_refuse(person, case)
    try:
        checked = check_upload(upload)
    except UploadRejected as exc:
        raise ServiceError("upload_rejected", str(exc), field="file") from exc
    attachment = _store(case, None, "", person, checked, at)
    journal.append(
        case,
        JournalKind.FILE_ADDED,
        person,
        at,
        {
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    return attachment
