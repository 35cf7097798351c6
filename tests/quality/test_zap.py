"""Import of OWASP ZAP reports (issue 18, item 4): both formats to the same findings, a new
scan updating them, only into an open run the person may test, all or nothing, and files
that are not reports (an XML bomb among them) refused without reading them."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from django.utils import timezone, translation

from laksana.cases import services
from laksana.cases.models import JournalEntry, JournalKind
from laksana.demo.orgs import SOP_002, DemoOrg
from laksana.errors import NotAllowed, ServiceError
from laksana.quality import security, zap
from laksana.quality.models import (
    Finding,
    FindingSource,
    RunKind,
    RunStatus,
    Severity,
)
from laksana.quality.models import (
    TestRun as Run,
)

from ..cases.helpers import active, work

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
JSON_REPORT = (DATA / "zap-sikesda.json").read_bytes()
XML_REPORT = (DATA / "zap-sikesda.xml").read_bytes()
# The scan's alerts by rule: the severity ZAP's risk code gives, the CWE, the places.
EXPECTED = {
    "40012": (Severity.HIGH, "CWE-79", 1),
    "10202": (Severity.MEDIUM, "CWE-352", 2),
    "10038-1": (Severity.MEDIUM, "CWE-693", 3),  # on two sites: one finding
    "10010": (Severity.LOW, "CWE-1004", 1),
    "10036": (Severity.LOW, "CWE-200", 2),
    "10027": (Severity.INFO, "CWE-200", 1),
}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OWASPZAPReport><site><alerts><alertitem><pluginid>1</pluginid><riskcode>3</riskcode>
<name>&lol9;</name></alertitem></alerts></site></OWASPZAPReport>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<OWASPZAPReport><site><alerts><alertitem><pluginid>1</pluginid><riskcode>3</riskcode>
<name>&x;</name></alertitem></alerts></site></OWASPZAPReport>
"""


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def open_run(bali: DemoOrg, *, at: dt.datetime | None = None, version: str = "2.1") -> Run:
    """An open security run of SIKESDA on a Bali SOP 002 case at step 3, whose holder (the
    Kepala Dinas) may test it; the checklist is its scenario set."""
    requester, kadis = bali["dinkes_staf"], bali["kadis"]
    sikesda = bali.applications["sikesda"]
    case = services.open_case(
        requester, bali.versions[SOP_002], "Uji keamanan SIKESDA", application=sikesda
    )
    case = work(requester, work(requester, case))
    step = active(case)
    assert step.step_key == "s3"
    checklist = security.install_checklist(kadis, sikesda.pk)
    return Run.objects.create(
        agency=bali.agency,
        case=case,
        step=step,
        artifact_key="uji_keamanan",
        kind=RunKind.SECURITY,
        application=sikesda,
        app_version=version,
        url="https://sikesda.baliprov.go.id",
        scenario_set=checklist,
        set_revision=checklist.revision,
        number=Run.objects.filter(case=case).count() + 1,
        opened_by=kadis,
        opened_at=at or timezone.now(),
    )


@pytest.fixture
def run(bali) -> Run:
    return open_run(bali)


def journal_findings(run: Run) -> int:
    return JournalEntry.objects.filter(case=run.case, kind=JournalKind.FINDING_RECORDED).count()


def refused(person, run_id: int, data: bytes) -> ServiceError:
    known = Run.objects.filter(pk=run_id).first()
    before = journal_findings(known) if known else 0
    with pytest.raises(ServiceError) as caught:
        zap.import_report(person, run_id, data)
    assert not Finding.objects.exists(), "a refused import writes nothing"
    if known:
        assert journal_findings(known) == before
    return caught.value


# --- attacks first -----------------------------------------------------------------------


def test_another_agencys_run_is_not_found(run, djki) -> None:
    error = refused(djki["direktur"], run.pk, JSON_REPORT)
    assert error.code == "not_found"
    assert refused(djki["ipasdev"], run.pk, XML_REPORT).code == "not_found"


def test_a_made_up_run_is_not_found(run, bali) -> None:
    assert refused(bali["kadis"], 987654, JSON_REPORT).code == "not_found"


def test_someone_who_may_not_test_the_run_is_refused(run, bali) -> None:
    # The requester sees the case but does not work its step 3.
    assert isinstance(refused(bali["dinkes_staf"], run.pk, JSON_REPORT), NotAllowed)
    # Another unit's staff do not even see the case.
    assert refused(bali["bkd"], run.pk, JSON_REPORT).code == "not_found"


