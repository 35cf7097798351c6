"""The demo's testing: scenario sets, and the SIT, UAT and security runs of the demo cases.

Everything goes through :mod:`laksana.quality`'s services at the story's times, as the people
of the demo would: the QA staff write a set at SOP 002 row 7 (and complete the row with it),
the Tim SPBE runs the SIT at row 8, the requesting unit's staff the UAT at row 9; closing a
run drafts its minutes (BA SIT, BA UAT, Laporan Uji Keamanan) through the documents module,
which its signers then sign in their turns; the step completes with the final minutes (row
9's branch is read from the UAT's result). Findings get owners and follow-up dates; a few
verdicts carry a screenshot as evidence.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile

from laksana.catalog.models import Environment
from laksana.demo import documents as demo_documents
from laksana.demo.files import png_bytes
from laksana.demo.orgs import DemoOrg
from laksana.demo.scenario_sets import DemoSet
from laksana.demo.scenario_sets_more import STANDING_SETS
from laksana.documents import services as documents
from laksana.documents.models import Document, DocumentStatus
from laksana.quality import findings, runs, scenarios, security, zap
from laksana.quality.models import (
    Evidence,
    Finding,
    FindingStatus,
    RetestResult,
    RunItem,
    ScenarioSet,
    TestRun,
    Verdict,
)

if TYPE_CHECKING:
    from laksana.demo.cases import Story

DATA = Path(__file__).parent / "data"
ZAP_REPORT = DATA / "zap-web-lab.json"
"""The OWASP ZAP scan (traditional JSON report) of the UTN laboratory website."""

PASSED_TEXT = "Sesuai harapan."


@dataclass(frozen=True)
class Tested:
    """What a tester recorded for one scenario (the rest of a run: passed, as expected)."""

    verdict: str = Verdict.PASSED
    actual: str = PASSED_TEXT
    photo: bool = False  # a screenshot as evidence
    by: str = ""  # another tester of the run (login); empty: the one who runs it


@dataclass(frozen=True)
class Issue:
    """A finding a tester records: who follows it up by when (working days from then)."""

    severity: str
    title: str
    description: str
    owner: str
    due_days: float
    scenario: str = ""  # the scenario it is about
    fixed: str = ""  # fixed and retested (passed) before the run closes: the fix, said


@dataclass(frozen=True)
class Plan:
    """A run as it goes: its results by scenario number, its findings, the minutes' texts."""

    results: Mapping[str, Tested] = field(default_factory=dict)
    issues: Sequence[Issue] = ()
    place: str = ""
    participants: Sequence[Mapping[str, str]] = ()
    notes: str = ""
    environment: str = "staging"  # the catalogue's environment of the application tested
    url: str = ""  # the address tested, when not the environment's domain
    tested: int | None = None  # only the first N scenarios tested yet: the run stays open


# --- scenario sets ---------------------------------------------------------------------------


def create(org: DemoOrg, data: DemoSet, at: dt.datetime) -> ScenarioSet:
    """The set as its author writes it (revision 1)."""
    return scenarios.create_set(
        org[data.author],
        org.applications[data.application].pk,
        name=data.name,
        app_version=data.app_version,
        description=data.description,
        scenarios=data.scenarios,
        at=at,
    )


def build_standing_sets(orgs: Mapping[str, DemoOrg], now: dt.datetime) -> list[ScenarioSet]:
    """The regression sets of the demo applications, written by their QA staff some weeks
    ago (in working hours)."""
    from laksana.demo.cases import DAY, WorkingClock  # cases imports this module

    made: list[ScenarioSet] = []
    for data in STANDING_SETS:
        org = orgs[data.org]
        clock = WorkingClock(now, _tz(org))
        clock.rewind(data.days_ago * DAY * 60)
        made.append(create(org, data, clock.advance(60)))
    return made


def set_ref(org: DemoOrg, data: DemoSet) -> dict[str, str]:
    """The value naming a set written before (a step's ``quality.test_scenarios``)."""
    found = ScenarioSet.objects.get(
        agency=org.agency, application=org.applications[data.application], name=data.name
    )
    return {"ref": f"scenarios:{found.pk}"}


def _tz(org: DemoOrg) -> zoneinfo.ZoneInfo:
    """The agency's time zone (its working hours are in it)."""
    return zoneinfo.ZoneInfo(org.agency.time_zone)


def _artifact(s: Story, type_names: Sequence[str]) -> str:
    """The active step's output of one of these types."""
    row = s._active()
    step = s.spec.step(row.step_key)
    for key in step.produces:
        if s.spec.artifact(key).type in type_names:
            return key
    raise RuntimeError(f"{s.current}: step {row.step_key} makes no {type_names}")


def write_scenarios(s: Story, login: str, data: DemoSet, *, hours: float) -> ScenarioSet:
    """SOP 002 row 7: the QA staff write the set and complete the row with it."""
    key = _artifact(s, ("quality.test_scenarios",))
    found = create(s.org, data, s._tick(hours * 0.8))
    s.step(login, hours=hours * 0.2, values={key: {"ref": f"scenarios:{found.pk}"}})
    return found


