"""The only code that writes monitors, maintenance windows and an agency's monitoring
settings. The web screens, the API, the ``monitor`` command and the catalogue's spreadsheet
import call these functions.

Who may do what: the agency's catalogue keepers (:func:`laksana.catalog.services.may_keep`)
write monitors and windows; the agency's administrators (and the superuser) change its
settings; the agency's members who are not vendors read. ``person=None`` is the operator
(command line, demo). Another agency's application, monitor, environment or window is
answered exactly like a missing one (``ServiceError("not_found")``, 404).

Every problem of a monitor's input is found at once (:class:`InvalidInput`, by field), before
anything is written; every write is one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.catalog import services as catalog_services
from laksana.catalog.inputs import Problems, clean_text
from laksana.catalog.models import Application, Environment
from laksana.errors import NotAllowed, ServiceError
from laksana.monitoring.inputs import (
    CERT_NOTICE_DAYS_MAX,
    MONITOR_FIELDS,
    WINDOW_MAX,
    InvalidInput,
    MonitorInput,
    check_input,
    int_between,
)
from laksana.monitoring.models import (
    MaintenanceWindow,
    Monitor,
    MonitoringSettings,
    State,
)
from laksana.org.models import Person, RoleKind, Unit

__all__ = [
    "InvalidInput",
    "MonitorInput",
    "add_monitor",
    "add_window",
    "change_monitor",
    "check_input",
    "may_administer",
    "may_keep",
    "may_read",
    "remove_monitor",
    "remove_window",
    "settings_for",
    "update_settings",
    "visible_monitors",
]

# --- who may do what -------------------------------------------------------------------------


def may_keep(person: Person | None, agency_id: int) -> bool:
    """Whether ``person`` writes the agency's monitors and windows: its catalogue keepers."""
    return catalog_services.may_keep(person, agency_id)


def may_read(person: Person | None, agency_id: int) -> bool:
    """Whether ``person`` sees the agency's monitors, incidents and windows: the operator,
    the superuser, and the agency's members who are not vendors' employees."""
    if person is None or catalog_services.is_superuser(person):
        return True
    return person.agency_id == agency_id and person.vendor_id is None


def may_administer(person: Person | None, agency_id: int) -> bool:
    """Whether ``person`` changes the agency's monitoring settings: the operator, the
    superuser and the agency's administrators."""
    from laksana.org.roles import has_role

    if person is None or catalog_services.is_superuser(person):
        return True
    return has_role(person, agency_id, RoleKind.AGENCY_ADMIN)


def visible_monitors(person: Person | None) -> QuerySet[Monitor]:
    """The monitors ``person`` may see."""
    qs = Monitor.objects.select_related("application", "environment")
    if person is None or catalog_services.is_superuser(person):
        return qs
    if person.vendor_id is not None:
        return qs.none()
    return qs.filter(agency_id=person.agency_id)


def _not_found(what: str = "") -> ServiceError:
    return ServiceError("not_found", what or _("There is no such monitor."))


def _application(person: Person | None, application_id: int, *, lock: bool) -> Application:
    """The application, if ``person`` may read its agency (else not found), locked."""
    qs = Application.objects.filter(pk=application_id)
    if lock:
        qs = qs.select_for_update()
    app = qs.first()
    if app is None or not may_read(person, app.agency_id):
        raise _not_found(_("There is no such application."))
    return app


def _require_keeper(person: Person | None, agency_id: int) -> None:
    if not may_keep(person, agency_id):
        raise NotAllowed(_("Only the IT unit's staff keep the monitors of the applications."))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _environments(application: Application) -> dict[int, Environment]:
    return {e.pk: e for e in Environment.objects.filter(application=application)}


def _own_environments(application: Application, data: MonitorInput) -> dict[int, Environment]:
    """The application's environments; an environment of another application (or agency)
    is answered as a missing one."""
    found = _environments(application)
    if data.environment_id is not None and data.environment_id not in found:
        raise ServiceError(
            "not_found", _("There is no such environment of this application."), field="environment"
        )
    return found


