"""The monitoring part of the API: monitors (list a page at a time, make, read, change,
remove), a monitor's state changes and uptime, an application's uptime, the agency's
incidents, and an application's maintenance windows.

Reads show the caller's agency only (its members who are not vendors): another agency's
monitor, application, incident or window is answered exactly like a missing one (404). Writes
call :mod:`laksana.monitoring.services` (the agency's catalogue keepers; other members 403).
Input the rules refuse is a 422 naming the field, with every problem in ``items``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from laksana.api import cursor
from laksana.api.auth import acting_person, caller
from laksana.api.errors import ApiError, not_found, responses
from laksana.api.types import PathId
from laksana.catalog.models import Application
from laksana.errors import ServiceError
from laksana.monitoring import services
from laksana.monitoring.models import Incident, MaintenanceWindow, Monitor, StateChange
from laksana.monitoring.schemas import (
    ChangeOut,
    ChangePage,
    FiguresOut,
    IncidentFilters,
    IncidentOut,
    IncidentPage,
    MonitorChangeIn,
    MonitorFilters,
    MonitorIn,
    MonitorOut,
    MonitorPage,
    PageFilters,
    PeriodFilters,
    WindowIn,
    WindowOut,
)

router = Router(tags=["monitoring"])

T = TypeVar("T")
DEFAULT_PERIOD = dt.timedelta(days=30)
MAX_PERIOD = dt.timedelta(days=400)


# Helpers -------------------------------------------------------------------------------------


def _call(action: Callable[[], T]) -> T:
    """Run a service; input it refuses is a 422 (the other refusals keep their status)."""
    try:
        return action()
    except ServiceError as exc:
        if exc.code == "invalid":
            raise ApiError(422, exc.code, exc.message, exc.field, exc.items) from exc
        raise


def _agency_filter(request: HttpRequest, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The rows of the caller's agency (every agency's for the superuser; none for a vendor
    or an account without a person)."""
    who = caller(request)
    if getattr(who.user, "is_superuser", False):
        return qs
    if who.person is None or who.person.vendor_id is not None:
        return qs.none()
    return qs.filter(agency_id=who.person.agency_id)


def _monitors(request: HttpRequest) -> QuerySet[Monitor]:
    person = caller(request).person
    if person is None and not getattr(caller(request).user, "is_superuser", False):
        return Monitor.objects.none()
    return services.visible_monitors(person)


def _monitor(request: HttpRequest, monitor_id: int) -> Monitor:
    found = _monitors(request).filter(pk=monitor_id).first()
    if found is None:
        raise not_found()
    return found


def _application(request: HttpRequest, application_id: int) -> Application:
    found = _agency_filter(request, Application.objects.all()).filter(pk=application_id).first()
    if found is None:
        raise not_found()
    return found  # type: ignore[no-any-return]


def _describe(error: str, detail: str) -> str:
    if not error:
        return ""
    try:
        from laksana.monitoring.probes import describe
    except ImportError:  # pragma: no cover - probes are part of the app
        return detail
    return describe(error, detail)


def _monitor_out(m: Monitor) -> MonitorOut:
    return MonitorOut(
        id=m.pk,
        application_id=m.application_id,
        application=m.application.name,
        environment_id=m.environment_id,
        environment=m.environment.kind if m.environment is not None else None,
        name=m.name,
        kind=m.kind,  # type: ignore[arg-type]
        target=m.target,
        method=m.method,
        expected_statuses=m.expected_statuses,
        keyword=m.keyword,
        keyword_absent=m.keyword_absent,
        max_latency_ms=m.max_latency_ms,
        follow_redirects=m.follow_redirects,
        headers=dict(m.headers or {}),
        tls_min_days=m.tls_min_days,
        dns_expected=m.dns_expected,
        interval_seconds=m.interval_seconds,
        timeout_seconds=m.timeout_seconds,
        fail_after=m.fail_after,
        recover_after=m.recover_after,
        counts_for_application=m.counts_for_application,
        active=m.active,
        state=m.state,  # type: ignore[arg-type]
        state_since=m.state_since,
        last_checked_at=m.last_checked_at,
        last_ok=m.last_ok,
        last_latency_ms=m.last_latency_ms,
        last_reason=_describe(m.last_error, m.last_reason),
        next_due_at=m.next_due_at,
        cert_expires_at=m.cert_expires_at,
        created_at=m.created_at,
        updated_at=m.updated_at,
        url=_page_url(m.pk),
    )


def _page_url(pk: int) -> str:
    try:
        return reverse("monitoring:monitor", args=[pk])
    except NoReverseMatch:  # pragma: no cover - the screens are part of the app
        return f"/pemantauan/monitor/{pk}/"


