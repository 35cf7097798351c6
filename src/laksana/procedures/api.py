"""The procedures part of the API: published versions and their steps (read only).

A caller reads its agency's versions only (the installation's superuser every agency's); there
is no write here: publishing is done on the site or at the command line."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema

from laksana.api.auth import caller
from laksana.api.errors import not_found, responses
from laksana.api.types import PathId
from laksana.engine.spec import ProcedureSpec, Step
from laksana.procedures.models import ProcedureVersion

router = Router(tags=["procedures"])


class ProcedureOut(Schema):
    """A published procedure version of an agency, without its steps."""

    agency: str = Field(description="the slug of the agency the version belongs to")
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
    # For a decision read from an output: the results of that output that choose it.
    when: list[str]


class DecisionOut(Schema):
    question: str
    outcomes: list[OutcomeOut]
    # The output of the step whose result chooses the outcome ("" when a person chooses).
    decided_by: str


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
        agency=version.agency.slug,
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
            outcomes=[
                OutcomeOut(label=o.label, target=o.target, when=list(o.when))
                for o in step.decision.outcomes
            ],
            decided_by=step.decision.decided_by,
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


def _readable(request: HttpRequest) -> QuerySet[ProcedureVersion]:
    """The versions the caller may read: its agency's, or every agency's for the superuser."""
    who = caller(request)
    versions = ProcedureVersion.objects.select_related("agency")
    if getattr(who.user, "is_superuser", False):
        return versions
    if who.person is None:
        return versions.none()
    return versions.filter(agency_id=who.person.agency_id)


@router.get("/procedures", response={200: list[ProcedureOut], **responses()})
def list_procedures(request: HttpRequest) -> list[ProcedureOut]:
    """The latest published version of every procedure of the caller's agency."""
    newest: dict[tuple[int, str], ProcedureVersion] = {}
    for version in (
        _readable(request).defer("source").order_by("agency_id", "procedure_key", "number")
    ):
        newest[(version.agency_id, version.procedure_key)] = version
    return [procedure_out(v) for v in newest.values()]


@router.get(
    "/procedures/{key}/versions/{number}",
    response={200: ProcedureVersionOut, **responses(404, 422)},
)
def get_version(
    request: HttpRequest, key: str, number: PathId, agency: str | None = None
) -> ProcedureVersionOut:
    """One published version of the caller's agency (``agency``: the slug of another, for
    the superuser) with its actors, artifacts, steps and ends."""
    versions = _readable(request).filter(procedure_key=key, number=number)
    who = caller(request)
    if agency is not None:
        versions = versions.filter(agency__slug=agency)
    elif who.person is not None:
        versions = versions.filter(agency_id=who.person.agency_id)
    version = versions.order_by("agency_id").first()
    if version is None:
        raise not_found()
    return version_out(version)
