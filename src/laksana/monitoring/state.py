"""What the checks find: the only writer of the monitors' running state, the check results,
the state changes and (through :mod:`laksana.monitoring.incidents`) the incidents.

:func:`record` takes a batch of check outcomes (the scheduler's, about 200 at a time) and,
in one transaction: locks the batch's monitors, inserts the results, counts the streaks and
writes a :class:`~laksana.monitoring.models.StateChange` when a monitor reaches its
threshold (``fail_after`` failures in a row: down; ``recover_after`` successes in a row: up;
from unknown the same). A change is dated with the first check of its streak (``at``) and
the check that reached the threshold (``detected_at``), with that check's reason. Then, for
every application whose counted state changed (down when any of its active monitors that
count for it is down), the incident opens or ends (the application rows locked, in id
order, so two batches about one application queue); then the certificate notices.

A batch where nothing changes state costs a fixed handful of statements whatever its size:
the lock, one insert of the results, one update of the monitors (and, when a monitor holds a
certificate not yet announced, one read of the settings).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from laksana.cases.servicebase import _atomic
from laksana.catalog.models import Application
from laksana.monitoring import incidents
from laksana.monitoring.models import (
    CheckResult,
    Monitor,
    MonitoringSettings,
    State,
    StateChange,
)
from laksana.org.models import Person, UnitKind
from laksana.outbox import services as outbox

if TYPE_CHECKING:
    from laksana.monitoring.probes import Outcome


@dataclass
class Summary:
    """What one :func:`record` wrote."""

    results: int = 0
    changes: int = 0
    incidents_opened: int = 0
    cases_opened: int = 0
    recoveries: int = 0
    cert_notices: int = 0


# The running state a result changes (written with one UPDATE for the batch).
_RUNNING = [
    "state",
    "state_since",
    "fails_in_row",
    "oks_in_row",
    "streak_since",
    "last_checked_at",
    "last_ok",
    "last_latency_ms",
    "last_error",
    "last_reason",
    "cert_expires_at",
]


def union_state(states: Iterable[str]) -> str:
    """An application's state from its counted monitors': down when any is down, up when
    none is down and one is up, unknown otherwise."""
    seen = set(states)
    if State.DOWN in seen:
        return State.DOWN
    if State.UP in seen:
        return State.UP
    return State.UNKNOWN


def application_state(application_id: int) -> str:
    """The application's state now (:func:`union_state` of its active counted monitors)."""
    return union_state(
        Monitor.objects.filter(
            application_id=application_id, active=True, counts_for_application=True
        ).values_list("state", flat=True)
    )


@_atomic
def record(outcomes: Sequence[Outcome], *, now: dt.datetime | None = None) -> Summary:
    """Record a batch of check outcomes (see the module's description). An outcome of a
    monitor that is inactive or deleted, or not newer than the monitor's last counted check,
    is dropped. Nothing is written when any part fails."""
    now = now or timezone.now()
    summary = Summary()
    if not outcomes:
        return summary
    ids = sorted({o.monitor_id for o in outcomes})
    monitors = {
        m.pk: m
        for m in Monitor.objects.select_for_update(no_key=True)
        .filter(pk__in=ids, active=True)
        .order_by("pk")
    }
    before = {pk: m.state for pk, m in monitors.items()}
    results: list[CheckResult] = []
    changes: list[StateChange] = []
    touched: dict[int, Monitor] = {}
    for outcome in sorted(outcomes, key=lambda o: (o.monitor_id, o.at)):
        monitor = monitors.get(outcome.monitor_id)
        if monitor is None or (
            monitor.last_checked_at is not None and outcome.at <= monitor.last_checked_at
        ):
            continue
        results.append(
            CheckResult(
                monitor_id=monitor.pk,
                at=outcome.at,
                ok=outcome.ok,
                latency_ms=outcome.latency_ms,
                status_code=outcome.status_code,
                error=outcome.error[:30],
                reason=outcome.detail[:300],
            )
        )
        change = _count(monitor, outcome)
        if change is not None:
            changes.append(change)
        touched[monitor.pk] = monitor
    if not results:
        return summary
    CheckResult.objects.bulk_create(results)
    Monitor.objects.bulk_update(list(touched.values()), _RUNNING)
    summary.results = len(results)
    if changes:
        StateChange.objects.bulk_create(changes)
        summary.changes = len(changes)
        effects = _applications(monitors, before, changes, now)
        summary.incidents_opened = effects.incidents_opened
        summary.cases_opened = effects.cases_opened
        summary.recoveries = effects.recoveries
    summary.cert_notices = _cert_notices(list(touched.values()), now)
    return summary


