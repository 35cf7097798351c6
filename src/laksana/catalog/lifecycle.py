"""The cases of the lifecycle procedures move their application through its stages.

:func:`on_step_completed` follows the completed steps of cases about an application
(:func:`laksana.cases.artifacts.follow_completions`) and :func:`effect_of` is each artifact
type's effect (:func:`laksana.cases.artifacts.declare`), both registered in
``CatalogConfig.ready()``; they run inside :func:`laksana.cases.services.complete_step`'s
transaction, once the engine has accepted a completion. Two things happen, both driven by
data rather than code branches:

* **Stage rules** (:data:`STAGE_RULES`): per procedure key, a completed step (optionally with
  a given decision outcome) or a reached end moves the application to a stage, optionally
  only from some stages. A rule whose guard does not hold, or that would move the
  application to the stage it is at, changes nothing. Every move is a
  :class:`~laksana.catalog.models.StageChange` naming the case and the step.
* **Artifact effects** (:data:`EFFECTS`): per artifact type, what an output produced by the
  step writes into the catalogue when it is given as structured fields (a reference or a
  scanned document writes nothing but stays on the case): the work programme entry (proker),
  the deployment (the environment), the risk register, the data deletion minutes (also when
  they are an official document of the case: its fields and number). The
  work programme entry is written even for a scanned proker: the year is then the next one
  ("proker tahun berikutnya", SOP 003 item 2).

Guards keep an application in production from being pulled back by a development cycle of
an existing application (SOP 003 item 11 loops back to the approval): the approval moves
only a proposed application, the build only an approved one, and so on. A proposal case
needs its application to exist, so a new application is entered as *proposed* first
(:func:`laksana.catalog.services.propose_application`); its first step confirms that stage.
A retired application is never moved again; only its data deletion minutes are recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseStatus, JournalKind
from laksana.catalog import services
from laksana.catalog.artifacts import date, is_structured, money, whole
from laksana.catalog.models import Application, Stage
from laksana.org.models import Person

SOP_000 = "sop-000-pemeliharaan-aplikasi"
SOP_001 = "sop-001-pengelolaan-aplikasi"
SOP_003 = "sop-003-pembuatan-aplikasi-dan-website"

END = "end:"
"""Prefix of a rule's ``step`` that names an end of the procedure instead of a step."""


@dataclass(frozen=True)
class StageRule:
    """When ``step`` completes (with ``outcome``, if given), or the case reaches the end
    ``end:<id>``, move the application to ``to``, if its stage is one of ``only_from`` (when
    given)."""

    step: str
    to: Stage
    outcome: str | None = None
    only_from: tuple[Stage, ...] = ()


BEFORE_PRODUCTION = (Stage.PROPOSED, Stage.APPROVED, Stage.IN_DEVELOPMENT, Stage.IN_TESTING)

STAGE_RULES: dict[str, tuple[StageRule, ...]] = {
    # SOP 003 Pembuatan Aplikasi dan Website: 2a approval (Ya), 4 the budget plan is made and
    # the building starts, 5 built with its documentation (the security test follows the
    # installation), 7 installed on the production server.
    SOP_003: (
        StageRule("s1", Stage.PROPOSED, only_from=(Stage.PROPOSED,)),
        StageRule("s2a", Stage.APPROVED, outcome="Ya", only_from=(Stage.PROPOSED,)),
        StageRule("s4", Stage.IN_DEVELOPMENT, only_from=(Stage.APPROVED,)),
        StageRule("s5", Stage.IN_TESTING, only_from=(Stage.APPROVED, Stage.IN_DEVELOPMENT)),
        StageRule("s7", Stage.IN_PRODUCTION, only_from=BEFORE_PRODUCTION),
    ),
    # SOP 001 Pengelolaan Aplikasi: a.1 needs (proposal), b.2 the plan and its risks are done
    # and development (c) starts, c.1 built and testing (c.2) starts, d.1 installed in
    # production, g.1 the decision "Aplikasi diputus" retires it.
    SOP_001: (
        StageRule("a1", Stage.PROPOSED, only_from=(Stage.PROPOSED,)),
        StageRule("b2", Stage.IN_DEVELOPMENT, only_from=(Stage.PROPOSED, Stage.APPROVED)),
        StageRule("c1", Stage.IN_TESTING, only_from=(Stage.IN_DEVELOPMENT,)),
        StageRule("d1", Stage.IN_PRODUCTION, only_from=BEFORE_PRODUCTION),
        StageRule("g1", Stage.RETIRED, outcome="Aplikasi diputus"),
    ),
    # SOP 000 Pemeliharaan Aplikasi: once the plan and acceptance criteria are set (step 2)
    # the application is under maintenance, and back in production when the cycle ends.
    SOP_000: (
        StageRule("s2", Stage.UNDER_MAINTENANCE, only_from=(Stage.IN_PRODUCTION,)),
        StageRule(END + "selesai", Stage.IN_PRODUCTION, only_from=(Stage.UNDER_MAINTENANCE,)),
    ),
}


