"""The case API gives a case's own due time and whether it is overdue, and lists the overdue
cases; another agency's overdue cases are not listed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from laksana.cases import services
from laksana.procedures.services import publish

pytestmark = pytest.mark.django_db

SOURCE = (
    (Path(__file__).parents[1] / "engine" / "data" / "servicelevel.yaml")
    .read_text(encoding="utf-8")
    .replace("kind: team", "kind: requesting_unit")
)


def test_the_case_api_gives_the_due_time_and_lists_the_overdue_cases(api_as, bali, djki):
    staff = bali["dinkes_staf"]
    version = publish(SOURCE, "layanan.yaml", bali.agency)
    now = timezone.now()
    late = services.open_case(staff, version, "Terlambat", now=now - dt.timedelta(days=30))
    fresh = services.open_case(staff, version, "Baru", now=now)
    # Another agency's overdue case, never listed to Bali's staff.
    theirs = publish(SOURCE, "layanan.yaml", djki.agency)
    foreign = services.open_case(
        djki["merek_staf"], theirs, "Terlambat DJKI", now=now - dt.timedelta(days=30)
    )
    api = api_as(staff)
    one = api.get(f"/cases/{late.reference}").json()
    assert dt.datetime.fromisoformat(one["due_at"]) == late.due_at
    assert one["overdue"] is True
    assert api.get(f"/cases/{fresh.reference}").json()["overdue"] is False
    listed = api.get("/cases", {"overdue": "true"})
    assert listed.status_code == 200
    assert [c["reference"] for c in listed.json()["items"]] == [late.reference]
    everything = {c["reference"]: c for c in api.get("/cases").json()["items"]}
    assert {late.reference, fresh.reference} <= set(everything)
    assert foreign.reference not in everything
    assert everything[fresh.reference]["due_at"] is not None
    assert api.get("/cases", {"overdue": "perhaps"}).status_code == 422
    assert api_as(djki["merek_staf"]).get(f"/cases/{late.reference}").status_code == 404