def _count(monitor: Monitor, outcome: Outcome) -> StateChange | None:
    """Count one check on the monitor's streaks; the change it makes, if any."""
    monitor.last_checked_at = outcome.at
    monitor.last_ok = outcome.ok
    monitor.last_latency_ms = outcome.latency_ms
    monitor.last_error = outcome.error[:30]
    monitor.last_reason = outcome.detail[:300]
    if outcome.cert_expires_at is not None:
        monitor.cert_expires_at = outcome.cert_expires_at
    new: str | None = None
    if outcome.ok:
        if monitor.oks_in_row == 0 or monitor.streak_since is None:
            monitor.streak_since = outcome.at
        monitor.oks_in_row += 1
        monitor.fails_in_row = 0
        if monitor.state != State.UP and monitor.oks_in_row >= monitor.recover_after:
            new = State.UP
    else:
        if monitor.fails_in_row == 0 or monitor.streak_since is None:
            monitor.streak_since = outcome.at
        monitor.fails_in_row += 1
        monitor.oks_in_row = 0
        if monitor.state != State.DOWN and monitor.fails_in_row >= monitor.fail_after:
            new = State.DOWN
    if new is None:
        return None
    assert monitor.streak_since is not None
    change = StateChange(
        monitor_id=monitor.pk,
        application_id=monitor.application_id,
        at=monitor.streak_since,
        detected_at=outcome.at,
        old_state=monitor.state,
        new_state=new,
        error=outcome.error[:30],
        reason=outcome.detail[:300],
        status_code=outcome.status_code,
        latency_ms=outcome.latency_ms,
        cert_expires_at=outcome.cert_expires_at,
    )
    monitor.state = new
    monitor.state_since = monitor.streak_since
    return change


def _applications(
    monitors: dict[int, Monitor],
    before: dict[int, str],
    changes: list[StateChange],
    now: dt.datetime,
) -> incidents.Effects:
    """The applications' incidents, from the batch's changes of counted monitors replayed in
    the order they were detected over the other monitors' states."""
    effects = incidents.Effects()
    counted = [c for c in changes if monitors[c.monitor_id].counts_for_application]
    if not counted:
        return effects
    app_ids = sorted({c.application_id for c in counted})
    applications = {
        a.pk: a
        for a in Application.objects.select_for_update(no_key=True)
        .filter(pk__in=app_ids)
        .order_by("pk")
    }
    # Read once the applications are locked: another batch's committed changes are seen.
    states: dict[int, dict[int, str]] = defaultdict(dict)
    for pk, app_id, state in Monitor.objects.filter(
        application_id__in=app_ids, active=True, counts_for_application=True
    ).values_list("pk", "application_id", "state"):
        states[app_id][pk] = before.get(pk, state)
    for change in sorted(counted, key=lambda c: (c.detected_at, c.monitor_id)):
        app_states = states[change.application_id]
        was = union_state(app_states.values())
        app_states[change.monitor_id] = change.new_state
        is_now = union_state(app_states.values())
        application = applications[change.application_id]
        if is_now == State.DOWN and change.new_state == State.DOWN:
            down = [pk for pk, s in app_states.items() if s == State.DOWN]
            evidence = (
                _evidence(change.monitor_id, down, change.detected_at) if was != is_now else []
            )
            effects.add(
                incidents.on_application_change(
                    application, change.at, change.detected_at, evidence, state=is_now, now=now
                )
            )
        elif was == State.DOWN and is_now != State.DOWN:
            effects.add(
                incidents.on_application_change(
                    application, change.at, change.detected_at, [], state=is_now, now=now
                )
            )
    return effects


