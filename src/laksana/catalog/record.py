"""An application's lifecycle record: everything about it, and one timeline of it all.

The record is what the application page and the API's application endpoint show: its
environments, contracts past and current, documents, risks, stage changes, work programme
entries, data deletions, the cases about it and the documents those cases produced (tests,
minutes, proposals, reports). Every part is read through the visibility gate
(:mod:`laksana.catalog.queries`, :func:`laksana.cases.queries.visible_cases`): a vendor sees
only its own contracts, nobody sees a case they may not see. The parts of the record a case
produced (a stage change, a risk, a work-programme entry, a data deletion) stay, but to
someone who may not open that case without it: no reference or link, and a stage change
without the step, the reason quoting the case and the names of the staff who worked it
(:func:`hide_unseen_cases`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.models import Attachment, Case, CaseStatus
from laksana.cases.queries import visible_cases
from laksana.catalog import queries
from laksana.catalog.artifacts import is_structured, money
from laksana.catalog.models import (
    Application,
    Contract,
    DataDeletion,
    Document,
    Environment,
    Risk,
    Stage,
    StageChange,
    WorkProgrammeEntry,
)
from laksana.catalog.queries import User
from laksana.catalog.templatetags.catalog_format import rupiah
from laksana.procedures.models import kept_version

CASES_SHOWN = 25
"""The newest cases the record lists, one page as in the case list (which, filtered by the
application, pages through all of them: the record links to it)."""

# Artifact types whose files are the application's lifecycle documents (tests, minutes,
# proposals, plans and reports); other case files (screenshots, letters) stay on the case.
DOCUMENT_TYPE_PREFIXES = (
    "minutes.",
    "quality.",
    "security.",
    "proposal.",
    "maintenance.",
    "catalog.",
)


@dataclass(frozen=True)
class Event:
    """One line of the timeline."""

    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    date_only: bool = False
    stage: str = ""


@dataclass(frozen=True)
class CaseFile:
    """A document produced by a case about the application."""

    attachment: Attachment
    case: Case
    artifact_name: str
    url: str


@dataclass(frozen=True)
class ProposalPart:
    """A proposal document given as fields on a case (needs analysis, development plan,
    budget plan), as label–value lines."""

    case: Case
    name: str
    kind: str
    facts: list[tuple[str, str]]


@dataclass
class Record:
    application: Application
    environments: list[Environment]
    contracts: list[Contract]
    documents: list[Document]
    risks: list[Risk]
    stage_changes: list[StageChange]
    cases: list[Case]
    more_cases: bool
    case_files: list[CaseFile]
    programme_entries: list[WorkProgrammeEntry]
    deletions: list[DataDeletion]
    proposals: list[ProposalPart] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)

    @property
    def current_contracts(self) -> list[Contract]:
        return [c for c in self.contracts if c.is_current()]

    @property
    def past_contracts(self) -> list[Contract]:
        return [c for c in self.contracts if not c.is_current()]


def _on(day: dt.date) -> dt.datetime:
    """A date as the start of that day in the current time zone (for ordering)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _stage_label(value: str) -> str:
    return str(dict(Stage.choices).get(value, value)) if value else ""


def hide_unseen_cases(
    user: User, rows: Iterable[StageChange | Risk | WorkProgrammeEntry | DataDeletion]
) -> None:
    """Detach, in memory only, the cases ``user`` may not open from ``rows`` (read for
    showing, never saved): the row loses its case, and a stage change also its step, the
    name of who made it and its reason (which quotes the case), replaced by a neutral one.
    One query, through the visibility gate (:func:`laksana.cases.queries.visible_cases`)."""
    rows = list(rows)
    linked = {r.case_id for r in rows if r.case_id is not None}
    if not linked:
        return
    seen = set(visible_cases(user).filter(pk__in=linked).values_list("pk", flat=True))
    for r in rows:
        if r.case_id is None or r.case_id in seen:
            continue
        r.case = None
        if isinstance(r, StageChange):
            r.step_key = ""
            r.by = None
            r.by_name = ""
            r.reason = _("Through a case you cannot open.")


