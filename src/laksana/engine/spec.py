"""The procedure specification: an immutable, checked model of one SOP AP document.

A spec is what the loader produces from a YAML file once every static check has passed.
It is the definition side (SpiffWorkflow's "spec"); a running case is the instance side
(:mod:`laksana.engine.interpreter`). Nothing here changes after loading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from laksana.engine.timetext import TimeStandard


class ActorKind(StrEnum):
    """What an abstract actor of a procedure is bound to when the procedure runs."""

    POSITION = "position"  # a post (jabatan) in the agency, bound per agency
    TEAM = "team"  # a team or section of several people, bound per agency
    PERSON = "person"  # a named person, bound per agency
    REQUESTING_UNIT = "requesting_unit"  # resolved per case: the unit that opened it
    VENDOR = "vendor"  # resolved per case: the vendor of the application the case is about
    EXTERNAL = "external"  # an outside office (planning bureau, another directorate)
    CHOSEN = "chosen"  # resolved per case: a person chosen when the case opens (system owner)


class FieldType(StrEnum):
    """The field types a form artifact may declare."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    NUMBER = "number"
    CHOICE = "choice"
    YES_NO = "yes_no"
    PERSON = "person"
    MONEY = "money"


@dataclass(frozen=True, slots=True)
class Position:
    """Where a thing was written in the source file (1-based line and column)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Official:
    """The official who approved (disahkan oleh) the SOP."""

    title: str
    name: str = ""
    nip: str = ""


@dataclass(frozen=True, slots=True)
class Identity:
    """The identity block (header) of an SOP AP document."""

    number: str
    title: str
    agency: str
    unit: str = ""
    government: str = ""  # the body printed above the agency: "Pemerintah Provinsi Bali"
    made: dt.date | None = None
    revised: dt.date | None = None
    effective: dt.date | None = None
    effective_text: str = ""  # the effective period as printed, when it is not a single date
    revision: int = 0
    approved_by: Official | None = None
    purpose: str = ""
    scope: str = ""
    legal_basis: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    success_indicators: tuple[str, ...] = ()
    # The rest of the service-level block (standar pelayanan): what a requester must bring,
    # the overall time of the whole service (a case's own due time), its cost and product.
    service_requirements: tuple[str, ...] = ()
    service_time: TimeStandard | None = None
    cost: str = ""
    product: str = ""


@dataclass(frozen=True, slots=True)
class Actor:
    """An abstract role (Pelaksana) that performs steps; one swimlane of the flowchart."""

    id: str
    name: str
    kind: ActorKind
    description: str = ""


@dataclass(frozen=True, slots=True)
class FormField:
    """One declared field of a form artifact."""

    id: str
    label: str
    type: FieldType
    required: bool = True
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True, slots=True)
class ArtifactSpec:
    """A typed document or record that steps require (Kelengkapan) or produce (Output).

    ``type`` is ``file``, ``form`` or a named type from the artifact registry
    (:mod:`laksana.engine.artifacts`), such as ``minutes.uat``.
    """

    id: str
    name: str
    type: str
    accept: tuple[str, ...] = ()  # for files: accepted kinds (pdf, image, office, video, ...)
    multiple: bool = False  # for files: more than one file may be attached
    fields: tuple[FormField, ...] = ()  # for forms
    description: str = ""
    # For an official document (a letter, minutes): the actors who sign it, in order (a
    # joint signature names several), and those who initial it (paraf) before them.
    signed_by: tuple[str, ...] = ()
    initialled_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """A named outcome of a decision (Ya / Tidak / ...) and the step or end it leads to."""

    label: str
    target: str
    description: str = ""
    # For a decision read from an artifact (``Decision.decided_by``): the results of that
    # artifact that choose this outcome ("diterima", "diterima_dengan_catatan").
    when: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """The question a decision step answers and its outcomes."""

    question: str
    outcomes: tuple[Outcome, ...]
    # The artifact, produced by the step, whose result chooses the outcome (a UAT's minutes:
    # Diterima or Ditolak). Its owning module reads the result (laksana.cases.artifacts);
    # the person completing the step does not choose it. Empty: the person chooses.
    decided_by: str = ""

    def outcome(self, label: str) -> Outcome | None:
        for o in self.outcomes:
            if o.label == label:
                return o
        return None

    def outcome_for(self, result: str) -> Outcome | None:
        """The outcome a result of the deciding artifact chooses."""
        for o in self.outcomes:
            if result in o.when:
                return o
        return None


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A further row of the source's table that a step also carries out (``also_rows``): it is
    printed as the source prints it, its No and texts, beside the step's one symbol."""

    number: str
    activity: str
    requirements_text: str = ""
    time: str = ""  # the Waktu as printed
    output_text: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    """One row of the SOP table: an activity done by an actor, or a decision.

    Steps written one after the other with the same ``number`` carry out one row of the source
    (printed with its No once); a step with ``also_rows`` carries out several rows.
    """

    id: str
    number: str  # the "No" printed in the table
    activity: str
    actor: str
    requires: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    time: TimeStandard | None = None
    note: str = ""
    next: str | None = None  # the following step or end, for non-decision steps
    decision: Decision | None = None
    # Kelengkapan and Output as the source prints them; "" prints an empty cell; None (not
    # written) prints the names of ``requires`` / ``produces``.
    requirements_text: str | None = None
    output_text: str | None = None
    # Outputs this step may replace when the case already holds them (a new report, the next
    # cycle's documentation); any other artifact on the case is never replaced by this step.
    revises: tuple[str, ...] = ()
    # Other actors of the step: ``joint`` do it together with ``actor`` (bersama, berkoordinasi
    # dengan: each confirms its part); ``any_of``: any one of them, or ``actor``, may do it.
    joint: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    # Actors who receive a copy (tembusan) when the step is completed, and are notified.
    copies: tuple[str, ...] = ()
    # Further rows of the source carried out by this step, printed after its own row.
    also_rows: tuple[SourceRow, ...] = ()

    @property
    def is_decision(self) -> bool:
        return self.decision is not None

    def targets(self) -> tuple[str, ...]:
        """Every step or end this step can lead to, in declaration order."""
        if self.decision is not None:
            return tuple(o.target for o in self.decision.outcomes)
        return (self.next,) if self.next is not None else ()


