"""The case interpreter: given a spec, a case state and an action, the new state and events.

The interpreter is event-sourced. :func:`decide` checks an action against the spec and the
state and returns either the events it causes or a :class:`Refusal` that says exactly why not
(which requirement is missing, which outcomes are allowed, that the step is not active, that
the case is finished). :func:`apply` folds one event into a state and is the only code that
builds states, so replaying a case's events (:func:`replay`) reproduces its state by
construction, and the host stores the events in its journal and the state as a snapshot.

Nothing here knows about users, databases or clocks: who may act and when is the host's
business (the services of the Django apps); the interpreter only knows the procedure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeAlias

from laksana.engine import artifacts as artifact_registry
from laksana.engine.messages import Msg
from laksana.engine.sourcerows import step_name
from laksana.engine.spec import ProcedureSpec, Step

SCHEMA_VERSION = 1

JSON: TypeAlias = Any  # a JSON-compatible value (artifact values are plain JSON data)


class CaseStatus(StrEnum):
    """Whether a case still runs."""

    RUNNING = "running"
    FINISHED = "finished"


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class CaseState:
    """The state of one running case: which steps are active and what the case holds.

    ``artifacts`` holds the current value of every artifact supplied so far (a later value of
    the same artifact, in a loop, replaces the earlier one: the journal keeps them all).
    ``completions`` counts how often each step was completed, so loops are visible.
    """

    procedure: str
    status: CaseStatus = CaseStatus.RUNNING
    active: tuple[str, ...] = ()
    artifacts: Mapping[str, JSON] = field(default_factory=lambda: _frozen({}))
    completions: Mapping[str, int] = field(default_factory=lambda: _frozen({}))
    end: str | None = None
    seq: int = 0

    @property
    def finished(self) -> bool:
        return self.status is CaseStatus.FINISHED

    def to_dict(self) -> dict[str, JSON]:
        """Plain JSON data, with the schema version, for storage."""
        return {
            "schema": SCHEMA_VERSION,
            "procedure": self.procedure,
            "status": self.status.value,
            "active": list(self.active),
            "artifacts": dict(self.artifacts),
            "completions": dict(self.completions),
            "end": self.end,
            "seq": self.seq,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSON]) -> CaseState:
        """Load stored state, upgrading older schema versions first."""
        data = upgrade_state(data)
        return cls(
            procedure=str(data["procedure"]),
            status=CaseStatus(data["status"]),
            active=tuple(data["active"]),
            artifacts=_frozen(data["artifacts"]),
            completions=_frozen({k: int(v) for k, v in data["completions"].items()}),
            end=data["end"],
            seq=int(data["seq"]),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CaseState):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.procedure, self.status, self.active, self.end, self.seq))


# Upgrades from schema N to N+1, each a small tested function. None yet: schema 1 is the first.
_UPGRADES: dict[int, Any] = {}


def upgrade_state(data: Mapping[str, JSON]) -> Mapping[str, JSON]:
    """Bring stored state up to :data:`SCHEMA_VERSION`, refusing unknown versions."""
    version = data.get("schema")
    if not isinstance(version, int) or version < 1 or version > SCHEMA_VERSION:
        raise ValueError(
            f"case state schema {version!r} is not supported (this version reads 1 to "
            f"{SCHEMA_VERSION})"
        )
    while version < SCHEMA_VERSION:
        data = _UPGRADES[version](data)
        version += 1
    return data


# Events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something that happened to a case; ``seq`` numbers a case's events from 1."""

    seq: int

    @property
    def type(self) -> str:
        return _EVENT_NAMES[type(self)]

    def to_dict(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {"type": self.type}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = dict(value) if isinstance(value, Mapping) else value
        return out


@dataclass(frozen=True)
class CaseOpened(Event):
    """The case was opened on a procedure."""

    procedure: str


@dataclass(frozen=True)
class StepActivated(Event):
    """A step became active; ``visit`` is 1 the first time, 2 after one loop, ..."""

    step: str
    visit: int


@dataclass(frozen=True)
class StepCompleted(Event):
    """A step was completed, with what was supplied and, for a decision, the outcome."""

    step: str
    outcome: str | None
    artifacts: Mapping[str, JSON]
    by: str | None = None


@dataclass(frozen=True)
class CaseEnded(Event):
    """The case reached an end."""

    end: str


_EVENT_NAMES: dict[type[Event], str] = {
    CaseOpened: "case_opened",
    StepActivated: "step_activated",
    StepCompleted: "step_completed",
    CaseEnded: "case_ended",
}
_EVENT_TYPES = {name: cls for cls, name in _EVENT_NAMES.items()}


def event_from_dict(data: Mapping[str, JSON]) -> Event:
    """Rebuild an event stored with :meth:`Event.to_dict`."""
    values = dict(data)
    name = values.pop("type", None)
    if name not in _EVENT_TYPES:
        raise ValueError(f"unknown event type {name!r}; known: {', '.join(_EVENT_TYPES)}")
    if "artifacts" in values:
        values["artifacts"] = _frozen(values["artifacts"])
    event: Event = _EVENT_TYPES[name](**values)
    return event


# Actions and refusals ----------------------------------------------------------------------


@dataclass(frozen=True)
class CompleteStep:
    """Complete an active step, supplying its outputs (and any requirement not yet on the case)
    and, for a decision, the chosen outcome label."""

    step: str
    artifacts: Mapping[str, JSON] = field(default_factory=lambda: _frozen({}))
    outcome: str | None = None
    by: str | None = None


Action: TypeAlias = CompleteStep


class RefusalCode(StrEnum):
    """Why an action was refused; hosts translate these for people."""

    CASE_FINISHED = "case_finished"
    UNKNOWN_STEP = "unknown_step"
    STEP_NOT_ACTIVE = "step_not_active"
    MISSING_REQUIREMENTS = "missing_requirements"
    MISSING_OUTPUTS = "missing_outputs"
    INVALID_ARTIFACT = "invalid_artifact"
    UNEXPECTED_ARTIFACT = "unexpected_artifact"
    ARTIFACT_ON_CASE = "artifact_on_case"
    OUTCOME_REQUIRED = "outcome_required"
    OUTCOME_NOT_ALLOWED = "outcome_not_allowed"
    OUTCOME_NOT_EXPECTED = "outcome_not_expected"


@dataclass(frozen=True)
class Refusal:
    """An action that cannot be carried out, and precisely why.

    ``items`` names what is concerned: the missing requirements' names, the allowed outcomes,
    the problems of an artifact value (as "name: problem").
    """

    code: RefusalCode
    message: str
    step: str | None = None
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transition:
    """The result of an accepted action: the new state and the events that led to it."""

    state: CaseState
    events: tuple[Event, ...]


# The interpreter ---------------------------------------------------------------------------


def open_case(spec: ProcedureSpec) -> Transition:
    """Open a case on ``spec``: the case is opened and the start's first step activated."""
    events: list[Event] = [CaseOpened(seq=1, procedure=spec.id)]
    events.extend(_enter(spec, CaseState(procedure=spec.id, seq=1), spec.start, 2))
    return Transition(state=_fold(None, events), events=tuple(events))


def decide(spec: ProcedureSpec, state: CaseState, action: Action) -> tuple[Event, ...] | Refusal:
    """The events ``action`` causes in ``state``, or why it is refused. Changes nothing."""
    if state.finished:
        return Refusal(RefusalCode.CASE_FINISHED, "the case is already finished")
    if not spec.has_step(action.step):
        return Refusal(
            RefusalCode.UNKNOWN_STEP, f"the procedure has no step '{action.step}'", step=action.step
        )
    step = spec.step(action.step)
    if step.id not in state.active:
        return Refusal(
            RefusalCode.STEP_NOT_ACTIVE, f"{step_name(step)} is not active now", step=step.id
        )
    refusal = _check_artifacts(spec, state, step, action.artifacts)
    if refusal is not None:
        return refusal
    target, refusal = _target(step, action.outcome)
    if refusal is not None:
        return refusal
    seq = state.seq + 1
    events: list[Event] = [
        StepCompleted(
            seq=seq,
            step=step.id,
            outcome=action.outcome,
            artifacts=_frozen(action.artifacts),
            by=action.by,
        )
    ]
    after = apply(state, events[0])
    events.extend(_enter(spec, after, target, seq + 1))
    return tuple(events)


def execute(spec: ProcedureSpec, state: CaseState, action: Action) -> Transition | Refusal:
    """Carry out ``action``: the new state and events, or the refusal."""
    result = decide(spec, state, action)
    if isinstance(result, Refusal):
        return result
    return Transition(state=_fold(state, result), events=result)


def apply(state: CaseState | None, event: Event) -> CaseState:
    """Fold one event into a state. The only function that builds case states."""
    if isinstance(event, CaseOpened):
        return CaseState(procedure=event.procedure, seq=event.seq)
    if state is None:
        raise ValueError("a case's events must begin with case_opened")
    if event.seq != state.seq + 1:
        raise ValueError(f"event {event.seq} does not follow event {state.seq}")
    if isinstance(event, StepActivated):
        return CaseState(
            state.procedure,
            state.status,
            (*state.active, event.step),
            state.artifacts,
            state.completions,
            state.end,
            event.seq,
        )
    if isinstance(event, StepCompleted):
        artifacts = dict(state.artifacts)
        artifacts.update(event.artifacts)
        completions = dict(state.completions)
        completions[event.step] = completions.get(event.step, 0) + 1
        active = tuple(s for s in state.active if s != event.step)
        return CaseState(
            state.procedure,
            state.status,
            active,
            _frozen(artifacts),
            _frozen(completions),
            state.end,
            event.seq,
        )
    if isinstance(event, CaseEnded):
        return CaseState(
            state.procedure,
            CaseStatus.FINISHED,
            (),
            state.artifacts,
            state.completions,
            event.end,
            event.seq,
        )
    raise TypeError(f"unknown event {event!r}")


def replay(events: Iterable[Event]) -> CaseState:
    """The state a case's events lead to."""
    state = _fold(None, events)
    if state is None:
        raise ValueError("no events to replay")
    return state


def _fold(state: CaseState | None, events: Iterable[Event]) -> CaseState:
    for event in events:
        state = apply(state, event)
    if state is None:
        raise ValueError("no events")
    return state


def _enter(spec: ProcedureSpec, state: CaseState, target: str, seq: int) -> list[Event]:
    """The events of moving to ``target``: a step is activated, an end finishes the case."""
    if spec.is_end(target):
        return [CaseEnded(seq=seq, end=target)]
    return [StepActivated(seq=seq, step=target, visit=state.completions.get(target, 0) + 1)]


def _check_artifacts(
    spec: ProcedureSpec, state: CaseState, step: Step, supplied: Mapping[str, JSON]
) -> Refusal | None:
    allowed = set(step.requires) | set(step.produces)
    unexpected = sorted(k for k in supplied if k not in allowed)
    if unexpected:
        return Refusal(
            RefusalCode.UNEXPECTED_ARTIFACT,
            f"{step_name(step)} neither requires nor produces: {', '.join(unexpected)}",
            step=step.id,
            items=tuple(unexpected),
        )
    kept = [spec.artifact(a).name for a in supplied if not _may_replace(state, step, a)]
    if kept:
        return Refusal(
            RefusalCode.ARTIFACT_ON_CASE,
            f"{step_name(step)} cannot replace what the case already holds: {'; '.join(kept)}",
            step=step.id,
            items=tuple(kept),
        )
    missing = [
        spec.artifact(a).name
        for a in step.requires
        if a not in supplied and a not in state.artifacts
    ]
    if missing:
        return Refusal(
            RefusalCode.MISSING_REQUIREMENTS,
            f"{step_name(step)} needs first: {'; '.join(missing)}",
            step=step.id,
            items=tuple(missing),
        )
    missing = [spec.artifact(a).name for a in step.produces if a not in supplied]
    if missing:
        return Refusal(
            RefusalCode.MISSING_OUTPUTS,
            f"{step_name(step)} must produce: {'; '.join(missing)}",
            step=step.id,
            items=tuple(missing),
        )
    problems: list[str] = []
    for key, value in supplied.items():
        art = spec.artifact(key)
        problems.extend(
            Msg("%(artifact)s: %(problem)s", artifact=art.name, problem=p)
            for p in artifact_registry.problems(art, value)
        )
    if problems:
        return Refusal(
            RefusalCode.INVALID_ARTIFACT, "; ".join(problems), step=step.id, items=tuple(problems)
        )
    return None


def _may_replace(state: CaseState, step: Step, key: str) -> bool:
    """Whether ``step`` may supply ``key`` now: the case does not hold it yet, the step declares
    that it revises it, or the step is done again in a loop and makes it again (its own output
    of the earlier round). The earlier value stays in the earlier step's event."""
    if key not in state.artifacts or key in step.revises:
        return True
    return key in step.produces and state.completions.get(step.id, 0) > 0


def _target(step: Step, outcome: str | None) -> tuple[str, Refusal | None]:
    if step.decision is None:
        if outcome is not None:
            return "", Refusal(
                RefusalCode.OUTCOME_NOT_EXPECTED,
                f"{step_name(step)} is not a decision; it takes no outcome",
                step=step.id,
            )
        assert step.next is not None  # the loader sets next on every non-decision step
        return step.next, None
    labels = tuple(o.label for o in step.decision.outcomes)
    if outcome is None:
        return "", Refusal(
            RefusalCode.OUTCOME_REQUIRED,
            f"{step_name(step)} is a decision: choose one of {', '.join(labels)}",
            step=step.id,
            items=labels,
        )
    chosen = step.decision.outcome(outcome)
    if chosen is None:
        return "", Refusal(
            RefusalCode.OUTCOME_NOT_ALLOWED,
            f"'{outcome}' is not an outcome of {step_name(step)}; allowed: {', '.join(labels)}",
            step=step.id,
            items=labels,
        )
    return chosen.target, None


def allowed_actions(spec: ProcedureSpec, state: CaseState) -> list[tuple[str, str | None]]:
    """Every (step, outcome) that may be completed now: the host's menu of next moves."""
    if state.finished:
        return []
    out: list[tuple[str, str | None]] = []
    for step_id in state.active:
        step = spec.step(step_id)
        if step.decision is None:
            out.append((step_id, None))
        else:
            out.extend((step_id, o.label) for o in step.decision.outcomes)
    return out
