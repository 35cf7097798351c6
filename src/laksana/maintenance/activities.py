"""Recording a scheduled activity: what was done, its cost and its documentation, or why it
was not done.

Only the executor's side records: for a vendor activity, the employees of the vendor of the
plan's contract while the contract is in its period, or the agency's keepers of the
catalogue; for an internal activity, the agency's keepers (never a vendor's employee). A
requesting unit's member records nothing. Another agency's activity, and a plan a vendor's
employee cannot read (another vendor's), is not found.

Each record is one transaction: the plan's case locked first (when the plan has one), the
occurrence read again under it, its files checked as case attachments are
(:func:`laksana.cases.uploads.check_upload`), the occurrence and its files written and
``ACTIVITY_RECORDED`` appended to the case's journal. An activity recorded (done or not
done) is never recorded again: what was recorded stays the evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from laksana.cases import journal
from laksana.cases.models import JournalKind
from laksana.cases.servicebase import _WRITTEN, NotAllowed, ServiceError, _atomic, _lock
from laksana.cases.uploads import UploadRejected, check_upload
from laksana.catalog.models import Contract
from laksana.catalog.services import may_keep
from laksana.maintenance.models import (
    Executor,
    Occurrence,
    OccurrenceFile,
    OccurrenceStatus,
    Plan,
    PlanStatus,
)
from laksana.maintenance.schedule import executing_vendor_id
from laksana.org.models import Person

MAX_FILES = 10
MAX_TEXT = 10_000
# decimal_places=0, max_digits=15: whole rupiah below 10^15.
_MAX_COST = Decimal(10) ** 15


def _today(plan: Plan, now: dt.datetime) -> dt.date:
    return timezone.localtime(now, ZoneInfo(plan.agency.time_zone)).date()


def _may_read(person: Person, plan: Plan) -> bool:
    """The agency's own people, and the employees of the vendor of the plan's contract (of
    a contract for the application, for a plan of a budget year)."""
    if person.agency_id != plan.agency_id:
        return False
    if person.vendor_id is None:
        return True
    if plan.contract_id is not None:
        return plan.contract is not None and plan.contract.vendor_id == person.vendor_id
    return Contract.objects.filter(
        application_id=plan.application_id, vendor_id=person.vendor_id
    ).exists()


def may_record(
    person: Person | None, occurrence: Occurrence, *, now: dt.datetime | None = None
) -> bool:
    """Whether ``person`` may record the activity (see the module's text)."""
    if person is None:
        return False
    plan = occurrence.plan
    if not _may_read(person, plan):
        return False
    if person.vendor_id is not None:
        return (
            occurrence.activity.executor == Executor.VENDOR
            and executing_vendor_id(plan, _today(plan, now or timezone.now())) == person.vendor_id
        )
    return may_keep(person, plan.agency_id)


def _id(raw: object) -> int:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 < raw < 2**63:
        raise ServiceError("not_found", _("No such scheduled activity."), field="occurrence")
    return raw


def _text(value: object, field: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError("invalid", _("Write a text."), field=field)
    text = value.strip()
    if "\x00" in text:
        raise ServiceError(
            "invalid", _("The text holds a character that is not allowed."), field=field
        )
    if not text:
        raise ServiceError("required", _("This field is required."), field=field)
    if len(text) > MAX_TEXT:
        raise ServiceError(
            "too_long", _("At most %(limit)s characters.") % {"limit": MAX_TEXT}, field=field
        )
    return text


def _cost(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        cost = Decimal(str(value).strip())
    except InvalidOperation:
        cost = Decimal("NaN")
    if not cost.is_finite() or cost < 0 or cost >= _MAX_COST or cost != cost.to_integral_value():
        raise ServiceError(
            "invalid", _("Give the cost in whole rupiah, zero or more."), field="cost"
        )
    return cost.quantize(Decimal(1))


def _locked(person: Person, occurrence_id: object, now: dt.datetime) -> Occurrence:
    """The occurrence read again with the plan's case locked; not found for another
    agency's, or for a plan the person cannot read; refused unless the person may record it
    and it is still to be recorded."""
    pk = _id(occurrence_id)
    not_found = ServiceError("not_found", _("No such scheduled activity."), field="occurrence")
    found = (
        Occurrence.objects.filter(pk=pk, plan__agency_id=person.agency_id)
        .values_list("plan__case_id")
        .first()
    )
    if found is None:
        raise not_found
    case_id = found[0]
    case = _lock(case_id) if case_id is not None else None
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity", "plan__agency", "plan__contract", "done_by")
        .get(pk=pk)
    )
    plan = occurrence.plan
    if case is not None:
        plan.case = case
    if not _may_read(person, plan):
        raise not_found
    if not may_record(person, occurrence, now=now):
        if person.vendor_id is not None:
            raise NotAllowed(
                _(
                    "No contract of your company for this plan is in force today: you "
                    "cannot record its activities."
                )
                if occurrence.activity.executor == Executor.VENDOR
                else _("This activity is carried out by the agency's own team.")
            )
        raise NotAllowed(_("Only the team carrying the activity out may record it."))
    if plan.status != PlanStatus.IN_FORCE:
        raise ServiceError(
            "not_in_force",
            _("The maintenance plan of this activity is not in force."),
            field="occurrence",
        )
    if occurrence.status in (OccurrenceStatus.DONE, OccurrenceStatus.SKIPPED):
        who = occurrence.done_by.name if occurrence.done_by else "?"
        when = (
            str(formats.date_format(_local(plan, occurrence.done_at), "j F Y"))
            if occurrence.done_at
            else "?"
        )
        raise ServiceError(
            "already_recorded",
            _("This activity was already recorded by %(name)s on %(day)s.")
            % {"name": who, "day": when},
            field="occurrence",
        )
    return occurrence


def _local(plan: Plan, at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at, ZoneInfo(plan.agency.time_zone))


def _done_at(plan: Plan, done_on: object, now: dt.datetime) -> dt.datetime:
    """When it was done: ``now``, or the same clock time on the day given (not in the
    future, not before the plan starts)."""
    if done_on is None or done_on == "":
        return now
    if isinstance(done_on, str):
        try:
            done_on = dt.date.fromisoformat(done_on.strip())
        except ValueError:
            done_on = None
    if not isinstance(done_on, dt.date) or isinstance(done_on, dt.datetime):
        raise ServiceError("invalid", _("Write the date as YYYY-MM-DD."), field="done_on")
    local = _local(plan, now)
    if done_on > local.date():
        raise ServiceError(
            "invalid", _("The day it was done cannot be in the future."), field="done_on"
        )
    if done_on < plan.starts_on:
        raise ServiceError(
            "invalid", _("The date is before the maintenance plan starts."), field="done_on"
        )
    return local.replace(year=done_on.year, month=done_on.month, day=done_on.day)


def _checked(files: Sequence[UploadedFile[bytes]]) -> list[Any]:
    if len(files) > MAX_FILES:
        raise ServiceError(
            "too_many",
            _("At most %(limit)s documentation files at a time.") % {"limit": MAX_FILES},
            field="files",
        )
    out = []
    for upload in files:
        try:
            out.append(check_upload(upload))
        except UploadRejected as exc:
            raise ServiceError("invalid_file", str(exc), field="files") from None
    return out


def _store(occurrence: Occurrence, person: Person, checked: Any, at: dt.datetime) -> None:
    row = OccurrenceFile(
        occurrence=occurrence,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=person,
        uploaded_at=at,
    )
    row.file.save(checked.name, ContentFile(checked.content), save=False)
    row.save()
    written = _WRITTEN.get()
    if written is not None and row.file.name:
        written.append((row.file.storage, row.file.name))


def _journal(occurrence: Occurrence, person: Person, at: dt.datetime, data: dict[str, Any]) -> None:
    case = occurrence.plan.case if occurrence.plan.case_id is not None else None
    if case is None:
        return
    base = {
        "occurrence": occurrence.pk,
        "title": occurrence.activity.title,
        "due_on": occurrence.due_on.isoformat(),
    }
    journal.append(case, JournalKind.ACTIVITY_RECORDED, person, at, {**base, **data})
    case.save(update_fields=["journal_seq", "journal_hash"])


@_atomic
def record(
    person: Person,
    occurrence_id: object,
    *,
    report: str,
    cost: Decimal | str | None = None,
    files: Sequence[UploadedFile[bytes]] = (),
    done_on: dt.date | str | None = None,
    now: dt.datetime | None = None,
) -> Occurrence:
    """Record the activity as done: what was done, its cost and its documentation files."""
    at = now or timezone.now()
    text = _text(report, "report")
    amount = _cost(cost)
    checked = _checked(files)
    occurrence = _locked(person, occurrence_id, at)
    done_at = _done_at(occurrence.plan, done_on, at)
    occurrence.status = OccurrenceStatus.DONE
    occurrence.done_at = done_at
    occurrence.done_by = person
    occurrence.report = text
    occurrence.cost = amount
    if occurrence.opened_at is None:
        occurrence.opened_at = at
    occurrence.save(update_fields=["status", "done_at", "done_by", "report", "cost", "opened_at"])
    for item in checked:
        _store(occurrence, person, item, at)
    _journal(occurrence, person, at, {"done": True, "report": text, "files": len(checked)})
    return occurrence


@_atomic
def mark_not_done(
    person: Person, occurrence_id: object, reason: str, *, now: dt.datetime | None = None
) -> Occurrence:
    """Record that the activity was not done, and why."""
    at = now or timezone.now()
    text = _text(reason, "reason")
    occurrence = _locked(person, occurrence_id, at)
    occurrence.status = OccurrenceStatus.SKIPPED
    occurrence.done_at = at
    occurrence.done_by = person
    occurrence.report = text
    occurrence.save(update_fields=["status", "done_at", "done_by", "report"])
    _journal(occurrence, person, at, {"done": False, "reason": text, "files": 0})
    return occurrence