def _fresh(pk: int) -> MonitorOut:
    return _monitor_out(Monitor.objects.select_related("application", "environment").get(pk=pk))


def _period(filters: PeriodFilters) -> tuple[dt.datetime, dt.datetime]:
    end = filters.end or timezone.now()
    start = filters.start or end - DEFAULT_PERIOD
    for name, value in (("start", start), ("end", end)):
        if timezone.is_naive(value):
            raise ApiError(
                422,
                "invalid",
                _("Give the time with its offset (2026-01-31T08:00:00+07:00)."),
                name,
            )
    if end <= start:
        raise ApiError(422, "invalid", _("The end must be after the start."), "end")
    if end - start > MAX_PERIOD:
        raise ApiError(422, "invalid", _("The period is at most 400 days long."), "start")
    return start, end


def _figures(figures: Any) -> FiguresOut:
    return FiguresOut(
        start=figures.start,
        end=figures.end,
        known_seconds=figures.known_seconds,
        down_seconds=figures.down_seconds,
        maintenance_seconds=figures.maintenance_seconds,
        uptime_percent=figures.uptime_percent,
        downtime_minutes=figures.downtime_minutes,
    )


def _input(payload: MonitorIn | MonitorChangeIn, base: services.MonitorInput) -> Any:
    values = payload.dict(exclude_unset=True)
    values.pop("application_id", None)
    for name, value in values.items():
        if value is None and name not in ("environment_id", "max_latency_ms"):
            continue
        setattr(base, name, value)
    return base


# Operations: monitors ------------------------------------------------------------------------


@router.get("/monitors", response={200: MonitorPage, **responses(422)})
def list_monitors(request: HttpRequest, filters: Query[MonitorFilters]) -> MonitorPage:
    """The monitors the caller may see, by id, a page at a time."""
    found = _monitors(request)
    if filters.application is not None:
        found = found.filter(application_id=filters.application)
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
    return MonitorPage(
        items=[_monitor_out(m) for m in page], next=str(page[-1].pk) if more else None
    )


@router.post("/monitors", response={201: MonitorOut, **responses(400, 403, 404, 422)})
def create_monitor(request: HttpRequest, payload: MonitorIn) -> Status[MonitorOut]:
    """Add a monitor to an application of the caller's agency (its catalogue keepers)."""
    person = acting_person(request)
    data = _input(payload, services.MonitorInput())
    made = _call(lambda: services.add_monitor(person, payload.application_id, data))
    return Status(201, _fresh(made.pk))


@router.get(
    "/monitors/{monitor_id}", response={200: MonitorOut, **responses(404, 422)}, url_name="monitor"
)
def get_monitor(request: HttpRequest, monitor_id: PathId) -> MonitorOut:
    """One monitor with its running state."""
    return _monitor_out(_monitor(request, monitor_id))


@router.patch("/monitors/{monitor_id}", response={200: MonitorOut, **responses(400, 403, 404, 422)})
def change_monitor(
    request: HttpRequest, monitor_id: PathId, payload: MonitorChangeIn
) -> MonitorOut:
    """Change a monitor's fields; the others stay as they are."""
    person = acting_person(request)
    found = _monitor(request, monitor_id)
    data = _input(payload, services.MonitorInput.of(found))
    _call(lambda: services.change_monitor(person, found.pk, data))
    return _fresh(found.pk)


@router.delete("/monitors/{monitor_id}", response={204: None, **responses(400, 403, 404, 422)})
def remove_monitor(request: HttpRequest, monitor_id: PathId) -> Status[None]:
    """Remove a monitor with its results and state changes."""
    person = acting_person(request)
    found = _monitor(request, monitor_id)
    _call(lambda: services.remove_monitor(person, found.pk))
    return Status(204, None)