def _first_due(monitor_id: int, interval: int, now: dt.datetime) -> dt.datetime:
    try:
        from laksana.monitoring.scheduler import first_due
    except ImportError:  # pragma: no cover - the scheduler is part of the app
        return now
    return first_due(monitor_id, interval, now)


def _assign(monitor: Monitor, clean: MonitorInput) -> None:
    for name in MONITOR_FIELDS:
        setattr(monitor, name, getattr(clean, name))
    monitor.environment_id = clean.environment_id


def _reset_running_state(monitor: Monitor, now: dt.datetime) -> None:
    """A monitor of a new target: unknown, as a new one (its history stays)."""
    monitor.state = State.UNKNOWN
    monitor.state_since = None
    monitor.fails_in_row = 0
    monitor.oks_in_row = 0
    monitor.streak_since = None
    monitor.last_checked_at = None
    monitor.last_ok = None
    monitor.last_latency_ms = None
    monitor.last_error = ""
    monitor.last_reason = ""
    monitor.cert_expires_at = None
    monitor.cert_noticed_for = None
    monitor.next_due_at = now


# --- monitors --------------------------------------------------------------------------------


def write_monitor(
    person: Person | None,
    application: Application,
    clean: MonitorInput,
    at: dt.datetime,
    monitor: Monitor | None = None,
) -> Monitor:
    """Write a checked input as a new monitor of a locked application (or onto ``monitor``);
    no permission check (the spreadsheet import has made it)."""
    if monitor is None:
        monitor = Monitor(
            agency_id=application.agency_id,
            application=application,
            created_by=person,
            created_at=at,
            next_due_at=at,
        )
        _assign(monitor, clean)
        monitor.updated_at = at
        monitor.save()
        due = _first_due(monitor.pk, monitor.interval_seconds, at)
        if due != monitor.next_due_at:
            Monitor.objects.filter(pk=monitor.pk).update(next_due_at=due)
            monitor.next_due_at = due
        return monitor
    moved = (monitor.kind, monitor.target) != (clean.kind, clean.target)
    _assign(monitor, clean)
    if moved:
        _reset_running_state(monitor, at)
    monitor.updated_at = at
    monitor.save()
    return monitor


@transaction.atomic
def add_monitor(
    person: Person | None,
    application_id: int,
    data: MonitorInput,
    *,
    now: dt.datetime | None = None,
) -> Monitor:
    """Add a monitor to an application (due at once; the scheduler spreads the later
    checks)."""
    app = _application(person, application_id, lock=True)
    _require_keeper(person, app.agency_id)
    clean = check_input(app, data, _own_environments(app, data))
    return write_monitor(person, app, clean, _now(now))


def _monitor(person: Person | None, monitor_id: int) -> Monitor:
    """The monitor locked, if ``person`` may read its agency (else not found)."""
    monitor = Monitor.objects.select_for_update().filter(pk=monitor_id).first()
    if monitor is None or not may_read(person, monitor.agency_id):
        raise _not_found()
    return monitor


@transaction.atomic
def change_monitor(
    person: Person | None,
    monitor_id: int,
    data: MonitorInput,
    *,
    now: dt.datetime | None = None,
) -> Monitor:
    """Change a monitor. A new kind or address makes it a new monitor as far as its state
    goes (unknown until checked again); its history stays."""
    monitor = _monitor(person, monitor_id)
    _require_keeper(person, monitor.agency_id)
    app = Application.objects.select_for_update().get(pk=monitor.application_id)
    clean = check_input(app, data, _own_environments(app, data))
    at = _now(now)
    changed = write_monitor(person, app, clean, at, monitor)
    _settle(app, at)
    return changed


@transaction.atomic
def remove_monitor(person: Person | None, monitor_id: int) -> None:
    """Remove a monitor with its results and state changes."""
    monitor = _monitor(person, monitor_id)
    _require_keeper(person, monitor.agency_id)
    app = Application.objects.select_for_update().get(pk=monitor.application_id)
    monitor.delete()
    _settle(app, timezone.now())


