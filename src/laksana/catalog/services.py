"""The only code that writes the catalogue. Views, the API, commands, the demo and the case
lifecycle hook (:mod:`laksana.catalog.lifecycle`) call these functions.

Every public function is one transaction with a permission check: the catalogue is kept by
the IT unit's staff (see :func:`may_keep`); the command line and the demo act as the
operator (``actor=None``). The application row is locked (``select_for_update``) for every
change to its record, so two keepers cannot interleave a stage change. Retired applications
stay visible and are read-only: every change to them is refused, except the data deletion
records of their decommissioning.

Refusals are :class:`~laksana.cases.services.ServiceError` (with ``field``) and
:class:`~laksana.cases.services.NotAllowed`, the same errors the case services raise, so the
web screens and the API show them the same way. :class:`InvalidInput` carries every problem
of a form at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.models import Case
from laksana.cases.uploads import UploadRejected, check_upload

# The inputs are part of this module's interface: callers write services.ApplicationInput.
from laksana.catalog.inputs import EARLIEST_YEAR as EARLIEST_YEAR
from laksana.catalog.inputs import (
    LONG_TEXT_LIMIT,
    NOTE_LIMIT,
    Problems,
    check_contract,
    check_environment,
    check_risk,
    clean_text,
    too_long,
    url_problem,
)
from laksana.catalog.inputs import MAX_URLS as MAX_URLS
from laksana.catalog.inputs import ApplicationInput as ApplicationInput
from laksana.catalog.inputs import ContractInput as ContractInput
from laksana.catalog.inputs import DeletionInput as DeletionInput
from laksana.catalog.inputs import EnvironmentInput as EnvironmentInput
from laksana.catalog.inputs import InvalidInput as InvalidInput
from laksana.catalog.inputs import ProgrammeInput as ProgrammeInput
from laksana.catalog.inputs import RiskInput as RiskInput
from laksana.catalog.models import (
    Application,
    Contract,
    DataClassification,
    DataDeletion,
    DeveloperKind,
    Document,
    DocumentKind,
    Environment,
    EnvironmentKind,
    Platform,
    Risk,
    Scope,
    ServiceKind,
    Stage,
    StageChange,
    Vendor,
    WorkProgramme,
    WorkProgrammeEntry,
)
from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Agency, Person, Unit, UnitKind

if TYPE_CHECKING:
    from laksana.catalog.spreadsheet import Report, Table

Actor = Person | None
"""Who acts: a person, or None for the operator (command line, demo data)."""

OPERATOR_NAME = "laksana"
"""The name journaled for changes made from the command line or by the demo."""


# --- who may do what -------------------------------------------------------------------------


def is_superuser(person: Person | None) -> bool:
    """Whether the person signs in as an administrator."""
    return person is not None and person.user is not None and person.user.is_superuser


def may_keep(person: Actor, agency_id: int) -> bool:
    """Whether ``person`` keeps the catalogue of the agency: the operator, an administrator,
    or a staff member of the agency's own units (not a requesting unit, not a vendor), or
    anyone given the ``catalog.change_application`` permission in the admin."""
    if person is None or is_superuser(person):
        return True
    if person.vendor_id is not None or person.agency_id != agency_id:
        return False
    if person.unit.kind not in (UnitKind.REQUESTING, UnitKind.VENDOR):
        return True
    return person.user is not None and person.user.has_perm("catalog.change_application")


def may_propose(person: Actor, agency_id: int) -> bool:
    """Whether ``person`` may propose a new application: any member of the agency who is not
    a vendor's employee (units propose applications; SOP 003 step 1, SOP 001 a.1)."""
    if person is None or is_superuser(person):
        return True
    return person.vendor_id is None and person.agency_id == agency_id


def _require_keeper(person: Actor, agency_id: int) -> None:
    if not may_keep(person, agency_id):
        raise NotAllowed(_("Only the IT unit's staff keep the application catalogue."))


