"""The scheduler: first due times spread by a stable hash, claims that never hand one monitor
to two passes, checks started at their due time at most N at once, passes recorded, and the
task run by the monitoring queue's own worker. Against real local servers."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from laksana.monitoring import probes, scheduler, services
from laksana.monitoring.models import CheckResult, Monitor
from laksana.monitoring.probes import Outcome, Spec
from laksana.monitoring.tasks import run_monitors
from tests.monitoring.servers import Reply, closed_port, http_server, run_async

NOW = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def add(application_id: int, url: str, *, every: int = 60, due: dt.datetime | None = None) -> int:
    monitor = services.add_monitor(
        None, application_id, services.MonitorInput(target=url, interval_seconds=every)
    )
    if due is not None:
        Monitor.objects.filter(pk=monitor.pk).update(next_due_at=due)
    return monitor.pk


@pytest.fixture
def app_id(bali) -> int:
    return bali.applications["sikesda"].pk


def test_first_due_is_stable_and_spread_over_the_interval() -> None:
    offsets = [(scheduler.first_due(i, 60, NOW) - NOW).total_seconds() for i in range(1, 601)]
    assert all(0 <= o < 60 for o in offsets)
    assert offsets == [
        (scheduler.first_due(i, 60, NOW) - NOW).total_seconds() for i in range(1, 601)
    ]
    # 600 monitors over 60 seconds: every second has some, none has a crowd.
    per_second = [offsets.count(float(s)) for s in range(60)]
    assert min(per_second) >= 1 and max(per_second) <= 30


@pytest.mark.django_db
def test_a_claim_takes_the_due_monitors_once_and_keeps_them_in_phase(app_id) -> None:
    due = add(app_id, "http://127.0.0.1:9/a", due=NOW - dt.timedelta(seconds=5))
    soon = add(app_id, "http://127.0.0.1:9/b", due=NOW + dt.timedelta(seconds=4))
    later = add(app_id, "http://127.0.0.1:9/c", due=NOW + dt.timedelta(seconds=30))
    behind = add(app_id, "http://127.0.0.1:9/d", due=NOW - dt.timedelta(seconds=185))
    off = add(app_id, "http://127.0.0.1:9/e", due=NOW - dt.timedelta(seconds=5))
    Monitor.objects.filter(pk=off).update(active=False)

    taken = scheduler.claim(now=NOW, window=10)
    starts = {spec.id: at for spec, at in taken}
    assert set(starts) == {due, soon, behind}
    assert starts[due] == NOW and starts[behind] == NOW  # overdue: at once
    assert starts[soon] == NOW + dt.timedelta(seconds=4)  # at its due time
    rows = {m.pk: m for m in Monitor.objects.all()}
    assert rows[due].next_due_at == NOW + dt.timedelta(seconds=55)
    assert rows[soon].next_due_at == NOW + dt.timedelta(seconds=64)
    # Three intervals behind: the missed runs are skipped, the phase kept.
    assert rows[behind].next_due_at == NOW + dt.timedelta(seconds=55)
    assert rows[later].running_until is None
    assert all(rows[pk].running_until > NOW + dt.timedelta(seconds=10) for pk in starts)

    # Another pass at the same moment (or within the hold) gets none of them.
    assert scheduler.claim(now=NOW, window=10) == []
    again = scheduler.claim(now=NOW + dt.timedelta(seconds=30), window=10, all_=True)
    assert [spec.id for spec, _at in again] == [later]
    assert Monitor.objects.get(pk=later).next_due_at == NOW + dt.timedelta(seconds=90)
    # Released, the monitors not due are taken only with all_, at once, their phase kept.
    scheduler.release([*starts, later])
    assert scheduler.claim(now=NOW + dt.timedelta(seconds=1), window=0) == []
    every = scheduler.claim(now=NOW + dt.timedelta(seconds=1), window=0, all_=True)
    assert {spec.id for spec, _at in every} == {due, soon, later, behind}
    assert {at for _spec, at in every} == {NOW + dt.timedelta(seconds=1)}
    assert Monitor.objects.get(pk=later).next_due_at == NOW + dt.timedelta(seconds=90)


@pytest.mark.django_db
def test_a_monitor_never_scheduled_gets_its_spread_first_due_time(app_id) -> None:
    pk = add(app_id, "http://127.0.0.1:9/")
    Monitor.objects.filter(pk=pk).update(next_due_at=None)
    first = scheduler.first_due(pk, 60, NOW)
    taken = scheduler.claim(now=NOW, window=0)
    assert taken == [] and Monitor.objects.get(pk=pk).next_due_at == first
    assert [s.id for s, _ in scheduler.claim(now=first, window=1)] == [pk]


def test_checks_start_at_their_time_and_at_most_n_at_once(monkeypatch) -> None:
    running = peak = 0
    started: dict[int, dt.datetime] = {}

    async def fake_check(spec: Spec, client: object) -> Outcome:
        nonlocal running, peak
        started[spec.id] = timezone.now()
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)
        running -= 1
        return Outcome(spec.id, started[spec.id], True, 20, 200, "", "", None)

    monkeypatch.setattr(probes, "check", fake_check)
    base = Spec.of(Monitor(pk=0, target="http://127.0.0.1:9/"))
    now = timezone.now()
    late = now + dt.timedelta(seconds=0.3)
    specs = [(Spec(**{**vars(base), "id": i}), now) for i in range(1, 31)]
    specs.append((Spec(**{**vars(base), "id": 99}), late))
    got: list[Outcome] = []
    run_async(scheduler.run(specs, concurrency=4, on_result=got.append))
    assert sorted(o.monitor_id for o in got) == [*range(1, 31), 99]
    assert peak == 4
    assert started[99] >= late  # not before its due time


@pytest.mark.django_db
def test_a_pass_runs_due_checks_against_real_servers_and_records_them(app_id) -> None:
    with http_server({"/up": Reply(200, b"ok"), "/broken": Reply(500, b"boom")}) as server:
        past = timezone.now() - dt.timedelta(seconds=1)
        up = add(app_id, server.url + "/up", due=past)
        broken = add(app_id, server.url + "/broken", due=past)
        refused = add(app_id, f"http://127.0.0.1:{closed_port()}/", due=past)
        idle = add(app_id, server.url + "/up", due=timezone.now() + dt.timedelta(hours=1))
        outcomes = {o.monitor_id: o for o in scheduler.run_pass(window=0)}
    assert set(outcomes) == {up, broken, refused}
    assert outcomes[up].ok and outcomes[up].status_code == 200
    assert not outcomes[broken].ok and outcomes[broken].error == probes.Error.STATUS
    assert not outcomes[refused].ok and outcomes[refused].error == probes.Error.REFUSED
    assert CheckResult.objects.filter(monitor_id__in=[up, broken, refused]).count() == 3
    assert not CheckResult.objects.filter(monitor_id=idle).exists()
    assert not Monitor.objects.filter(running_until__isnull=False).exists()  # released
    assert Monitor.objects.get(pk=broken).last_ok is False


def _pass(results: list[object], barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=10)
        results.append([o.monitor_id for o in scheduler.run_pass(window=0, all_=True)])
    except Exception as exc:  # recorded, so the test fails naming it
        results.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_passes_never_run_one_monitor_twice(bali) -> None:
    app_id = bali.applications["sikesda"].pk
    with http_server({"*": Reply(200, b"ok", delay=0.2)}) as server:
        ids = [add(app_id, f"{server.url}/m/{n}") for n in range(12)]
        results: list[object] = []
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_pass, args=(results, barrier)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        paths = sorted(r.path for r in server.requests)
    assert all(isinstance(r, list) for r in results), results
    ran = [pk for r in results for pk in r]  # type: ignore[attr-defined]
    assert sorted(ran) == sorted(ids)  # each once, between the two passes
    assert paths == sorted(f"/m/{n}" for n in range(12))


@pytest.mark.django_db(transaction=True)
def test_the_task_runs_on_the_monitoring_queues_worker(bali) -> None:
    app_id = bali.applications["sikesda"].pk
    with http_server() as server:
        add(app_id, server.url + "/", due=timezone.now() - dt.timedelta(seconds=1))
        add(app_id, f"http://127.0.0.1:{closed_port()}/", due=timezone.now())
        queued = run_monitors.enqueue(window=0.0)
        mine = DBTaskResult.objects.filter(pk=queued.id)
        assert mine.get().queue_name == "monitoring"
        # The default queue's worker leaves it alone.
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
        assert mine.get().status == "READY"
        call_command(
            "db_worker",
            "--queue-name",
            "monitoring",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        )
        result = mine.get()
    assert result.status == "SUCCESSFUL", result.traceback
    assert result.return_value == {"checks": 2, "down": 1}
    assert CheckResult.objects.count() == 2
