"""The catalogue's contracts and risks after they are recorded: changed, ended, reassessed,
closed; and the agency's risk register with its heat map (likelihood × impact).

Only the agency's keepers (:func:`laksana.catalog.services.may_keep`) write. A contract or
risk of another agency's application is answered as one that does not exist
(``not_found``), so its existence is not told. A retired application's record is read-only.
Every write is one transaction on the locked application row; the application's
``updated_at`` (and a risk's own ``updated_at``) records when it changed. Bad input is
:class:`~laksana.catalog.inputs.InvalidInput` with every problem by field, and writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from laksana.catalog import services
from laksana.catalog.inputs import ContractInput, InvalidInput, RiskInput, check_risk
from laksana.catalog.models import Application, Contract, Risk, RiskStatus, Stage, Vendor
from laksana.catalog.risk import SCALE
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person

Actor = services.Actor

#: The statuses of a risk still to be handled: the register lists these unless asked otherwise.
OPEN_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.ACCEPTED)

#: The orders of the register: by score (highest first, the default) or newest first.
ORDERS = ("score", "-score", "newest")


def _not_found(what: str) -> ServiceError:
    if what == "contract":
        return ServiceError("not_found", _("There is no such contract."))
    if what == "risk":
        return ServiceError("not_found", _("There is no such risk."))
    return ServiceError("not_found", _("There is no such application."))


def _own_agency(actor: Actor, agency_id: int) -> bool:
    """Whether the actor belongs to the agency (the operator and administrators: any)."""
    return actor is None or services.is_superuser(actor) or actor.agency_id == agency_id


def _locked(actor: Actor, application_id: int | None, what: str) -> Application:
    """The application, locked, checked for the actor: another agency's is not found, a
    non-keeper is refused, a retired one is read-only."""
    if application_id is None:
        raise _not_found(what)
    app = Application.objects.select_for_update().filter(pk=application_id).first()
    if app is None or not _own_agency(actor, app.agency_id):
        raise _not_found(what)
    if not services.may_keep(actor, app.agency_id):
        raise NotAllowed(_("Only the IT unit's staff keep the application catalogue."))
    if app.stage == Stage.RETIRED:
        raise ServiceError(
            "retired",
            _("%(name)s is retired: its record can no longer be changed.") % {"name": app},
        )
    return app


def _application_of(model: type[Contract] | type[Risk], pk: int) -> int | None:
    return model.objects.filter(pk=pk).values_list("application_id", flat=True).first()


def _touch(app: Application, now: dt.datetime | None) -> dt.datetime:
    at = services._now(now)
    Application.objects.filter(pk=app.pk).update(updated_at=at)
    return at


# --- contracts -------------------------------------------------------------------------------


def vendor_name_of(agency_id: int, vendor_id: int) -> str:
    """The name of the agency's vendor ``vendor_id``; another agency's (or no) vendor is a
    problem of the field ``vendor_id``."""
    name = Vendor.objects.filter(pk=vendor_id, agency_id=agency_id).values_list("name", flat=True)
    found = name.first()
    if found is None:
        raise InvalidInput({"vendor_id": [_("There is no such vendor in this agency.")]})
    return found


def _with_vendor(app: Application, data: ContractInput, vendor_id: int | None) -> ContractInput:
    if vendor_id is None:
        return data
    return dataclasses.replace(data, vendor_name=vendor_name_of(app.agency_id, vendor_id))


@transaction.atomic
def create_contract(
    actor: Actor,
    application_id: int,
    data: ContractInput,
    *,
    vendor_id: int | None = None,
    now: dt.datetime | None = None,
) -> Contract:
    """Record a contract of a vendor for the application: the vendor by id (one of the
    agency's) or by name (entered if new)."""
    app = _locked(actor, application_id, "application")
    contract = services.write_contract(app, _with_vendor(app, data, vendor_id), None)
    _touch(app, now)
    return contract


@transaction.atomic
def change_contract(
    actor: Actor,
    contract_id: int,
    data: ContractInput,
    *,
    vendor_id: int | None = None,
    now: dt.datetime | None = None,
) -> Contract:
    """Correct a contract's details (vendor, number, dates, value, warranty or maintenance,
    scope), checked as a new contract is."""
    app = _locked(actor, _application_of(Contract, contract_id), "contract")
    contract = Contract.objects.get(pk=contract_id)
    contract = services.write_contract(app, _with_vendor(app, data, vendor_id), contract)
    _touch(app, now)
    return contract


def contract_input(contract: Contract) -> ContractInput:
    """A contract's current details as an input (to change some of them)."""
    return ContractInput(
        vendor_name=contract.vendor.name,
        number=contract.number,
        signed_on=contract.signed_on,
        value=contract.value,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        support_kind=contract.support_kind,
        support_ends_on=contract.support_ends_on,
        scope=contract.scope,
    )


@transaction.atomic
def end_contract(
    actor: Actor, contract_id: int, on: dt.date, *, now: dt.datetime | None = None
) -> Contract:
    """End a contract on a day (terminated early, or its end confirmed): the contract and any
    warranty or maintenance after it end that day at the latest."""
    app = _locked(actor, _application_of(Contract, contract_id), "contract")
    contract = Contract.objects.select_related("vendor").get(pk=contract_id)
    if contract.starts_on and on < contract.starts_on:
        raise InvalidInput({"ends_on": [_("The contract cannot end before it starts.")]})
    data = contract_input(contract)
    data.ends_on = on
    if data.support_ends_on and data.support_ends_on > on:
        data.support_ends_on = on
    contract = services.write_contract(app, data, contract)
    _touch(app, now)
    return contract


# --- risks -----------------------------------------------------------------------------------


@transaction.atomic
def create_risk(
    actor: Actor, application_id: int, data: RiskInput, *, now: dt.datetime | None = None
) -> Risk:
    """Add an entry to the application's risk register."""
    app = _locked(actor, application_id, "application")
    at = _touch(app, now)
    return services.write_risk(app, data, at)


def risk_input(risk: Risk) -> RiskInput:
    """A risk's current assessment as an input (to change some of it)."""
    return RiskInput(
        description=risk.description,
        likelihood=risk.likelihood,
        impact=risk.impact,
        mitigation=risk.mitigation,
        owner=risk.owner,
        status=risk.status,
    )


@transaction.atomic
def change_risk(
    actor: Actor, risk_id: int, data: RiskInput, *, now: dt.datetime | None = None
) -> Risk:
    """Reassess a risk: its description, likelihood, impact, mitigation, owner and status."""
    app = _locked(actor, _application_of(Risk, risk_id), "risk")
    clean = check_risk(data)
    risk = Risk.objects.get(pk=risk_id)
    for name in ("description", "likelihood", "impact", "mitigation", "owner", "status"):
        setattr(risk, name, getattr(clean, name))
    risk.updated_at = _touch(app, now)
    risk.save()
    return risk


def close_risk(actor: Actor, risk_id: int, *, now: dt.datetime | None = None) -> Risk:
    """Close a risk (handled, or no longer there); it leaves the open register."""
    with transaction.atomic():
        app = _locked(actor, _application_of(Risk, risk_id), "risk")
        risk = Risk.objects.get(pk=risk_id)
        risk.status = RiskStatus.CLOSED
        risk.updated_at = _touch(app, now)
        risk.save(update_fields=["status", "updated_at"])
        return risk


# --- the agency's risk register --------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    """What the register shows: one application, one status (or "all"; none: the open
    ones), one cell of the heat map, in an order of :data:`ORDERS`."""

    application: int | None = None
    status: str = ""
    likelihood: int | None = None
    impact: int | None = None
    order: str = "score"


def check_filters(f: RegisterFilters) -> RegisterFilters:
    """The filters, or :class:`InvalidInput` naming each bad one."""
    errors: dict[str, list[str]] = {}
    if f.status and f.status != "all" and f.status not in RiskStatus.values:
        errors["status"] = [_("Choose one of: %(items)s") % {"items": ", ".join(RiskStatus.values)}]
    for name in ("likelihood", "impact"):
        value = getattr(f, name)
        if value is not None and value not in SCALE:
            errors[name] = [_("Choose a value from 1 to 5.")]
    if f.order not in ORDERS:
        errors["order"] = [_("Choose one of: %(items)s") % {"items": ", ".join(ORDERS)}]
    if errors:
        raise InvalidInput(errors)
    return f


def may_read_register(person: Person | None) -> bool:
    """Whether the person reads the agency's risk register: a member of the agency who is
    not a vendor's employee."""
    return person is not None and person.vendor_id is None