def _by(person: Actor) -> tuple[Person | None, str]:
    return person, person.name if person is not None else OPERATOR_NAME


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def lock_application(application_id: int) -> Application:
    """The application row, locked until the transaction ends."""
    app = Application.objects.select_for_update().filter(pk=application_id).first()
    if app is None:
        raise ServiceError("not_found", _("There is no such application."))
    return app


def _refuse_retired(app: Application) -> None:
    if app.stage == Stage.RETIRED:
        raise ServiceError(
            "retired",
            _("%(name)s is retired: its record can no longer be changed.") % {"name": app},
        )


# --- applications ----------------------------------------------------------------------------


def _check_application(
    agency_id: int, data: ApplicationInput, *, exclude_id: int | None = None
) -> ApplicationInput:
    """The input cleaned, or :class:`InvalidInput` with every problem."""
    p = Problems()
    clean = ApplicationInput(
        name=clean_text(data.name),
        short_name=clean_text(data.short_name),
        description=clean_text(data.description, multiline=True),
        scope=data.scope or "",
        service_kind=data.service_kind or "",
        function=clean_text(data.function, multiline=True),
        legal_basis=clean_text(data.legal_basis, multiline=True),
        platforms=list(dict.fromkeys(data.platforms)),
        urls=list(dict.fromkeys(u.strip() for u in data.urls if u.strip())),
        owner_unit=data.owner_unit,
        managing_unit=data.managing_unit,
        user_units=list({u.pk: u for u in data.user_units}.values()),
        developer_kind=data.developer_kind or "",
        developer_unit=data.developer_unit,
        developer_vendor=data.developer_vendor,
        developer_vendor_name=clean_text(data.developer_vendor_name),
        year_built=data.year_built,
        data_classification=data.data_classification or "",
        source_code_location=clean_text(data.source_code_location),
    )
    if not clean.name:
        p.add("name", _("Give the application a name."))
    elif len(clean.name) > 200:
        p.add("name", _("The name is too long (at most 200 characters)."))
    if len(clean.short_name) > 60:
        p.add("short_name", _("The short name is too long (at most 60 characters)."))
    for name in ("description", "function", "legal_basis"):
        p.at_most(name, getattr(clean, name), LONG_TEXT_LIMIT)
    for name, value, choices in (
        ("scope", clean.scope, Scope),
        ("service_kind", clean.service_kind, ServiceKind),
        ("developer_kind", clean.developer_kind, DeveloperKind),
        ("data_classification", clean.data_classification, DataClassification),
    ):
        if value and value not in choices.values:
            p.add(
                name,
                _("Choose one of: %(items)s")
                % {"items": ", ".join(str(label) for label in choices.labels)},
            )
    for platform in clean.platforms:
        if platform not in Platform.values:
            p.add(
                "platforms",
                _("Unknown platform %(value)s; choose from: %(items)s")
                % {"value": platform, "items": ", ".join(str(x) for x in Platform.labels)},
            )
    if len(clean.urls) > MAX_URLS:
        p.add("urls", _("At most %(count)s web addresses.") % {"count": MAX_URLS})
    for url in clean.urls:
        why = url_problem(url)
        if why:
            p.add("urls", why)
    units: dict[str, list[Unit | None]] = {
        "owner_unit": [clean.owner_unit],
        "managing_unit": [clean.managing_unit],
        "user_units": list(clean.user_units),
        "developer_unit": [clean.developer_unit],
    }
    for name, chosen in units.items():
        if any(u is not None and u.agency_id != agency_id for u in chosen):
            p.add(name, _("Choose a unit of the application's agency."))
    if clean.developer_vendor is not None and clean.developer_vendor.agency_id != agency_id:
        p.add("developer_vendor", _("Choose a vendor of the application's agency."))
    if len(clean.developer_vendor_name) > 200:
        p.add("developer_vendor", _("At most 200 characters."))
    named_vendor = clean.developer_vendor is None and bool(clean.developer_vendor_name)
    if clean.developer_kind == DeveloperKind.INTERNAL:
        clean.developer_vendor = None
        named_vendor = False
    elif clean.developer_kind == DeveloperKind.VENDOR:
        clean.developer_unit = None
    elif named_vendor:
        clean.developer_kind = DeveloperKind.VENDOR
        clean.developer_unit = None
    elif clean.developer_unit is not None or clean.developer_vendor is not None:
        clean.developer_kind = (
            DeveloperKind.VENDOR if clean.developer_vendor is not None else DeveloperKind.INTERNAL
        )
    latest = timezone.localdate().year + 1
    if clean.year_built is not None and not EARLIEST_YEAR <= clean.year_built <= latest:
        p.add(
            "year_built",
            _("The year must be between %(first)s and %(last)s.")
            % {"first": EARLIEST_YEAR, "last": latest},
        )
    if len(clean.source_code_location) > 500:
        p.add("source_code_location", _("At most 500 characters."))
    if clean.name:
        for field_name, value in (("name", clean.name), ("short_name", clean.short_name)):
            if value and _duplicate(agency_id, value, exclude_id):
                p.add(
                    field_name,
                    _("%(value)s is already in the catalogue.") % {"value": value},
                )
    p.raise_any()
    if named_vendor:
        clean.developer_vendor = vendor_named(agency_id, clean.developer_vendor_name)
    return clean