def test_a_closed_run_takes_no_report(run, bali) -> None:
    Run.objects.filter(pk=run.pk).update(status=RunStatus.CLOSED, closed_at=timezone.now())
    assert refused(bali["kadis"], run.pk, JSON_REPORT).code == "run_closed"
    Run.objects.filter(pk=run.pk).update(status=RunStatus.SIGNED)
    assert refused(bali["kadis"], run.pk, XML_REPORT).code == "run_closed"


def test_an_xml_bomb_is_refused_without_expanding_it(run, bali) -> None:
    started = time.perf_counter()
    error = refused(bali["kadis"], run.pk, BILLION_LAUGHS)
    assert error.code == "bad_report" and error.field == "file"
    assert "entities" in error.message
    assert time.perf_counter() - started < 5


def test_an_external_entity_is_refused(run, bali) -> None:
    error = refused(bali["kadis"], run.pk, EXTERNAL_ENTITY)
    assert error.code == "bad_report"
    assert "root:" not in error.message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"nama,hasil\nuji,lulus\n",
        b'{"foo": 1}',
        b"[1, 2, 3]",
        b'{"site": "x"}',
        b'{"site": [{"alerts": [1, 2]}]}',
        b"{not json",
        b"<html><body>Not a report</body></html>",
        b"<OWASPZAPReport><site><alerts>",
        b'{"site": [{"alerts": [{"pluginid": "1", "riskcode": "3", "instances": "x"}]}]}',
        b'{"site": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",  # nested past the parser's depth
    ],
)
def test_a_file_that_is_not_a_zap_report_is_refused(run, bali, data: bytes) -> None:
    error = refused(bali["kadis"], run.pk, data)
    assert error.code == "bad_report" and error.field == "file"
    assert "not an OWASP ZAP report" in error.message


def test_a_report_too_big_is_refused(run, bali, monkeypatch) -> None:
    monkeypatch.setattr(zap, "MAX_BYTES", len(JSON_REPORT) - 1)
    error = refused(bali["kadis"], run.pk, JSON_REPORT)
    assert error.code == "too_big" and error.field == "file"


def test_one_bad_alert_and_nothing_is_imported(run, bali) -> None:
    report = json.loads(JSON_REPORT)
    report["site"][0]["alerts"][2]["riskcode"] = "7"
    error = refused(bali["kadis"], run.pk, json.dumps(report).encode())
    assert error.code == "bad_report" and error.items == ("Alert 3: 10038-1",)
    del report["site"][0]["alerts"][4]["pluginid"]
    report["site"][0]["alerts"][4]["alertRef"] = ""
    report["site"][0]["alerts"][2]["riskcode"] = "2"
    error = refused(bali["kadis"], run.pk, json.dumps(report).encode())
    assert error.items == ("Alert 5",)


# --- what an import makes --------------------------------------------------------------------


def findings_of(run: Run) -> dict[str, tuple]:
    return {
        f.rule: (f.severity, f.cwe, f.title, f.description, f.location, f.source)
        for f in Finding.objects.filter(run=run)
    }


def test_a_json_report_makes_a_finding_per_alert(run, bali) -> None:
    result = zap.import_report(bali["kadis"], run.pk, JSON_REPORT)
    assert result.format == "json" and result.run_id == run.pk
    assert len(result.created) == 6 and not result.updated
    made = {f.rule: f for f in Finding.objects.filter(run=run)}
    assert {
        rule: (f.severity, f.cwe, len(f.location.splitlines())) for rule, f in made.items()
    } == (EXPECTED)
    xss = made["40012"]
    assert xss.title == "Cross Site Scripting (Reflected)"
    assert xss.source == FindingSource.ZAP and xss.created_by == bali["kadis"]
    assert sorted(f.number for f in made.values()) == [1, 2, 3, 4, 5, 6]
    assert "<p>" not in xss.description and "attack technique" in xss.description
    assert "Solution:\nPhase: Architecture and Design" in xss.description
    assert "References:\nhttps://owasp.org/www-community/attacks/xss/" in xss.description
    assert xss.location.startswith("GET https://sikesda.baliprov.go.id/pasien/cari?q=")
    assert xss.location.endswith(" (q)")
    csp = made["10038-1"]
    assert "GET https://api.sikesda.baliprov.go.id/v1/status" in csp.location.splitlines()
    # Written as findings.add_finding writes them: a journal entry each.
    assert journal_findings(run) == 6


def test_both_formats_make_the_same_findings(bali) -> None:
    from_json = open_run(bali)
    from_xml = open_run(bali)
    zap.import_report(bali["kadis"], from_json.pk, JSON_REPORT)
    result = zap.import_report(bali["kadis"], from_xml.pk, XML_REPORT)
    assert result.format == "xml" and len(result.created) == 6
    assert findings_of(from_json) == findings_of(from_xml)
    assert len(findings_of(from_xml)) == 6


