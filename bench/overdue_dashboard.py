"""Overdue-steps dashboard speed on PostgreSQL: the first page over 1,000,000 open steps.

Run: .venv/bin/python bench/overdue_dashboard.py [--steps N] [--rounds R] [--keep | --reuse]
     [--server postgres://postgres@127.0.0.1:5432]

Creates a scratch database ``laksana_bench`` on the server (dropped first if it exists, and
dropped again at the end unless --keep; --reuse measures again on a kept one), migrates it,
builds the Bali and DJKI demo agencies, then generates N open steps (default 1,000,000), one
per case, with SQL ``generate_series``: due times spread from 60 days ago to 30 days ahead
(about two thirds overdue), 1% on hold; one case in a thousand belongs to a small unit. It
then times the dashboard's first page (``laksana.reports.overdue``) R times each (default
200) and prints p50 and p95 in milliseconds:

* the query as the page runs it (the 26 newest overdue steps with their case, unit and
  claimant), as an administrator, unfiltered and filtered by a large unit, a small unit, a
  unit without cases and a procedure, then as a member of staff, through the visibility gate;
* the whole page function (the query, the versions, the calendars, the overdue-by texts).

"query" is what the page asks the database, including the lookup of the restricting cases
for a filter or a member of staff.

Target (issue 4): p95 at most 100 ms for the first page. Takes two to four minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

DB = "laksana_bench"


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _time(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    for _ in range(5):  # warm the caches and the plan
        fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return _percentiles(samples)


def _admin(server: str, sql: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="measure on a kept database")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    if not args.reuse:
        _admin(args.server, f"DROP DATABASE IF EXISTS {DB}")
        _admin(args.server, f"CREATE DATABASE {DB}")
    os.environ["LAKSANA_DATABASE_URL"] = f"{args.server}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laksana.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    try:
        if not args.reuse:
            generate(args.steps)
        measure(args.rounds)
    finally:
        if not (args.keep or args.reuse):
            from django.db import connections

            connections.close_all()
            _admin(args.server, f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def generate(steps: int) -> None:
    """Migrate, build the demo agencies and generate ``steps`` open steps, one per case."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from laksana.cases.models import Case, CaseStep
    from laksana.demo.orgs import SOP_002, SOP_004, build_bali, build_djki
    from laksana.procedures.services import publish_shipped

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    versions = {v.procedure_key: v for v in publish_shipped()}
    bali, djki = build_bali(), build_djki()
    get_user_model().objects.create_superuser("bench-admin", "bench@example.org", "x")
    print(f"migrated and built the demo agencies in {time.perf_counter() - t0:.1f} s", flush=True)

    # Who opens the cases of each agency, for which unit, on which procedure.
    plans = [
        (bali, versions[SOP_002], [("dinkes_staf", "dinkes"), ("bkd", "bkd")]),
        (djki, versions[SOP_004], [("merek_staf", "merek"), ("paten_staf", "paten")]),
    ]
    case_table, step_table = Case._meta.db_table, CaseStep._meta.db_table
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        share = steps // 4
        offset = 0
        for org, version, openers in plans:
            for login, unit in openers:
                count = share if offset + 2 * share <= steps else steps - offset
                cursor.execute(
                    f"""
                    INSERT INTO {case_table} (agency_id, version_id, reference, title,
                        description, requesting_unit_id, application_id, opened_by_id, status,
                        end_key, state, opened_at, finished_at, journal_seq, journal_hash,
                        search_text)
                    SELECT %(agency)s, %(version)s, 'bench-' || (%(offset)s + g),
                        'Gangguan ' || (%(offset)s + g), '', %(unit)s, NULL, %(person)s,
                        'running', '', '{{}}'::jsonb,
                        now() - interval '60 days' - random() * interval '30 days', NULL, 0,
                        '', 'bench-' || (%(offset)s + g)
                    FROM generate_series(1, %(count)s) AS g
                    """,
                    {
                        "agency": org.agency.pk,
                        "version": version.pk,
                        "offset": offset,
                        "unit": org.units[unit].pk,
                        "person": org[login].pk,
                        "count": count,
                    },
                )
                offset += count
        for _org, version, _openers in plans:
            keys = [s.id for s in version.spec.steps]
            actors = [s.actor for s in version.spec.steps]
            # The LATERAL subquery refers to the row, so random() is drawn once per step.
            cursor.execute(
                f"""
                INSERT INTO {step_table} (case_id, step_key, visit, actor_key, status,
                    activated_at, claimed_by_id, claimed_at, completed_by_id, completed_at,
                    outcome, due_at, on_hold_since, hold_reason, held_minutes,
                    near_due_notified_at, overdue_notified_at, escalated_at)
                SELECT c.id, (%(keys)s::text[])[1 + c.id %% %(n)s],
                    1, (%(actors)s::text[])[1 + c.id %% %(n)s], 'active',
                    d.due - random() * interval '5 days', NULL, NULL, NULL, NULL, '', d.due,
                    CASE WHEN random() < 0.01 THEN d.due - interval '1 hour' END, '', 0,
                    NULL, NULL, NULL
                FROM {case_table} c,
                    LATERAL (SELECT now() - interval '60 days'
                             + random() * interval '90 days' + c.id * interval '0') AS d(due)
                WHERE c.version_id = %(version)s
                """,
                {"keys": keys, "actors": actors, "n": len(keys), "version": version.pk},
            )
        # A small requesting unit: one case in a thousand.
        cursor.execute(
            f"UPDATE {case_table} SET requesting_unit_id = %s WHERE id %% 1000 = 0",
            [bali.units["tim_ai"].pk],
        )
        cursor.execute(f"VACUUM ANALYZE {case_table}")
        cursor.execute(f"VACUUM ANALYZE {step_table}")
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE due_at < now()) FROM {step_table}")
        total, late = cursor.fetchone()
    print(f"generated {total:,} open steps ({late:,} past due) in {time.perf_counter() - t0:.1f} s")