@dataclass(frozen=True)
class Completion:
    """What the hook knows about one completion."""

    case: Case
    app: Application
    step_key: str
    outcome: str
    artifacts: Mapping[str, Any]
    by: Person | None
    at: dt.datetime


Effect = Callable[[Completion, str, Any], None]


def _programme(c: Completion, key: str, value: Any) -> None:
    fields: Mapping[str, Any] = value if is_structured(value) else {}
    year = whole(fields.get("year")) or timezone.localdate(c.at).year + 1
    budget = money(fields["budget"]) if fields.get("budget") not in (None, "") else None
    services.write_programme_entry(
        c.app,
        services.ProgrammeInput(
            year=year,
            activity=str(fields.get("activity") or c.case.title),
            budget=budget if budget is not None else _planned_cost(c.artifacts, c.case),
            funding_source=str(fields.get("funding_source") or ""),
            notes=str(fields.get("notes") or ""),
        ),
        by=c.by,
        at=c.at,
        case=c.case,
    )


def _planned_cost(artifacts: Mapping[str, Any], case: Case) -> Decimal | None:
    """The cost of the case's development plan or budget plan, when given as fields."""
    kinds = {a.id: a.type for a in case.version.spec.artifacts}
    for key, value in artifacts.items():
        if key not in kinds or not is_structured(value):
            continue
        kind = kinds[key]
        if kind == "proposal.development_plan":
            return money(value.get("cost"))
        if kind == "proposal.budget_plan":
            return money(value.get("total"))
    return None


def _deployment(c: Completion, key: str, value: Any) -> None:
    if not is_structured(value):
        return
    services.write_environment(
        c.app,
        str(value.get("environment") or "production"),
        services.EnvironmentInput(
            server=str(value.get("server", "")),
            domain=str(value.get("domain", "")),
            database=str(value.get("database", "")),
            hosting=str(value.get("hosting", "")),
            notes=_("Installed through %(reference)s.") % {"reference": c.case.reference},
        ),
        c.at,
    )
    url = str(value.get("url") or "").strip()
    if url and url not in c.app.urls and len(c.app.urls) < services.MAX_URLS:
        c.app.urls = [*c.app.urls, url]
        c.app.save(update_fields=["urls", "search_text"])


def _risks(c: Completion, key: str, value: Any) -> None:
    if not is_structured(value):
        return
    for item in value.get("risks", []):
        services.write_risk(
            c.app,
            services.RiskInput(
                description=str(item["risk"]),
                likelihood=whole(item["likelihood"]) or 0,
                impact=whole(item["impact"]) or 0,
                mitigation=str(item.get("mitigation", "")),
                owner=str(item.get("owner", "")),
                status=str(item.get("status") or "open"),
            ),
            c.at,
            case=c.case,
        )


