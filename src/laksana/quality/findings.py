"""The only code that writes findings (temuan) of test runs.

What a finding says (severity, title, description) is recorded while its run is open, by
whoever may test the run; once the run is closed it is part of the minutes and never
changes. Its follow-up goes on after sign-off: the owner and the follow-up date, the fix
(:func:`mark_fixed`), the retest (:func:`record_retest`), an accepted risk
(:func:`accept_risk`), a problem case of its own (:func:`open_problem_case`). The follow-up
is done by whoever may see the run and either keeps the agency's catalogue (its IT staff),
owns the finding, or may test the run.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils.translation import gettext as _

from laksana.cases import services as case_services
from laksana.cases.models import Case, JournalKind
from laksana.cases.servicebase import NotAllowed, ServiceError, _atomic, _lock, _now
from laksana.catalog.services import may_keep
from laksana.dates import given_date
from laksana.org.models import Person
from laksana.procedures.models import ProcedureVersion
from laksana.quality.models import (
    Finding,
    FindingStatus,
    RetestResult,
    RunItem,
    Severity,
    TestRun,
)
from laksana.quality.queries import may_test
from laksana.quality.runbase import (
    MAX_TEXT,
    _id,
    _journal,
    _run_locked,
    _tester_or_refuse,
    _text,
    given,
    title_of,
)

# The shipped problem procedure (laksana.demo.orgs.SOP_002): a finding's case runs on it.
SOP_002 = "sop-002-penanganan-masalah-aplikasi"


def _severity(value: object) -> str:
    if value not in Severity.values:
        raise ServiceError(
            "invalid",
            _("Choose a severity: %(items)s") % {"items": ", ".join(Severity.values)},
            field="severity",
        )
    return str(value)


def _due(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    return given_date(
        value,
        field="due",
        message=_("The follow-up date is a date as YYYY-MM-DD (2000 to 2100)."),
    )


def _owner(run: TestRun, owner_id: object) -> Person | None:
    if owner_id is None or owner_id == "":
        return None
    owner = Person.objects.filter(pk=_id(owner_id, "owner"), agency_id=run.agency_id).first()
    if owner is None:
        raise ServiceError("not_found", _("No such person of the agency."), field="owner")
    return owner


def _finding_locked(person: Person, finding_id: object) -> tuple[Case, TestRun, Finding]:
    pk = _id(finding_id, "finding")
    run_id = (
        Finding.objects.filter(pk=pk, agency_id=person.agency_id)
        .values_list("run_id", flat=True)
        .first()
    )
    if run_id is None:
        raise ServiceError("not_found", _("No such finding."), field="finding")
    case, run = _run_locked(person, run_id)
    finding = Finding.objects.get(pk=pk)
    finding.run = run
    return case, run, finding


def may_follow_up(person: Person, run: TestRun, finding: Finding) -> bool:
    """Whether the person may follow the finding up (the run seen by the caller)."""
    return may_keep(person, run.agency_id) or finding.owner_id == person.pk or may_test(person, run)


def _follower_or_refuse(person: Person, run: TestRun, finding: Finding) -> None:
    if not may_follow_up(person, run, finding):
        raise NotAllowed(
            _(
                "Only the agency's IT staff, the finding's owner or the run's testers may "
                "follow the finding up."
            )
        )


@_atomic
def add_finding(
    person: Person,
    run_id: int,
    *,
    severity: str,
    title: str,
    description: str = "",
    item_id: int | None = None,
    owner_id: int | None = None,
    due: dt.date | str | None = None,
    at: dt.datetime | None = None,
) -> Finding:
    """A finding of an open run (of one of its scenarios, ``item_id``), by someone who may
    test the run."""
    now = _now(at)
    case, run = _run_locked(person, run_id)
    _tester_or_refuse(person, case, run)
    item = None
    if given(item_id):
        item = RunItem.objects.filter(pk=_id(item_id, "item"), run=run).first()
        if item is None:
            raise ServiceError("not_found", _("No such scenario of this test run."), field="item")
    last = Finding.objects.filter(run=run).aggregate(n=Max("number"))["n"] or 0
    finding = Finding.objects.create(
        agency_id=run.agency_id,
        run=run,
        item=item,
        number=last + 1,
        severity=_severity(severity),
        title=_text(title, "title", 300, required=True),
        description=_text(description, "description", MAX_TEXT),
        owner=_owner(run, owner_id),
        due=_due(due),
        created_by=person,
        created_at=now,
    )
    _journal(
        case,
        JournalKind.FINDING_RECORDED,
        person,
        now,
        {
            "run": run.pk,
            "title": title_of(run),
            "finding": finding.pk,
            "number": f"T-{finding.number}",
            "severity": finding.severity,
            "text": finding.title,
        },
    )
    return finding


# An argument left out (owner_id and due: None given clears them).
_UNSET: object = object()


@_atomic
def update_finding(
    person: Person,
    finding_id: int,
    *,
    severity: str | None = None,
    title: str | None = None,
    description: str | None = None,
    owner_id: int | str | object | None = _UNSET,
    due: dt.date | str | object | None = _UNSET,
    at: dt.datetime | None = None,
) -> Finding:
    """Change what is given. Severity, title and description only while the run is open (by
    someone who may test it); the owner and the follow-up date also after it is closed, by
    whoever follows the finding up. ``owner_id`` and ``due`` left out stay as they are;
    given as None (or "") they are cleared."""
    case, run, finding = _finding_locked(person, finding_id)
    changed: list[str] = []
    if severity is not None or title is not None or description is not None:
        _tester_or_refuse(person, case, run)
        if severity is not None:
            finding.severity = _severity(severity)
            changed.append("severity")
        if title is not None:
            finding.title = _text(title, "title", 300, required=True)
            changed.append("title")
        if description is not None:
            finding.description = _text(description, "description", MAX_TEXT)
            changed.append("description")
    if owner_id is not _UNSET or due is not _UNSET:
        _follower_or_refuse(person, run, finding)
        if owner_id is not _UNSET:
            finding.owner = _owner(run, owner_id)
            changed.append("owner")
        if due is not _UNSET:
            finding.due = _due(due)
            changed.append("due")
    if changed:
        finding.save(update_fields=changed)
    return finding


def _note(note: object, *, required: bool = False) -> str:
    return _text(note, "note", MAX_TEXT, required=required)


@_atomic
def mark_fixed(
    person: Person, finding_id: int, *, note: str = "", at: dt.datetime | None = None
) -> Finding:
    """The finding is fixed and waits for its retest."""
    _case, run, finding = _finding_locked(person, finding_id)
    _follower_or_refuse(person, run, finding)
    if finding.status != FindingStatus.OPEN:
        raise ServiceError(
            "invalid", _("Only an open finding can be marked fixed."), field="finding"
        )
    finding.status = FindingStatus.FIXED
    finding.fixed_at = _now(at)
    text = _note(note)
    if text:
        finding.retest_note = text
    finding.save(update_fields=["status", "fixed_at", "retest_note"])
    return finding


@_atomic
def record_retest(
    person: Person, finding_id: int, result: str, *, note: str = "", at: dt.datetime | None = None
) -> Finding:
    """The retest of a finding: passed closes it, failed opens it again."""
    _case, run, finding = _finding_locked(person, finding_id)
    _follower_or_refuse(person, run, finding)
    if result not in RetestResult.values:
        raise ServiceError(
            "invalid",
            _("Choose a retest result: %(items)s") % {"items": ", ".join(RetestResult.values)},
            field="result",
        )
    if not finding.is_open:
        raise ServiceError("invalid", _("The finding is already closed."), field="finding")
    finding.retest_result = result
    finding.retest_note = _note(note)
    if result == RetestResult.PASSED:
        finding.status = FindingStatus.CLOSED
        finding.closed_at = _now(at)
    else:
        finding.status = FindingStatus.OPEN
        finding.closed_at = None
    finding.save(update_fields=["retest_result", "retest_note", "status", "closed_at"])
    return finding


@_atomic
def accept_risk(
    person: Person, finding_id: int, *, note: str, at: dt.datetime | None = None
) -> Finding:
    """The finding is left as it is, its risk accepted (say why)."""
    _case, run, finding = _finding_locked(person, finding_id)
    _follower_or_refuse(person, run, finding)
    if not finding.is_open:
        raise ServiceError("invalid", _("The finding is already closed."), field="finding")
    finding.retest_note = _note(note, required=True)
    finding.status = FindingStatus.ACCEPTED
    finding.closed_at = _now(at)
    finding.save(update_fields=["retest_note", "status", "closed_at"])
    return finding


def problem_procedure(agency_id: int) -> ProcedureVersion | None:
    """The problem procedure an agency offers: its newest version of SOP 002."""
    return (
        ProcedureVersion.objects.filter(agency_id=agency_id, procedure_key=SOP_002)
        .order_by("-number")
        .first()
    )


@_atomic
def open_problem_case(
    person: Person,
    finding_id: int,
    *,
    procedure_version_id: int | None = None,
    at: dt.datetime | None = None,
) -> Case:
    """Open a case of a problem procedure (the agency's SOP 002 unless another of its
    versions is named) about the run's application, for the finding; once."""
    now = _now(at)
    _case, run, finding = _finding_locked(person, finding_id)
    _follower_or_refuse(person, run, finding)
    if finding.problem_case_id is not None:
        raise ServiceError(
            "exists",
            _("A problem case is already open for this finding."),
            field="finding",
        )
    if given(procedure_version_id):
        version = ProcedureVersion.objects.filter(
            pk=_id(procedure_version_id, "procedure_version"), agency_id=person.agency_id
        ).first()
    else:
        version = problem_procedure(person.agency_id)
    if version is None:
        raise ServiceError(
            "not_found",
            _("Your agency offers no problem procedure (SOP 002) to open a case on."),
            field="procedure_version",
        )
    title = f"Temuan T-{finding.number} {title_of(run)}: {finding.title}"[:300]
    description = finding.description or finding.title
    problem = case_services.open_case(
        person,
        version,
        title,
        description,
        application=run.application,
        now=now,
    )
    finding.problem_case = problem
    finding.save(update_fields=["problem_case"])
    locked = _lock(run.case_id)
    _journal(
        locked,
        JournalKind.FINDING_RECORDED,
        person,
        now,
        {
            "run": run.pk,
            "title": title_of(run),
            "finding": finding.pk,
            "number": f"T-{finding.number}",
            "problem_case": problem.reference,
        },
    )
    return problem
