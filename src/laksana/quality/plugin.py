"""The testing module on the registry of artifact types (:mod:`laksana.cases.artifacts`).

* ``quality.test_scenarios`` (SOP 002 row 7): a reference ``{"ref": "scenarios:<set id>"}``
  (a given revision: ``"scenarios:<set id>@<n>"``; the registry passes resolvers the
  ``ref`` alone) names a scenario set of the case's application and agency,
  not empty; kept as ``{"ref", "revision", "name", "count"}``. The step's page links to the
  application's sets.
* ``minutes.sit``, ``minutes.uat``, ``security.test_report``: made by closing a test run.
  The step's page says where the run stands (none yet: start it; open; closed, its minutes
  circulating; final: the minutes' value to complete the step with). The documents module
  resolves a reference to the final minutes (and, for ``security.test_report``, to the
  final Laporan Uji Keamanan); the **outcome** read from such a value is the result of the
  run the document was made from (SOP 002 row 9: a UAT Ditolak goes back to the fix).
* When the minutes of a run become final, the run is signed (the documents module's
  ``ON_FINAL``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from laksana.cases import artifacts
from laksana.cases.artifacts import Context, Produced, Unresolved
from laksana.cases.models import Case, CaseStep
from laksana.documents import plugin as documents_plugin
from laksana.documents import services as documents_services
from laksana.documents.kinds import KINDS
from laksana.documents.models import DocumentStatus
from laksana.engine.spec import ArtifactSpec
from laksana.quality.models import RunStatus, ScenarioSet, ScenarioSetRevision, TestRun
from laksana.quality.runs import KIND_OF_TYPE, signed, title_of

SCENARIOS = "scenarios:"
SECURITY_KIND = "laporan_uji_keamanan"


def _pk(text: str) -> int | None:
    if not text.isdigit() or len(text) > 19:
        return None
    pk = int(text)
    return pk if 0 < pk <= artifacts.MAX_ID else None


def resolve_scenarios(ctx: Context, ref: object, revision: object = None) -> dict[str, Any]:
    """A scenario set of the case's application and agency, with scenarios."""
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    pk = _pk(text.removeprefix(SCENARIOS))
    if pk is None:
        raise Unresolved(
            _('"%(ref)s" names no scenario set; give {"ref": "scenarios:<id>"}')
            % {"ref": text[:40]}
        )
    app_id = ctx.case.application_id
    found = (
        ScenarioSet.objects.filter(
            pk=pk, agency_id=ctx.case.agency_id, application_id=app_id
        ).first()
        if app_id is not None
        else None
    )
    if found is None:
        raise Unresolved(_("the case's application has no scenario set %(id)s") % {"id": pk})
    revisions = ScenarioSetRevision.objects.filter(set=found)
    if revision is not None and revision != "":
        number = _pk(str(revision).strip())
        chosen = revisions.filter(number=number).first() if number else None
        if chosen is None:
            raise Unresolved(
                _("scenario set %(id)s has no revision %(revision)s")
                % {"id": pk, "revision": str(revision)[:20]}
            )
    else:
        chosen = revisions.order_by("-number").first()
    count = len(chosen.scenarios) if chosen is not None else found.scenarios.count()
    if not count:
        raise Unresolved(_("scenario set %(id)s has no scenarios") % {"id": pk})
    return {
        "ref": f"{SCENARIOS}{found.pk}",
        "revision": chosen.number if chosen is not None else found.revision,
        "name": found.name,
        "count": count,
    }


def _scenarios_resolver(ctx: Context, ref: object) -> dict[str, Any]:
    """``scenarios:<id>`` (the latest revision) or ``scenarios:<id>@<revision>``."""
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    name, _at, revision = text.partition("@")
    return resolve_scenarios(ctx, name, revision if _at else None)


def scenarios_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    """The step's page links to the application's scenario sets."""
    url = (
        documents_plugin._url("quality:sets", query={"application": case.application_id})
        if case.application_id is not None
        else ""
    )
    count = (
        ScenarioSet.objects.filter(
            agency_id=case.agency_id, application_id=case.application_id, archived=False
        ).count()
        if case.application_id is not None
        else 0
    )
    status = (
        _("%(count)s scenario set(s) of the application") % {"count": count}
        if count
        else _("No scenario set of the application yet")
    )
    return Produced(None, status, url, _("Open the scenario sets"))


def run_produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    """Where the test run of a step's minutes stands."""
    produces = spec.id in case.version.spec.step(row.step_key).produces
    if not produces:
        return documents_plugin.produced(case, row, spec)  # a requirement: the final minutes
    run = (
        TestRun.objects.filter(case_id=case.pk, step_id=row.pk, artifact_key=spec.id)
        .select_related("application", "document")
        .order_by("-number", "-pk")
        .first()
    )
    if run is None:
        return Produced(
            None,
            _("No test run yet"),
            documents_plugin._url("quality:start", query={"step": row.pk, "artifact": spec.id}),
            _("Start the test run"),
        )
    url = documents_plugin._url("quality:run", args=[run.pk])
    if run.status == RunStatus.OPEN:
        return Produced(
            None,
            _("%(title)s in progress") % {"title": title_of(run)},
            url,
            _("Open the test run"),
        )
    document = run.document
    if document is not None and document.status == DocumentStatus.FINAL:
        return Produced(
            documents_plugin.value_of(document),
            _("%(title)s: %(result)s; minutes final: %(number)s")
            % {
                "title": title_of(run),
                "result": run.get_result_display(),
                "number": document.number,
            },
            url,
            _("Open the test run"),
        )
    if document is None:
        state = _("no minutes")
    else:
        state = documents_plugin.produced(case, row, spec).status
    return Produced(
        None,
        _("%(title)s closed: %(result)s; minutes: %(state)s")
        % {"title": title_of(run), "result": run.get_result_display(), "state": state},
        url,
        _("Open the test run"),
    )


def run_result(case: Case, value: Any) -> str | None:
    """The result of the run whose minutes a resolved value names (None: no run)."""
    ref = value.get("ref") if isinstance(value, dict) else None
    pk = documents_plugin._id(ref)
    if pk is None:
        return None
    run = TestRun.objects.filter(case_id=case.pk, document_id=pk).only("result").first()
    return run.result or None if run is not None else None


def register() -> None:
    """Called from QualityConfig.ready() (after DocumentsConfig's: these producers replace
    the documents module's for the types a run makes)."""
    artifacts.register(
        "quality.test_scenarios", resolver=_scenarios_resolver, producer=scenarios_produced
    )
    for type_name in KIND_OF_TYPE:
        artifacts.register(type_name, producer=run_produced, outcome=run_result)
    artifacts.register(
        "security.test_report", resolver=documents_plugin._resolver(KINDS[SECURITY_KIND])
    )
    if signed not in documents_services.ON_FINAL:
        documents_services.ON_FINAL.append(signed)
