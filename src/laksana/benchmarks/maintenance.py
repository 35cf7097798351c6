"""The maintenance management report of one plan for a year, beside the bare ORM aggregate
queries doing the same sums, in the same run.

The database: the DJKI demo agency's IPAS application with ``cases`` problem cases over the
year (each with two steps, some late), a SOP 000-free case history, 40 activities with their
occurrences (monthly: 480 a year, in every state), 12 evaluated monthly cycles of 4 criteria,
a monitor's state changes (an outage a week) and their incidents. Laksana's path is
:func:`laksana.maintenance.report.data` for the whole year: per activity the occurrences'
counts and costs, the cycles' evaluations, the incidents and each month's uptime from the
state changes, the cases' figures, the vendor's and the recommendations. The bare path runs
the same aggregates with the ORM and nothing else: the occurrences grouped by activity, the
cases counted with the late-step subquery, the incidents, the cycles' evaluations and the
year's state changes read once. The two run in turns; the figure is the median of the rounds'
ratios (target: at most 3). The report's queries are counted at the given size and at a tenth
of it: the two counts must be equal (no query per case, activity or occurrence). Every row is
rolled back.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import zoneinfo
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from laksana.benchmarks.common import Figure

Log = Callable[[str], None]
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
YEAR = 2027


class _Rollback(Exception):
    pass


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


def _day(n: int) -> dt.date:
    """The n-th day of the year (wrapping)."""
    return dt.date(YEAR, 1, 1) + dt.timedelta(days=n % 365)


def generate(cases: int) -> dict[str, Any]:
    """The plan and its records (see the module's text); returns the plan and its context."""
    from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
    from laksana.catalog.models import Contract
    from laksana.demo.orgs import build_djki
    from laksana.maintenance.models import (
        Activity,
        ActivityKind,
        Criterion,
        CriterionKind,
        Cycle,
        Executor,
        Occurrence,
        OccurrenceStatus,
        Plan,
        PlanStatus,
        Schedule,
    )
    from laksana.monitoring.models import Incident, Monitor, StateChange

    djki = build_djki()
    ipas = djki.applications["ipas"]
    agency = djki.agency
    version = djki.versions["sop-004-pemulihan-gagal-fungsi-ipas"]
    now = _at(dt.date(YEAR + 1, 1, 15))
    plan = Plan.objects.create(
        agency=agency,
        application=ipas,
        contract=Contract.objects.filter(application=ipas).first(),
        budget_year=YEAR,
        title="Rencana pemeliharaan IPAS",
        objective="IPAS tersedia",
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR, 12, 31),
        status=PlanStatus.IN_FORCE,
        created_at=now,
        updated_at=now,
    )
    kinds = list(ActivityKind.values)
    activities = Activity.objects.bulk_create(
        Activity(
            plan=plan,
            kind=kinds[n % len(kinds)],
            title=f"Kegiatan {n}",
            executor=Executor.VENDOR if n % 3 else Executor.INTERNAL,
            schedule=Schedule.MONTHLY,
            budget=Decimal(1_000_000 + n),
            order=n,
        )
        for n in range(40)
    )
    occurrences = []
    for n, a in enumerate(activities):
        for month in range(1, 13):
            due = dt.date(YEAR, month, 1 + n % 20)
            state = (n + month) % 5
            occurrences.append(
                Occurrence(
                    activity=a,
                    plan=plan,
                    cycle_number=month,
                    scheduled_on=due,
                    due_on=due,
                    status=OccurrenceStatus.SKIPPED
                    if state == 4
                    else OccurrenceStatus.OPEN
                    if state == 3
                    else OccurrenceStatus.DONE,
                    done_at=None if state >= 3 else _at(due + dt.timedelta(days=state - 1)),
                    cost=None if state >= 3 else Decimal(100_000 + month),
                )
            )
    Occurrence.objects.bulk_create(occurrences)
    criteria = Criterion.objects.bulk_create(
        Criterion(plan=plan, kind=kind, label=f"Kriteria {kind}", target=Decimal(95), order=n)
        for n, kind in enumerate(
            (
                CriterionKind.AVAILABILITY,
                CriterionKind.CASES_ON_TIME,
                CriterionKind.ACTIVITIES_ON_TIME,
                CriterionKind.JUDGED,
            )
        )
    )
    Cycle.objects.bulk_create(
        Cycle(
            plan=plan,
            number=month,
            starts_on=dt.date(YEAR, month, 1),
            ends_on=dt.date(YEAR + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1),
            executor=Executor.VENDOR,
            evaluated_at=now,
            evaluation=[
                {
                    "criterion": c.pk,
                    "label": c.label,
                    "kind": c.kind,
                    "value": "97",
                    "target": "95",
                    "achieved": (month + n) % 4 != 0,
                    "overridden": False,
                    "reason": "",
                    "evidence": "Laporan" if c.kind == CriterionKind.JUDGED else "",
                }
                for n, c in enumerate(criteria)
            ],
        )
        for month in range(1, 13)
    )
    monitor = Monitor.objects.create(
        agency=agency,
        application=ipas,
        name="IPAS web",
        kind="http",
        target="https://ipas.example/",
        created_at=now,
        updated_at=now,
    )
    changes = [
        StateChange(
            monitor=monitor,
            application_id=ipas.pk,
            at=_at(dt.date(YEAR - 1, 12, 31), 0),
            detected_at=_at(dt.date(YEAR - 1, 12, 31), 0),
            old_state="unknown",
            new_state="up",
        )
    ]
    incidents = []
    for week in range(52):
        down = _at(_day(week * 7 + 2), 9)
        up = down + dt.timedelta(minutes=20 + week)
        for at, old, new in ((down, "up", "down"), (up, "down", "up")):
            changes.append(
                StateChange(
                    monitor=monitor,
                    application_id=ipas.pk,
                    at=at,
                    detected_at=at,
                    old_state=old,
                    new_state=new,
                )
            )
        incidents.append(
            Incident(
                agency=agency,
                application=ipas,
                started_at=down,
                detected_at=down,
                ended_at=up,
                reason="HTTP 503",
            )
        )
    StateChange.objects.bulk_create(changes)
    Incident.objects.bulk_create(incidents)
    unit = djki.units["merek"]
    person = djki["merek_staf"]
    made = Case.objects.bulk_create(
        Case(
            agency=agency,
            version=version,
            reference=f"BENCH-M-{n:07d}",
            title="Gangguan IPAS",
            requesting_unit=unit,
            application=ipas,
            opened_by=person,
            status=CaseStatus.FINISHED if n % 4 else CaseStatus.RUNNING,
            state={},
            opened_at=_at(_day(n)),
            finished_at=_at(_day(n) + dt.timedelta(days=2)) if n % 4 else None,
        )
        for n in range(cases)
    )
    CaseStep.objects.bulk_create(
        CaseStep(
            case=c,
            step_key=f"s{k}",
            visit=1,
            actor_key="jfu",
            status=StepStatus.COMPLETED,
            activated_at=c.opened_at,
            due_at=c.opened_at + dt.timedelta(days=1),
            completed_at=c.opened_at + dt.timedelta(hours=20 + (n % 7) * k),
        )
        for n, c in enumerate(made)
        for k in (1, 2)
    )
    return {"plan": plan, "now": now, "tz": WIB}


