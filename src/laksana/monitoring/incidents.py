"""An application's incidents and their recovery cases.

An incident opens when the application goes down (its first counted monitor down) and
closes when it is up again (no counted monitor down). Its recovery case, of the procedure
the agency binds in :class:`~laksana.monitoring.models.MonitoringSettings` (SOP 004 by
default, the agency's latest published version), is opened once, by the agency's monitoring
account (:func:`robot_for`, a person without a sign-in):

- not while a declared maintenance window covers the application (the incident is marked
  ``in_maintenance``; :func:`open_pending_cases` opens the case when the window has ended
  and the application is still down);
- not again while the case of an earlier incident of the application is still open: the new
  incident names that case (``case_reused``) and its journal says the application is down
  again;
- not when the agency has published no version of the procedure (the incident is kept
  without a case; :func:`open_pending_cases` opens it once a version is published).

The failed checks that opened the case are its first active step's evidence (a CSV file,
journal ``file_added``) and the incident's ``evidence``. When the incident ends, the case's
journal says the application recovered by itself and its people are told, once per incident
(``recovery_noted``); the people still do the procedure's remaining steps.

Called by :mod:`laksana.monitoring.state` inside its transaction, with the application row
locked; nothing here commits on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from laksana import tabular
from laksana.cases import journal
from laksana.cases import services as case_services
from laksana.cases.holders import holder_contacts
from laksana.cases.models import (
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    JournalKind,
    StepStatus,
)
from laksana.cases.servicebase import _lock, _store
from laksana.cases.uploads import CheckedUpload
from laksana.catalog.models import Application
from laksana.monitoring.models import (
    Incident,
    MaintenanceWindow,
    MonitoringSettings,
    State,
)
from laksana.monitoring.probes import describe
from laksana.org.models import Agency, Person, Unit
from laksana.procedures.services import latest_version

ROBOT_NAME = "Pemantauan Laksana"
# The language of what the monitoring account writes (case titles, journal texts, notices).
LANGUAGE = "id"


@dataclass
class Effects:
    """What one application change did."""

    incidents_opened: int = 0
    cases_opened: int = 0
    recoveries: int = 0

    def add(self, other: Effects) -> None:
        self.incidents_opened += other.incidents_opened
        self.cases_opened += other.cases_opened
        self.recoveries += other.recoveries


def settings_of(agency_id: int) -> MonitoringSettings:
    """The agency's monitoring settings (the defaults, written once, when it has none)."""
    found, _created = MonitoringSettings.objects.get_or_create(agency_id=agency_id)
    return found


def in_maintenance(application_id: int, at: dt.datetime) -> bool:
    """Whether a declared maintenance window of the application covers ``at``."""
    return MaintenanceWindow.objects.filter(
        application_id=application_id, starts_at__lte=at, ends_at__gt=at
    ).exists()


def _robot_unit(agency_id: int, settings: MonitoringSettings) -> Unit:
    if settings.reporting_unit_id is not None:
        return Unit.objects.get(pk=settings.reporting_unit_id)
    from laksana.org.services import own_top_unit

    unit = own_top_unit(agency_id)
    if unit is None:
        raise Unit.DoesNotExist(f"agency {agency_id} has no unit")
    return unit


def robot_for(agency_id: int) -> Person:
    """The agency's monitoring account: a person without a sign-in, named "Pemantauan
    Laksana", in the reporting unit (else the agency's top IT unit); made once and kept in
    the agency's settings."""
    settings_of(agency_id)  # the row exists before it is locked
    settings = MonitoringSettings.objects.select_for_update().get(agency_id=agency_id)
    if settings.robot_id is not None:
        return Person.objects.get(pk=settings.robot_id)
    robot = Person.objects.create(
        agency_id=agency_id, name=ROBOT_NAME, unit=_robot_unit(agency_id, settings)
    )
    settings.robot = robot
    settings.save(update_fields=["robot"])
    return robot


# Application changes ------------------------------------------------------------------------


def on_application_change(
    application: Application,
    at: dt.datetime,
    detected_at: dt.datetime,
    evidence: list[dict[str, Any]],
    *,
    state: str | None = None,
    now: dt.datetime | None = None,
) -> Effects:
    """The application's counted state became ``state`` (by default read from its monitors,
    :func:`laksana.monitoring.state.application_state`) at ``at`` (the first check of the
    streak that made the change), counted at ``detected_at``. Down: an incident opens (unless
    one is open) with ``evidence`` (the failed checks) and its case; not down: the open
    incident ends at ``at`` and its case is told. Call it with the application row locked."""
    if state is None:
        from laksana.monitoring.state import application_state

        state = application_state(application.pk)
    now = now or timezone.now()
    effects = Effects()
    current = Incident.objects.filter(application=application, ended_at__isnull=True).first()
    if state == State.DOWN:
        if current is None:
            first = evidence[0] if evidence else {}
            incident = Incident.objects.create(
                agency_id=application.agency_id,
                application=application,
                started_at=at,
                detected_at=detected_at,
                error=str(first.get("error", "")),
                reason=str(first.get("reason", ""))[:300],
                evidence=evidence,
            )
            effects.incidents_opened += 1
            if in_maintenance(application.pk, detected_at):
                incident.in_maintenance = True
                incident.save(update_fields=["in_maintenance"])
            else:
                effects.cases_opened += _give_case(incident, application, now)
        elif at < current.started_at:
            # Another monitor's failures began earlier than those that opened it.
            current.started_at = at
            current.save(update_fields=["started_at"])
    elif current is not None:
        current.ended_at = max(at, current.started_at)
        current.save(update_fields=["ended_at"])
        effects.recoveries += _note_recovery(current, application, now)
    return effects