@dataclass(frozen=True, slots=True)
class End:
    """A terminator that finishes the case."""

    id: str
    label: str = "Selesai"


@dataclass(frozen=True, slots=True)
class ProcedureSpec:
    """A whole procedure: identity, actors, artifacts, steps, start and ends."""

    id: str
    identity: Identity
    actors: tuple[Actor, ...]
    artifacts: tuple[ArtifactSpec, ...]
    steps: tuple[Step, ...]
    start: str
    ends: tuple[End, ...]
    start_label: str = "Mulai"
    notes: tuple[str, ...] = ()
    source: str = ""  # the file it was loaded from
    positions: Mapping[str, Position] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        # Index tables, built once: the interpreter looks steps up on every action.
        object.__setattr__(self, "_steps", MappingProxyType({s.id: s for s in self.steps}))
        object.__setattr__(self, "_actors", MappingProxyType({a.id: a for a in self.actors}))
        object.__setattr__(self, "_artifacts", MappingProxyType({a.id: a for a in self.artifacts}))
        object.__setattr__(self, "_ends", MappingProxyType({e.id: e for e in self.ends}))

    # The four index tables are set in __post_init__; dataclass(slots=True) would forbid that,
    # so this class keeps a normal __dict__.
    _steps: Mapping[str, Step] = field(init=False, repr=False, compare=False)
    _actors: Mapping[str, Actor] = field(init=False, repr=False, compare=False)
    _artifacts: Mapping[str, ArtifactSpec] = field(init=False, repr=False, compare=False)
    _ends: Mapping[str, End] = field(init=False, repr=False, compare=False)

    def step(self, step_id: str) -> Step:
        return self._steps[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._steps

    def actor(self, actor_id: str) -> Actor:
        return self._actors[actor_id]

    def has_actor(self, actor_id: str) -> bool:
        return actor_id in self._actors

    def artifact(self, artifact_id: str) -> ArtifactSpec:
        return self._artifacts[artifact_id]

    def has_artifact(self, artifact_id: str) -> bool:
        return artifact_id in self._artifacts

    def end(self, end_id: str) -> End:
        return self._ends[end_id]

    def is_end(self, node_id: str) -> bool:
        return node_id in self._ends

    @property
    def title(self) -> str:
        return self.identity.title

    @property
    def number(self) -> str:
        return self.identity.number