def measure(rounds: int) -> None:
    """Time the first page of the dashboard, as the page runs it."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from laksana.cases.models import CaseStep
    from laksana.demo.orgs import SOP_004
    from laksana.org.models import Person, Unit
    from laksana.reports.compliance import report_scope
    from laksana.reports.overdue import OverdueFilters, overdue_page, overdue_steps

    admin = report_scope(get_user_model().objects.get(username="bench-admin"))
    # Staff: the Kepala Dinas of Bali, who sees a third of the cases (those of his units and
    # at steps bound to his people), and a newcomer to his office, who sees none.
    kadis = Person.objects.get(user__username="kadis")
    staff = report_scope(kadis.user)
    newcomer_user, _new = get_user_model().objects.get_or_create(username="bench-newcomer")
    Person.objects.get_or_create(
        user=newcomer_user,
        defaults={"agency": kadis.agency, "unit": kadis.unit, "name": "Pegawai Baru"},
    )
    newcomer = report_scope(newcomer_user)

    def unit(name: str) -> int:
        return Unit.objects.get(name=name).pk

    cases = [
        ("administrator, no filter", admin, OverdueFilters()),
        (
            "administrator, unit BKD (25% of the cases)",
            admin,
            OverdueFilters(unit_id=unit("Badan Kepegawaian Daerah Provinsi Bali")),
        ),
        (
            "administrator, a unit with 0.1% of the cases",
            admin,
            OverdueFilters(unit_id=unit("Tim Aplikasi Informatika")),
        ),
        (
            "administrator, a unit without cases",
            admin,
            OverdueFilters(unit_id=unit("Subbagian Tata Usaha TIKI")),
        ),
        ("administrator, procedure SOP 004 (50%)", admin, OverdueFilters(procedure_key=SOP_004)),
        ("staff (Bali's Kepala Dinas), visibility gate", staff, OverdueFilters()),
        ("staff (a newcomer who sees no case)", newcomer, OverdueFilters()),
    ]
    now = timezone.now()
    total = CaseStep.objects.filter(status="active").count()
    print()
    print(f"first page (26 rows) over {total:,} open steps, {rounds} rounds each")
    print(f"{'':54} {'p50 ms':>8} {'p95 ms':>8}")
    for label, scope, filters in cases:
        p50, p95 = _time(lambda s=scope, f=filters: list(overdue_steps(s, f, now)[:26]), rounds)
        print(f"{'query, ' + label:54} {p50:8.1f} {p95:8.1f}", flush=True)
    for label, scope, filters in (cases[0], cases[-2]):
        p50, p95 = _time(lambda s=scope, f=filters: overdue_page(s, f, now), rounds)
        print(f"{'page, ' + label:54} {p50:8.1f} {p95:8.1f}", flush=True)
    print()
    plan = overdue_steps(admin, OverdueFilters(), now)[:26].explain(analyze=True)
    print("plan of the unfiltered query:")
    print("\n".join("  " + line for line in plan.splitlines()))


if __name__ == "__main__":
    main()