def revise_scenarios(
    s: Story,
    login: str,
    scenario_set: ScenarioSet,
    changes: Mapping[str, Mapping[str, str]],
    *,
    note: str,
    hours: float,
) -> ScenarioSet:
    """Row 7 again: scenarios changed or added (by number), a new revision of the set; the
    runs before keep the text they tested."""
    key = _artifact(s, ("quality.test_scenarios",))
    rows = [dict(r) for r in scenarios.snapshot(scenario_set)]
    by_number = {r["number"]: i for i, r in enumerate(rows)}
    for number, row in changes.items():
        if number in by_number:
            rows[by_number[number]] = dict(row)
        else:
            rows.append(dict(row))
    scenarios.replace_scenarios(
        s._person(login), scenario_set.pk, rows, note=note, at=s._tick(hours * 0.8)
    )
    s.step(login, hours=hours * 0.2, values={key: {"ref": f"scenarios:{scenario_set.pk}"}})
    return ScenarioSet.objects.get(pk=scenario_set.pk)


# --- runs ------------------------------------------------------------------------------------


def _evidence(s: Story, run: TestRun, item: RunItem, tested: Tested) -> SimpleUploadedFile:
    """A screenshot of what the tester saw (the error shown when the scenario failed)."""
    failed = tested.verdict in (Verdict.FAILED, Verdict.BLOCKED)
    content = png_bytes(
        f"{run.application.short_name or run.application.name} {run.app_version} - {item.number}",
        [item.title, tested.actual, f"{run.url or s.org.agency.short_name}"],
        error=tested.actual[:90] if failed else "",
    )
    return SimpleUploadedFile(f"{item.number}.png", content, content_type="image/png")


def _due(s: Story, at: dt.datetime, days: float) -> dt.date:
    """The follow-up date ``days`` working days after ``at``."""
    from laksana.demo.cases import DAY, WorkingClock

    return WorkingClock(at, s.clock.tz).advance(days * DAY * 60).date()


def _environment(run_app_id: int, kind: str) -> Environment | None:
    """The application's environment of that kind in the catalogue (else any it has)."""
    return (
        Environment.objects.filter(application_id=run_app_id, kind=kind).first()
        or Environment.objects.filter(application_id=run_app_id).first()
    )


def start(
    s: Story,
    login: str,
    scenario_set: ScenarioSet,
    plan: Plan,
    *,
    version: str = "",
    retest_of: TestRun | None = None,
    hours: float = 0.25,
) -> TestRun:
    """A run of the active step's minutes or report, opened by ``login``."""
    key = _artifact(s, tuple(runs.KIND_OF_TYPE))
    application = s.current.application
    assert application is not None
    environment = _environment(application.pk, plan.environment)
    url = plan.url or (
        f"https://{environment.domain}" if environment and environment.domain else ""
    )
    return runs.start_run(
        s._person(login),
        s._active().pk,
        key,
        scenario_set_id=scenario_set.pk,
        app_version=version or scenario_set.app_version or "1.0",
        environment_id=environment.pk if environment else None,
        url=url,
        place=plan.place,
        retest_of_id=retest_of.pk if retest_of else None,
        at=s._tick(hours),
    )


def record(s: Story, login: str, run: TestRun, plan: Plan, *, hours: float) -> None:
    """The testers' verdicts (of the first ``plan.tested`` scenarios, or all), and the
    findings, spread over ``hours``."""
    items = list(run.items.order_by("position"))
    if plan.tested is not None:
        items = items[: plan.tested]
    by_number = {i.number: i for i in run.items.all()}
    each = hours / (len(items) + len(plan.issues) + 1)
    for item in items:
        tested = plan.results.get(item.number, Tested())
        at = s._tick(each)
        files = [_evidence(s, run, item, tested)] if tested.photo else []
        runs.record_verdict(
            s._person(tested.by or login),
            item.pk,
            tested.verdict,
            actual=tested.actual,
            files=files,
            at=at,
        )
    for issue in plan.issues:
        at = s._tick(each)
        about = by_number.get(issue.scenario)
        finding = findings.add_finding(
            s._person(login),
            run.pk,
            severity=issue.severity,
            title=issue.title,
            description=issue.description,
            item_id=about.pk if about else None,
            owner_id=s._person(issue.owner).pk,
            due=_due(s, at, issue.due_days),
            at=at,
        )
        if issue.fixed:
            _fixed_and_retested(s, login, finding, issue, each)
    _remember_evidence(s, run)


def _fixed_and_retested(
    s: Story, login: str, finding: Finding, issue: Issue, hours: float, *, by: str = ""
) -> None:
    """The finding marked fixed (by its owner, or ``by`` for an owner who cannot see the
    case) and closed by the tester's retest."""
    fixer = s._person(by or issue.owner)
    findings.mark_fixed(fixer, finding.pk, note=issue.fixed, at=s._tick(hours))
    findings.record_retest(
        s._person(login),
        finding.pk,
        RetestResult.PASSED,
        note="Diuji ulang setelah perbaikan: sesuai harapan.",
        at=s._tick(hours / 2),
    )