def _evidence(first: int, down: list[int], detected_at: dt.datetime) -> list[dict[str, Any]]:
    """The failed checks of the down monitors (the last ``fail_after`` of each, the monitor
    that made the change first), oldest first per monitor."""
    found = {m.pk: m for m in Monitor.objects.filter(pk__in=down)}
    rows: list[dict[str, Any]] = []
    for pk in sorted(down, key=lambda pk: (pk != first, pk)):
        monitor = found[pk]
        failed = CheckResult.objects.filter(monitor_id=pk, ok=False, at__lte=detected_at).order_by(
            "-at", "-pk"
        )[: monitor.fail_after]
        for result in reversed(list(failed)):
            rows.append(
                {
                    "monitor": pk,
                    "name": monitor.name,
                    "target": monitor.target,
                    "at": result.at.isoformat(),
                    "status": result.status_code,
                    "latency_ms": result.latency_ms,
                    "error": result.error,
                    "reason": result.reason,
                }
            )
    return rows


# Certificate notices ------------------------------------------------------------------------


def _cert_notices(monitors: list[Monitor], now: dt.datetime) -> int:
    """One e-mail per certificate to the application's keepers when it expires within the
    agency's ``cert_notice_days``; a renewed certificate (another expiry) is announced
    again when its time comes."""
    due = [
        m
        for m in monitors
        if m.cert_expires_at is not None and m.cert_noticed_for != m.cert_expires_at
    ]
    if not due:
        return 0
    default = MonitoringSettings._meta.get_field("cert_notice_days").get_default()
    days = dict(
        MonitoringSettings.objects.filter(agency_id__in={m.agency_id for m in due}).values_list(
            "agency_id", "cert_notice_days"
        )
    )
    noticed = [
        m
        for m in due
        if m.cert_expires_at is not None
        and m.cert_expires_at - now <= dt.timedelta(days=days.get(m.agency_id, default))
    ]
    if not noticed:
        return 0
    applications = Application.objects.in_bulk({m.application_id for m in noticed})
    for monitor in noticed:
        _send_cert_notice(monitor, applications[monitor.application_id], now)
        monitor.cert_noticed_for = monitor.cert_expires_at
    Monitor.objects.bulk_update(noticed, ["cert_noticed_for"])
    return len(noticed)


def keeper_emails(application: Application) -> list[str]:
    """The e-mail addresses of the application's keepers: the agency's catalogue keepers
    (its own units' staff, not vendors) and the managing unit's members who are not a
    vendor's employees."""
    own = ~Q(unit__kind__in=[UnitKind.REQUESTING, UnitKind.VENDOR])
    if application.managing_unit_id is not None:
        own |= Q(unit_id=application.managing_unit_id)
    return list(
        Person.objects.filter(own, agency_id=application.agency_id, vendor__isnull=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def _send_cert_notice(monitor: Monitor, application: Application, now: dt.datetime) -> None:
    assert monitor.cert_expires_at is not None
    tz = incidents.agency_tz(application)
    date = timezone.localtime(monitor.cert_expires_at, tz).strftime("%Y-%m-%d %H:%M %Z")
    days = (monitor.cert_expires_at - now).days
    values = {
        "app": application.short_name or application.name,
        "monitor": monitor.name,
        "target": monitor.target,
        "date": date,
        "days": days,
    }
    with translation.override(incidents.LANGUAGE):
        if monitor.cert_expires_at <= now:
            subject = _("[Laksana] The certificate of %(target)s has expired") % values
            body = _(
                "The TLS certificate checked by the monitor %(monitor)s (%(target)s) of "
                "%(app)s expired on %(date)s. Renew it."
            )
        else:
            subject = _("[Laksana] The certificate of %(target)s expires on %(date)s") % values
            body = _(
                "The TLS certificate checked by the monitor %(monitor)s (%(target)s) of "
                "%(app)s expires on %(date)s, in %(days)s days. Renew it before then."
            )
        outbox.queue(
            keeper_emails(application),
            subject,
            body % values + "\n",
            agency_id=application.agency_id,
            now=now,
        )


def prune_results(*, now: dt.datetime | None = None) -> int:
    """Delete the check results older than ``LAKSANA_MONITOR_RESULT_DAYS`` days (uptime is
    computed from the state changes, which are kept). Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=int(settings.LAKSANA_MONITOR_RESULT_DAYS))
    deleted, _counts = CheckResult.objects.filter(at__lt=cutoff).delete()
    return deleted
