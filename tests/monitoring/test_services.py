"""The monitoring services' rules, attacked first: another agency's ids, another
application's environment, vendors and requesting units, bad targets and headers, numbers out
of range; each refused by field with nothing written. Then what a change and a window do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from laksana.catalog.models import Environment, EnvironmentKind
from laksana.errors import NotAllowed, ServiceError
from laksana.monitoring import services
from laksana.monitoring.models import MaintenanceWindow, Monitor, State, StateChange
from laksana.monitoring.services import InvalidInput, MonitorInput
from laksana.org.models import RoleAssignment, RoleKind

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def sikesda(bali):
    return bali.applications["sikesda"]


def web(url: str = "http://10.0.0.5/health", **extra) -> MonitorInput:
    return MonitorInput(target=url, **extra)


def nothing_written() -> None:
    assert Monitor.objects.count() == 0


# --- who may write ---------------------------------------------------------------------------


def test_another_agencys_application_is_not_found(bali, djki):
    with pytest.raises(ServiceError) as exc:
        services.add_monitor(bali["kadis"], djki.applications["ipas"].pk, web())
    assert exc.value.code == "not_found"
    nothing_written()


def test_unknown_application_is_not_found(bali):
    with pytest.raises(ServiceError) as exc:
        services.add_monitor(bali["kadis"], 987654, web())
    assert exc.value.code == "not_found"


def test_another_applications_environment_is_not_found(bali, sikesda):
    other = Environment.objects.create(
        application=bali.applications["simpeg"],
        kind=EnvironmentKind.PRODUCTION,
        updated_at=NOW,
    )
    with pytest.raises(ServiceError) as exc:
        services.add_monitor(bali["kadis"], sikesda.pk, web(environment_id=other.pk))
    assert exc.value.code == "not_found" and exc.value.field == "environment"
    nothing_written()


def test_a_vendor_gets_not_found_and_a_requesting_unit_is_refused(bali, djki, sikesda):
    ipas = djki.applications["ipas"]
    with pytest.raises(ServiceError) as exc:
        services.add_monitor(djki["ipasdev"], ipas.pk, web())
    assert exc.value.code == "not_found"
    with pytest.raises(NotAllowed):
        services.add_monitor(bali["dinkes"], sikesda.pk, web())
    nothing_written()
    assert services.may_read(bali["dinkes"], bali.agency.pk)
    assert not services.may_read(djki["ipasdev"], djki.agency.pk)
    assert not services.may_read(bali["kadis"], djki.agency.pk)


def test_another_agencys_monitor_is_not_found(bali, djki):
    theirs = services.add_monitor(None, djki.applications["ipas"].pk, web(), now=NOW)
    for action in (
        lambda: services.change_monitor(bali["kadis"], theirs.pk, web("http://10.0.0.9/")),
        lambda: services.remove_monitor(bali["kadis"], theirs.pk),
    ):
        with pytest.raises(ServiceError) as exc:
            action()
        assert exc.value.code == "not_found"
    theirs.refresh_from_db()
    assert theirs.target == "http://10.0.0.5/health"
    assert list(services.visible_monitors(bali["kadis"])) == []
    assert list(services.visible_monitors(djki["ipasdev"])) == []


# --- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (MonitorInput(kind="tcp", target="10.0.0.5"), "target"),
        (web("ftp://10.0.0.5/"), "target"),
        (web("file:///etc/passwd"), "target"),
        (web("http://169.254.169.254/latest/meta-data/"), "target"),
        (MonitorInput(kind="tcp", target="169.254.10.1:22"), "target"),
        (web(headers={"X-A": "1\r\nHost: evil"}), "headers"),
        (web(headers={"Host": "evil"}), "headers"),
        (web(headers={"Bad Name": "x"}), "headers"),
        (web(headers={f"X-{i}": "v" for i in range(21)}), "headers"),
        (web(interval_seconds=5), "interval_seconds"),
        (web(interval_seconds=30, timeout_seconds=30), "timeout_seconds"),
        (web(timeout_seconds=61), "timeout_seconds"),
        (web(fail_after=0), "fail_after"),
        (web(recover_after=21), "recover_after"),
        (web(expected_statuses="99"), "expected_statuses"),
        (web(method="DELETE"), "method"),
        (web(method="POST"), "method"),
        (web(headers={"accept-encoding": "gzip"}), "headers"),
        (MonitorInput(kind="smtp", target="10.0.0.5"), "kind"),
        (MonitorInput(kind="dns", target="intra.example", dns_expected="nope"), "dns_expected"),
        (web(""), "target"),
    ],
)
def test_bad_input_is_refused_by_field(bali, sikesda, data, field):
    with pytest.raises(InvalidInput) as exc:
        services.add_monitor(bali["kadis"], sikesda.pk, data, now=NOW)
    assert field in exc.value.errors, exc.value.errors
    nothing_written()


def test_every_problem_at_once(bali, sikesda):
    with pytest.raises(InvalidInput) as exc:
        services.add_monitor(
            bali["kadis"], sikesda.pk, web("gopher://x", interval_seconds=5, fail_after=0)
        )
    assert {"target", "interval_seconds", "fail_after"} <= set(exc.value.errors)


# --- what is written -------------------------------------------------------------------------


def test_a_keeper_adds_a_monitor_due_now(bali, sikesda):
    env = Environment.objects.create(
        application=sikesda, kind=EnvironmentKind.PRODUCTION, updated_at=NOW
    )
    made = services.add_monitor(
        bali["kadis"],
        sikesda.pk,
        web("http://10.0.0.5/health", environment_id=env.pk, headers={"X-Token": " a "}),
        now=NOW,
    )
    assert made.agency_id == bali.agency.pk and made.environment_id == env.pk
    assert made.name.startswith(sikesda.short_name or sikesda.name)
    assert made.headers == {"X-Token": "a"}
    assert made.state == State.UNKNOWN and made.created_by == bali["kadis"]
    assert NOW <= made.next_due_at < NOW + dt.timedelta(seconds=made.interval_seconds)


def test_a_new_target_resets_the_state_but_keeps_the_history(bali, sikesda):
    made = services.add_monitor(bali["kadis"], sikesda.pk, web(), now=NOW)
    Monitor.objects.filter(pk=made.pk).update(
        state=State.DOWN, state_since=NOW, fails_in_row=4, last_ok=False, last_error="status"
    )
    StateChange.objects.create(
        monitor=made,
        application=sikesda,
        at=NOW,
        detected_at=NOW,
        old_state=State.UNKNOWN,
        new_state=State.DOWN,
    )
    later = NOW + dt.timedelta(hours=1)
    renamed = services.change_monitor(bali["kadis"], made.pk, web(name="SIKESDA utama"), now=later)
    assert renamed.state == State.DOWN and renamed.name == "SIKESDA utama"
    moved = services.change_monitor(bali["kadis"], made.pk, web("http://10.0.0.6/"), now=later)
    moved.refresh_from_db()
    assert moved.state == State.UNKNOWN and moved.fails_in_row == 0 and moved.last_ok is None
    assert moved.next_due_at == later
    assert StateChange.objects.filter(monitor=made).count() == 1


def test_remove_monitor(bali, sikesda):
    made = services.add_monitor(bali["kadis"], sikesda.pk, web(), now=NOW)
    with pytest.raises(NotAllowed):
        services.remove_monitor(bali["bkd"], made.pk)
    services.remove_monitor(bali["kadis"], made.pk)
    nothing_written()


# --- maintenance windows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (NOW + dt.timedelta(hours=2), NOW + dt.timedelta(hours=1), "ends_at"),
        (NOW, NOW + dt.timedelta(days=7, seconds=1), "ends_at"),
        (NOW - dt.timedelta(hours=3), NOW - dt.timedelta(hours=1), "ends_at"),
    ],
)
def test_bad_windows_are_refused(bali, sikesda, start, end, field):
    with pytest.raises(InvalidInput) as exc:
        services.add_window(bali["kadis"], sikesda.pk, start, end, "Patch", now=NOW)
    assert field in exc.value.errors
    assert not MaintenanceWindow.objects.exists()


def test_windows_of_another_agency_and_by_readers(bali, djki, sikesda):
    start, end = NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=3)
    with pytest.raises(ServiceError) as exc:
        services.add_window(bali["kadis"], djki.applications["ipas"].pk, start, end, "x", now=NOW)
    assert exc.value.code == "not_found"
    with pytest.raises(NotAllowed):
        services.add_window(bali["dinkes"], sikesda.pk, start, end, "x", now=NOW)
    window = services.add_window(bali["kadis"], sikesda.pk, start, end, "Patch", now=NOW)
    with pytest.raises(ServiceError) as exc:
        services.remove_window(djki["direktur"], window.pk, now=NOW)
    assert exc.value.code == "not_found"
    assert MaintenanceWindow.objects.count() == 1


def test_removing_a_begun_window_only_ends_it(bali, sikesda):
    future = services.add_window(
        bali["kadis"],
        sikesda.pk,
        NOW + dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=2),
        "A",
        now=NOW,
    )
    begun = services.add_window(
        bali["kadis"],
        sikesda.pk,
        NOW - dt.timedelta(hours=1),
        NOW + dt.timedelta(hours=2),
        "B",
        now=NOW,
    )
    services.remove_window(bali["kadis"], future.pk, now=NOW)
    services.remove_window(bali["kadis"], begun.pk, now=NOW)
    assert not MaintenanceWindow.objects.filter(pk=future.pk).exists()
    begun.refresh_from_db()
    assert begun.ends_at == NOW and begun.starts_at == NOW - dt.timedelta(hours=1)


# --- settings --------------------------------------------------------------------------------


def test_settings_are_the_agency_administrators(bali, djki):
    args = {
        "procedure_key": "sop-004-pemulihan-gagal-fungsi-ipas",
        "reporting_unit_id": None,
        "status_public": True,
        "cert_notice_days": 14,
    }
    with pytest.raises(NotAllowed):
        services.update_settings(bali["kadis"], bali.agency.pk, **args)
    with pytest.raises(ServiceError) as exc:
        services.update_settings(djki["direktur"], bali.agency.pk, **args)
    assert exc.value.code == "not_found"
    assert services.settings_for(bali.agency.pk).status_public is False
    RoleAssignment.objects.create(
        person=bali["kadis"], agency=bali.agency, kind=RoleKind.AGENCY_ADMIN
    )
    with pytest.raises(InvalidInput) as bad:
        services.update_settings(
            bali["kadis"],
            bali.agency.pk,
            **{**args, "reporting_unit_id": djki["direktur"].unit_id, "cert_notice_days": 0},
        )
    assert {"reporting_unit", "cert_notice_days"} <= set(bad.value.errors)
    saved = services.update_settings(bali["kadis"], bali.agency.pk, **args)
    assert saved.status_public and saved.cert_notice_days == 14
