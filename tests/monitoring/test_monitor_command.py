"""``laksana monitor``: add (the id only on stdout; bad arguments refused by name with exit
code 2 and nothing written), run-once against real local servers, enqueue-every that never
queues a second pass while one waits, list and prune."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from laksana.monitoring.models import CheckResult, Monitor, State, StateChange
from laksana.monitoring.tasks import run_monitors
from tests.monitoring.servers import Reply, closed_port, http_server


def monitor(*args: str) -> str:
    out = io.StringIO()
    call_command("monitor", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def app_id(bali) -> int:
    return bali.applications["sikesda"].pk


@pytest.mark.django_db
def test_add_prints_the_new_monitors_id_and_nothing_else(app_id) -> None:
    out = monitor(
        "add", "--application", str(app_id), "--url", "http://10.1.2.3/health",
        "--every", "30", "--fail-after", "4", "--recover-after", "1",
    )  # fmt: skip
    made = Monitor.objects.get()
    assert out == f"{made.pk}\n"
    assert (made.target, made.interval_seconds, made.fail_after, made.recover_after) == (
        "http://10.1.2.3/health", 30, 4, 1
    )  # fmt: skip
    assert made.created_by is None and made.application_id == app_id
    tcp = monitor("add", "--application", str(app_id), "--url", "10.1.2.3:5432", "--kind", "tcp",
                  "--name", "Basis data", "--timeout", "5")  # fmt: skip
    assert Monitor.objects.get(pk=int(tcp)).name == "Basis data"


BAD = [
    (["--every", "5"], "--every"),
    (["--every", "86401"], "--every"),
    (["--fail-after", "0"], "--fail-after"),
    (["--recover-after", "21"], "--recover-after"),
    (["--timeout", "70"], "--timeout"),
    (["--kind", "smtp"], "--kind"),
    (["--url", "ftp://10.1.2.3/"], "--url"),
    (["--url", "http://169.254.169.254/latest/meta-data/"], "--url"),  # cloud metadata
    (["--url", ""], "--url"),
    (["--environment", "999999"], "--environment"),
    (["--application", "999999"], "--application"),
]


@pytest.mark.django_db
def test_bad_arguments_are_refused_by_name_and_write_nothing(app_id) -> None:
    for args, named in BAD:
        given = {"--application": str(app_id), "--url": "http://10.1.2.3/"}
        for name, value in zip(args[::2], args[1::2], strict=True):
            given[name] = value
        flat = [part for pair in given.items() for part in pair]
        with pytest.raises(CommandError) as refused:
            monitor("add", *flat)
        assert refused.value.returncode == 2, args
        assert str(refused.value).startswith(f"{named}: "), (args, str(refused.value))
        assert not Monitor.objects.exists()


@pytest.mark.django_db
def test_an_unknown_application_is_named() -> None:
    with pytest.raises(CommandError, match=r"^--application: no application 999$"):
        monitor("add", "--application", "999", "--url", "http://10.1.2.3/")


@pytest.mark.django_db
def test_another_agencys_environment_is_refused(bali, djki) -> None:
    from laksana.catalog.models import Environment

    theirs = Environment.objects.filter(application__agency=djki.agency).first()
    if theirs is None:
        theirs = Environment.objects.create(
            application=djki.applications["ipas"],
            kind="production",
            server="x",
            updated_at=timezone.now(),
        )
    with pytest.raises(CommandError) as refused:
        monitor("add", "--application", str(bali.applications["sikesda"].pk),
                "--url", "http://10.1.2.3/", "--environment", str(theirs.pk))  # fmt: skip
    assert str(refused.value).startswith("--environment: ")
    assert not Monitor.objects.exists()


def _add(app_id: int, url: str) -> int:
    pk = int(monitor("add", "--application", str(app_id), "--url", url, "--fail-after", "1"))
    Monitor.objects.filter(pk=pk).update(next_due_at=timezone.now() - dt.timedelta(seconds=1))
    return pk


@pytest.mark.django_db
def test_run_once_runs_the_due_checks_prints_them_and_records_them(app_id) -> None:
    with http_server({"/": Reply(200, b"ok"), "/rusak": Reply(500, b"boom")}) as server:
        up = _add(app_id, server.url + "/")
        broken = _add(app_id, server.url + "/rusak")
        refused = _add(app_id, f"http://127.0.0.1:{closed_port()}/")
        later = _add(app_id, server.url + "/")
        Monitor.objects.filter(pk=later).update(next_due_at=timezone.now() + dt.timedelta(hours=1))
        lines = monitor("run-once").splitlines()
        assert len(server.requests) == 2
        everything = monitor("run-once", "--all").splitlines()
    names = dict(Monitor.objects.values_list("pk", "name"))
    assert [line.split()[0] for line in lines] == [str(up), str(broken), str(refused)]
    shape = re.compile(r"^(\d+) (.+)  (up|down)  (\d+|-) ms(  .+)?$")
    found = {int(m[1]): m for m in map(shape.match, lines) if m}
    assert len(found) == 3, lines
    assert found[up][2] == names[up] and found[up][3] == "up" and found[up][5] is None
    assert found[broken][3] == "down" and "500" in found[broken][5]
    assert found[refused][3] == "down" and found[refused][4] == "-" and found[refused][5]
    assert len(everything) == 4  # --all: the one not due too
    assert CheckResult.objects.count() == 7
    # fail_after 1: one failed check is a state change, recorded through the state module.
    assert Monitor.objects.get(pk=broken).state == State.DOWN
    assert StateChange.objects.filter(monitor_id=broken, new_state=State.DOWN).count() == 1


@pytest.mark.django_db
def test_enqueue_every_never_queues_a_second_pass_while_one_waits(app_id) -> None:
    out = monitor("enqueue-every", "1", "--times", "3")
    passes = DBTaskResult.objects.filter(task_path=run_monitors.module_path)
    assert out.strip() == "queued a monitoring pass 1 times"
    (queued,) = passes
    assert queued.queue_name == "monitoring" and queued.args_kwargs["kwargs"] == {"window": 1.0}
    # Running (recently started): still not queued again.
    passes.update(status="RUNNING", started_at=timezone.now())
    monitor("enqueue-every", "1", "--times", "1")
    assert passes.count() == 1
    # A pass "running" for an hour belongs to a worker that died: a new one is queued.
    passes.update(started_at=timezone.now() - dt.timedelta(hours=1))
    monitor("enqueue-every", "1", "--times", "1")
    assert passes.count() == 2 and passes.filter(status="READY").count() == 1
    with pytest.raises(CommandError) as refused:
        monitor("enqueue-every", "0")
    assert refused.value.returncode == 2 and str(refused.value).startswith("SECONDS: ")


@pytest.mark.django_db
def test_list_and_prune(app_id, bali) -> None:
    pk = _add(app_id, "http://10.1.2.3/")
    listed = monitor("list", "--agency", bali.agency.slug)
    assert listed.startswith(f"{pk} {bali.agency.slug} ") and "every 60 s  unknown" in listed
    assert monitor("list", "--agency", "tidak-ada") == ""
    old = timezone.now() - dt.timedelta(days=30)
    CheckResult.objects.create(monitor_id=pk, at=old, ok=True, latency_ms=5)
    CheckResult.objects.create(monitor_id=pk, at=timezone.now(), ok=True, latency_ms=5)
    assert monitor("prune") == "removed 1 check results\n"
    assert CheckResult.objects.count() == 1