def test_importing_again_updates_the_same_findings(run, bali) -> None:
    first = zap.import_report(bali["kadis"], run.pk, JSON_REPORT)
    numbers = {f.rule: (f.pk, f.number) for f in first.created}
    # The other format of the same scan: nothing new.
    again = zap.import_report(bali["kadis"], run.pk, XML_REPORT)
    assert not again.created and len(again.updated) == 6
    assert Finding.objects.filter(run=run).count() == 6
    # A new scan: the XSS is now only Medium, the comment alert gone, a new alert found.
    report = json.loads(JSON_REPORT)
    alerts = report["site"][0]["alerts"]
    alerts[0]["riskcode"] = "2"
    alerts[0]["instances"].append({"uri": "https://sikesda.baliprov.go.id/laporan?cari=x"})
    alerts.pop()  # 10027
    alerts.append(
        {
            **alerts[3],
            "pluginid": "10011",
            "alertRef": "10011",
            "name": "Cookie Without Secure Flag",
            "cweid": "614",
        }
    )
    later = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
    result = zap.import_report(bali["kadis"], run.pk, json.dumps(report).encode(), at=later)
    assert [f.rule for f in result.created] == ["10011"]
    assert len(result.updated) == 5
    made = {f.rule: f for f in Finding.objects.filter(run=run)}
    assert len(made) == 7
    assert {rule: (f.pk, f.number) for rule, f in made.items() if rule in numbers} == numbers
    xss = made["40012"]
    assert xss.severity == Severity.MEDIUM and len(xss.location.splitlines()) == 2
    assert made["10011"].number == 7 and made["10011"].cwe == "CWE-614"
    assert made["10027"].severity == Severity.INFO  # left as it was


def test_a_finding_written_by_a_tester_is_not_overwritten(run, bali) -> None:
    from laksana.quality import findings

    mine = findings.add_finding(
        bali["kadis"], run.pk, severity=Severity.HIGH, title="Sandi admin bawaan masih aktif"
    )
    zap.import_report(bali["kadis"], run.pk, JSON_REPORT)
    mine.refresh_from_db()
    assert mine.source == FindingSource.TESTER and mine.rule == "" and mine.number == 1
    assert Finding.objects.filter(run=run).count() == 7


def test_locations_are_bounded(run, bali) -> None:
    report = json.loads(JSON_REPORT)
    report["site"][0]["alerts"][0]["instances"] = [
        {"uri": f"https://sikesda.baliprov.go.id/p/{n}", "method": "GET"} for n in range(60)
    ]
    zap.import_report(bali["kadis"], run.pk, json.dumps(report).encode())
    lines = Finding.objects.get(run=run, rule="40012").location.splitlines()
    assert len(lines) == zap.MAX_LOCATIONS + 1
    assert lines[-1] == "... and 40 more"


def test_an_older_report_with_the_place_on_the_alert(run, bali) -> None:
    older = b"""<?xml version="1.0"?>
<OWASPZAPReport version="2.7.0" generated="Mon, 7 Dec 2026 02:10:33">
<site name="https://sikesda.baliprov.go.id" host="sikesda.baliprov.go.id" port="443" ssl="true">
<alerts><alertitem><pluginid>10016</pluginid><alert>Web Browser XSS Protection Not Enabled</alert>
<riskcode>1</riskcode><confidence>2</confidence><riskdesc>Low (Medium)</riskdesc>
<desc>&lt;p&gt;Web Browser XSS Protection is not enabled.&lt;/p&gt;</desc>
<uri>https://sikesda.baliprov.go.id/</uri><param>X-XSS-Protection</param>
<solution>&lt;p&gt;Set the header.&lt;/p&gt;</solution><cweid>933</cweid><wascid>14</wascid>
</alertitem></alerts></site></OWASPZAPReport>"""
    (made,) = zap.import_report(bali["kadis"], run.pk, older).created
    assert made.rule == "10016" and made.severity == Severity.LOW and made.cwe == "CWE-933"
    assert made.title == "Web Browser XSS Protection Not Enabled"
    assert made.location == "https://sikesda.baliprov.go.id/ (X-XSS-Protection)"


def test_severity_of_each_risk_code() -> None:
    assert zap.SEVERITY_OF_RISK == {
        3: Severity.HIGH,
        2: Severity.MEDIUM,
        1: Severity.LOW,
        0: Severity.INFO,
    }
