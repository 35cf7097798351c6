"""The scenario sets part of the API, under /api/scenario-sets: list (a page at a time), make,
read and change sets; add, change and remove scenarios; the revisions; XLSX import (multipart,
in place of a set's scenarios or as a new set) and export.

Reads go through :func:`laksana.quality.queries_sets.visible_sets` (the members of the set's
agency; not vendors): a set one may not see is answered exactly like a missing one (404).
Writes call :mod:`laksana.quality.scenarios` (the agency's catalogue keepers; others 403).
Input the rules refuse (a required text missing, a number used twice, a bad spreadsheet) is a
422 naming the field, with every problem in ``items`` ("Baris N, kolom X: ..." for a
spreadsheet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal, TypeVar

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from laksana.api.auth import acting_person, caller
from laksana.api.errors import ApiError, not_found, responses
from laksana.api.types import Id, PathId
from laksana.errors import ServiceError
from laksana.quality import scenarios, spreadsheet
from laksana.quality.models import (
    SCENARIO_FIELDS,
    Priority,
    Scenario,
    ScenarioSet,
    ScenarioSetRevision,
    SetKind,
)
from laksana.quality.queries_sets import visible_sets
from laksana.quality.scenarios import MAX_LENGTH, MAX_SCENARIOS, SET_MAX_LENGTH

router = Router(tags=["scenario sets"])

MAX_PAGE = 100
_INPUT_CODES = frozenset({"invalid", "invalid_spreadsheet"})
T = TypeVar("T")

PriorityValue = Literal["tinggi", "sedang", "rendah"]
KindValue = Literal["fungsional", "keamanan"]


# Schemas -------------------------------------------------------------------------------------


class ScenarioIn(Schema):
    """One scenario (texts are trimmed; title, steps and expected result are required)."""

    number: str = Field(min_length=1, max_length=MAX_LENGTH["number"])
    title: str = Field(min_length=1, max_length=MAX_LENGTH["title"])
    requirement: str = Field("", max_length=MAX_LENGTH["requirement"])
    preconditions: str = Field("", max_length=MAX_LENGTH["preconditions"])
    steps: str = Field(min_length=1, max_length=MAX_LENGTH["steps"])
    input_data: str = Field("", max_length=MAX_LENGTH["input_data"])
    expected: str = Field(min_length=1, max_length=MAX_LENGTH["expected"])
    priority: PriorityValue = "sedang"


class ScenarioChangeIn(Schema):
    """The fields of a scenario to change; the others stay as they are."""

    number: str | None = Field(None, min_length=1, max_length=MAX_LENGTH["number"])
    title: str | None = Field(None, min_length=1, max_length=MAX_LENGTH["title"])
    requirement: str | None = Field(None, max_length=MAX_LENGTH["requirement"])
    preconditions: str | None = Field(None, max_length=MAX_LENGTH["preconditions"])
    steps: str | None = Field(None, min_length=1, max_length=MAX_LENGTH["steps"])
    input_data: str | None = Field(None, max_length=MAX_LENGTH["input_data"])
    expected: str | None = Field(None, min_length=1, max_length=MAX_LENGTH["expected"])
    priority: PriorityValue | None = None


class SetIn(Schema):
    """A new set of an application of the caller's agency, with its first scenarios."""

    application_id: Id
    name: str = Field(min_length=1, max_length=SET_MAX_LENGTH["name"])
    app_version: str = Field("", max_length=SET_MAX_LENGTH["app_version"])
    kind: KindValue = "fungsional"
    description: str = Field("", max_length=SET_MAX_LENGTH["description"])
    scenarios: list[ScenarioIn] = Field(default_factory=list, max_length=MAX_SCENARIOS)


class SetChangeIn(Schema):
    """The set's details to change (a new revision), or ``archived`` to archive or restore."""

    name: str | None = Field(None, min_length=1, max_length=SET_MAX_LENGTH["name"])
    app_version: str | None = Field(None, max_length=SET_MAX_LENGTH["app_version"])
    description: str | None = Field(None, max_length=SET_MAX_LENGTH["description"])
    archived: bool | None = None


