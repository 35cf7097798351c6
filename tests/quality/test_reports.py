"""The testing module's reports (issue 18, item 6): figures checked against values computed
by hand, who reads them, the XLSX export, the API; and the security screens (a ZAP report
imported, the checklist installed) whose templates live with them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from laksana.cases import services
from laksana.catalog.models import Application
from laksana.demo.orgs import SOP_004, DemoOrg
from laksana.quality import reports
from laksana.quality.models import (
    Finding,
    FindingStatus,
    RunItem,
    RunKind,
    RunResult,
    RunStatus,
    ScenarioSet,
    SetKind,
    Severity,
    Verdict,
)
from laksana.quality.models import TestRun as Run

from ..cases.helpers import active
from .test_zap import JSON_REPORT, open_run

pytestmark = pytest.mark.django_db

# The figures of ages are read at the real clock by the screens: the fixture's ages are
# counted back from the start of the test module (minutes, not hours, before them).
NOW = timezone.now()
DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def items(run: Run, *verdicts: str) -> None:
    for position, verdict in enumerate(verdicts, start=1):
        RunItem.objects.create(
            run=run,
            position=position,
            number=f"S-{position}",
            title=f"Skenario {position}",
            steps="1. Buka",
            expected="Tampil",
            priority="sedang",
            verdict=verdict,
        )


def finish(run: Run, kind: str, status: str, result: str = "") -> Run:
    Run.objects.filter(pk=run.pk).update(kind=kind, status=status, result=result)
    run.refresh_from_db()
    return run


def finding(run: Run, number: int, severity: str, status: str, age: dt.timedelta, **ends) -> None:
    created = NOW - age
    Finding.objects.create(
        agency=run.agency,
        run=run,
        number=number,
        severity=severity,
        title=f"Temuan {number}",
        status=status,
        created_by=run.opened_by,
        created_at=created,
        **{k: created + v for k, v in ends.items()},
    )


P, F, B, N = Verdict.PASSED, Verdict.FAILED, Verdict.BLOCKED, Verdict.NOT_RUN
day = dt.timedelta(days=1)


@pytest.fixture
def tested(bali: DemoOrg, djki: DemoOrg) -> dict[str, Run]:
    """SIKESDA's runs and findings (the values of the docstring's hand computation)."""
    a = finish(
        open_run(bali, version="2.1"), RunKind.SIT, RunStatus.CLOSED, RunResult.ACCEPTED_WITH_NOTES
    )
    items(a, P, P, P, F, N)  # 3 passed of 4 executed
    b = finish(open_run(bali, version="2.1"), RunKind.UAT, RunStatus.SIGNED, RunResult.REJECTED)
    items(b, P, P, B)  # 2 of 3
    c = finish(open_run(bali, version="2.10"), RunKind.UAT, RunStatus.SIGNED, RunResult.ACCEPTED)
    items(c, P, P, P, P)  # 4 of 4
    d = finish(
        open_run(bali, version="2.9"), RunKind.SECURITY, RunStatus.CLOSED, RunResult.REJECTED
    )
    items(d, P, F)  # 1 of 2
    e = open_run(bali, version="3.0")  # open: not in the pass rates
    items(e, P, P, P, P, P)
    finding(d, 1, Severity.HIGH, FindingStatus.OPEN, 3 * day)  # 0-7
    finding(d, 2, Severity.MEDIUM, FindingStatus.OPEN, 7 * day + dt.timedelta(hours=23))  # 0-7
    finding(d, 3, Severity.MEDIUM, FindingStatus.FIXED, 8 * day, fixed_at=2 * day)  # 8-30; 2.0
    finding(d, 4, Severity.LOW, FindingStatus.OPEN, 45 * day)  # 31-90
    finding(e, 1, Severity.INFO, FindingStatus.OPEN, 120 * day)  # >90
    finding(
        d, 5, Severity.HIGH, FindingStatus.CLOSED, 20 * day, fixed_at=4 * day, closed_at=6 * day
    )  # fixed in 4.0
    finding(
        d,
        6,
        Severity.LOW,
        FindingStatus.CLOSED,
        10 * day,
        closed_at=9 * day + dt.timedelta(hours=12),
    )  # 9.5
    finding(d, 7, Severity.MEDIUM, FindingStatus.ACCEPTED, 30 * day, closed_at=day)  # no fix
    # DJKI's IPAS: a run and a finding of another agency.
    case = services.open_case(
        djki["merek_staf"],
        djki.versions[SOP_004],
        "Uji IPAS",
        application=djki.applications["ipas"],
    )
    scenario_set = ScenarioSet.objects.create(
        agency=djki.agency,
        application=djki.applications["ipas"],
        name="IPAS",
        kind=SetKind.FUNCTIONAL,
        created_at=NOW,
        updated_at=NOW,
    )
    ipas = Run.objects.create(
        agency=djki.agency,
        case=case,
        step=active(case),
        artifact_key="x",
        kind=RunKind.UAT,
        application=djki.applications["ipas"],
        app_version="5.0",
        scenario_set=scenario_set,
        set_revision=0,
        number=1,
        opened_by=djki["direktur"],
        opened_at=NOW,
        status=RunStatus.SIGNED,
        result=RunResult.ACCEPTED,
    )
    items(ipas, P)
    finding(ipas, 1, Severity.HIGH, FindingStatus.OPEN, day)
    return {"a": a, "d": d, "e": e, "ipas": ipas}


EXPECTED_DATA = {
    "versions": [
        {"version": "2.1", "runs": 2, "passed": 5, "executed": 7, "pass_rate": round(5 / 7, 4)},
        {"version": "2.9", "runs": 1, "passed": 1, "executed": 2, "pass_rate": 0.5},
        {"version": "2.10", "runs": 1, "passed": 4, "executed": 4, "pass_rate": 1.0},
    ],
    "open_findings": 5,
    "open_by_severity": {"kritis": 0, "tinggi": 1, "sedang": 2, "rendah": 1, "info": 1},
    "open_by_age": {"0-7": 2, "8-30": 1, "31-90": 1, ">90": 1},
    "fix_time": {"fixed": 3, "median_days": 4.0, "mean_days": 5.2},  # 2.0, 4.0, 9.5
    "runs": [
        {
            "kind": "sit",
            "total": 1,
            "results": {"diterima": 0, "diterima_dengan_catatan": 1, "ditolak": 0, "berjalan": 0},
        },
        {
            "kind": "uat",
            "total": 2,
            "results": {"diterima": 1, "diterima_dengan_catatan": 0, "ditolak": 1, "berjalan": 0},
        },
        {
            "kind": "keamanan",
            "total": 2,
            "results": {"diterima": 0, "diterima_dengan_catatan": 0, "ditolak": 1, "berjalan": 1},
        },
    ],
}


def test_the_figures_are_those_computed_by_hand(bali, tested) -> None:
    sikesda = bali.applications["sikesda"]
    report = reports.report_of(sikesda, at=NOW)
    data = reports.as_data(report)
    assert data == {"application_id": sikesda.pk, "application": sikesda.name, **EXPECTED_DATA}
    assert report.latest is not None and report.latest.version == "2.10"
    assert report.run_count == 5


def test_an_application_without_runs_has_empty_figures(bali, tested) -> None:
    report = reports.report_of(bali.applications["simpeg"], at=NOW)
    assert report.versions == () and report.open_findings == 0 and report.run_count == 0
    assert report.fix_time == reports.FixTime(0, None, None)
    assert "none yet" in str(reports.pass_rate_chart(report))


def test_versions_sort_naturally() -> None:
    given = ["2.10", "", "2.9", "10.0", "2.1-beta", "2.1"]
    assert sorted(given, key=reports.version_key) == ["", "2.1", "2.1-beta", "2.9", "2.10", "10.0"]


def test_the_reports_list_the_own_agencys_applications_in_few_queries(
    bali, tested, django_assert_max_num_queries
) -> None:
    apps = reports.applications_of(bali["kadis"].user, bali["kadis"])
    assert {a.agency_id for a in apps} == {bali.agency.pk}
    with django_assert_max_num_queries(4):
        found = reports.reports_for(apps, at=NOW)
    assert len(found) == apps.count()


# --- the screens --------------------------------------------------------------------------------


def client_of(person) -> Client:
    """A client signed in as ``person`` that reads the English texts (the language cookie)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if person is not None:
        client.force_login(person.user)
    return client