def open_pending_cases(*, now: dt.datetime | None = None) -> int:
    """Open the case of every open incident that has none and whose application is no
    longer in a maintenance window (its window ended while it was still down, or its
    agency has since published the procedure). Returns how many cases were opened;
    running it again opens none."""
    now = now or timezone.now()
    opened = 0
    pending = Incident.objects.filter(ended_at__isnull=True, case__isnull=True).values_list(
        "pk", "application_id"
    )
    for incident_id, application_id in list(pending):
        if in_maintenance(application_id, now):
            continue
        opened += _open_pending(incident_id, application_id, now)
    return opened


def _open_pending(incident_id: int, application_id: int, now: dt.datetime) -> int:
    from laksana.cases.servicebase import _atomic

    @_atomic
    def run() -> int:
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        incident = Incident.objects.filter(
            pk=incident_id, ended_at__isnull=True, case__isnull=True
        ).first()
        if incident is None:
            return 0
        return _give_case(incident, application, now)

    return run()


def _give_case(incident: Incident, application: Application, now: dt.datetime) -> int:
    """Give the incident its case: the still open case of an earlier incident of the
    application (told the application is down again), else a new one. Returns 1 when a
    case was opened."""
    earlier = (
        Incident.objects.filter(
            application=application, case__isnull=False, case__status=CaseStatus.RUNNING
        )
        .exclude(pk=incident.pk)
        .order_by("-started_at", "-pk")
        .values_list("case_id", flat=True)
        .first()
    )
    if earlier is not None:
        incident.case_id = earlier
        incident.case_reused = True
        incident.save(update_fields=["case", "case_reused"])
        case = _lock(earlier)
        with translation.override(LANGUAGE):
            reason = _incident_reason(incident)
            _journal(
                case,
                JournalKind.DOWN_AGAIN,
                now,
                {"at": incident.started_at.isoformat(), "incident": incident.pk, "reason": reason},
            )
            message = _("%(app)s is down again: %(reason)s") % {
                "app": _app_name(application),
                "reason": reason,
            }
            case_services.notify(_case_people(case), case, message, now)
        return 0
    settings = settings_of(application.agency_id)
    version = latest_version(application.agency_id, settings.procedure_key)
    if version is None or case_services.unbound_for_automatic(version):
        # No procedure to run, or one with an actor chosen per case that the agency has not
        # bound for the cases nobody chooses in: the incident waits, as without a procedure.
        return 0
    robot = robot_for(application.agency_id)
    unit = _requesting_unit(application, settings, robot)
    with translation.override(LANGUAGE):
        title, description = _case_text(incident, application)
    case = case_services.open_case(
        robot,
        version,
        title,
        description,
        requesting_unit=unit,
        application=application,
        automatic=True,
        now=now,
    )
    incident.case = case
    incident.save(update_fields=["case"])
    _attach_evidence(case, incident, robot, now)
    return 1


def _requesting_unit(application: Application, settings: MonitoringSettings, robot: Person) -> Unit:
    unit_id = (
        settings.reporting_unit_id
        or application.owner_unit_id
        or application.managing_unit_id
        or robot.unit_id
    )
    return Unit.objects.get(pk=unit_id)


def _app_name(application: Application) -> str:
    return application.short_name or application.name


def _incident_reason(incident: Incident) -> str:
    return describe(incident.error, incident.reason) if incident.error else ""