def build(user: User, app: Application) -> Record:
    """The record of an application ``user`` may see (the caller has checked that)."""
    contracts = sorted(
        queries.visible_contracts(user, app),
        key=lambda c: (c.starts_on or c.signed_on or dt.date.min, c.pk),
        reverse=True,
    )
    cases = list(queries.cases_about(user, app, CASES_SHOWN + 1)[: CASES_SHOWN + 1])
    more = len(cases) > CASES_SHOWN
    cases = cases[:CASES_SHOWN]
    for c in cases:
        # The version was read without its source: the kept one has it (and its parsed
        # spec), so the cases' specs cost no query each.
        v = c.version
        c.version = kept_version(c.version_id, v.checksum, v.number, v.procedure_key)
    record = Record(
        application=app,
        environments=list(app.environments.all()),
        contracts=contracts,
        documents=list(queries.visible_documents(user, app)),
        risks=list(app.risks.select_related("case")),
        stage_changes=list(app.stage_changes.select_related("case", "by")),
        cases=cases,
        more_cases=more,
        case_files=_case_files(cases),
        programme_entries=list(
            queries.visible_programme_entries(user)
            .filter(application=app)
            .select_related("programme", "case")
            .order_by("-programme__year")
        ),
        deletions=list(app.data_deletions.select_related("case")),
    )
    hide_unseen_cases(
        user, [*record.stage_changes, *record.risks, *record.programme_entries, *record.deletions]
    )
    record.proposals = _proposals(cases)
    record.timeline = _timeline(record)
    return record


def _proposal_facts(kind: str, value: Mapping[str, Any]) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    if kind == "proposal.needs_analysis":
        facts = [
            (_("Need"), str(value.get("summary", ""))),
            (_("Users"), str(value.get("users", ""))),
            (_("Requirements"), "; ".join(str(r) for r in value.get("requirements", []))),
            (_("User survey"), str(value.get("survey_summary", ""))),
            (_("Benefits"), str(value.get("benefits", ""))),
            (_("Legal basis"), str(value.get("legal_basis", ""))),
        ]
    elif kind == "proposal.development_plan":
        if value.get("duration_days"):
            time = _("%(days)s days") % {"days": value["duration_days"]}
        else:
            time = f"{value.get('start', '')} – {value.get('end', '')}"
        resources = ", ".join(
            f"{r.get('count', '')} × {r.get('role', '')}" for r in value.get("resources", [])
        )
        facts = [
            (_("Cost"), rupiah(money(value.get("cost")))),
            (_("Time"), time),
            (_("Resources"), resources),
            (_("Developer"), str(value.get("developer", ""))),
            (_("Funding source"), str(value.get("funding_source", ""))),
        ]
    elif kind == "proposal.budget_plan":
        items = "; ".join(
            f"{i.get('item', '')}: {rupiah(money(i.get('amount')))}" for i in value.get("items", [])
        )
        facts = [(_("Total"), rupiah(money(value.get("total")))), (_("Items"), items)]
    return [(label, text) for label, text in facts if text.strip()]


def _proposals(cases: list[Case]) -> list[ProposalPart]:
    """The proposal documents the cases hold as fields, newest case first."""
    out = []
    for case in cases:
        spec = case.version.spec
        held = (case.state or {}).get("artifacts", {})
        for art in spec.artifacts:
            value = held.get(art.id)
            if not art.type.startswith("proposal.") or not is_structured(value):
                continue
            facts = _proposal_facts(art.type, value)
            if facts:
                out.append(ProposalPart(case, art.name, art.type, facts))
    return out


