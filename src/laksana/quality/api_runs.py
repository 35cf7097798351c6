"""The testing module's runs in the API, under /api/test-runs: the caller's runs, one run with
the exact text of each scenario it tested, its verdicts, evidence, findings and the result
the verdicts so far give (with the reasons); starting a run, recording verdicts, evidence
files (read back as downloads), closing and reopening a run, the findings' follow-up (fix,
retest, accepted risk, a problem case of its own) and importing an OWASP ZAP report into a
security run.

Reads go through the runs' visibility gate (:func:`laksana.quality.queries.visible_runs`:
whoever may see the run's case, in the run's own agency): a run one may not see is answered
exactly like a missing one (404), and so is an item, evidence file or finding that is not of
the run named in the path. Writes call :mod:`laksana.quality.runs`,
:mod:`laksana.quality.findings` and :mod:`laksana.quality.zap`, whose refusals are the API's
error format (400 naming the field, 403 for ``not_allowed``, 404 for ``not_found``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest
from django.urls import NoReverseMatch, reverse
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from laksana.api import cursor, files
from laksana.api.auth import acting_person, caller
from laksana.api.errors import file_missing, not_found, responses
from laksana.api.types import PathId
from laksana.org.models import Person
from laksana.quality import findings, queries, runs
from laksana.quality.models import (
    Evidence,
    Finding,
    FindingSource,
    FindingStatus,
    Priority,
    RetestResult,
    RunItem,
    RunKind,
    RunResult,
    RunStatus,
    Severity,
    TestRun,
    Verdict,
)
from laksana.quality.schemas_runs import (
    TestEvidenceOut,
    TestFindingChangeIn,
    TestFindingIn,
    TestFindingOut,
    TestNoteIn,
    TestParticipant,
    TestPersonRef,
    TestProblemCaseIn,
    TestProblemCaseOut,
    TestResultOut,
    TestRetestIn,
    TestRunCloseIn,
    TestRunFilters,
    TestRunItemOut,
    TestRunOut,
    TestRunPage,
    TestRunStartIn,
    TestRunSummaryOut,
    TestVerdictIn,
    TestZapImportOut,
)

logger = logging.getLogger(__name__)
router = Router(tags=["testing"])


# Helpers -------------------------------------------------------------------------------------


def _person(request: HttpRequest) -> Person | None:
    return caller(request).person


def _visible(request: HttpRequest) -> QuerySet[TestRun]:
    person = _person(request)
    if person is None:
        return TestRun.objects.none()
    return queries.visible_runs(person)


def _run(request: HttpRequest, run_id: int) -> TestRun:
    found = _visible(request).filter(pk=run_id).first()
    if found is None:
        raise not_found()
    return found


def _item(run: TestRun, item_id: int) -> RunItem:
    item = RunItem.objects.filter(pk=item_id, run=run).first()
    if item is None:
        raise not_found()
    return item


def _finding(run: TestRun, finding_id: int) -> Finding:
    finding = Finding.objects.filter(pk=finding_id, run=run).first()
    if finding is None:
        raise not_found()
    return finding


def _ref(person: Person | None) -> TestPersonRef | None:
    return TestPersonRef(id=person.pk, name=person.name) if person is not None else None


def _page_url(run: TestRun) -> str:
    try:
        return reverse("quality:run", args=[run.pk])
    except NoReverseMatch:
        return ""


def _evidence_out(run: TestRun, e: Evidence) -> TestEvidenceOut:
    return TestEvidenceOut(
        id=e.pk,
        name=e.original_name,
        content_type=e.content_type,
        size=e.size,
        sha256=e.sha256,
        uploaded_by=TestPersonRef(id=e.uploaded_by_id, name=e.uploaded_by.name),
        uploaded_at=e.uploaded_at,
        url=reverse("api:test_run_evidence", args=[run.pk, e.pk]),
    )


def _item_out(run: TestRun, item: RunItem) -> TestRunItemOut:
    return TestRunItemOut(
        id=item.pk,
        position=item.position,
        number=item.number,
        title=item.title,
        requirement=item.requirement,
        preconditions=item.preconditions,
        steps=item.steps,
        input_data=item.input_data,
        expected=item.expected,
        priority=Priority(item.priority),
        verdict=Verdict(item.verdict) if item.verdict else None,
        actual=item.actual,
        tested_by=_ref(item.tested_by),
        tested_at=item.tested_at,
        evidence=[_evidence_out(run, e) for e in item.evidence.all()],
    )


def _finding_out(f: Finding) -> TestFindingOut:
    return TestFindingOut(
        id=f.pk,
        run_id=f.run_id,
        number=f.number,
        item_id=f.item_id,
        severity=Severity(f.severity),
        title=f.title,
        description=f.description,
        owner=_ref(f.owner),
        due=f.due,
        status=FindingStatus(f.status),
        retest_result=RetestResult(f.retest_result) if f.retest_result else None,
        retest_note=f.retest_note,
        source=FindingSource(f.source),
        rule=f.rule,
        cwe=f.cwe,
        location=f.location,
        problem_case=f.problem_case.reference if f.problem_case is not None else None,
        created_by=TestPersonRef(id=f.created_by_id, name=f.created_by.name),
        created_at=f.created_at,
        fixed_at=f.fixed_at,
        closed_at=f.closed_at,
    )


def _fresh_finding(pk: int) -> TestFindingOut:
    return _finding_out(
        Finding.objects.select_related("owner", "created_by", "problem_case").get(pk=pk)
    )


def _summary_fields(run: TestRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "title": runs.title_of(run),
        "number": run.number,
        "case": run.case.reference,
        "step_id": run.step_id,
        "artifact": run.artifact_key,
        "kind": RunKind(run.kind),
        "application_id": run.application_id,
        "application": run.application.name,
        "app_version": run.app_version,
        "status": RunStatus(run.status),
        "result": RunResult(run.result) if run.result else None,
        "opened_at": run.opened_at,
        "closed_at": run.closed_at,
    }


def _run_out(request: HttpRequest, run: TestRun) -> TestRunOut:
    person = _person(request)
    items = (
        RunItem.objects.filter(run=run)
        .select_related("tested_by")
        .prefetch_related("evidence__uploaded_by")
        .order_by("position")
    )
    found = Finding.objects.filter(run=run).select_related("owner", "created_by", "problem_case")
    outcome = runs.preview(run)
    environment = run.environment
    return TestRunOut(
        **_summary_fields(run),
        environment_id=run.environment_id,
        environment=environment.get_kind_display() if environment is not None else "",
        url=run.url,
        scenario_set_id=run.scenario_set_id,
        scenario_set=run.scenario_set.name,
        set_revision=run.set_revision,
        retest_of=run.retest_of_id,
        place=run.place,
        notes=run.notes,
        participants=[
            TestParticipant(name=str(p.get("name", "")), position=str(p.get("position", "")))
            for p in run.participants
            if isinstance(p, dict)
        ],
        document_id=run.document_id,
        opened_by=TestPersonRef(id=run.opened_by_id, name=run.opened_by.name),
        closed_by=_ref(run.closed_by),
        may_test=person is not None and queries.may_test(person, run),
        preview=TestResultOut(
            result=outcome.result, reasons=list(outcome.reasons), pending=outcome.pending
        ),
        items=[_item_out(run, i) for i in items],
        findings=[_finding_out(f) for f in found],
        page=_page_url(run),
    )


def _fresh_run(request: HttpRequest, pk: int) -> TestRunOut:
    return _run_out(request, _run(request, pk))


# Operations: runs ----------------------------------------------------------------------------


@router.get("/test-runs", response={200: TestRunPage, **responses(422)})
def list_test_runs(request: HttpRequest, filters: Query[TestRunFilters]) -> TestRunPage:
    """The runs the caller may see (of the cases they may see), newest first, a page at a
    time; ``to_test``: only the open runs whose step the caller may work now."""
    person = _person(request)
    if person is None:
        found = TestRun.objects.none()
    elif filters.to_test:
        found = queries.runs_to_test(person)
    else:
        found = queries.visible_runs(person)
    if filters.case:
        found = found.filter(case__reference=filters.case.strip())
    if filters.application is not None:
        found = found.filter(application_id=filters.application)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.after:
        at, pk = cursor.decode(filters.after)
        found = found.filter(Q(opened_at__lt=at) | Q(opened_at=at, pk__lt=pk))
    page = list(
        found.select_related("case", "application").order_by("-opened_at", "-pk")[
            : filters.limit + 1
        ]
    )
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return TestRunPage(
        items=[TestRunSummaryOut(**_summary_fields(r)) for r in page],
        next=cursor.encode(page[-1].opened_at, page[-1].pk) if more else None,
    )


@router.post("/test-runs", response={201: TestRunOut, **responses(400, 403, 404, 422)})
def start_test_run(request: HttpRequest, payload: TestRunStartIn) -> Status[TestRunOut]:
    """Start a run for an active step's minutes or report: the scenarios of the set's latest
    revision are copied into it (its text frozen)."""
    person = acting_person(request)
    run = runs.start_run(
        person,
        payload.step_id,
        payload.artifact,
        scenario_set_id=payload.scenario_set_id,
        app_version=payload.app_version,
        environment_id=payload.environment_id,
        url=payload.url,
        place=payload.place,
        retest_of_id=payload.retest_of,
    )
    return Status(201, _fresh_run(request, run.pk))


@router.get(
    "/test-runs/{run_id}",
    response={200: TestRunOut, **responses(404, 422)},
    url_name="test_run",
)
def get_test_run(request: HttpRequest, run_id: PathId) -> TestRunOut:
    """One run: each scenario as tested, its verdict and evidence, the findings, and the
    result the verdicts so far give, with the reasons."""
    return _run_out(request, _run(request, run_id))


@router.post(
    "/test-runs/{run_id}/items/{item_id}/verdict",
    response={200: TestRunItemOut, **responses(400, 403, 404, 422)},
)
def record_test_verdict(
    request: HttpRequest, run_id: PathId, item_id: PathId, payload: TestVerdictIn
) -> TestRunItemOut:
    """The verdict and actual result of one scenario of an open run."""
    person = acting_person(request)
    run = _run(request, run_id)
    item = _item(run, item_id)
    runs.record_verdict(person, item.pk, payload.verdict, actual=payload.actual)
    item = RunItem.objects.select_related("tested_by").get(pk=item.pk)
    return _item_out(run, item)


@router.post(
    "/test-runs/{run_id}/items/{item_id}/evidence",
    response={201: TestEvidenceOut, **responses(400, 403, 404, 422)},
)
def add_test_evidence(
    request: HttpRequest, run_id: PathId, item_id: PathId, file: File[UploadedFile]
) -> Status[TestEvidenceOut]:
    """One evidence file (a photo, a screenshot, a PDF) of a scenario of an open run."""
    person = acting_person(request)
    run = _run(request, run_id)
    item = _item(run, item_id)
    evidence = runs.add_evidence(person, item.pk, file)
    evidence = Evidence.objects.select_related("uploaded_by").get(pk=evidence.pk)
    return Status(201, _evidence_out(run, evidence))


def _evidence(run: TestRun, evidence_id: int) -> Evidence:
    found = Evidence.objects.filter(pk=evidence_id, item__run=run).first()
    if found is None:
        raise not_found()
    return found


@router.get(
    "/test-runs/{run_id}/evidence/{evidence_id}",
    response=responses(404, 422),
    url_name="test_run_evidence",
    openapi_extra=files.download("The evidence file, with the type judged from its content."),
)
def download_test_evidence(
    request: HttpRequest, run_id: PathId, evidence_id: PathId
) -> FileResponse:
    """Download an evidence file of a run the caller may see."""
    evidence = _evidence(_run(request, run_id), evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        logger.error("The file of evidence %s is missing from the file store", evidence.pk)
        raise file_missing() from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/test-runs/{run_id}/close", response={200: TestRunOut, **responses(400, 403, 404, 422)}
)
def close_test_run(request: HttpRequest, run_id: PathId, payload: TestRunCloseIn) -> TestRunOut:
    """Close an open run whose every scenario has a verdict: its result by the rule, and its
    minutes (or report) drafted for signatures."""
    person = acting_person(request)
    run = _run(request, run_id)
    runs.close_run(
        person,
        run.pk,
        place=payload.place,
        participants=[p.model_dump() for p in payload.participants],
        notes=payload.notes,
    )
    return _fresh_run(request, run.pk)


@router.post(
    "/test-runs/{run_id}/reopen", response={200: TestRunOut, **responses(400, 403, 404, 422)}
)
def reopen_test_run(request: HttpRequest, run_id: PathId) -> TestRunOut:
    """Reopen a closed run while nobody has initialled or signed its minutes."""
    person = acting_person(request)
    run = _run(request, run_id)
    runs.reopen_run(person, run.pk)
    return _fresh_run(request, run.pk)


# Operations: findings ------------------------------------------------------------------------


@router.post(
    "/test-runs/{run_id}/findings",
    response={201: TestFindingOut, **responses(400, 403, 404, 422)},
)
def add_test_finding(
    request: HttpRequest, run_id: PathId, payload: TestFindingIn
) -> Status[TestFindingOut]:
    """A finding of an open run (of one of its scenarios, ``item_id``)."""
    person = acting_person(request)
    run = _run(request, run_id)
    finding = findings.add_finding(
        person,
        run.pk,
        severity=payload.severity,
        title=payload.title,
        description=payload.description,
        item_id=payload.item_id,
        owner_id=payload.owner_id,
        due=payload.due,
    )
    return Status(201, _fresh_finding(finding.pk))


@router.patch(
    "/test-runs/{run_id}/findings/{finding_id}",
    response={200: TestFindingOut, **responses(400, 403, 404, 422)},
)
def update_test_finding(
    request: HttpRequest, run_id: PathId, finding_id: PathId, payload: TestFindingChangeIn
) -> TestFindingOut:
    """Change a finding: what it says while its run is open; its owner and follow-up date
    also after."""
    person = acting_person(request)
    finding = _finding(_run(request, run_id), finding_id)
    given = payload.model_fields_set
    changes: dict[str, Any] = {
        name: getattr(payload, name)
        for name in ("severity", "title", "description", "owner_id", "due")
        if name in given
    }
    for name in ("severity", "title", "description"):
        if name in changes and changes[name] is None:
            del changes[name]  # null: unchanged (only the owner and the date are cleared)
    for name in ("owner_id", "due"):
        if name in changes and changes[name] is None:
            changes[name] = ""  # null: cleared ("" is the service's "none")
    findings.update_finding(person, finding.pk, **changes)
    return _fresh_finding(finding.pk)


@router.post(
    "/test-runs/{run_id}/findings/{finding_id}/fixed",
    response={200: TestFindingOut, **responses(400, 403, 404, 422)},
)
def mark_test_finding_fixed(
    request: HttpRequest, run_id: PathId, finding_id: PathId, payload: TestNoteIn
) -> TestFindingOut:
    """The finding is fixed and waits for its retest."""
    person = acting_person(request)
    finding = _finding(_run(request, run_id), finding_id)
    findings.mark_fixed(person, finding.pk, note=payload.note)
    return _fresh_finding(finding.pk)


@router.post(
    "/test-runs/{run_id}/findings/{finding_id}/retest",
    response={200: TestFindingOut, **responses(400, 403, 404, 422)},
)
def retest_test_finding(
    request: HttpRequest, run_id: PathId, finding_id: PathId, payload: TestRetestIn
) -> TestFindingOut:
    """The retest of a finding: passed closes it, failed opens it again."""
    person = acting_person(request)
    finding = _finding(_run(request, run_id), finding_id)
    findings.record_retest(person, finding.pk, payload.result, note=payload.note)
    return _fresh_finding(finding.pk)


@router.post(
    "/test-runs/{run_id}/findings/{finding_id}/accept-risk",
    response={200: TestFindingOut, **responses(400, 403, 404, 422)},
)
def accept_test_finding_risk(
    request: HttpRequest, run_id: PathId, finding_id: PathId, payload: TestNoteIn
) -> TestFindingOut:
    """Close the finding as an accepted risk (the note says why)."""
    person = acting_person(request)
    finding = _finding(_run(request, run_id), finding_id)
    findings.accept_risk(person, finding.pk, note=payload.note)
    return _fresh_finding(finding.pk)


@router.post(
    "/test-runs/{run_id}/findings/{finding_id}/problem-case",
    response={201: TestProblemCaseOut, **responses(400, 403, 404, 422)},
)
def open_test_finding_case(
    request: HttpRequest, run_id: PathId, finding_id: PathId, payload: TestProblemCaseIn
) -> Status[TestProblemCaseOut]:
    """Open a problem case of the finding's own (on the agency's SOP 002 by default)."""
    person = acting_person(request)
    finding = _finding(_run(request, run_id), finding_id)
    case = findings.open_problem_case(
        person, finding.pk, procedure_version_id=payload.procedure_version_id
    )
    return Status(201, TestProblemCaseOut(finding=_fresh_finding(finding.pk), case=case.reference))


# Operations: a scanner's report ----------------------------------------------------------------


@router.post(
    "/test-runs/{run_id}/zap",
    response={200: TestZapImportOut, **responses(400, 403, 404, 422)},
)
def import_test_zap_report(
    request: HttpRequest, run_id: PathId, file: File[UploadedFile]
) -> TestZapImportOut:
    """Import an OWASP ZAP report (JSON or XML) into an open run: each alert's rule becomes
    a finding with its severity; a rule imported before updates its finding. All or nothing."""
    from laksana.quality import zap

    person = acting_person(request)
    run = _run(request, run_id)
    result = zap.import_report(person, run.pk, file.read())
    return TestZapImportOut(
        format=result.format,
        created=[_fresh_finding(f.pk) for f in result.created],
        updated=[_fresh_finding(f.pk) for f in result.updated],
    )