def register_applications(person: Person) -> QuerySet[Application]:
    """The applications whose risks the register holds: the person's agency's, not retired
    (a retired application's record is closed)."""
    return Application.objects.filter(agency_id=person.agency_id).exclude(stage=Stage.RETIRED)


def _base(person: Person, f: RegisterFilters) -> QuerySet[Risk]:
    qs = Risk.objects.filter(application__in=register_applications(person))
    if f.application is not None:
        qs = qs.filter(application_id=f.application)
    if f.status == "all":
        pass
    elif f.status:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return qs


def register(person: Person | None, f: RegisterFilters) -> QuerySet[Risk]:
    """The agency's risks matching the filters (open ones unless a status is asked for), in
    the order asked for: by score, highest first, by default."""
    if person is None or not may_read_register(person):
        raise NotAllowed(_("The risk register is for the agency's own staff."))
    f = check_filters(f)
    qs = _base(person, f)
    if f.likelihood is not None:
        qs = qs.filter(likelihood=f.likelihood)
    if f.impact is not None:
        qs = qs.filter(impact=f.impact)
    score = F("likelihood") * F("impact")
    qs = qs.annotate(score_value=score).select_related("application")
    if f.order == "newest":
        return qs.order_by("-created_at", "-id")
    if f.order == "-score":
        return qs.order_by("score_value", "application__name", "id")
    return qs.order_by("-score_value", "-impact", "application__name", "id")


def heat_map(person: Person | None, f: RegisterFilters) -> dict[tuple[int, int], int]:
    """How many of the register's risks lie in each cell (likelihood, impact), every cell of
    the 5 × 5 matrix present. A cell filter of ``f`` is ignored: the map shows all cells of
    the register's other filters."""
    if person is None or not may_read_register(person):
        raise NotAllowed(_("The risk register is for the agency's own staff."))
    f = check_filters(f)
    counts = {(li, im): 0 for li in SCALE for im in SCALE}
    rows = _base(person, f).order_by().values("likelihood", "impact").annotate(n=Count("id"))
    for row in rows:
        counts[(row["likelihood"], row["impact"])] = row["n"]
    return counts
