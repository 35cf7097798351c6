"""The catalogue part of the API: list and search applications (keyset pages), one
application with its lifecycle record, its documents, and the export as XLSX or CSV.

Reads go through the catalogue's visibility gate (:mod:`laksana.catalog.queries`): an
application the caller may not see is answered exactly like a missing one (404); the cases
in a record are those :func:`laksana.cases.queries.visible_cases` lets the caller see.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from laksana.api import files
from laksana.api.auth import caller
from laksana.api.errors import ApiError, file_missing, not_found, responses
from laksana.api.types import Id, PathId
from laksana.catalog import queries, record
from laksana.catalog.models import (
    Application,
    DataClassification,
    DeveloperKind,
    Platform,
    RiskStatus,
    Scope,
    ServiceKind,
    Stage,
)
from laksana.catalog.views import export_response
from laksana.org.models import Unit

logger = logging.getLogger(__name__)
router = Router(tags=["catalogue"])

MAX_PAGE = 100


# Schemas -------------------------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str
    short_name: str


class DeveloperOut(Schema):
    kind: DeveloperKind
    name: str
    unit_id: int | None = None
    vendor_id: int | None = None


class ApplicationSummaryOut(Schema):
    """An application as lists show it."""

    id: int
    name: str
    short_name: str
    stage: Stage
    scope: Scope | None
    service_kind: ServiceKind | None
    platforms: list[Platform]
    urls: list[str]
    owner_unit: UnitRef | None
    year_built: int | None
    url: str = Field(description="the application's page")


class ApplicationPage(Schema):
    """One page of applications by name; pass ``next`` as ``after`` for the following page."""

    items: list[ApplicationSummaryOut]
    next: str | None


class EnvironmentOut(Schema):
    kind: str
    server: str
    domain: str
    database: str
    hosting: str
    notes: str
    updated_at: dt.datetime


class ContractOut(Schema):
    id: int
    vendor: str
    number: str
    signed_on: dt.date | None
    value: Decimal | None = Field(description="rupiah")
    starts_on: dt.date | None
    ends_on: dt.date | None
    support_kind: str
    support_ends_on: dt.date | None
    scope: str
    current: bool


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    name: str
    type: str
    size: int
    contract_id: int | None
    uploaded_at: dt.datetime
    url: str


class RiskOut(Schema):
    id: int
    risk: str
    likelihood: int
    impact: int
    score: int = Field(description="likelihood × impact")
    level: str = Field(description="low, medium, high or very_high, from the score")
    mitigation: str
    owner: str
    status: RiskStatus
    case: str | None
    created_at: dt.datetime


class StageChangeOut(Schema):
    old_stage: Stage | None
    new_stage: Stage
    reason: str
    case: str | None
    step: str
    by: str
    at: dt.datetime


class CaseRef(Schema):
    reference: str
    title: str
    status: str
    procedure: str
    procedure_title: str
    requesting_unit: str
    opened_at: dt.datetime
    finished_at: dt.datetime | None


class CaseDocumentOut(Schema):
    case: str
    artifact: str
    name: str
    type: str
    uploaded_at: dt.datetime
    url: str


class ProgrammeEntryOut(Schema):
    year: int
    activity: str
    budget: Decimal | None
    funding_source: str
    case: str | None


class DataDeletionOut(Schema):
    data: str
    location: str
    method: str
    executed_by: str
    executed_on: dt.date
    witness: str
    minutes_number: str
    case: str | None


class EventOut(Schema):
    at: dt.datetime
    kind: str
    title: str
    detail: str
    url: str
    date_only: bool


class ApplicationOut(ApplicationSummaryOut):
    """An application with its whole lifecycle record."""

    agency: str
    description: str
    function: str
    legal_basis: str
    managing_unit: UnitRef | None
    user_units: list[UnitRef]
    developer: DeveloperOut | None
    data_classification: DataClassification | None
    source_code_location: str
    environments: list[EnvironmentOut]
    contracts: list[ContractOut]
    documents: list[DocumentOut]
    risks: list[RiskOut]
    stage_changes: list[StageChangeOut]
    cases: list[CaseRef]
    more_cases: bool = Field(description="more cases exist than are listed")
    case_documents: list[CaseDocumentOut]
    work_programme: list[ProgrammeEntryOut]
    data_deletions: list[DataDeletionOut]
    timeline: list[EventOut] = Field(description="the record as one timeline, newest first")


class ApplicationFilters(Schema):
    q: str | None = Field(None, description="words in the name, function, units, addresses")
    stage: Stage | None = None
    unit: Id | None = Field(None, description="owner unit id")
    scope: Scope | None = None
    service_kind: ServiceKind | None = None
    platform: Platform | None = None
    after: str | None = Field(None, description="the 'next' cursor of the previous page")
    limit: int = Field(25, ge=1, le=MAX_PAGE)

    def params(self) -> dict[str, str]:
        return {
            "q": self.q or "",
            "stage": self.stage or "",
            "unit": str(self.unit) if self.unit is not None else "",
            "scope": self.scope or "",
            "service_kind": self.service_kind or "",
            "platform": self.platform or "",
        }


class ExportFilters(ApplicationFilters):
    format: Literal["xlsx", "csv"] = "xlsx"


# Building answers ----------------------------------------------------------------------------


def _unit(u: Unit | None) -> UnitRef | None:
    return UnitRef(id=u.pk, name=u.name, short_name=u.short_name) if u is not None else None


def _summary(app: Application) -> dict[str, Any]:
    return {
        "id": app.pk,
        "name": app.name,
        "short_name": app.short_name,
        "stage": Stage(app.stage),
        "scope": app.scope or None,
        "service_kind": app.service_kind or None,
        "platforms": list(app.platforms),
        "urls": list(app.urls),
        "owner_unit": _unit(app.owner_unit),
        "year_built": app.year_built,
        "url": reverse("catalog:detail", args=[app.pk]),
    }


def _ref(case: object) -> str | None:
    return getattr(case, "reference", None)


def _application_out(request: HttpRequest, app: Application) -> ApplicationOut:
    rec = record.build(caller(request).user, app)
    developer = app.developer
    return ApplicationOut(
        **_summary(app),
        agency=str(app.agency),
        description=app.description,
        function=app.function,
        legal_basis=app.legal_basis,
        managing_unit=_unit(app.managing_unit),
        user_units=[
            UnitRef(id=u.pk, name=u.name, short_name=u.short_name) for u in app.user_units.all()
        ],
        developer=DeveloperOut(
            kind=DeveloperKind(app.developer_kind),
            name=developer.name,
            unit_id=app.developer_unit_id,
            vendor_id=app.developer_vendor_id,
        )
        if developer is not None and app.developer_kind
        else None,
        data_classification=DataClassification(app.data_classification)
        if app.data_classification
        else None,
        source_code_location=app.source_code_location,
        environments=[
            EnvironmentOut(
                kind=e.kind,
                server=e.server,
                domain=e.domain,
                database=e.database,
                hosting=e.hosting,
                notes=e.notes,
                updated_at=e.updated_at,
            )
            for e in rec.environments
        ],
        contracts=[
            ContractOut(
                id=k.pk,
                vendor=k.vendor.name,
                number=k.number,
                signed_on=k.signed_on,
                value=k.value,
                starts_on=k.starts_on,
                ends_on=k.ends_on,
                support_kind=k.support_kind,
                support_ends_on=k.support_ends_on,
                scope=k.scope,
                current=k.is_current(),
            )
            for k in rec.contracts
        ],
        documents=[
            DocumentOut(
                id=d.pk,
                title=d.title,
                kind=d.kind,
                name=d.original_name,
                type=d.content_type,
                size=d.size,
                contract_id=d.contract_id,
                uploaded_at=d.uploaded_at,
                url=reverse("api:application_document", args=[app.pk, d.pk]),
            )
            for d in rec.documents
        ],
        risks=[
            RiskOut(
                id=r.pk,
                risk=r.description,
                likelihood=r.likelihood,
                impact=r.impact,
                score=r.score,
                level=r.level.value,
                mitigation=r.mitigation,
                owner=r.owner,
                status=RiskStatus(r.status),
                case=_ref(r.case),
                created_at=r.created_at,
            )
            for r in rec.risks
        ],
        stage_changes=[
            StageChangeOut(
                old_stage=Stage(s.old_stage) if s.old_stage else None,
                new_stage=Stage(s.new_stage),
                reason=s.reason,
                case=_ref(s.case),
                step=s.step_key,
                by=s.by_name,
                at=s.at,
            )
            for s in rec.stage_changes
        ],
        cases=[
            CaseRef(
                reference=c.reference,
                title=c.title,
                status=c.status,
                procedure=c.version.procedure_key,
                procedure_title=c.version.title,
                requesting_unit=str(c.requesting_unit),
                opened_at=c.opened_at,
                finished_at=c.finished_at,
            )
            for c in rec.cases
        ],
        more_cases=rec.more_cases,
        case_documents=[
            CaseDocumentOut(
                case=f.case.reference,
                artifact=f.artifact_name,
                name=f.attachment.original_name,
                type=f.attachment.content_type,
                uploaded_at=f.attachment.uploaded_at,
                url=reverse("api:case_attachment", args=[f.case.reference, f.attachment.pk]),
            )
            for f in rec.case_files
        ],
        work_programme=[
            ProgrammeEntryOut(
                year=e.programme.year,
                activity=e.activity,
                budget=e.budget,
                funding_source=e.funding_source,
                case=_ref(e.case),
            )
            for e in rec.programme_entries
        ],
        data_deletions=[
            DataDeletionOut(
                data=x.data,
                location=x.location,
                method=x.method,
                executed_by=x.executed_by,
                executed_on=x.executed_on,
                witness=x.witness,
                minutes_number=x.minutes_number,
                case=_ref(x.case),
            )
            for x in rec.deletions
        ],
        timeline=[
            EventOut(
                at=e.at,
                kind=e.kind,
                title=e.title,
                detail=e.detail,
                url=e.url,
                date_only=e.date_only,
            )
            for e in rec.timeline
        ],
    )


def _visible_app(request: HttpRequest, application_id: int) -> Application:
    app = (
        queries.visible_applications(caller(request).user)
        .select_related(
            "agency", "owner_unit", "managing_unit", "developer_unit", "developer_vendor"
        )
        .filter(pk=application_id)
        .first()
    )
    if app is None:
        raise not_found()
    return app


# Operations ----------------------------------------------------------------------------------


@router.get("/applications", response={200: ApplicationPage, **responses(422)})
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]) -> ApplicationPage:
    """The applications the caller may see, by name, a page at a time (no total count)."""
    qs = queries.filtered(queries.visible_applications(caller(request).user), filters.params())
    if filters.after and queries.decode_cursor(filters.after) is None:
        raise ApiError(
            422, "invalid", "The cursor is not valid; use the 'next' of a page.", field="after"
        )
    rows, cursor = queries.page(
        qs.select_related("owner_unit").defer("search_text"), filters.after or "", filters.limit
    )
    return ApplicationPage(items=[ApplicationSummaryOut(**_summary(a)) for a in rows], next=cursor)


@router.get(
    "/applications/export",
    response=responses(422),
    openapi_extra={
        "responses": {
            "200": {
                "description": "The applications as a spreadsheet (the import's columns).",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def export_applications(request: HttpRequest, filters: Query[ExportFilters]) -> HttpResponse:
    """The visible applications matching the filters as XLSX or CSV, in the columns the
    import reads (an export imports again unchanged)."""
    user = caller(request).user
    qs = queries.filtered(queries.visible_applications(user), filters.params())
    return export_response(user, qs, filters.format)


@router.get("/applications/{application_id}", response={200: ApplicationOut, **responses(404, 422)})
def get_application(request: HttpRequest, application_id: PathId) -> ApplicationOut:
    """One application with its lifecycle record: environments, contracts, documents, risks,
    stage changes, work programme, data deletions, the cases about it, one timeline."""
    return _application_out(request, _visible_app(request, application_id))


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    response=responses(404, 422),
    url_name="application_document",
    openapi_extra=files.download(
        "The document, as a download, with the type judged from its content."
    ),
)
def download_document(
    request: HttpRequest, application_id: PathId, document_id: PathId
) -> FileResponse:
    """Download a document of an application the caller may see."""
    app = _visible_app(request, application_id)
    doc = queries.visible_documents(caller(request).user, app).filter(pk=document_id).first()
    if doc is None:
        raise not_found()
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        logger.error("The file of document %s is missing from the file store", doc.pk)
        raise file_missing() from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=doc.original_name,
        content_type=doc.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