@router.get("/monitors/{monitor_id}/changes", response={200: ChangePage, **responses(404, 422)})
def list_changes(
    request: HttpRequest, monitor_id: PathId, filters: Query[PageFilters]
) -> ChangePage:
    """The monitor's state changes, newest first, a page at a time."""
    found = StateChange.objects.filter(monitor=_monitor(request, monitor_id))
    if filters.after:
        at, pk = cursor.decode(filters.after)
        found = found.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    page = list(found.order_by("-at", "-pk")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return ChangePage(
        items=[
            ChangeOut(
                id=c.pk,
                at=c.at,
                detected_at=c.detected_at,
                old_state=c.old_state,  # type: ignore[arg-type]
                new_state=c.new_state,  # type: ignore[arg-type]
                error=c.error,
                reason=_describe(c.error, c.reason),
                status_code=c.status_code,
                latency_ms=c.latency_ms,
                cert_expires_at=c.cert_expires_at,
            )
            for c in page
        ],
        next=cursor.encode(page[-1].at, page[-1].pk) if more else None,
    )


@router.get("/monitors/{monitor_id}/uptime", response={200: FiguresOut, **responses(404, 422)})
def monitor_uptime(
    request: HttpRequest, monitor_id: PathId, filters: Query[PeriodFilters]
) -> FiguresOut:
    """The monitor's uptime and downtime over a period (from its state changes)."""
    from laksana.monitoring import uptime

    found = _monitor(request, monitor_id)
    start, end = _period(filters)
    return _figures(uptime.monitor_figures(found.pk, start, end))


@router.get(
    "/applications/{application_id}/uptime", response={200: FiguresOut, **responses(404, 422)}
)
def application_uptime(
    request: HttpRequest, application_id: PathId, filters: Query[PeriodFilters]
) -> FiguresOut:
    """The application's uptime over a period: down while any of its counted monitors was."""
    from laksana.monitoring import uptime

    found = _application(request, application_id)
    start, end = _period(filters)
    return _figures(uptime.application_figures(found.pk, start, end))


# Operations: incidents -----------------------------------------------------------------------


@router.get("/incidents", response={200: IncidentPage, **responses(422)})
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> IncidentPage:
    """The incidents of the caller's agency, newest first, a page at a time; the recovery
    case is named only when the caller may see it."""
    from laksana.cases.queries import can_view

    found = _agency_filter(request, Incident.objects.all())
    if filters.application is not None:
        found = found.filter(application_id=filters.application)
    if filters.open is not None:
        found = found.filter(ended_at__isnull=filters.open)
    if filters.after:
        at, pk = cursor.decode(filters.after)
        found = found.filter(Q(started_at__lt=at) | Q(started_at=at, pk__lt=pk))
    page = list(
        found.select_related("application", "case").order_by("-started_at", "-pk")[
            : filters.limit + 1
        ]
    )
    more = len(page) > filters.limit
    page = page[: filters.limit]
    who = caller(request)
    items = []
    for i in page:
        visible = i.case is not None and can_view(who.user, i.case, who.person)
        items.append(
            IncidentOut(
                id=i.pk,
                application_id=i.application_id,
                application=i.application.name,
                started_at=i.started_at,
                detected_at=i.detected_at,
                ended_at=i.ended_at,
                error=i.error,
                reason=_describe(i.error, i.reason),
                in_maintenance=i.in_maintenance,
                case=i.case.reference if visible and i.case is not None else None,
                case_url=reverse("cases:detail", args=[i.case.reference])
                if visible and i.case is not None
                else None,
            )
        )
    return IncidentPage(
        items=items, next=cursor.encode(page[-1].started_at, page[-1].pk) if more else None
    )


# Operations: maintenance windows -------------------------------------------------------------


def _window_out(w: MaintenanceWindow) -> WindowOut:
    return WindowOut(
        id=w.pk,
        application_id=w.application_id,
        starts_at=w.starts_at,
        ends_at=w.ends_at,
        reason=w.reason,
        created_by=w.created_by.name if w.created_by is not None else None,
        created_at=w.created_at,
    )


@router.get(
    "/applications/{application_id}/maintenance-windows",
    response={200: list[WindowOut], **responses(404, 422)},
)
def list_windows(request: HttpRequest, application_id: PathId) -> list[WindowOut]:
    """The application's maintenance windows, latest start first (at most 200)."""
    found = _application(request, application_id)
    windows = MaintenanceWindow.objects.filter(application=found).select_related("created_by")
    return [_window_out(w) for w in windows.order_by("-starts_at", "-pk")[:200]]


@router.post(
    "/applications/{application_id}/maintenance-windows",
    response={201: WindowOut, **responses(400, 403, 404, 422)},
)
def add_window(
    request: HttpRequest, application_id: PathId, payload: WindowIn
) -> Status[WindowOut]:
    """Declare a maintenance window: an incident in it opens no case."""
    person = acting_person(request)
    found = _application(request, application_id)
    made = _call(
        lambda: services.add_window(
            person, found.pk, payload.starts_at, payload.ends_at, payload.reason
        )
    )
    return Status(201, _window_out(made))


@router.delete(
    "/maintenance-windows/{window_id}", response={204: None, **responses(400, 403, 404, 422)}
)
def remove_window(request: HttpRequest, window_id: PathId) -> Status[None]:
    """Remove a window that has not begun; one that has begun is ended now."""
    person = acting_person(request)
    found = _agency_filter(request, MaintenanceWindow.objects.all()).filter(pk=window_id).first()
    if found is None:
        raise not_found()
    _call(lambda: services.remove_window(person, found.pk))
    return Status(204, None)
