"""What the services of runs and findings share: the run's name, the checks of ids and
texts, the journal, and the run read with its case locked, checked for who may see and test
it (:mod:`laksana.quality.runs`, :mod:`laksana.quality.findings`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from laksana.cases import authority, journal
from laksana.cases.models import Case, CaseStep, JournalKind, StepStatus
from laksana.cases.servicebase import NotAllowed, ServiceError, _lock
from laksana.org.models import Person
from laksana.quality.models import RunItem, RunKind, RunStatus, TestRun
from laksana.quality.queries import may_see_run

KIND_OF_TYPE = {
    "minutes.sit": RunKind.SIT,
    "minutes.uat": RunKind.UAT,
    "security.test_report": RunKind.SECURITY,
}
SOURCE_PREFIX = "quality.run:"
EVIDENCE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf")
MAX_FILES = 10
MAX_PARTICIPANTS = 50
MAX_TEXT = 10_000
_SHORT = {RunKind.SIT: "SIT", RunKind.UAT: "UAT", RunKind.SECURITY: "Uji Keamanan"}


def title_of(run: TestRun) -> str:
    """How the run is named: "UAT 2 — SIKESDA 2.1"."""
    app = run.application.short_name or run.application.name
    return f"{_SHORT.get(RunKind(run.kind), run.kind)} {run.number} — {app} {run.app_version}"


def source_of(run: TestRun) -> str:
    return f"{SOURCE_PREFIX}{run.pk}"


def _id(raw: object, field: str) -> int:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 < raw < 2**63:
        raise ServiceError("not_found", _("No such record."), field=field)
    return raw


def given(value: object) -> bool:
    """An optional id given (not None, not an empty text of a form)."""
    return value is not None and value != ""


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ServiceError("invalid", _("Write a text."), field=field)
    text = value.strip()
    if "\x00" in text:
        raise ServiceError(
            "invalid", _("The text holds a character that is not allowed."), field=field
        )
    if required and not text:
        raise ServiceError("required", _("This field is required."), field=field)
    if len(text) > limit:
        raise ServiceError(
            "too_long", _("At most %(limit)s characters.") % {"limit": limit}, field=field
        )
    return text


def _journal(
    case: Case, kind: JournalKind, person: Person, at: dt.datetime, data: dict[str, Any]
) -> None:
    """Append to the case's chain (the case freshly locked) and save its head."""
    journal.append(case, kind, person, at, data)
    case.save(update_fields=["journal_seq", "journal_hash"])


# --- locked reads -----------------------------------------------------------------------------


def _run_locked(person: Person, run_id: object) -> tuple[Case, TestRun]:
    """The run's case locked, then the run read again; not found unless the person may see
    it (another agency's run is not found either)."""
    pk = _id(run_id, "run")
    case_id = (
        TestRun.objects.filter(pk=pk, agency_id=person.agency_id)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise ServiceError("not_found", _("No such test run."), field="run")
    case = _lock(case_id)
    run = TestRun.objects.select_related("application", "scenario_set").get(pk=pk)
    run.case = case
    if not may_see_run(person, run):
        raise ServiceError("not_found", _("No such test run."), field="run")
    return case, run


def _step(case: Case, run: TestRun) -> CaseStep:
    row = CaseStep.objects.get(pk=run.step_id)
    row.case = case
    return row


def _tester_or_refuse(person: Person, case: Case, run: TestRun) -> CaseStep:
    """The run is open, its step active, and the person may work the step."""
    if run.status != RunStatus.OPEN:
        raise ServiceError(
            "run_closed",
            _("%(title)s is closed: nothing of it changes any more.") % {"title": title_of(run)},
        )
    row = _step(case, run)
    if row.status != StepStatus.ACTIVE:
        raise ServiceError("not_active", _("The step of this test run is not active now."))
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(
            decision.explain(_("Only someone who may work the run's step may test in it."))
        )
    return row


def _item_locked(person: Person, item_id: object) -> tuple[Case, TestRun, RunItem]:
    pk = _id(item_id, "item")
    run_id = (
        RunItem.objects.filter(pk=pk, run__agency_id=person.agency_id)
        .values_list("run_id", flat=True)
        .first()
    )
    if run_id is None:
        raise ServiceError("not_found", _("No such scenario of a test run."), field="item")
    case, run = _run_locked(person, run_id)
    item = RunItem.objects.get(pk=pk)
    item.run = run
    return case, run, item