def bare(plan: Any, now: dt.datetime) -> tuple[Any, ...]:
    """The same sums with the bare ORM: no dataclass, no words, no uptime arithmetic."""
    from django.db.models import Count, Exists, F, OuterRef, Q, Sum
    from django.db.models.functions import TruncDate

    from laksana.cases.models import Case, CaseStep
    from laksana.maintenance.models import Activity, Cycle, Occurrence
    from laksana.monitoring.models import Incident, StateChange

    start, end = _at(plan.starts_on, 0), _at(plan.ends_on + dt.timedelta(days=1), 0)
    today = now.astimezone(WIB).date()
    done = Q(status="done")
    occurrences = list(
        Occurrence.objects.filter(plan=plan, due_on__gte=plan.starts_on, due_on__lte=plan.ends_on)
        .annotate(day=TruncDate("done_at", tzinfo=WIB))
        .values("activity_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=done & Q(day__lte=F("due_on"))),
            late=Count("pk", filter=done & Q(day__gt=F("due_on"))),
            overdue=Count("pk", filter=Q(status__in=("planned", "open"), due_on__lt=today)),
            not_done=Count("pk", filter=Q(status="skipped")),
            cost=Sum("cost", filter=done),
        )
        .order_by()
    )
    activities = list(Activity.objects.filter(plan=plan).values_list("pk", "title", "budget"))
    late = CaseStep.objects.filter(
        case_id=OuterRef("pk"),
        status="completed",
        due_at__isnull=False,
        completed_at__gt=F("due_at"),
    )
    finished = Q(finished_at__gte=start, finished_at__lt=end)
    cases = Case.objects.filter(application_id=plan.application_id, opened_at__lt=end).aggregate(
        opened=Count("pk", filter=Q(opened_at__gte=start)),
        finished=Count("pk", filter=finished),
        on_time=Count("pk", filter=finished & Q(~Exists(late))),
        running=Count("pk", filter=Q(finished_at__isnull=True) | Q(finished_at__gte=end)),
    )
    incidents = list(
        Incident.objects.filter(
            application_id=plan.application_id, started_at__gte=start, started_at__lt=end
        ).values_list("started_at", "ended_at", "reason", "in_maintenance")
    )
    cycles = list(Cycle.objects.filter(plan=plan).values_list("number", "evaluation"))
    changes = list(
        StateChange.objects.filter(application_id=plan.application_id, at__lt=end).values_list(
            "monitor_id", "at", "new_state"
        )
    )
    return occurrences, activities, cases, incidents, cycles, changes