def _duplicate(agency_id: int, value: str, exclude_id: int | None) -> bool:
    """Whether another application of the agency has this name or short name."""
    qs = Application.objects.filter(agency_id=agency_id).filter(
        Q(name__iexact=value) | Q(short_name__iexact=value)
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.exists()


def _assign(app: Application, data: ApplicationInput) -> None:
    for name in (
        "name",
        "short_name",
        "description",
        "scope",
        "service_kind",
        "function",
        "legal_basis",
        "owner_unit",
        "managing_unit",
        "developer_kind",
        "developer_unit",
        "developer_vendor",
        "year_built",
        "data_classification",
        "source_code_location",
    ):
        setattr(app, name, getattr(data, name))
    app.platforms = list(data.platforms)
    app.urls = list(data.urls)


def _create(
    actor: Actor,
    agency_id: int,
    data: ApplicationInput,
    stage: str,
    reason: str,
    at: dt.datetime,
    case: Case | None = None,
) -> Application:
    """Write a new application at a stage, with its first stage change (no permission check)."""
    clean = _check_application(agency_id, data)
    if stage not in Stage.values:
        raise ServiceError("invalid", _("Unknown lifecycle stage."), field="stage")
    app = Application(agency_id=agency_id, stage=stage, updated_at=at)
    _assign(app, clean)
    app.save()
    app.user_units.set(clean.user_units)
    by, by_name = _by(actor)
    StageChange.objects.create(
        application=app,
        old_stage="",
        new_stage=stage,
        reason=reason or _("Entered in the catalogue."),
        case=case,
        by=by,
        by_name=by_name,
        at=at,
    )
    return app


@transaction.atomic
def create_application(
    actor: Actor,
    agency: Agency,
    data: ApplicationInput,
    *,
    stage: str = Stage.IN_PRODUCTION,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """Enter an application in the agency's catalogue at a stage (journaled as the first
    stage change)."""
    _require_keeper(actor, agency.pk)
    return _create(actor, agency.pk, data, stage, reason, _now(now))


@transaction.atomic
def propose_application(
    actor: Actor,
    agency: Agency,
    data: ApplicationInput,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """Enter a proposed application (stage *proposed*), so a proposal case (SOP 003, SOP 001
    a–d) can be opened about it; any member of the agency may propose."""
    if not may_propose(actor, agency.pk):
        raise NotAllowed(_("Only members of the agency can propose applications."))
    return _create(actor, agency.pk, data, Stage.PROPOSED, reason or _("Proposed."), _now(now))


@transaction.atomic
def update_application(
    actor: Actor, application_id: int, data: ApplicationInput, *, now: dt.datetime | None = None
) -> Application:
    """Change an application's fields (not its stage); refused for retired applications."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    clean = _check_application(app.agency_id, data, exclude_id=app.pk)
    _assign(app, clean)
    app.updated_at = _now(now)
    app.save()
    app.user_units.set(clean.user_units)
    return app


# --- stages ----------------------------------------------------------------------------------


def record_stage(
    app: Application,
    new_stage: str,
    reason: str,
    *,
    by: Person | None,
    at: dt.datetime,
    case: Case | None = None,
    step_key: str = "",
) -> StageChange | None:
    """Move a locked application to ``new_stage`` and journal it; None if it is there
    already. For the services and the lifecycle hook only (no permission check)."""
    if app.stage == new_stage:
        return None
    change = StageChange.objects.create(
        application=app,
        old_stage=app.stage,
        new_stage=new_stage,
        reason=reason,
        case=case,
        step_key=step_key,
        by=by,
        by_name=by.name if by is not None else OPERATOR_NAME,
        at=at,
    )
    # A conditional update, so a move from a stage the row has since left changes nothing.
    moved = Application.objects.filter(pk=app.pk, stage=app.stage).update(
        stage=new_stage, updated_at=at
    )
    if moved != 1:
        raise ServiceError("conflict", _("The application's stage changed meanwhile; try again."))
    app.stage = new_stage
    app.updated_at = at
    return change


@transaction.atomic
def change_stage(
    actor: Actor,
    application_id: int,
    new_stage: str,
    reason: str,
    *,
    case: Case | None = None,
    step_key: str = "",
    now: dt.datetime | None = None,
) -> StageChange:
    """Move an application to another lifecycle stage with a reason, journaled as a stage
    change. Retiring goes through :func:`decommission`; a retired application stays retired."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    if new_stage not in Stage.values:
        raise ServiceError(
            "invalid",
            _("Choose one of: %(items)s") % {"items": ", ".join(str(s) for s in Stage.labels)},
            field="stage",
        )
    if new_stage == Stage.RETIRED:
        raise ServiceError(
            "invalid",
            _("An application is retired by decommissioning it, with its data deletion."),
            field="stage",
        )
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise ServiceError("required", _("Give the reason for the change."), field="reason")
    if len(reason) > NOTE_LIMIT:
        raise ServiceError("too_long", too_long(len(reason), NOTE_LIMIT), field="reason")
    if new_stage == app.stage:
        raise ServiceError("invalid", _("The application is at that stage already."), field="stage")
    change = record_stage(
        app, new_stage, reason, by=actor, at=_now(now), case=case, step_key=step_key
    )
    assert change is not None
    return change


# --- environments ----------------------------------------------------------------------------


def write_environment(
    app: Application, kind: str, data: EnvironmentInput, at: dt.datetime
) -> Environment:
    """Set (create or replace) an environment of a locked application; no permission check."""
    if kind not in EnvironmentKind.values:
        raise ServiceError("invalid", _("Unknown environment."), field="kind")
    clean = check_environment(data)
    env, _created = Environment.objects.update_or_create(
        application=app,
        kind=kind,
        defaults={
            "server": clean.server,
            "domain": clean.domain,
            "database": clean.database,
            "hosting": clean.hosting,
            "notes": clean.notes,
            "updated_at": at,
        },
    )
    return env


@transaction.atomic
def set_environment(
    actor: Actor,
    application_id: int,
    kind: str,
    data: EnvironmentInput,
    *,
    now: dt.datetime | None = None,
) -> Environment:
    """Record where the application runs in production or staging: server, domain,
    database, hosting."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    return write_environment(app, kind, data, _now(now))


# --- vendors and contracts -------------------------------------------------------------------


def vendor_named(agency_id: int, name: str) -> Vendor:
    """The agency's vendor of that name (case and spacing ignored), entered if new."""
    name = clean_text(name)
    found = Vendor.objects.filter(agency_id=agency_id, name__iexact=name).first()
    return found or Vendor.objects.create(agency_id=agency_id, name=name[:200])


def write_contract(app: Application, data: ContractInput, contract: Contract | None) -> Contract:
    """Write a contract of a locked application; no permission check."""
    clean = check_contract(data)
    contract = contract or Contract(application=app)
    contract.vendor = vendor_named(app.agency_id, clean.vendor_name)
    for name in (
        "number",
        "signed_on",
        "value",
        "starts_on",
        "ends_on",
        "support_kind",
        "support_ends_on",
        "scope",
    ):
        setattr(contract, name, getattr(clean, name))
    contract.save()
    return contract


@transaction.atomic
def add_contract(
    actor: Actor, application_id: int, data: ContractInput, *, now: dt.datetime | None = None
) -> Contract:
    """Record a contract of a vendor for the application (the vendor is entered if new)."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    contract = write_contract(app, data, None)
    Application.objects.filter(pk=app.pk).update(updated_at=_now(now))
    return contract


@transaction.atomic
def update_contract(
    actor: Actor, contract_id: int, data: ContractInput, *, now: dt.datetime | None = None
) -> Contract:
    """Correct a contract's details."""
    application_id = (
        Contract.objects.filter(pk=contract_id).values_list("application_id", flat=True).first()
    )
    if application_id is None:
        raise ServiceError("not_found", _("There is no such contract."))
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    contract = write_contract(app, data, Contract.objects.get(pk=contract_id))
    Application.objects.filter(pk=app.pk).update(updated_at=_now(now))
    return contract


# --- documents -------------------------------------------------------------------------------


def add_document(
    actor: Actor,
    application_id: int,
    upload: UploadedFile[bytes],
    *,
    title: str = "",
    kind: str = DocumentKind.OTHER,
    contract_id: int | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Attach a document to the application: checked by content, stored under a generated
    name, served only to those who may see the application. One transaction; the stored file
    is removed again if it fails."""
    written: list[tuple[Storage, str]] = []
    try:
        with transaction.atomic():
            return _add_document(
                actor, application_id, upload, title, kind, contract_id, _now(now), written
            )
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def _add_document(
    actor: Actor,
    application_id: int,
    upload: UploadedFile[bytes],
    title: str,
    kind: str,
    contract_id: int | None,
    at: dt.datetime,
    written: list[tuple[Storage, str]],
) -> Document:
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    if kind not in DocumentKind.values:
        raise ServiceError("invalid", _("Unknown kind of document."), field="kind")
    contract = None
    if contract_id is not None:
        contract = Contract.objects.filter(pk=contract_id, application=app).first()
        if contract is None:
            raise ServiceError(
                "invalid", _("That contract is not one of this application."), field="contract"
            )
    try:
        checked = check_upload(upload)
    except UploadRejected as exc:
        raise ServiceError("upload_rejected", str(exc), field="file") from exc
    document = Document(
        application=app,
        contract=contract,
        kind=kind,
        title=(clean_text(title) or checked.name)[:300],
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=actor,
        uploaded_at=at,
    )
    document.file.save(checked.name, ContentFile(checked.content), save=False)
    written.append((document.file.storage, str(document.file.name)))
    document.save()
    return document


# --- risks -----------------------------------------------------------------------------------


def write_risk(
    app: Application, data: RiskInput, at: dt.datetime, case: Case | None = None
) -> Risk:
    """Add a risk register entry to a locked application; no permission check."""
    clean = check_risk(data)
    return Risk.objects.create(
        application=app,
        case=case,
        description=clean.description,
        likelihood=clean.likelihood,
        impact=clean.impact,
        mitigation=clean.mitigation,
        owner=clean.owner,
        status=clean.status,
        created_at=at,
        updated_at=at,
    )


@transaction.atomic
def add_risk(
    actor: Actor, application_id: int, data: RiskInput, *, now: dt.datetime | None = None
) -> Risk:
    """Add an entry to the application's risk register; its level follows from likelihood
    and impact."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    return write_risk(app, data, _now(now))


@transaction.atomic
def update_risk(
    actor: Actor, risk_id: int, data: RiskInput, *, now: dt.datetime | None = None
) -> Risk:
    """Reassess a risk: its likelihood, impact, mitigation, owner and status."""
    risk = Risk.objects.filter(pk=risk_id).first()
    if risk is None:
        raise ServiceError("not_found", _("There is no such risk."))
    app = lock_application(risk.application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    clean = check_risk(data)
    for name in ("description", "likelihood", "impact", "mitigation", "owner", "status"):
        setattr(risk, name, getattr(clean, name))
    risk.updated_at = _now(now)
    risk.save()
    return risk


#: The years a work programme can be for (its pages answer 404 for any other).
PROGRAMME_YEARS = range(2000, 2101)


# --- the work programme (proker) -------------------------------------------------------------


def write_programme_entry(
    app: Application,
    data: ProgrammeInput,
    *,
    by: Person | None,
    at: dt.datetime,
    case: Case | None = None,
) -> WorkProgrammeEntry:
    """Put a locked application into a year's work programme (or update its entry there);
    no permission check."""
    p = Problems()
    if data.year not in PROGRAMME_YEARS:
        p.add("year", _("Choose a year between 2000 and 2100."))
    if data.budget is not None and (not data.budget.is_finite() or data.budget < 0):
        p.add("budget", _("The budget must be an amount in rupiah, zero or more."))
    activity = clean_text(data.activity) or _("Development of %(name)s") % {"name": app.name}
    if len(activity) > 300:
        p.add("activity", _("At most 300 characters."))
    p.at_most("notes", clean_text(data.notes, multiline=True), NOTE_LIMIT)
    p.raise_any()
    programme, _created = WorkProgramme.objects.get_or_create(
        agency_id=app.agency_id, year=data.year
    )
    entry, _created = WorkProgrammeEntry.objects.update_or_create(
        programme=programme,
        application=app,
        defaults={
            "activity": activity,
            "budget": data.budget,
            "funding_source": clean_text(data.funding_source)[:100],
            "notes": clean_text(data.notes, multiline=True),
            "case": case,
            "added_by": by,
            "added_at": at,
        },
    )
    return entry


@transaction.atomic
def add_to_work_programme(
    actor: Actor,
    application_id: int,
    data: ProgrammeInput,
    *,
    case: Case | None = None,
    now: dt.datetime | None = None,
) -> WorkProgrammeEntry:
    """Put the application into the work programme (proker) of a year, with the activity,
    its budget and funding source."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    return write_programme_entry(app, data, by=actor, at=_now(now), case=case)


# --- decommissioning -------------------------------------------------------------------------


def write_deletions(
    app: Application,
    deletions: Iterable[DeletionInput],
    *,
    by: Person | None,
    at: dt.datetime,
    case: Case | None = None,
) -> list[DataDeletion]:
    """Record data deletions of an application (retired or being retired); no permission
    check."""
    rows = []
    p = Problems()
    for i, d in enumerate(deletions, start=1):
        values = {
            "data": clean_text(d.data, multiline=True),
            "location": clean_text(d.location),
            "method": clean_text(d.method),
            "executed_by": clean_text(d.executed_by),
            "witness": clean_text(d.witness),
        }
        for key, value in values.items():
            if not value:
                p.add(f"deletions.{i}.{key}", _("This is required."))
            elif key != "data" and len(value) > 200:
                p.add(f"deletions.{i}.{key}", _("At most 200 characters."))
            elif key == "data":
                p.at_most(f"deletions.{i}.data", value, NOTE_LIMIT)
        if d.executed_on > timezone.localdate(at):
            p.add(f"deletions.{i}.executed_on", _("The deletion cannot be in the future."))
        rows.append(
            DataDeletion(
                application=app,
                case=case,
                minutes_number=clean_text(d.minutes_number)[:100],
                executed_on=d.executed_on,
                recorded_by=by,
                recorded_at=at,
                **values,
            )
        )
    if not rows:
        p.add("deletions", _("Record at least one data deletion: which data, where, how."))
    p.raise_any()
    for row in rows:
        row.save()
    return rows


@transaction.atomic
def decommission(
    actor: Actor,
    application_id: int,
    reason: str,
    deletions: Sequence[DeletionInput],
    *,
    case: Case | None = None,
    step_key: str = "",
    now: dt.datetime | None = None,
) -> StageChange:
    """Retire an application (the decommissioning decision, with its reason) and record its
    data deletion minutes. The application stays in the catalogue, read-only."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    _refuse_retired(app)
    reason = clean_text(reason, multiline=True)
    if not reason:
        raise ServiceError("required", _("Give the reason for the decision."), field="reason")
    if len(reason) > NOTE_LIMIT:
        raise ServiceError("too_long", too_long(len(reason), NOTE_LIMIT), field="reason")
    at = _now(now)
    write_deletions(app, deletions, by=actor, at=at, case=case)
    change = record_stage(app, Stage.RETIRED, reason, by=actor, at=at, case=case, step_key=step_key)
    assert change is not None
    return change


@transaction.atomic
def record_data_deletion(
    actor: Actor,
    application_id: int,
    deletions: Sequence[DeletionInput],
    *,
    case: Case | None = None,
    now: dt.datetime | None = None,
) -> list[DataDeletion]:
    """Add data deletion records to an application, retired ones included (the deletion
    often follows the decision)."""
    app = lock_application(application_id)
    _require_keeper(actor, app.agency_id)
    return write_deletions(app, deletions, by=actor, at=_now(now), case=case)


# --- spreadsheet import ----------------------------------------------------------------------


def import_applications(
    actor: Actor,
    agency: Agency,
    table: Table,
    mapping: Sequence[str],
    *,
    dry_run: bool = False,
    source: str = "",
    now: dt.datetime | None = None,
) -> Report:
    """Check a spreadsheet's rows (every problem by row and column) and, unless it is a dry
    run or there is any problem, enter every row in the agency's catalogue: the application
    at its stage, its environments and its contract (new vendors are entered), then the rows
    of the domain modules' sheets (:mod:`laksana.catalog.sheets`). One transaction: all rows
    of all sheets or none."""
    from laksana.catalog import sheets, spreadsheet

    _require_keeper(actor, agency.pk)
    with transaction.atomic():
        # Imports into one agency queue here, so two cannot both pass the duplicate check.
        Agency.objects.select_for_update().filter(pk=agency.pk).first()
        report = spreadsheet.check(
            table,
            mapping,
            Unit.objects.filter(agency=agency),
            Application.objects.filter(agency=agency).values_list("name", "short_name"),
            Vendor.objects.filter(agency=agency).values_list("name", flat=True),
        )
        pending = sheets.check_all(
            table.sheets, sheets.SheetImport(actor, agency, list(report.rows))
        )
        for checked in pending:
            report.problems.extend(checked.problems)
        if dry_run or not report.ok:
            return report
        at = _now(now)
        for parsed in report.rows:
            data = parsed.application
            data.developer_vendor_name = parsed.developer_vendor
            reason = _("Imported from %(file)s, row %(row)s.") % {
                "file": source or _("a spreadsheet"),
                "row": parsed.row,
            }
            app = _create(actor, agency.pk, data, parsed.stage, reason, at)
            for kind, env in parsed.environments.items():
                write_environment(app, kind, env, at)
            if parsed.contract is not None:
                write_contract(app, parsed.contract, None)
            report.created.append(app)
        for checked in pending:
            checked.commit()
        return report