class SetFilters(Schema):
    application: Id | None = Field(None, description="only the sets of this application")
    archived: bool = Field(False, description="include archived sets")
    after: str = Field("", max_length=40, description="the 'next' of the previous page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)


class ScenarioOut(Schema):
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


class ScenarioTextOut(Schema):
    """A scenario as a revision holds it."""

    number: str
    title: str
    requirement: str
    preconditions: str
    steps: str
    input_data: str
    expected: str
    priority: str


class SetSummaryOut(Schema):
    id: int
    application_id: int
    application: str
    name: str
    app_version: str
    kind: SetKind
    description: str
    revision: int = Field(description="the latest revision")
    archived: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str = Field(description="the set's page")
    export_url: str = Field(description="the latest revision as XLSX")


class SetOut(SetSummaryOut):
    """A set with its scenarios as they are now."""

    scenarios: list[ScenarioOut]


class SetPage(Schema):
    """One page of sets by id; pass ``next`` as ``after`` for the following page."""

    items: list[SetSummaryOut]
    next: str | None


class RevisionSummaryOut(Schema):
    number: int
    note: str
    by: str | None
    at: dt.datetime
    count: int = Field(description="how many scenarios it holds")


class RevisionOut(RevisionSummaryOut):
    """The whole set as it was after one change."""

    set_id: int
    scenarios: list[ScenarioTextOut]


# Helpers -------------------------------------------------------------------------------------


def _call(action: Callable[[], T]) -> T:
    """Run a service; input it refuses is a 422 (the other refusals keep their status)."""
    try:
        return action()
    except ServiceError as exc:
        if exc.code in _INPUT_CODES:
            raise ApiError(422, exc.code, exc.message, exc.field, exc.items) from exc
        raise


def _set(request: HttpRequest, set_id: int) -> ScenarioSet:
    found = (
        visible_sets(caller(request).person).select_related("application").filter(pk=set_id).first()
    )
    if found is None:
        raise not_found()
    return found


def _summary(found: ScenarioSet) -> dict[str, object]:
    return {
        "id": found.pk,
        "application_id": found.application_id,
        "application": found.application.name,
        "name": found.name,
        "app_version": found.app_version,
        "kind": found.kind,
        "description": found.description,
        "revision": found.revision,
        "archived": found.archived,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "url": reverse("quality:set", args=[found.pk]),
        "export_url": reverse("api:scenario_set_export", args=[found.pk]),
    }


def _scenario_out(s: Scenario) -> ScenarioOut:
    return ScenarioOut(
        id=s.pk,
        position=s.position,
        priority=Priority(s.priority),
        **{f: getattr(s, f) for f in SCENARIO_FIELDS if f != "priority"},
    )


def _set_out(pk: int) -> SetOut:
    found = ScenarioSet.objects.select_related("application").get(pk=pk)
    return SetOut(
        **_summary(found),  # type: ignore[arg-type]
        scenarios=[_scenario_out(s) for s in found.scenarios.order_by("position", "pk")],
    )


def _revision_summary(r: ScenarioSetRevision) -> dict[str, object]:
    return {
        "number": r.number,
        "note": r.note,
        "by": r.by.name if r.by else None,
        "at": r.at,
        "count": len(r.scenarios),
    }


def _upload(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > spreadsheet.MAX_BYTES:
        raise ApiError(
            422,
            "invalid_spreadsheet",
            _("The file is too large; the limit is %(limit)s MB.")
            % {"limit": spreadsheet.MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    data: bytes = file.read(spreadsheet.MAX_BYTES + 1)
    return data


# Operations: sets ----------------------------------------------------------------------------


@router.get("/scenario-sets", response={200: SetPage, **responses(422)})
def list_sets(request: HttpRequest, filters: Query[SetFilters]) -> SetPage:
    """The scenario sets the caller may read, by id, a page at a time."""
    found = visible_sets(caller(request).person).select_related("application")
    if filters.application is not None:
        found = found.filter(application_id=filters.application)
    if not filters.archived:
        found = found.filter(archived=False)
    if filters.after:
        after = filters.after.strip()
        if not after.isdigit() or not 0 < int(after) < 2**63:
            raise ApiError(
                422, "invalid", _("The cursor is not valid; use the 'next' of a page."), "after"
            )
        found = found.filter(pk__gt=int(after))
    page = list(found.order_by("pk")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return SetPage(
        items=[SetSummaryOut(**_summary(s)) for s in page],  # type: ignore[arg-type]
        next=str(page[-1].pk) if more else None,
    )


@router.post("/scenario-sets", response={201: SetOut, **responses(400, 403, 404, 422)})
def create_set(request: HttpRequest, payload: SetIn) -> Status[SetOut]:
    """Make a set of an application of the caller's agency (its catalogue keepers)."""
    person = acting_person(request)
    made = _call(
        lambda: scenarios.create_set(
            person,
            payload.application_id,
            name=payload.name,
            app_version=payload.app_version,
            kind=payload.kind,
            description=payload.description,
            scenarios=[s.dict() for s in payload.scenarios],
        )
    )
    return Status(201, _set_out(made.pk))


@router.post(
    "/scenario-sets/import",
    response={201: SetOut, **responses(400, 403, 404, 422)},
)
def import_new_set(
    request: HttpRequest,
    file: File[UploadedFile],
    application_id: Form[Id],
    name: Form[str],
) -> Status[SetOut]:
    """Import an XLSX workbook as a new set of an application: all rows or none."""
    person = acting_person(request)
    data = _upload(file)
    made = _call(
        lambda: spreadsheet.import_xlsx(person, data, application_id=application_id, name=name)
    )
    return Status(201, _set_out(made.pk))


@router.get(
    "/scenario-sets/{set_id}",
    response={200: SetOut, **responses(404, 422)},
    url_name="scenario_set",
)
def get_set(request: HttpRequest, set_id: PathId) -> SetOut:
    """One set with its scenarios as they are now."""
    return _set_out(_set(request, set_id).pk)


@router.patch("/scenario-sets/{set_id}", response={200: SetOut, **responses(400, 403, 404, 422)})
def update_set(request: HttpRequest, set_id: PathId, payload: SetChangeIn) -> SetOut:
    """Change the set's name, version or description (a new revision), or archive or restore
    it."""
    person = acting_person(request)
    found = _set(request, set_id)
    _call(
        lambda: scenarios.update_set(
            person,
            found.pk,
            name=payload.name,
            app_version=payload.app_version,
            description=payload.description,
            archived=payload.archived,
        )
    )
    return _set_out(found.pk)


# Operations: scenarios -----------------------------------------------------------------------


@router.post(
    "/scenario-sets/{set_id}/scenarios",
    response={201: ScenarioOut, **responses(400, 403, 404, 422)},
)
def add_scenario(request: HttpRequest, set_id: PathId, payload: ScenarioIn) -> Status[ScenarioOut]:
    """Add a scenario at the end of the set (a new revision)."""
    person = acting_person(request)
    found = _set(request, set_id)
    saved = _call(lambda: scenarios.save_scenario(person, found.pk, payload.dict()))
    return Status(201, _scenario_out(saved))


def _scenario(found: ScenarioSet, scenario_id: int) -> Scenario:
    scenario = found.scenarios.filter(pk=scenario_id).first()
    if scenario is None:
        raise not_found()
    return scenario


@router.patch(
    "/scenario-sets/{set_id}/scenarios/{scenario_id}",
    response={200: ScenarioOut, **responses(400, 403, 404, 422)},
)
def change_scenario(
    request: HttpRequest, set_id: PathId, scenario_id: PathId, payload: ScenarioChangeIn
) -> ScenarioOut:
    """Change a scenario of the set (a new revision; earlier revisions keep the old text)."""
    person = acting_person(request)
    found = _set(request, set_id)
    scenario = _scenario(found, scenario_id)
    values = {f: getattr(scenario, f) for f in SCENARIO_FIELDS}
    values.update(payload.dict(exclude_none=True))
    saved = _call(
        lambda: scenarios.save_scenario(person, found.pk, values, scenario_id=scenario.pk)
    )
    return _scenario_out(saved)


@router.delete(
    "/scenario-sets/{set_id}/scenarios/{scenario_id}",
    response={204: None, **responses(400, 403, 404, 422)},
)
def remove_scenario(request: HttpRequest, set_id: PathId, scenario_id: PathId) -> Status[None]:
    """Remove a scenario from the set (a new revision; earlier revisions keep it)."""
    person = acting_person(request)
    scenario = _scenario(_set(request, set_id), scenario_id)
    _call(lambda: scenarios.remove_scenario(person, scenario.pk))
    return Status(204, None)


# Operations: revisions, import, export -------------------------------------------------------


@router.get(
    "/scenario-sets/{set_id}/revisions",
    response={200: list[RevisionSummaryOut], **responses(404, 422)},
)
def list_revisions(request: HttpRequest, set_id: PathId) -> list[RevisionSummaryOut]:
    """The set's revisions, newest first."""
    found = _set(request, set_id)
    return [
        RevisionSummaryOut(**_revision_summary(r))  # type: ignore[arg-type]
        for r in found.revisions.select_related("by").order_by("-number")
    ]


@router.get(
    "/scenario-sets/{set_id}/revisions/{number}",
    response={200: RevisionOut, **responses(404, 422)},
)
def get_revision(request: HttpRequest, set_id: PathId, number: PathId) -> RevisionOut:
    """One revision: the whole set as it was then."""
    found = _set(request, set_id)
    held = scenarios.revision_of(found, number)
    if held is None:
        raise not_found()
    return RevisionOut(
        **_revision_summary(held),  # type: ignore[arg-type]
        set_id=found.pk,
        scenarios=[ScenarioTextOut(**s) for s in held.scenarios],
    )


@router.post(
    "/scenario-sets/{set_id}/import",
    response={200: SetOut, **responses(400, 403, 404, 422)},
)
def import_into_set(request: HttpRequest, set_id: PathId, file: File[UploadedFile]) -> SetOut:
    """Import an XLSX workbook in place of the set's scenarios (a new revision): all rows or
    none; every problem is listed in ``items`` as "Baris N, kolom X: ..."."""
    person = acting_person(request)
    found = _set(request, set_id)
    data = _upload(file)
    _call(lambda: spreadsheet.import_xlsx(person, data, set_id=found.pk))
    return _set_out(found.pk)


@router.get(
    "/scenario-sets/{set_id}/export",
    response=responses(404, 422),
    url_name="scenario_set_export",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The set as an XLSX workbook (the header row first).",
                "content": {
                    spreadsheet.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def export_set(
    request: HttpRequest, set_id: PathId, revision: Query[Id | None] = None
) -> HttpResponse:
    """The set's latest revision (or ``revision``) as XLSX, in the layout import reads."""
    from laksana.quality.views_sets import file_name

    found = _set(request, set_id)
    held = scenarios.revision_of(found, revision)
    if held is None:
        raise not_found()
    response = HttpResponse(
        spreadsheet.write_xlsx(found, held.number), content_type=spreadsheet.XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(found, held.number)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