def _count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def measure(quick: bool, log: Log) -> list[Figure]:
    """The ratio of the year's report of one plan to the bare aggregates of the same sums,
    and the report's query count at two sizes."""
    from django.db import connection, transaction

    from laksana.maintenance import report

    cases = 500 if quick else 5000
    rounds = 5 if quick else 15
    ours: list[float] = []
    plain: list[float] = []
    queries: list[int] = []
    found: dict[str, Any] = {}
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():  # a savepoint: the small database goes away
                    small = generate(cases // 10)
                    queries.append(
                        _count_queries(lambda: report.data(small["plan"], now=small["now"]))
                    )
                    raise _Rollback
            except _Rollback:
                pass
            world = generate(cases)
            now = world["now"]
            plan = world["plan"]
            queries.append(_count_queries(lambda: report.data(plan, now=now)))
            data = report.data(plan, now=now)  # warm
            found = {
                "cases_finished": data.cases.finished,
                "occurrences_due": data.due,
                "incidents": data.incidents,
            }
            bare(plan, now)
            for _ in range(rounds):
                t0 = time.perf_counter()
                report.data(plan, now=now)
                t1 = time.perf_counter()
                bare(plan, now)
                t2 = time.perf_counter()
                ours.append(t1 - t0)
                plain.append(t2 - t1)
            raise _Rollback
    except _Rollback:
        pass
    ours_ms = statistics.median(ours) * 1000
    bare_ms = statistics.median(plain) * 1000
    ratio = statistics.median(o / b for o, b in zip(ours, plain, strict=True))
    log(
        f"maintenance: a year's report of one plan ({cases} cases, 480 occurrences, 12 cycles) "
        f"{ours_ms:.0f} ms in {queries[1]} queries ({queries[0]} at a tenth of the cases), "
        f"bare aggregates {bare_ms:.0f} ms: {ratio:.2f}x"
    )
    return [
        Figure(
            "maintenance",
            f"ratio: a year's management report of one plan ({cases} cases of the application, "
            "480 occurrences, 12 cycles) / bare ORM aggregates of the same sums",
            ratio,
            "x",
            backend=connection.vendor,
            target=3.0,
            higher_is_better=False,
            extra={
                "cases": cases,
                "occurrences": 480,
                "cycles": 12,
                "queries": queries[1],
                "queries_at_a_tenth": queries[0],
                "laksana_p50_ms": round(ours_ms, 1),
                "bare_p50_ms": round(bare_ms, 1),
                "laksana_min_ms": round(min(ours) * 1000, 1),
                "bare_min_ms": round(min(plain) * 1000, 1),
                "ratio_of_medians": round(ours_ms / bare_ms, 3),
                "rounds": rounds,
                **found,
            },
        )
    ]
