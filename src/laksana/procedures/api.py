"""The procedures part of the API: published versions and their steps (read only)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from laksana.api.errors import not_found, responses
from laksana.api.types import PathId
from laksana.engine.spec import ProcedureSpec, Step
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import latest_versions

router = Router(tags=["procedures"])


class ProcedureOut(Schema):
    """A published procedure version, without its steps."""

    key: str
    number: int
    title: str
    sop_number: str
    published_at: dt.datetime


class ActorOut(Schema):
    id: str
    name: str
    kind: str


class FormFieldOut(Schema):
    id: str
    label: str
    type: str
    required: bool
    choices: list[str]


class ArtifactOut(Schema):
    """A requirement or output: what a step completion must supply under ``id``."""

    id: str
    name: str
    type: str
    accept: list[str]
    multiple: bool
    fields: list[FormFieldOut]


class OutcomeOut(Schema):
    label: str
    target: str


class DecisionOut(Schema):
    question: str
    outcomes: list[OutcomeOut]


class StepOut(Schema):
    """One row of the SOP table."""

    id: str
    number: str
    activity: str
    actor: str
    requires: list[str]
    produces: list[str]
    time: str | None
    note: str
    next: str | None
    decision: DecisionOut | None


class EndOut(Schema):
    id: str
    label: str


class ProcedureVersionOut(ProcedureOut):
    """A published version with everything needed to work its cases."""

    start: str
    actors: list[ActorOut]
    artifacts: list[ArtifactOut]
    steps: list[StepOut]
    ends: list[EndOut]


def procedure_out(version: ProcedureVersion) -> ProcedureOut:
    return ProcedureOut(
        key=version.procedure_key,
        number=version.number,
        title=version.title,
        sop_number=version.sop_number,
        published_at=version.published_at,
    )


def step_out(step: Step) -> StepOut:
    decision = None
    if step.decision is not None:
        decision = DecisionOut(
            question=step.decision.question,
            outcomes=[OutcomeOut(label=o.label, target=o.target) for o in step.decision.outcomes],
        )
    return StepOut(
        id=step.id,
        number=step.number,
        activity=step.activity,
        actor=step.actor,
        requires=list(step.requires),
        produces=list(step.produces),
        time=step.time.text if step.time else None,
        note=step.note,
        next=step.next,
        decision=decision,
    )


def version_out(version: ProcedureVersion) -> ProcedureVersionOut:
    spec: ProcedureSpec = version.spec
    return ProcedureVersionOut(
        **procedure_out(version).model_dump(),
        start=spec.start,
        actors=[ActorOut(id=a.id, name=a.name, kind=a.kind.value) for a in spec.actors],
        artifacts=[
            ArtifactOut(
                id=a.id,
                name=a.name,
                type=a.type,
                accept=list(a.accept),
                multiple=a.multiple,
                fields=[
                    FormFieldOut(
                        id=f.id,
                        label=f.label,
                        type=f.type.value,
                        required=f.required,
                        choices=list(f.choices),
                    )
                    for f in a.fields
                ],
            )
            for a in spec.artifacts
        ],
        steps=[step_out(s) for s in spec.steps],
        ends=[EndOut(id=e.id, label=e.label) for e in spec.ends],
    )


@router.get("/procedures", response={200: list[ProcedureOut], **responses()})
def list_procedures(request: HttpRequest) -> list[ProcedureOut]:
    """The latest published version of every procedure."""
    return [procedure_out(v) for v in latest_versions()]


@router.get(
    "/procedures/{key}/versions/{number}",
    response={200: ProcedureVersionOut, **responses(404, 422)},
)
def get_version(request: HttpRequest, key: str, number: PathId) -> ProcedureVersionOut:
    """One published version with its actors, artifacts, steps and ends."""
    version = ProcedureVersion.objects.filter(procedure_key=key, number=number).first()
    if version is None:
        raise not_found()
    return version_out(version)