def _remember_evidence(s: Story, run: TestRun) -> None:
    for name in Evidence.objects.filter(item__run=run).values_list("file", flat=True):
        if name and name not in s.written:
            s.written.append(name)


def close_and_sign(s: Story, login: str, run: TestRun, plan: Plan, *, hours: float) -> Document:
    """Close the run (its minutes drafted), send the minutes for signatures and have every
    signer sign in turn, over ``hours``."""
    person = s._person(login)
    run = runs.close_run(
        person,
        run.pk,
        place=plan.place,
        participants=plan.participants,
        notes=plan.notes,
        at=s._tick(hours * 0.2),
    )
    if run.document_id is None:
        raise RuntimeError(f"{run}: closed without minutes")
    document = Document.objects.get(pk=run.document_id)
    if document.status == DocumentStatus.DRAFT:
        document = documents.submit(person, document, at=s._tick(hours * 0.1))
    signers = max(document.signatories.count(), 1)
    document = demo_documents.sign_in_turn(document, lambda h: s._tick(hours * 0.7 / signers))
    s._remember_files()
    return document


def test(
    s: Story,
    login: str,
    scenario_set: ScenarioSet,
    plan: Plan,
    *,
    hours: float,
    version: str = "",
    retest_of: TestRun | None = None,
) -> TestRun:
    """A whole run on the active step (SIT, UAT): opened, tested, closed, its minutes signed,
    and the step completed with them (a UAT's result chooses row 9's branch). Without
    ``plan.tested`` covering all, the run stays open and the step active."""
    run = start(s, login, scenario_set, plan, version=version, retest_of=retest_of)
    record(s, login, run, plan, hours=hours * 0.6)
    if plan.tested is not None:
        return run
    document = close_and_sign(s, login, run, plan, hours=hours * 0.35)
    s.step(login, hours=hours * 0.05, values={run.artifact_key: {"ref": f"document:{document.pk}"}})
    return TestRun.objects.get(pk=run.pk)


def fix(s: Story, login: str, rejected: TestRun, note: str, *, hours: float) -> None:
    """SOP 002 row 6 again after a rejected UAT: the developer fixes the findings, marks
    them fixed, and completes the row."""
    for finding in rejected.findings.filter(status=FindingStatus.OPEN).order_by("number"):
        findings.mark_fixed(s._person(login), finding.pk, note=note, at=s._tick(hours * 0.8))
    s.step(login, hours=hours * 0.2, note=note)


def retested(s: Story, login: str, rejected: TestRun, note: str) -> None:
    """The findings of a rejected run closed by their retest (passed in the new run)."""
    for finding in rejected.findings.filter(status=FindingStatus.FIXED).order_by("number"):
        findings.record_retest(
            s._person(login), finding.pk, RetestResult.PASSED, note=note, at=s._tick(0.25)
        )


def security_test(
    s: Story,
    login: str,
    plan: Plan,
    *,
    hours: float,
    version: str,
    report: Path | None = None,
    owners: Mapping[str, tuple[str, float]] | None = None,
    fixed: Mapping[str, str] | None = None,
    values: Mapping[str, object] | None = None,
) -> TestRun:
    """A security test (SOP 003 row 8, SOP 001 c.2): the ASVS level 1 checklist installed as
    the application's security set, a run of it, an OWASP ZAP scan (``report``) imported (its
    alerts as findings, given owners and follow-up dates: ``owners`` by ZAP rule), some fixed
    and retested during the test (``fixed``), then closed and the Laporan Uji Keamanan
    signed; the step completes with it (and the other ``values`` it needs)."""
    application = s.current.application
    assert application is not None
    checklist = security.install_checklist(
        s._person(login), application.pk, at=s._tick(hours * 0.05)
    )
    run = start(s, login, checklist, plan, version=version)
    record(s, login, run, plan, hours=hours * 0.4)
    person = s._person(login)
    imported = (
        zap.import_report(person, run.pk, report.read_bytes(), at=s._tick(1)).findings
        if report is not None
        else ()
    )
    owners, fixed = owners or {}, fixed or {}
    for finding in imported:
        at = s._tick(0.1)
        owner, days = owners.get(finding.rule, ("", 0))
        if owner:
            findings.update_finding(
                person, finding.pk, owner_id=s._person(owner).pk, due=_due(s, at, days), at=at
            )
        if finding.rule in fixed:
            # The owner (Divisi Infrastruktur) fixed it; the tester records it.
            issue = Issue(finding.severity, finding.title, "", owner, 0, fixed=fixed[finding.rule])
            _fixed_and_retested(s, login, finding, issue, 2, by=login)
    document = close_and_sign(s, login, run, plan, hours=hours * 0.3)
    given = {**(values or {}), run.artifact_key: {"ref": f"document:{document.pk}"}}
    s.step(login, hours=hours * 0.05, values=given)
    return TestRun.objects.get(pk=run.pk)
