"""The catalogue's contracts and risks in the API: list, record and change them per
application, and the agency's risk register with its heat map (likelihood × impact).

An application, contract or risk the caller may not see is answered as a missing one (404);
only the agency's catalogue keepers write (403 for the others); a retired application's
record is read-only (400 ``retired``); input the services refuse is a 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Literal, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from laksana.api.auth import caller
from laksana.api.errors import ApiError, not_found, responses
from laksana.api.types import Id, PathId
from laksana.catalog import queries, records_services
from laksana.catalog.inputs import ContractInput, RiskInput
from laksana.catalog.models import Application, Contract, Risk, RiskStatus, SupportKind
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person

router = Router(tags=["catalogue"])
T = TypeVar("T")


# Schemas -------------------------------------------------------------------------------------


class ContractRecordOut(Schema):
    id: int
    application_id: int
    vendor_id: int
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


class ContractIn(Schema):
    """A contract: its vendor by ``vendor_id`` (one of the agency's) or by name ``vendor``
    (entered if new)."""

    vendor: str | None = Field(None, max_length=200)
    vendor_id: Id | None = None
    number: str = Field(max_length=100)
    signed_on: dt.date | None = None
    value: Decimal | None = Field(
        None, description="rupiah", ge=0, lt=Decimal(10) ** 16, decimal_places=2
    )
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    support_kind: SupportKind | Literal[""] = ""
    support_ends_on: dt.date | None = None
    scope: str = Field("", max_length=10_000)


class ContractChangeIn(Schema):
    """The fields to change; the others stay as they are (``null`` clears a date or value)."""

    vendor: str | None = Field(None, max_length=200)
    vendor_id: Id | None = None
    number: str | None = Field(None, max_length=100)
    signed_on: dt.date | None = None
    value: Decimal | None = Field(
        None, description="rupiah", ge=0, lt=Decimal(10) ** 16, decimal_places=2
    )
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    support_kind: SupportKind | Literal[""] | None = None
    support_ends_on: dt.date | None = None
    scope: str | None = Field(None, max_length=10_000)


class RiskRecordOut(Schema):
    id: int
    application_id: int
    application: str
    description: str
    likelihood: int
    impact: int
    score: int = Field(description="likelihood × impact")
    level: str = Field(description="low, medium, high or very_high, from the score")
    mitigation: str
    owner: str
    status: RiskStatus
    created_at: dt.datetime
    updated_at: dt.datetime


class RiskIn(Schema):
    description: str = Field(max_length=5_000)
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    mitigation: str = Field("", max_length=5_000)
    owner: str = Field("", max_length=200)
    status: RiskStatus = RiskStatus.OPEN


class RiskChangeIn(Schema):
    """The fields to change; the others stay as they are."""

    description: str | None = Field(None, max_length=5_000)
    likelihood: int | None = Field(None, ge=1, le=5)
    impact: int | None = Field(None, ge=1, le=5)
    mitigation: str | None = Field(None, max_length=5_000)
    owner: str | None = Field(None, max_length=200)
    status: RiskStatus | None = None


class RegisterFilters(Schema):
    application: Id | None = None
    status: RiskStatus | Literal["all"] | None = Field(
        None, description="none: every risk not closed; 'all': every status"
    )
    likelihood: int | None = Field(None, ge=1, le=5)
    impact: int | None = Field(None, ge=1, le=5)
    order: Literal["score", "-score", "newest"] = "score"
    limit: int = Field(100, ge=1, le=500)


class HeatCell(Schema):
    likelihood: int
    impact: int
    count: int


class RegisterOut(Schema):
    """The register's risks (at most ``limit``), how many match in all, and the heat map of
    the register without its cell filter (likelihood, impact)."""

    items: list[RiskRecordOut]
    total: int = Field(description="risks matching every filter")
    heat_map: list[HeatCell]


# Helpers -------------------------------------------------------------------------------------


def _call(action: Callable[[], T]) -> T:
    """Run a service; input it refuses is a 422 (the other refusals keep their status)."""
    try:
        return action()
    except ServiceError as exc:
        if exc.code == "invalid":
            raise ApiError(422, exc.code, exc.message, exc.field, exc.items) from exc
        raise


def _person(request: HttpRequest) -> Person | None:
    who = caller(request)
    if who.person is None and not getattr(who.user, "is_superuser", False):
        raise ApiError(403, "no_person", _("Your account is not linked to a person of an agency."))
    return who.person


def _apps(request: HttpRequest) -> QuerySet[Application]:
    return queries.visible_applications(caller(request).user)


def _app(request: HttpRequest, application_id: int) -> Application:
    found = _apps(request).filter(pk=application_id).first()
    if found is None:
        raise not_found()
    return found


def _contract_out(c: Contract) -> ContractRecordOut:
    return ContractRecordOut(
        id=c.pk,
        application_id=c.application_id,
        vendor_id=c.vendor_id,
        vendor=c.vendor.name,
        number=c.number,
        signed_on=c.signed_on,
        value=c.value,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        support_kind=c.support_kind,
        support_ends_on=c.support_ends_on,
        scope=c.scope,
        current=c.is_current(),
    )


def _risk_out(r: Risk) -> RiskRecordOut:
    return RiskRecordOut(
        id=r.pk,
        application_id=r.application_id,
        application=r.application.name,
        description=r.description,
        likelihood=r.likelihood,
        impact=r.impact,
        score=r.score,
        level=r.level.value,
        mitigation=r.mitigation,
        owner=r.owner,
        status=RiskStatus(r.status),
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def _fresh_contract(pk: int) -> ContractRecordOut:
    return _contract_out(Contract.objects.select_related("vendor").get(pk=pk))


def _fresh_risk(pk: int) -> RiskRecordOut:
    return _risk_out(Risk.objects.select_related("application").get(pk=pk))


# Operations: contracts -----------------------------------------------------------------------


@router.get(
    "/applications/{application_id}/contracts",
    response={200: list[ContractRecordOut], **responses(404, 422)},
)
def list_contracts(request: HttpRequest, application_id: PathId) -> list[ContractRecordOut]:
    """The application's contracts, the latest first."""
    app = _app(request, application_id)
    rows = Contract.objects.filter(application=app).select_related("vendor")
    return [_contract_out(c) for c in rows.order_by("-starts_on", "-id")]


@router.post(
    "/applications/{application_id}/contracts",
    response={201: ContractRecordOut, **responses(400, 403, 404, 422)},
)
def create_contract(
    request: HttpRequest, application_id: PathId, payload: ContractIn
) -> Status[ContractRecordOut]:
    """Record a contract of a vendor for the application (the agency's catalogue keepers)."""
    person = _person(request)
    app = _app(request, application_id)
    data = ContractInput(
        vendor_name=payload.vendor or "",
        number=payload.number,
        signed_on=payload.signed_on,
        value=payload.value,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        support_kind=payload.support_kind or "",
        support_ends_on=payload.support_ends_on,
        scope=payload.scope,
    )
    made = _call(
        lambda: records_services.create_contract(person, app.pk, data, vendor_id=payload.vendor_id)
    )
    return Status(201, _fresh_contract(made.pk))


@router.patch(
    "/contracts/{contract_id}",
    response={200: ContractRecordOut, **responses(400, 403, 404, 422)},
)
def change_contract(
    request: HttpRequest, contract_id: PathId, payload: ContractChangeIn
) -> ContractRecordOut:
    """Change a contract's fields; the others stay as they are. Ending it early is setting
    ``ends_on`` (and ``support_ends_on``)."""
    person = _person(request)
    found = (
        Contract.objects.filter(application__in=_apps(request), pk=contract_id)
        .select_related("vendor")
        .first()
    )
    if found is None:
        raise not_found()
    data = records_services.contract_input(found)
    values = payload.dict(exclude_unset=True)
    vendor_id = values.pop("vendor_id", None)
    if "vendor" in values:
        data.vendor_name = values.pop("vendor") or ""
    for name, value in values.items():
        if value is None and name in ("number", "support_kind", "scope"):
            continue
        setattr(data, name, value)
    _call(lambda: records_services.change_contract(person, found.pk, data, vendor_id=vendor_id))
    return _fresh_contract(found.pk)


# Operations: risks ---------------------------------------------------------------------------


@router.get(
    "/applications/{application_id}/risks",
    response={200: list[RiskRecordOut], **responses(404, 422)},
)
def list_risks(request: HttpRequest, application_id: PathId) -> list[RiskRecordOut]:
    """The application's risk register, every status, the newest first."""
    app = _app(request, application_id)
    rows = Risk.objects.filter(application=app).select_related("application")
    return [_risk_out(r) for r in rows.order_by("-created_at", "-id")]


@router.post(
    "/applications/{application_id}/risks",
    response={201: RiskRecordOut, **responses(400, 403, 404, 422)},
)
def create_risk(
    request: HttpRequest, application_id: PathId, payload: RiskIn
) -> Status[RiskRecordOut]:
    """Add an entry to the application's risk register (the agency's catalogue keepers)."""
    person = _person(request)
    app = _app(request, application_id)
    data = RiskInput(**payload.dict())
    made = _call(lambda: records_services.create_risk(person, app.pk, data))
    return Status(201, _fresh_risk(made.pk))


@router.patch(
    "/risks/{risk_id}",
    response={200: RiskRecordOut, **responses(400, 403, 404, 422)},
)
def change_risk(request: HttpRequest, risk_id: PathId, payload: RiskChangeIn) -> RiskRecordOut:
    """Reassess a risk: the fields given change, the others stay; ``status: closed`` closes
    it."""
    person = _person(request)
    found = Risk.objects.filter(application__in=_apps(request), pk=risk_id).first()
    if found is None:
        raise not_found()
    data = records_services.risk_input(found)
    for name, value in payload.dict(exclude_unset=True).items():
        if value is not None:
            setattr(data, name, value)
    _call(lambda: records_services.change_risk(person, found.pk, data))
    return _fresh_risk(found.pk)


@router.get("/risks", response={200: RegisterOut, **responses(403, 422)})
def risk_register(request: HttpRequest, filters: Query[RegisterFilters]) -> RegisterOut:
    """The agency's risk register: the risks of its applications (not retired) matching the
    filters, by score (highest first) unless ``order`` says otherwise, with the heat map.
    For the agency's own staff (403 for a vendor's)."""
    person = caller(request).person
    if not records_services.may_read_register(person):
        raise NotAllowed(_("The risk register is for the agency's own staff."))
    f = records_services.RegisterFilters(
        application=filters.application,
        status=filters.status or "",
        likelihood=filters.likelihood,
        impact=filters.impact,
        order=filters.order,
    )
    rows = _call(lambda: records_services.register(person, f))
    counts = _call(lambda: records_services.heat_map(person, f))
    return RegisterOut(
        items=[_risk_out(r) for r in rows[: filters.limit]],
        total=rows.count(),
        heat_map=[HeatCell(likelihood=li, impact=im, count=n) for (li, im), n in counts.items()],
    )
