"""The satisfaction index (IKM) of one survey with 1,000,000 answers, beside the bare library
doing the same aggregate, in the same run.

The database: one agency, one open survey of a procedure over 2026 with ``answers`` answers
(scores 1..4 in a realistic spread, a day of the year each), and a second survey of the same
agency with a tenth as many (so the survey's filter has something to leave out). The answers
are written by one ``INSERT .. SELECT`` over a generated series inside the database (not
timed). Laksana's path is :func:`laksana.survey.index.of_survey` (one aggregate query: the
count and the nine sums, then the NRR, IKM, converted value and grades in exact fractions);
the bare path is the same ``COUNT``/``SUM`` SQL through the DB-API cursor of the connection
(no ORM, no arithmetic). The two run in turns; the figure is the median of the rounds' ratios
(target: at most 1.5). Every row is rolled back.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from laksana.benchmarks.common import Figure

Log = Callable[[str], None]
YEAR = 2026
# Per unsur: (multiplier, offset) of the answer's number, whose remainder by 100 picks the
# score: below ``FOUR`` 4, below ``THREE`` 3, below ``TWO`` 2, else 1 (about 3.2 on average).
_MIX = ((37, 3), (41, 11), (43, 29), (47, 5), (53, 17), (59, 23), (61, 31), (67, 7), (71, 13))
FOUR, THREE, TWO = 35, 88, 97


class _Rollback(Exception):
    pass


def score(n: int, unsur: int) -> int:
    """The score of unsur ``unsur`` (1..9) of the ``n``-th generated answer (what the SQL of
    :func:`fill` writes)."""
    k, c = _MIX[unsur - 1]
    v = (n * k + c) % 100
    return 4 if v < FOUR else 3 if v < THREE else 2 if v < TWO else 1


def _score_sql(unsur: int) -> str:
    k, c = _MIX[unsur - 1]
    v = f"((n * {k} + {c}) %% 100)"  # %% : the cursor formats parameters
    return (
        f"CASE WHEN {v} < {FOUR} THEN 4 WHEN {v} < {THREE} THEN 3 "
        f"WHEN {v} < {TWO} THEN 2 ELSE 1 END"
    )


def fill(survey_id: int, count: int) -> None:
    """Write ``count`` answers of the survey in one statement inside the database (answer
    ``n`` on day ``n % 365`` of the year, its scores by :func:`score`)."""
    from django.db import connection

    from laksana.survey.models import Answer

    table = connection.ops.quote_name(Answer._meta.db_table)
    columns = "survey_id, submitted_on, channel, " + ", ".join(f"u{i}" for i in range(1, 10))
    columns += ", age, sex, education, occupation, suggestion"
    scores = ", ".join(_score_sql(i) for i in range(1, 10))
    tail = "NULL, '', '', '', ''"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                f"SELECT %s, DATE '{YEAR}-01-01' + (n %% 365), 'import', {scores}, {tail} "
                "FROM generate_series(0, %s) AS s(n)",
                [survey_id, count - 1],
            )
        else:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
                f"SELECT %s, date('{YEAR}-01-01', '+' || (n %% 365) || ' days'), 'import', "
                f"{scores}, {tail} FROM s",
                [count - 1, survey_id],
            )


def generate(answers: int) -> dict[str, Any]:
    """The agency, its two surveys and their answers (see the module's text)."""
    from laksana.org.models import Agency, Person, Unit, UnitKind
    from laksana.survey.elements import default_elements
    from laksana.survey.models import ServiceKind, Survey, SurveyStatus

    now = dt.datetime(YEAR + 1, 1, 10, 9, 0, tzinfo=dt.UTC)
    agency = Agency.objects.create(name="Badan Bench SKM", short_name="BBS", slug="bench-skm")
    unit = Unit.objects.create(agency=agency, name="Pusat Data", kind=UnitKind.OFFICE)
    person = Person.objects.create(agency=agency, name="Penyusun SKM", unit=unit)
    surveys = []
    for n, title in enumerate(("SKM Layanan Helpdesk 2026", "SKM Layanan Lain 2026")):
        surveys.append(
            Survey.objects.create(
                agency=agency,
                title=title,
                service_kind=ServiceKind.PROCEDURE,
                procedure_key=f"bench-{n}",
                period_start=dt.date(YEAR, 1, 1),
                period_end=dt.date(YEAR, 12, 31),
                elements=default_elements(),
                status=SurveyStatus.OPEN,
                public_code=f"bench-skm-{n}",
                created_by=person,
                created_at=now,
            )
        )
    fill(surveys[0].pk, answers)
    fill(surveys[1].pk, max(answers // 10, 1))
    return {"survey": surveys[0], "other": surveys[1], "answers": answers}


def bare(survey_id: int) -> tuple[Any, ...]:
    """The count and the nine sums of the survey's answers, through the DB-API cursor of the
    connection (Django's wrapper left out)."""
    from django.db import connection

    from laksana.survey.models import Answer

    table = connection.ops.quote_name(Answer._meta.db_table)
    mark = "%s" if connection.vendor == "postgresql" else "?"
    sums = ", ".join(f"SUM(u{i})" for i in range(1, 10))
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(
            f"SELECT COUNT(*), {sums} FROM {table} WHERE survey_id = {mark}", [survey_id]
        )
        row = cursor.fetchone()
    finally:
        cursor.close()
    return tuple(row)


def measure(quick: bool, log: Log, *, answers: int | None = None) -> list[Figure]:
    """The ratio of the survey's index to the bare aggregate of the same sums."""
    from django.db import connection, transaction

    from laksana.survey import index

    count = answers or (100_000 if quick else 1_000_000)
    rounds = 5 if quick else 15
    ours: list[float] = []
    plain: list[float] = []
    found: dict[str, Any] = {}
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            world = generate(count)
            fill_s = time.perf_counter() - t0
            survey = world["survey"]
            result = index.of_survey(survey)  # warm
            row = bare(survey.pk)
            assert result is not None
            totals = [e.total for e in result.elements]
            if result.respondents != row[0] or totals != [int(v) for v in row[1:]]:
                raise AssertionError(f"the index read {result.respondents}, {totals}; bare {row}")
            found = {
                "respondents": result.respondents,
                "ikm_converted": str(index.shown(result.converted)),
                "grade": result.grade.letter,
            }
            for _ in range(rounds):
                t1 = time.perf_counter()
                index.of_survey(survey)
                t2 = time.perf_counter()
                bare(survey.pk)
                t3 = time.perf_counter()
                ours.append(t2 - t1)
                plain.append(t3 - t2)
            raise _Rollback
    except _Rollback:
        pass
    ours_ms = statistics.median(ours) * 1000
    bare_ms = statistics.median(plain) * 1000
    ratio = statistics.median(o / b for o, b in zip(ours, plain, strict=True))
    log(
        f"survey: the index of a survey of {count:,} answers {ours_ms:.1f} ms, "
        f"bare aggregate {bare_ms:.1f} ms: {ratio:.2f}x (written in {fill_s:.1f} s)"
    )
    return [
        Figure(
            "survey",
            f"ratio: the satisfaction index (IKM) of a survey of {count:,} answers / the bare "
            "COUNT and SUM through the DB-API cursor",
            ratio,
            "x",
            backend=connection.vendor,
            target=1.5,
            higher_is_better=False,
            extra={
                "answers": count,
                "other_answers": max(count // 10, 1),
                "rounds": rounds,
                "fill_s": round(fill_s, 2),
                "laksana_p50_ms": round(ours_ms, 2),
                "bare_p50_ms": round(bare_ms, 2),
                "laksana_min_ms": round(min(ours) * 1000, 2),
                "bare_min_ms": round(min(plain) * 1000, 2),
                "ratio_of_medians": round(ours_ms / bare_ms, 3),
                **found,
            },
        )
    ]
