"""The schemas of the test runs' API (:mod:`laksana.quality.api_runs`): named apart from the
other modules' (``Test...``) so the OpenAPI document has one entry per schema."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from laksana.api.types import Id, Out
from laksana.quality.models import (
    FindingSource,
    FindingStatus,
    Priority,
    RetestResult,
    RunKind,
    RunResult,
    RunStatus,
    Severity,
    Verdict,
)

MAX_PAGE = 100


class TestPersonRef(Out):
    id: int
    name: str


class TestEvidenceOut(Out):
    """An evidence file of a tested scenario (a photo, a screenshot, a PDF)."""

    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: TestPersonRef
    uploaded_at: dt.datetime
    url: str = Field(description="the file, as a download")


class TestRunItemOut(Out):
    """A scenario as the run tested it (its text copied when the run began) and its verdict."""

    id: int
    position: int
    number: str
    title: str
    requirement: str
    preconditions: str
    steps: str
    input_data: str
    expected: str
    priority: Priority
    verdict: Verdict | None = Field(description="none yet: null")
    actual: str
    tested_by: TestPersonRef | None
    tested_at: dt.datetime | None
    evidence: list[TestEvidenceOut]


class TestFindingOut(Out):
    """A finding (temuan) of a run and its follow-up."""

    id: int
    run_id: int
    number: int
    item_id: int | None
    severity: Severity
    title: str
    description: str
    owner: TestPersonRef | None
    due: dt.date | None
    status: FindingStatus
    retest_result: RetestResult | None
    retest_note: str
    source: FindingSource
    rule: str
    cwe: str
    location: str
    problem_case: str | None = Field(description="the reference of its problem case")
    created_by: TestPersonRef
    created_at: dt.datetime
    fixed_at: dt.datetime | None
    closed_at: dt.datetime | None


class TestResultOut(Out):
    """The result the verdicts and open findings give by the rule (docs/testing.md)."""

    result: RunResult
    reasons: list[str]
    pending: int = Field(description="scenarios without a verdict yet")


class TestRunSummaryOut(Out):
    id: int
    title: str
    number: int
    case: str = Field(description="the case's reference")
    step_id: int
    artifact: str
    kind: RunKind
    application_id: int
    application: str
    app_version: str
    status: RunStatus
    result: RunResult | None = Field(description="set when the run is closed")
    opened_at: dt.datetime
    closed_at: dt.datetime | None


class TestRunPage(Out):
    items: list[TestRunSummaryOut]
    next: str | None = Field(description="the cursor of the next page (None: the last page)")


class TestParticipant(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200)
    position: str = Field("", max_length=200)


class TestRunOut(TestRunSummaryOut):
    """A run with its scenarios, findings and the result its verdicts give."""

    environment_id: int | None
    environment: str
    url: str
    scenario_set_id: int
    scenario_set: str
    set_revision: int
    retest_of: int | None
    place: str
    notes: str
    participants: list[TestParticipant]
    document_id: int | None = Field(description="its minutes or report, once closed")
    opened_by: TestPersonRef
    closed_by: TestPersonRef | None
    may_test: bool = Field(description="whether the caller may record verdicts and close it")
    preview: TestResultOut
    items: list[TestRunItemOut]
    findings: list[TestFindingOut]
    page: str = Field(description="the run's screen")


class TestRunFilters(Schema):
    case: str | None = Field(None, max_length=40, description="the case's reference")
    application: Id | None = Field(None, description="application id")
    status: RunStatus | None = None
    kind: RunKind | None = None
    to_test: bool = Field(False, description="only the open runs the caller may test now")
    after: str | None = Field(None, max_length=200, description="the 'next' of the last page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class TestRunStartIn(Schema):
    """A run for the active step's minutes or report ``artifact`` (its key in the procedure)."""

    model_config = ConfigDict(extra="forbid")

    step_id: Id
    artifact: str = Field(max_length=100)
    scenario_set_id: Id
    app_version: str = Field(max_length=60)
    environment_id: Id | None = None
    url: str = Field("", max_length=500)
    place: str = Field("", max_length=200)
    retest_of: Id | None = Field(None, description="the closed run this one repeats")


class TestVerdictIn(Schema):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    actual: str = Field("", max_length=10_000)


class TestRunCloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    place: str = Field("", max_length=200)
    participants: list[TestParticipant] = Field(default_factory=list, max_length=50)
    notes: str = Field("", max_length=10_000)


class TestFindingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    title: str = Field(max_length=300)
    description: str = Field("", max_length=10_000)
    item_id: Id | None = Field(None, description="the scenario of the run it is about")
    owner_id: Id | None = Field(None, description="who follows it up (a person id)")
    due: dt.date | None = Field(None, description="the follow-up date")


class TestFindingChangeIn(Schema):
    """What changes (only what is given; ``owner_id`` or ``due`` null clears it)."""

    model_config = ConfigDict(extra="forbid")

    severity: Severity | None = None
    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=10_000)
    owner_id: Id | None = None
    due: dt.date | None = None


class TestNoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=10_000)


class TestRetestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    result: RetestResult
    note: str = Field("", max_length=10_000)


class TestProblemCaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    procedure_version_id: Id | None = Field(
        None, description="the procedure version to open it on (default: the agency's SOP 002)"
    )


class TestProblemCaseOut(Out):
    finding: TestFindingOut
    case: str = Field(description="the reference of the problem case")


class TestZapImportOut(Out):
    """What importing a ZAP report did: its format and the findings added and updated."""

    format: str = Field(description="json or xml")
    created: list[TestFindingOut]
    updated: list[TestFindingOut]
