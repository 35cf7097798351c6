"""The only code that writes test runs, their verdicts and evidence (findings:
:mod:`laksana.quality.findings`).

A run's life (docs/testing.md):

* **open** (:func:`start_run`): by someone who may work the case's active step whose output
  is the run's minutes (minutes.sit, minutes.uat) or report (security.test_report); the
  scenarios of the set's latest revision are copied into the run (its exact text, frozen);
* verdicts, actual results, evidence and findings are recorded while it is open, by whoever
  may work the step (:func:`laksana.quality.queries.may_test`);
* **closed** (:func:`close_run`): every scenario has a verdict; the result is derived by the
  rule (:mod:`laksana.quality.rule`) and the minutes are drafted through the documents
  module, with the step's signers; nothing of the run changes any more;
* **reopened** (:func:`reopen_run`) while nobody has initialled or signed its minutes;
  closed again, the same minutes are made again from it;
* **signed** when its minutes become final (the documents module's ``ON_FINAL``): for ever.
  A retest is a new run referring to the old one (``retest_of``).

Every action is one transaction that locks the run's case (its journal is the case's hash
chain). Ids of another agency's records are answered as not found.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import authority
from laksana.cases.models import Case, CaseStep, JournalKind, StepStatus
from laksana.cases.servicebase import NotAllowed, ServiceError, _atomic, _lock, _now
from laksana.cases.uploads import UploadRejected, check_upload
from laksana.catalog.models import Environment
from laksana.documents import made
from laksana.documents import services as documents
from laksana.documents.pdfstore import written
from laksana.org.models import Agency, Person
from laksana.quality import minutes, rule, runbase
from laksana.quality.models import (
    SCENARIO_FIELDS,
    Evidence,
    FindingStatus,
    RunItem,
    RunStatus,
    Scenario,
    ScenarioSet,
    ScenarioSetRevision,
    TestRun,
    Verdict,
)
from laksana.quality.runbase import (
    EVIDENCE_TYPES,
    MAX_FILES,
    MAX_PARTICIPANTS,
    MAX_TEXT,
    _id,
    _item_locked,
    _journal,
    _run_locked,
    _step,
    _tester_or_refuse,
    _text,
    given,
)

# The names the screens, the API and the plug-in use (defined in runbase).
KIND_OF_TYPE = runbase.KIND_OF_TYPE
SOURCE_PREFIX = runbase.SOURCE_PREFIX
title_of = runbase.title_of
source_of = runbase.source_of


def locked_run(person: Person, run_id: int) -> TestRun:
    """An open run the person may test, its case locked (for an import into it, in the
    caller's transaction)."""
    case, run = _run_locked(person, run_id)
    _tester_or_refuse(person, case, run)
    return run


# --- starting ---------------------------------------------------------------------------------


def _scenarios_of(scenario_set: ScenarioSet) -> tuple[int, list[dict[str, Any]]]:
    """The set's latest revision and its scenarios (the current rows if it has none)."""
    revision = ScenarioSetRevision.objects.filter(set=scenario_set).order_by("-number").first()
    if revision is not None:
        rows = [dict(r) for r in revision.scenarios if isinstance(r, Mapping)]
        return revision.number, rows
    current = Scenario.objects.filter(set=scenario_set).order_by("position", "pk")
    return scenario_set.revision, [{f: getattr(s, f) for f in SCENARIO_FIELDS} for s in current]


@_atomic
def start_run(
    person: Person,
    step_id: int,
    artifact_key: str,
    *,
    scenario_set_id: int,
    app_version: str,
    environment_id: int | None = None,
    url: str = "",
    place: str = "",
    retest_of_id: int | None = None,
    at: dt.datetime | None = None,
) -> TestRun:
    """Open a run for the active step's minutes or report ``artifact_key`` (see the
    module's text); the set's scenarios are copied into it."""
    now = _now(at)
    pk = _id(step_id, "step")
    case_id = (
        CaseStep.objects.filter(pk=pk, case__agency_id=person.agency_id)
        .values_list("case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise ServiceError("not_found", _("No such step."), field="step")
    case = _lock(case_id)
    from laksana.cases.queries import can_view

    if person.user is None or not can_view(person.user, case, person):
        raise ServiceError("not_found", _("No such step."), field="step")
    row = CaseStep.objects.get(pk=pk)
    row.case = case
    spec = case.version.spec
    step = spec.step(row.step_key)
    key = artifact_key if isinstance(artifact_key, str) else ""
    if key not in step.produces or spec.artifact(key).type not in KIND_OF_TYPE:
        raise ServiceError(
            "invalid",
            _("This step makes no test minutes or report %(key)s.") % {"key": key[:100]},
            field="artifact",
        )
    kind = KIND_OF_TYPE[spec.artifact(key).type]
    if row.status != StepStatus.ACTIVE:
        raise ServiceError("not_active", _("This step is not active now."), field="step")
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(
            decision.explain(_("Only someone who may work this step can start its test run."))
        )
    if case.application_id is None:
        raise ServiceError(
            "no_application",
            _("This case is about no application of the catalogue: nothing to test."),
            field="step",
        )
    busy = TestRun.objects.filter(
        step_id=row.pk, artifact_key=key, status__in=(RunStatus.OPEN, RunStatus.CLOSED)
    ).first()
    if busy is not None:
        raise ServiceError(
            "run_exists",
            _("%(title)s is already under way for this step: finish it or reopen it.")
            % {"title": title_of(busy)},
            field="artifact",
        )
    scenario_set = ScenarioSet.objects.filter(
        pk=_id(scenario_set_id, "scenario_set"),
        agency_id=case.agency_id,
        application_id=case.application_id,
    ).first()
    if scenario_set is None:
        raise ServiceError(
            "not_found",
            _("No such scenario set of this case's application."),
            field="scenario_set",
        )
    revision, scenarios = _scenarios_of(scenario_set)
    if not scenarios:
        raise ServiceError(
            "empty_set", _("The scenario set has no scenarios."), field="scenario_set"
        )
    version = _text(app_version, "app_version", 60, required=True)
    environment = None
    if given(environment_id):
        environment = Environment.objects.filter(
            pk=_id(environment_id, "environment"), application_id=case.application_id
        ).first()
        if environment is None:
            raise ServiceError(
                "not_found",
                _("No such environment of this case's application."),
                field="environment",
            )
    retest_of = None
    if given(retest_of_id):
        retest_of = TestRun.objects.filter(
            pk=_id(retest_of_id, "retest_of"), case_id=case.pk, kind=kind
        ).first()
        if retest_of is None:
            raise ServiceError(
                "not_found",
                _("No such test run of this case and kind to retest."),
                field="retest_of",
            )
        if retest_of.status == RunStatus.OPEN:
            raise ServiceError(
                "invalid",
                _("A retest repeats a closed run; %(title)s is still open.")
                % {"title": title_of(retest_of)},
                field="retest_of",
            )
    # Numbered per case and kind: a case's first UAT is "UAT 1" whatever SITs came before.
    last = TestRun.objects.filter(case_id=case.pk, kind=kind).aggregate(n=Max("number"))["n"] or 0
    run = TestRun.objects.create(
        agency_id=case.agency_id,
        case=case,
        step=row,
        artifact_key=key,
        kind=kind,
        application_id=case.application_id,
        app_version=version,
        environment=environment,
        url=_text(url, "url", 500),
        scenario_set=scenario_set,
        set_revision=revision,
        retest_of=retest_of,
        number=last + 1,
        place=_text(place, "place", 200),
        opened_by=person,
        opened_at=now,
    )
    RunItem.objects.bulk_create(
        [
            RunItem(
                run=run,
                position=i,
                **{f: str(s.get(f) or "") for f in SCENARIO_FIELDS},
            )
            for i, s in enumerate(scenarios, 1)
        ]
    )
    _journal(
        case,
        JournalKind.TEST_RUN_STARTED,
        person,
        now,
        {
            "run": run.pk,
            "title": title_of(run),
            "kind": run.kind,
            "step": row.step_key,
            "artifact": key,
            "scenario_set": scenario_set.pk,
            "revision": revision,
            "scenarios": len(scenarios),
            "retest_of": retest_of.pk if retest_of else None,
        },
    )
    return run


# --- verdicts and evidence --------------------------------------------------------------------


def _keep_evidence(
    person: Person, item: RunItem, upload: UploadedFile[bytes], now: dt.datetime
) -> Evidence:
    try:
        checked = check_upload(upload)
    except UploadRejected as exc:
        raise ServiceError("upload_rejected", str(exc), field="files") from exc
    if checked.content_type not in EVIDENCE_TYPES:
        raise ServiceError(
            "invalid",
            _("%(name)s: evidence is a photo, a screenshot (JPEG, PNG, WebP, GIF) or a PDF.")
            % {"name": checked.name},
            field="files",
        )
    evidence = Evidence(
        item=item,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=person,
        uploaded_at=now,
    )
    evidence.file.save(checked.name, ContentFile(checked.content), save=False)
    written(evidence.file.storage, evidence.file.name or "")
    evidence.save()
    return evidence


@_atomic
def record_verdict(
    person: Person,
    item_id: int,
    verdict: str,
    *,
    actual: str = "",
    files: Sequence[UploadedFile[bytes]] = (),
    at: dt.datetime | None = None,
) -> RunItem:
    """The verdict (Lulus, Gagal, Diblokir, Tidak dijalankan) of one scenario of an open run,
    with the actual result and evidence files, by someone who may test the run."""
    now = _now(at)
    case, run, item = _item_locked(person, item_id)
    _tester_or_refuse(person, case, run)
    if verdict not in Verdict.values:
        raise ServiceError(
            "invalid",
            _("Choose a verdict: %(items)s") % {"items": ", ".join(Verdict.values)},
            field="verdict",
        )
    if len(files) > MAX_FILES:
        raise ServiceError(
            "invalid", _("At most %(count)s files at once.") % {"count": MAX_FILES}, field="files"
        )
    item.verdict = verdict
    item.actual = _text(actual, "actual", MAX_TEXT)
    item.tested_by = person
    item.tested_at = now
    item.save(update_fields=["verdict", "actual", "tested_by", "tested_at"])
    for upload in files:
        _keep_evidence(person, item, upload, now)
    return item


@_atomic
def add_evidence(
    person: Person, item_id: int, upload: UploadedFile[bytes], *, at: dt.datetime | None = None
) -> Evidence:
    """One more evidence file of a scenario of an open run."""
    case, run, item = _item_locked(person, item_id)
    _tester_or_refuse(person, case, run)
    return _keep_evidence(person, item, upload, _now(at))


@_atomic
def remove_evidence(person: Person, evidence_id: int, *, at: dt.datetime | None = None) -> None:
    """Remove an evidence file of an open run (a wrong photo)."""
    pk = _id(evidence_id, "evidence")
    item_id = (
        Evidence.objects.filter(pk=pk, item__run__agency_id=person.agency_id)
        .values_list("item_id", flat=True)
        .first()
    )
    if item_id is None:
        raise ServiceError("not_found", _("No such evidence."), field="evidence")
    case, run, _item = _item_locked(person, item_id)
    _tester_or_refuse(person, case, run)
    evidence = Evidence.objects.get(pk=pk)
    name = evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    if name:
        from django.db import transaction

        transaction.on_commit(lambda: storage.delete(name))


# --- the result, closing, reopening ------------------------------------------------------------


def preview(run: TestRun) -> rule.Outcome:
    """The result the verdicts and open findings so far give."""
    items = (
        RunItem.objects.filter(run=run)
        .order_by("position")
        .values_list("number", "priority", "verdict")
    )
    severities = run.findings.filter(
        status__in=(FindingStatus.OPEN, FindingStatus.FIXED)
    ).values_list("severity", flat=True)
    return rule.result_of(list(items), list(severities))


def _participants(rows: object) -> list[dict[str, str]]:
    if rows is None:
        return []
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ServiceError(
            "invalid",
            _("Give the participants as a list of {name, position}."),
            field="participants",
        )
    if len(rows) > MAX_PARTICIPANTS:
        raise ServiceError(
            "invalid",
            _("At most %(count)s participants.") % {"count": MAX_PARTICIPANTS},
            field="participants",
        )
    out: list[dict[str, str]] = []
    for i, raw in enumerate(rows, 1):
        if not isinstance(raw, Mapping) or set(raw) - {"name", "position"}:
            raise ServiceError(
                "invalid",
                _("Participant %(n)s: give {name, position}.") % {"n": i},
                field="participants",
            )
        name = _text(raw.get("name"), "participants", 200)
        position = _text(raw.get("position"), "participants", 200)
        if not name and not position:
            continue
        if not name:
            raise ServiceError(
                "required",
                _("Participant %(n)s: give the name.") % {"n": i},
                field="participants",
            )
        out.append({"name": name, "position": position})
    return out


def _draft(
    person: Person,
    case: Case,
    row: CaseStep,
    run: TestRun,
    fields: dict[str, Any],
    now: dt.datetime,
) -> Any:
    """The run's minutes drafted with the step's signers; when the procedure names a signer
    nobody of the case is (a requesting unit without a head), signed by the person closing
    the run, who names the signatories on the draft before sending it round."""
    draft = functools.partial(
        documents.make_draft,
        person,
        case.pk,
        step=row.pk,
        artifact_key=run.artifact_key,
        fields=fields,
        source=source_of(run),
        at=now,
    )
    try:
        return draft()
    except ServiceError as exc:
        if exc.code != "no_signatory":
            raise
    return draft(signatories=[{"person": person.pk, "role": "sign", "label": "", "order": 1}])


@_atomic
def close_run(
    person: Person,
    run_id: int,
    *,
    place: str = "",
    participants: Sequence[Mapping[str, str]] = (),
    notes: str = "",
    at: dt.datetime | None = None,
) -> TestRun:
    """Close an open run whose every scenario has a verdict: its result by the rule, and its
    minutes drafted (or, closed again after a reopening, made again) through the documents
    module, signed by the step's signers."""
    now = _now(at)
    case, run = _run_locked(person, run_id)
    row = _tester_or_refuse(person, case, run)
    pending = list(
        RunItem.objects.filter(run=run, verdict="")
        .order_by("position")
        .values_list("number", flat=True)
    )
    if pending:
        raise ServiceError(
            "pending",
            _("Give every scenario a verdict first; without one: %(numbers)s")
            % {"numbers": ", ".join(pending[:50])},
            field="items",
            items=pending,
        )
    run.place = _text(place, "place", 200) or run.place
    run.notes = _text(notes, "notes", MAX_TEXT)
    run.participants = _participants(participants)
    outcome = preview(run)
    run.result = outcome.result
    run.status = RunStatus.CLOSED
    run.closed_by = person
    run.closed_at = now
    run.save(
        update_fields=[
            "place",
            "notes",
            "participants",
            "result",
            "status",
            "closed_by",
            "closed_at",
        ]
    )
    fields = minutes.fields_of(run)
    document = run.document if run.document_id is not None else None
    if document is not None:
        zone = ZoneInfo(Agency.objects.values_list("time_zone", flat=True).get(pk=case.agency_id))
        made.refill(document, fields, place=run.place, date=timezone.localdate(now, zone))
    else:
        document = _draft(person, case, row, run, fields, now)
        run.document = document
        run.save(update_fields=["document"])
    case = _lock(case.pk)  # the documents module appended to the journal
    _journal(
        case,
        JournalKind.TEST_RUN_CLOSED,
        person,
        now,
        {
            "run": run.pk,
            "title": title_of(run),
            "result": run.result,
            "document": document.pk,
            "reasons": list(outcome.reasons),
        },
    )
    return run


@_atomic
def reopen_run(person: Person, run_id: int, *, at: dt.datetime | None = None) -> TestRun:
    """Reopen a closed run while nobody has initialled or signed its minutes (a circulating
    one comes back to a draft); closed again, the same minutes are made again."""
    now = _now(at)
    case, run = _run_locked(person, run_id)
    if run.status != RunStatus.CLOSED:
        raise ServiceError(
            "not_closed",
            _(
                "%(title)s is not closed: only a closed run whose minutes nobody has signed "
                "can be reopened."
            )
            % {"title": title_of(run)},
        )
    row = _step(case, run)
    if row.status != StepStatus.ACTIVE:
        raise ServiceError("not_active", _("The step of this test run is not active now."))
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(
            decision.explain(_("Only someone who may work the run's step may reopen it."))
        )
    if run.document is not None:
        made.withdraw(run.document)
    run.status = RunStatus.OPEN
    run.result = ""
    run.closed_by = None
    run.closed_at = None
    run.save(update_fields=["status", "result", "closed_by", "closed_at"])
    _journal(
        case,
        JournalKind.TEST_RUN_REOPENED,
        person,
        now,
        {"run": run.pk, "title": title_of(run)},
    )
    return run


def signed(document: Any, case: Case, at: dt.datetime) -> None:
    """The documents module's ``ON_FINAL``: a run whose minutes became final is signed."""
    source = str(getattr(document, "source", "") or "")
    if not source.startswith(SOURCE_PREFIX):
        return
    pk = source.removeprefix(SOURCE_PREFIX)
    if pk.isdigit():
        TestRun.objects.filter(pk=int(pk), case_id=case.pk, document_id=document.pk).update(
            status=RunStatus.SIGNED
        )