def _settle(application: Application, at: dt.datetime) -> None:
    """After a monitor stopped counting (removed, made inactive, not counted, moved to a new
    address): an open incident of the application whose remaining monitors are no longer
    down ends now, and its case is told, as a recovery would."""
    from laksana.monitoring import incidents
    from laksana.monitoring.models import Incident, State
    from laksana.monitoring.state import application_state

    if not Incident.objects.filter(application=application, ended_at__isnull=True).exists():
        return
    state = application_state(application.pk)
    if state != State.DOWN:
        incidents.on_application_change(application, at, at, [], state=state, now=at)


# --- maintenance windows ---------------------------------------------------------------------


def _aware(p: Problems, name: str, value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        p.add(name, _("Give a date and time."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def add_window(
    person: Person | None,
    application_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    *,
    now: dt.datetime | None = None,
) -> MaintenanceWindow:
    """Declare a maintenance window of an application: it must end after it starts, last
    at most 7 days and not lie wholly in the past."""
    app = _application(person, application_id, lock=True)
    _require_keeper(person, app.agency_id)
    at = _now(now)
    p = Problems()
    start = _aware(p, "starts_at", starts_at)
    end = _aware(p, "ends_at", ends_at)
    text = clean_text(reason)
    if not text:
        p.add("reason", _("Say why the application is under maintenance."))
    elif len(text) > 300:
        p.add("reason", _("At most 300 characters."))
    if start is not None and end is not None:
        if end <= start:
            p.add("ends_at", _("The window must end after it starts."))
        elif end - start > WINDOW_MAX:
            p.add("ends_at", _("A maintenance window lasts at most 7 days."))
        elif end <= at:
            p.add("ends_at", _("The window is wholly in the past."))
    p.raise_any()
    assert start is not None and end is not None
    return MaintenanceWindow.objects.create(
        agency_id=app.agency_id,
        application=app,
        starts_at=start,
        ends_at=end,
        reason=text,
        created_by=person,
        created_at=at,
    )


@transaction.atomic
def remove_window(person: Person | None, window_id: int, *, now: dt.datetime | None = None) -> None:
    """Remove a window that has not begun; one that has begun is only ended now (what it
    covered stays covered); one that is over is kept as it was."""
    window = MaintenanceWindow.objects.select_for_update().filter(pk=window_id).first()
    if window is None or not may_read(person, window.agency_id):
        raise _not_found(_("There is no such maintenance window."))
    _require_keeper(person, window.agency_id)
    at = _now(now)
    if window.starts_at >= at:
        window.delete()
    elif window.ends_at > at:
        window.ends_at = at
        window.save(update_fields=["ends_at"])
    else:
        raise ServiceError("window_over", _("The maintenance window is already over."))


# --- settings --------------------------------------------------------------------------------


def settings_for(agency_id: int) -> MonitoringSettings:
    """The agency's monitoring settings (the defaults, written once, when it has none)."""
    found, _created = MonitoringSettings.objects.get_or_create(agency_id=agency_id)
    return found


@transaction.atomic
def update_settings(
    person: Person | None,
    agency_id: int,
    *,
    procedure_key: str,
    reporting_unit_id: int | None,
    status_public: bool,
    cert_notice_days: int,
) -> MonitoringSettings:
    """Change the agency's monitoring settings (its administrators)."""
    if not may_read(person, agency_id):
        raise _not_found(_("There is no such agency."))
    if not may_administer(person, agency_id):
        raise NotAllowed(_("Only the agency's administrators change its monitoring settings."))
    p = Problems()
    key = clean_text(procedure_key)
    if not key:
        p.add("procedure_key", _("Choose the procedure an incident opens."))
    elif len(key) > 100:
        p.add("procedure_key", _("At most 100 characters."))
    unit = None
    if reporting_unit_id is not None:
        unit = Unit.objects.filter(pk=reporting_unit_id, agency_id=agency_id).first()
        if unit is None:
            p.add("reporting_unit", _("Choose a unit of the agency."))
    int_between(p, "cert_notice_days", cert_notice_days, 1, CERT_NOTICE_DAYS_MAX)
    p.raise_any()
    found = MonitoringSettings.objects.select_for_update().filter(agency_id=agency_id).first()
    found = found or MonitoringSettings(agency_id=agency_id)
    found.procedure_key = key
    found.reporting_unit = unit
    found.status_public = bool(status_public)
    found.cert_notice_days = cert_notice_days
    found.save()
    return found