def _deletions(c: Completion, key: str, value: Any) -> None:
    if isinstance(value, Mapping) and isinstance(value.get("fields"), Mapping):
        # The minutes made as an official document (laksana.documents): its fields and its
        # final number.
        value = {**value["fields"], "number": value.get("number") or ""}
    elif not is_structured(value):
        return
    on = date(value.get("date")) or timezone.localdate(c.at)
    services.write_deletions(
        c.app,
        [
            services.DeletionInput(
                data=str(item["data"]),
                location=str(item["location"]),
                method=str(item["method"]),
                executed_by=str(value["executed_by"]),
                executed_on=on,
                witness=str(value["witness"]),
                minutes_number=str(value.get("number") or ""),
            )
            for item in value.get("items", [])
        ],
        by=c.by,
        at=c.at,
        case=c.case,
    )


EFFECTS: dict[str, Effect] = {
    "catalog.work_programme_entry": _programme,
    "catalog.deployment": _deployment,
    "proposal.risk_register": _risks,
    "minutes.data_deletion": _deletions,
}
"""What an output of each type writes into the catalogue."""

# Effects that still apply to a retired application: the minutes of its data deletion.
_ON_RETIRED = frozenset({"minutes.data_deletion"})


def rules_for(procedure_key: str, step_key: str, outcome: str, end: str) -> list[StageRule]:
    """The stage rules of a procedure that this completion (and end, if reached) triggers."""
    out = []
    for rule in STAGE_RULES.get(procedure_key, ()):
        if rule.step.startswith(END):
            if end and rule.step == END + end:
                out.append(rule)
        elif rule.step == step_key and (rule.outcome is None or rule.outcome == outcome):
            out.append(rule)
    return out


def _reason(c: Completion, rule: StageRule) -> str:
    spec = c.case.version.spec
    if rule.step.startswith(END):
        end = c.case.end_key
        label = spec.end(end).label if spec.is_end(end) else end
        text = _("%(reference)s (%(procedure)s) ended: %(end)s") % {
            "reference": c.case.reference,
            "procedure": spec.identity.title,
            "end": label,
        }
    else:
        step = spec.step(c.step_key)
        text = _("%(reference)s (%(procedure)s), step %(no)s: %(activity)s") % {
            "reference": c.case.reference,
            "procedure": spec.identity.title,
            "no": step.number,
            "activity": step.activity,
        }
        if c.outcome:
            text += f" — {c.outcome}"
    note = (
        c.case.journal.filter(kind=JournalKind.COMMENT, data__step=c.step_key, at=c.at)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    if note and note.get("text"):
        text += "\n" + str(note["text"])
    return text


def effect_of(kind: str) -> Callable[..., None]:
    """The completion effect of one artifact type of :data:`EFFECTS`, as the registry of
    artifact types calls it (:func:`laksana.cases.artifacts.declare`, in
    ``CatalogConfig.ready()``): in the completing transaction, with the application locked."""
    write = EFFECTS[kind]

    def effect(
        case: Case,
        step_key: str,
        key: str,
        value: Any,
        *,
        by: Person | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        if case.application_id is None:
            return
        app = services.lock_application(case.application_id)
        if app.stage == Stage.RETIRED and kind not in _ON_RETIRED:
            return
        artifacts = case.state.get("artifacts", {})
        write(Completion(case, app, step_key, "", artifacts, by, at or timezone.now()), key, value)

    return effect


def on_step_completed(
    case: Case,
    step_key: str,
    outcome: str,
    artifacts: Mapping[str, Any],
    *,
    by: Person | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Apply the stage rules of a completed step of a case about an application (and of the
    end the case reached with it). Called inside the case's transaction, after the effects of
    the step's outputs (:func:`effect_of`)."""
    if case.application_id is None:
        return
    end = case.end_key if case.status == CaseStatus.FINISHED else ""
    rules = rules_for(case.version.procedure_key, step_key, outcome or "", end)
    if not rules:
        return  # most steps (SOP 002, 004) touch no catalogue: no lock on the application
    app = services.lock_application(case.application_id)
    c = Completion(case, app, step_key, outcome or "", artifacts, by, at or timezone.now())
    for rule in rules:
        if app.stage == Stage.RETIRED:
            break
        if rule.only_from and app.stage not in rule.only_from:
            continue
        services.record_stage(
            app,
            rule.to,
            _reason(c, rule),
            by=by,
            at=c.at,
            case=case,
            step_key="" if rule.step.startswith(END) else step_key,
        )