def test_the_list_and_an_applications_page(bali, tested) -> None:
    client = client_of(bali["kadis"])
    page = client.get(reverse("quality:reports"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "SIKESDA" in text or bali.applications["sikesda"].name in text
    assert "IPAS" not in text
    sikesda = bali.applications["sikesda"]
    page = client.get(reverse("quality:report", args=[sikesda.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("<svg") >= 3 and "<script" not in text.split("<main", 1)[-1]
    assert "Pass rate per version" in text and "5 open findings" in text
    assert "median 4.0 days, mean 5.2 days" in text.replace("4,0", "4.0").replace("5,2", "5.2")


@pytest.mark.parametrize("login", ["dinkes_staf", "bkd"])
def test_requesting_units_may_not_read_the_reports(bali, tested, login) -> None:
    client = client_of(bali[login])
    sikesda = bali.applications["sikesda"]
    assert client.get(reverse("quality:reports")).status_code == 403
    assert client.get(reverse("quality:reports_xlsx")).status_code == 403
    assert client.get(reverse("quality:report", args=[sikesda.pk])).status_code == 403
    assert client.get(reverse("quality:report_xlsx", args=[sikesda.pk])).status_code == 403


@pytest.mark.parametrize("login", ["direktur", "ipasdev"])
def test_another_agencys_application_is_not_found(bali, djki, tested, login) -> None:
    client = client_of(djki[login])
    sikesda = bali.applications["sikesda"]
    assert client.get(reverse("quality:report", args=[sikesda.pk])).status_code == 404
    assert client.get(reverse("quality:report_xlsx", args=[sikesda.pk])).status_code == 404
    assert client.get(reverse("quality:report", args=[987654])).status_code == 404
    assert client.get(f"/pengujian/laporan/{2**64}/").status_code == 404


def test_anonymous_is_sent_to_sign_in(bali, tested) -> None:
    answer = Client().get(reverse("quality:report", args=[bali.applications["sikesda"].pk]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse(settings.LOGIN_URL))


def test_the_xlsx_export_holds_the_figures_and_no_formula(bali, tested) -> None:
    sikesda = bali.applications["sikesda"]
    type(sikesda).objects.filter(pk=sikesda.pk).update(name='=HYPERLINK("http://x","klik")')
    answer = client_of(bali["kadis"]).get(reverse("quality:report_xlsx", args=[sikesda.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(answer.content))
    summary, rates, found, runs = book.worksheets
    row = [c.value for c in summary[5]]
    assert row[0] == '=HYPERLINK("http://x","klik")' and summary["A5"].data_type == "s"
    assert row[1:] == ["2.10", 1.0, 5, 5, 3, 4.0, 5.2]
    assert [[c.value for c in r][1:5] for r in rates.iter_rows(min_row=2)] == [
        ["2.1", 2, 5, 7],
        ["2.9", 1, 1, 2],
        ["2.10", 1, 4, 4],
    ]
    assert [c.value for c in found[2]][1:] == [0, 1, 2, 1, 1, 2, 1, 1, 1]
    assert [c.value for c in runs[4]][1:] == ["Security test", 2, 0, 0, 1, 1]
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            assert not any(c.data_type == "f" for c in line)
    listing = client_of(bali["kadis"]).get(reverse("quality:reports_xlsx"))
    assert listing.status_code == 200
    names = [
        r[0].value for r in load_workbook(io.BytesIO(listing.content)).active.iter_rows(min_row=5)
    ]
    assert '=HYPERLINK("http://x","klik")' in names and "IPAS" not in str(names)


# --- the API ----------------------------------------------------------------------------------


def test_the_api_answers_the_same_figures(bali, djki, tested) -> None:
    sikesda = bali.applications["sikesda"]
    client = client_of(bali["kadis"])
    one = client.get(f"/api/quality-reports/{sikesda.pk}")
    assert one.status_code == 200
    assert one.json() == {
        "application_id": sikesda.pk,
        "application": sikesda.name,
        **EXPECTED_DATA,
    }
    every = client.get("/api/quality-reports")
    assert every.status_code == 200
    assert {r["application_id"] for r in every.json()} == set(
        Application.objects.filter(agency=bali.agency).values_list("pk", flat=True)
    )
    assert djki.applications["ipas"].pk not in {r["application_id"] for r in every.json()}
    assert client_of(bali["dinkes_staf"]).get("/api/quality-reports").status_code == 403
    assert (
        client_of(bali["dinkes_staf"]).get(f"/api/quality-reports/{sikesda.pk}").status_code == 403
    )
    assert client_of(djki["direktur"]).get(f"/api/quality-reports/{sikesda.pk}").status_code == 404
    assert client_of(djki["ipasdev"]).get(f"/api/quality-reports/{sikesda.pk}").status_code == 404
    assert Client().get("/api/quality-reports").status_code == 401


def test_the_api_installs_the_checklist(bali, djki) -> None:
    client = client_of(bali["kadis"])
    shipped = client.get("/api/security-checklist")
    assert shipped.status_code == 200 and shipped.json()["items"][0]["number"] == "V2.1.1"
    # The session needs its CSRF token for a POST: use a token client instead.
    from laksana.accounts.services import issue_token

    _token, secret = issue_token(bali["kadis"], "uji")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    sikesda = bali.applications["sikesda"]
    made = api.post(
        "/api/security-checklist", {"application_id": sikesda.pk}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["scenarios"] == len(shipped.json()["items"])
    ipas = djki.applications["ipas"]
    assert (
        api.post(
            "/api/security-checklist", {"application_id": ipas.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    _token, other = issue_token(bali["dinkes_staf"], "uji")
    refused = Client(HTTP_AUTHORIZATION=f"Bearer {other}").post(
        "/api/security-checklist", {"application_id": sikesda.pk}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert ScenarioSet.objects.filter(kind=SetKind.SECURITY).count() == 1


# --- the security screens -----------------------------------------------------------------------


def test_a_tester_imports_a_zap_report_on_the_screen(bali, djki) -> None:
    run = open_run(bali)
    url = reverse("quality:zap_import", args=[run.pk])
    client = client_of(bali["kadis"])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"report": SimpleUploadedFile("laporan.txt", b"bukan laporan")})
    assert bad.status_code == 422 and "not an OWASP ZAP report" in bad.content.decode()
    assert not Finding.objects.exists()
    done = client.post(url, {"report": SimpleUploadedFile("zap.json", JSON_REPORT)})
    assert done.status_code == 302 and done["Location"] == reverse("quality:run", args=[run.pk])
    assert Finding.objects.filter(run=run).count() == 6
    xml = (DATA / "zap-sikesda.xml").read_bytes()
    again = client.post(url, {"report": SimpleUploadedFile("zap.xml", xml)})
    assert again.status_code == 302 and Finding.objects.filter(run=run).count() == 6
    assert client_of(bali["dinkes_staf"]).get(url).status_code == 403
    assert client_of(bali["bkd"]).get(url).status_code == 404
    assert (
        client_of(djki["direktur"])
        .post(url, {"report": SimpleUploadedFile("zap.json", JSON_REPORT)})
        .status_code
        == 404
    )
    assert Finding.objects.filter(run=run).count() == 6


def test_a_keeper_installs_the_checklist_on_the_screen(bali) -> None:
    url = reverse("quality:checklist_install")
    client = client_of(bali["kadis"])
    page = client.get(url)
    assert page.status_code == 200 and "V14.4.3" in page.content.decode()
    sikesda = bali.applications["sikesda"]
    done = client.post(url, {"application": sikesda.pk})
    made = ScenarioSet.objects.get(kind=SetKind.SECURITY)
    assert done.status_code == 302 and done["Location"] == reverse("quality:set", args=[made.pk])
    assert client_of(bali["dinkes_staf"]).get(url).status_code == 403
    assert client.post(url, {"application": 987654}).status_code == 422
    assert ScenarioSet.objects.count() == 1
