"""A step whose time standard changed between versions: each run is shown against the
standard of the version it ran on, never labelled with a newer version's (issue 16, item 13)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from laksana.cases import services
from laksana.procedures.models import ProcedureVersion
from laksana.reports.compliance import Filters, compliance, report_scope

from .conftest import JUNE, _done

pytestmark = pytest.mark.django_db

PERIOD = Filters(start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30), zone="Asia/Makassar")


def revised(version: ProcedureVersion, old: str, new: str) -> ProcedureVersion:
    """The next version of ``version`` with ``old`` replaced by ``new`` in its source."""
    fields = {
        f.attname: getattr(version, f.attname)
        for f in version._meta.concrete_fields
        if not f.primary_key and f.attname != "published_at"
    }
    assert old in version.source
    source = version.source.replace(old, new, 1)
    fields.update(
        number=version.number + 1,
        source=source,
        checksum=hashlib.sha256(source.encode()).hexdigest(),
    )
    return ProcedureVersion.objects.create(**fields)


@pytest.fixture
def two_versions(steps, sop002, bali):
    """Step 2 of SOP 002 as "±1-2 Jam" in version 1 (six runs, five within) and "±4 Jam" in
    version 2 (one run of 200 minutes, within)."""
    newer = revised(sop002, 'time: "±1-2 Jam"', 'time: "±4 Jam"')
    assert newer.spec.step("s2").time.text == "±4 Jam"
    case = services.open_case(bali["dinkes_staf"], newer, "Gangguan setelah revisi")
    _done(case, "s2", 1, 200, bali["ketuatim"])
    return sop002, newer


def test_each_run_is_labelled_with_its_own_versions_standard(two_versions, superuser):
    older, newer = two_versions
    [procedure] = compliance(report_scope(superuser), PERIOD).procedures
    rows = [(s.number, s.standard_text, s.versions, s.count, s.within) for s in procedure.steps]
    assert rows == [
        ("2", "±4 Jam", [newer.number], 1, 1),
        ("2", "±1-2 Jam", [older.number], 6, 5),
        ("3", "±1 jam", [older.number], 1, 1),
    ]
    by_text = {s.standard_text: s for s in procedure.steps}
    assert by_text["±1-2 Jam"].standard_minutes == pytest.approx(120)
    assert by_text["±4 Jam"].standard_minutes == pytest.approx(240)
    assert by_text["±1-2 Jam"].version_text and by_text["±4 Jam"].version_text
    assert procedure.steps[2].version_text == ""  # one standard only: no version named


def test_the_screen_and_the_workbook_name_the_versions(client, two_versions, bali):
    client.cookies["django_language"] = "en"
    client.force_login(bali["kabid"].user)
    page = client.get(reverse("reports:compliance"), JUNE).content.decode()
    assert "±4 Jam" in page and "±1-2 Jam" in page
    assert "version 1" in page and "version 2" in page
    response = client.get(reverse("reports:compliance_xlsx"), JUNE)
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    standards = [r[3] for r in rows if r and r[1] == "2"]
    assert standards == ["±4 Jam (version 2)", "±1-2 Jam (version 1)"]
