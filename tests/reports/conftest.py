"""A small set of completed and open steps with known working times, in Bali (WITA).

Step 2 of SOP 002 ("±1-2 Jam": 120 working minutes) was done five times for Dinkes, in
30, 60, 90, 120 and 180 working minutes (the last over the standard), and once for BKD on
SIMPEG, in 150 minutes of which 30 on hold (120: within). Step 3 ("±1 jam") was done once
for Dinkes in 45 minutes. Everything was completed in the week of 8 June 2026, except one
step 2 for Dinkes completed in July (outside the period the tests ask for), and everything
was completed by the Ketua Tim, so he and his superiors see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest

from laksana.cases import services
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.engine.worktime import national_calendar

WITA = ZoneInfo("Asia/Makassar")
CALENDAR = national_calendar("Asia/Makassar")
MONDAY = dt.datetime(2026, 6, 8, 8, 0, tzinfo=WITA)
JUNE = {"from": "2026-06-01", "to": "2026-06-30"}


@dataclass
class Steps:
    org: object
    cases: dict[str, Case] = field(default_factory=dict)


def _done(case: Case, key: str, visit: int, minutes: float, by, *, held: float = 0,
          start: dt.datetime = MONDAY) -> CaseStep:  # fmt: skip
    return CaseStep.objects.create(
        case=case,
        step_key=key,
        visit=visit,
        actor_key="pemohon" if key in ("s1", "s2") else "kadis",
        status=StepStatus.COMPLETED,
        activated_at=start,
        completed_at=CALENDAR.add_working_minutes(start, minutes + held),
        completed_by=by,
        held_minutes=held,
    )


@pytest.fixture
def steps(bali, sop002) -> Steps:
    out = Steps(bali)
    leader = bali["ketuatim"]
    for index, minutes in enumerate((30, 60, 90, 120, 180)):
        case = services.open_case(bali["dinkes_staf"], sop002, f"Gangguan SIKESDA {index}")
        _done(case, "s2", 1, minutes, leader)
        out.cases[f"dinkes{minutes}"] = case
    _done(out.cases["dinkes30"], "s3", 1, 45, leader)
    july = services.open_case(bali["dinkes_staf"], sop002, "Gangguan bulan Juli")
    _done(july, "s2", 1, 600, leader, start=dt.datetime(2026, 7, 6, 8, 0, tzinfo=WITA))
    out.cases["july"] = july
    bkd = services.open_case(
        bali["bkd"], sop002, "SIMPEG lambat", application=bali.applications["simpeg"]
    )
    _done(bkd, "s2", 1, 120, leader, held=30)
    out.cases["bkd"] = bkd
    return out


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "x")