def _local(at: dt.datetime, tz: ZoneInfo) -> str:
    return timezone.localtime(at, tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def _case_text(incident: Incident, application: Application) -> tuple[str, str]:
    """The case's title and description (in the active language)."""
    tz = agency_tz(application)
    title = _("Outage of %(app)s: %(reason)s") % {
        "app": _app_name(application),
        "reason": _incident_reason(incident),
    }
    lines = [
        _("Laksana's monitoring found %(app)s down since %(at)s (counted at %(detected)s).")
        % {
            "app": application.name,
            "at": _local(incident.started_at, tz),
            "detected": _local(incident.detected_at, tz),
        },
        "",
        _("Failed checks:"),
    ]
    for item in incident.evidence:
        lines.append(
            "- "
            + _("%(monitor)s at %(at)s: %(reason)s")
            % {
                "monitor": item.get("name", ""),
                "at": _local(dt.datetime.fromisoformat(str(item["at"])), tz),
                "reason": describe(str(item.get("error", "")), str(item.get("reason", ""))),
            }
        )
    return title[:300], "\n".join(lines)


def agency_tz(application: Application) -> ZoneInfo:
    """The time zone of the application's agency."""
    name = Agency.objects.values_list("time_zone", flat=True).get(pk=application.agency_id)
    return ZoneInfo(name)


# Evidence -----------------------------------------------------------------------------------

_CSV_COLUMNS = ("monitor", "name", "target", "at", "status", "latency_ms", "error", "reason")


def evidence_csv(evidence: Sequence[dict[str, Any]]) -> bytes:
    """The failed checks as a CSV file (UTF-8 with a byte order mark, for spreadsheets; text
    that a spreadsheet would take for a formula escaped by :mod:`laksana.tabular`)."""
    rows: list[list[Any]] = [list(_CSV_COLUMNS)]
    with translation.override(LANGUAGE):
        for item in evidence:
            row: list[Any] = [_text(item.get(c)) for c in _CSV_COLUMNS[:-2]]
            error = str(item.get("error", ""))
            row += [error, describe(error, str(item.get("reason", "")))]
            rows.append(row)
    return tabular.csv_bytes(rows)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _attach_evidence(case: Case, incident: Incident, robot: Person, now: dt.datetime) -> None:
    """The failed checks on the case's first active step (its first required or produced
    artifact), with a ``file_added`` journal entry."""
    locked = _lock(case.pk)
    row = CaseStep.objects.filter(case=locked, status=StepStatus.ACTIVE).order_by("pk").first()
    artifact = ""
    if row is not None:
        step = locked.version.spec.step(row.step_key)
        keys = [*step.requires, *step.produces]
        artifact = keys[0] if keys else ""
    content = evidence_csv(incident.evidence)
    stamp = timezone.localtime(incident.detected_at, agency_tz(incident.application))
    checked = CheckedUpload(
        name=f"pemeriksaan-gagal-{stamp:%Y%m%d-%H%M}.csv",
        content=content,
        content_type="text/csv",
        sha256=hashlib.sha256(content).hexdigest(),
        thumbnail=None,
    )
    attachment = _store(locked, row, artifact, robot, checked, now)
    data: dict[str, Any] = {
        "attachment": attachment.pk,
        "name": attachment.original_name,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }
    if row is not None:
        data.update(artifact=artifact, step=row.step_key)
    journal.append(locked, JournalKind.FILE_ADDED, robot, now, data)
    locked.save(update_fields=["journal_seq", "journal_hash"])


# Recovery -----------------------------------------------------------------------------------


def _note_recovery(incident: Incident, application: Application, now: dt.datetime) -> int:
    """The ended incident's case is told, once. Returns 1 when it was."""
    if incident.case_id is None or incident.recovery_noted:
        return 0
    assert incident.ended_at is not None
    case = _lock(incident.case_id)
    minutes = round((incident.ended_at - incident.started_at).total_seconds() / 60)
    with translation.override(LANGUAGE):
        reason = _incident_reason(incident)
        _journal(
            case,
            JournalKind.RECOVERED,
            now,
            {
                "at": incident.ended_at.isoformat(),
                "incident": incident.pk,
                "downtime_minutes": minutes,
                "reason": reason,
            },
        )
        tz = agency_tz(application)
        message = _(
            "%(app)s recovered by itself at %(at)s after %(minutes)s minutes down; "
            "confirm the recovery in the case."
        ) % {"app": _app_name(application), "at": _local(incident.ended_at, tz), "minutes": minutes}
        case_services.notify(_case_people(case), case, message, now)
    incident.recovery_noted = True
    incident.save(update_fields=["recovery_noted"])
    return 1


def _journal(case: Case, kind: JournalKind, at: dt.datetime, data: dict[str, Any]) -> None:
    robot = robot_for(case.agency_id)
    journal.append(case, kind, robot, at, data)
    case.save(update_fields=["journal_seq", "journal_hash"])


def _case_people(case: Case) -> list[Person]:
    """Who takes part in the case (who claimed or completed its steps, sent or received its
    dispositions, opened it) and who may take its active steps; not the monitoring account
    (no sign-in)."""
    ids: set[int] = set()
    ids.add(case.opened_by_id)
    for claimed, completed in CaseStep.objects.filter(case_id=case.pk).values_list(
        "claimed_by_id", "completed_by_id"
    ):
        ids.update(pk for pk in (claimed, completed) if pk is not None)
    for sender, recipient in Disposition.objects.filter(case_id=case.pk).values_list(
        "sender_id", "recipient_id"
    ):
        ids.update(pk for pk in (sender, recipient) if pk is not None)
    active = CaseStep.objects.filter(case_id=case.pk, status=StepStatus.ACTIVE).values_list(
        "actor_key", flat=True
    )
    for actor_key in set(active):
        ids.update(pk for pk, _email in holder_contacts(case, actor_key))
    return list(Person.objects.filter(Q(pk__in=ids), user__isnull=False).order_by("pk"))