def _case_files(cases: list[Case]) -> list[CaseFile]:
    by_id = {c.pk: c for c in cases}
    files = (
        Attachment.objects.filter(case_id__in=by_id)
        .exclude(artifact_key="")
        .select_related("step")
        .order_by("-uploaded_at", "-pk")
    )
    out = []
    specs: dict[int, Any] = {}
    for a in files:
        case = by_id[a.case_id]
        spec = specs.setdefault(case.version_id, case.version.spec)
        art = next((x for x in spec.artifacts if x.id == a.artifact_key), None)
        if art is None or not art.type.startswith(DOCUMENT_TYPE_PREFIXES):
            continue
        out.append(
            CaseFile(
                attachment=a,
                case=case,
                artifact_name=art.name,
                url=reverse("cases:file", args=[case.reference, a.pk]),
            )
        )
    return out


def _timeline(r: Record) -> list[Event]:
    app = r.application
    events: list[Event] = []
    for s in r.stage_changes:
        title = (
            _("Stage: %(old)s → %(new)s")
            % {"old": _stage_label(s.old_stage), "new": _stage_label(s.new_stage)}
            if s.old_stage
            else _("Entered in the catalogue as %(new)s") % {"new": _stage_label(s.new_stage)}
        )
        events.append(
            Event(
                s.at,
                "stage",
                title,
                f"{s.reason}\n— {s.by_name}" if s.by_name else s.reason,
                reverse("cases:detail", args=[s.case.reference]) if s.case else "",
                stage=s.new_stage,
            )
        )
    for c in r.cases:
        url = reverse("cases:detail", args=[c.reference])
        events.append(
            Event(
                c.opened_at,
                "case",
                _("Case opened: %(reference)s %(title)s")
                % {"reference": c.reference, "title": c.title},
                f"{c.version.title} · {c.requesting_unit}",
                url,
            )
        )
        if c.status == CaseStatus.FINISHED and c.finished_at:
            events.append(
                Event(
                    c.finished_at,
                    "case_finished",
                    _("Case finished: %(reference)s") % {"reference": c.reference},
                    c.title,
                    url,
                )
            )
    for f in r.case_files:
        events.append(
            Event(
                f.attachment.uploaded_at,
                "case_file",
                f"{f.artifact_name}: {f.attachment.original_name}",
                f.case.reference,
                f.url,
            )
        )
    for k in r.contracts:
        day = k.signed_on or k.starts_on
        if day is None:
            continue
        value = f" · {rupiah(k.value)}" if k.value is not None else ""
        events.append(
            Event(
                _on(day),
                "contract",
                _("Contract %(number)s with %(vendor)s") % {"number": k.number, "vendor": k.vendor},
                f"{k.scope}{value}".strip(" ·"),
                date_only=True,
            )
        )
    for d in r.documents:
        events.append(
            Event(
                d.uploaded_at,
                "document",
                _("Document added: %(title)s") % {"title": d.title},
                d.get_kind_display(),
                reverse("catalog:document", args=[app.pk, d.pk]),
            )
        )
    for risk in r.risks:
        events.append(
            Event(
                risk.created_at,
                "risk",
                _("Risk recorded (%(level)s): %(risk)s")
                % {"level": risk.level_label, "risk": risk.description[:120]},
                risk.mitigation,
                reverse("cases:detail", args=[risk.case.reference]) if risk.case else "",
            )
        )
    for e in r.programme_entries:
        events.append(
            Event(
                e.added_at,
                "programme",
                _("In the work programme %(year)s: %(activity)s")
                % {"year": e.programme.year, "activity": e.activity},
                rupiah(e.budget),
                reverse("catalog:programme", args=[e.programme.year]),
            )
        )
    for x in r.deletions:
        events.append(
            Event(
                _on(x.executed_on),
                "deletion",
                _("Data deleted: %(data)s") % {"data": x.data},
                _("%(location)s, %(method)s; by %(who)s, witnessed by %(witness)s")
                % {
                    "location": x.location,
                    "method": x.method,
                    "who": x.executed_by,
                    "witness": x.witness,
                },
                date_only=True,
            )
        )
    events.sort(key=lambda e: e.at, reverse=True)
    return events
