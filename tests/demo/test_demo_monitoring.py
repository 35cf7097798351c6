"""``laksana demo``'s monitoring: monitors of both demo agencies, 90 days made by the state
machine from a scripted timeline, incidents with their recovery cases, a certificate notice
and the status pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from laksana.cases.display import timeline as journal_timeline
from laksana.cases.models import CaseStatus, JournalKind
from laksana.demo.monitoring import CERT_LEFT, CREATED_BEFORE, SITE, timeline
from laksana.monitoring import netguard, targets, uptime
from laksana.monitoring.models import (
    Incident,
    MaintenanceWindow,
    Monitor,
    MonitoringSettings,
    State,
    StateChange,
)
from laksana.org.models import Agency
from laksana.outbox.models import Message
from tests.demo.test_demo_command import demo  # noqa: F401 (the module's demo fixture)

pytestmark = pytest.mark.django_db

DAY = 86_400


def ipas() -> Monitor:
    return Monitor.objects.select_related("application").get(name="IPAS (Produksi)")


def script():
    """The script's times, for the present the demo was built at (the IPAS monitors are
    made ``CREATED_BEFORE`` it)."""
    return timeline(ipas().created_at + CREATED_BEFORE)


def test_both_agencies_have_monitors_of_every_kind_with_reachable_local_targets(demo):  # noqa: F811
    monitors = list(Monitor.objects.select_related("agency", "environment"))
    assert {m.agency.slug for m in monitors} == {"djki", "diskominfos-bali", "utn"}
    assert {m.kind for m in monitors} == {"http", "tcp", "tls", "dns"}
    for m in monitors:
        host = targets.parse_target(m.kind, m.target).host
        assert host in {"127.0.0.1", "localhost"}, m
        assert host == "localhost" or netguard.refusal(host) is None, m
    # The production HTTP monitors check the demo site's sign-in page for its name.
    production = [m for m in monitors if m.environment and m.environment.kind == "production"]
    assert {m.application.short_name for m in production} >= {"IPAS", "SIMPEG", "SIKESDA"}
    assert all(m.target == SITE and m.keyword == "Laksana" for m in production if m.kind == "http")
    # One is of a closed port, not counted for its application: down when the worker runs.
    closed = Monitor.objects.get(target="http://127.0.0.1:9/")
    assert closed.active and not closed.counts_for_application and closed.state == State.UNKNOWN
    # Every active monitor is due: the worker's scheduler takes them at once.
    assert not Monitor.objects.filter(active=True, next_due_at__gt=demo.started).exists()


def test_the_incidents_and_their_recovery_cases(demo):  # noqa: F811
    t = script()
    app = ipas().application
    first, second = Incident.objects.filter(application=app).order_by("started_at")
    # Inside the declared maintenance window: no case.
    window = MaintenanceWindow.objects.get(application=app)
    assert (window.starts_at, window.ends_at) == t.window
    assert window.created_by.user.username == "kasie_app"
    assert (first.started_at, first.ended_at) == t.maintenance_down
    assert first.in_maintenance and first.case is None
    # Outside it: exactly one SOP 004 case, opened by the monitoring account for Dit. Merek,
    # with the failed checks as row 1's evidence, worked by the people up to row 7.
    assert (second.started_at, second.ended_at) == t.ipas_down
    assert not second.in_maintenance and second.recovery_noted
    case = second.case
    assert case is not None and not second.case_reused
    assert case.version.procedure_key == "sop-004-pemulihan-gagal-fungsi-ipas"
    assert case.opened_by.user is None and case.opened_by.name == "Pemantauan Laksana"
    assert case.requesting_unit.short_name == "Dit. Merek"
    assert case.status == CaseStatus.RUNNING
    assert case.steps.get(step_key="s1").completed_by.user.username == "merek_staf"
    assert case.steps.get(status="active").step_key == "s7"
    evidence = case.attachments.get(content_type="text/csv")
    assert evidence.artifact_key == "laporan_pengaduan"
    assert [e["error"] for e in second.evidence] == ["timeout", "status", "status"]
    # The recovery is in the journal once, as "pulih otomatis pada ...", with the downtime.
    (recovered,) = case.journal.filter(kind=JournalKind.RECOVERED)
    assert recovered.data["downtime_minutes"] == 47
    assert dt.datetime.fromisoformat(recovered.data["at"]) == t.ipas_down[1]
    with translation.override("id"):
        items = journal_timeline(case.version.spec, list(case.journal.order_by("seq")), {}, {})
        texts = [str(i.text) for i in items if "otomatis" in str(i.text)]
    assert len(texts) == 1 and texts[0].startswith("Pulih otomatis pada ")
    assert case.journal.filter(kind=JournalKind.DOWN_AGAIN).count() == 0
    # Bali's brief SIKESDA outage opened SOP 002 for the Dinas Kesehatan, waiting at row 1.
    (bali,) = Incident.objects.filter(application__short_name="SIKESDA")
    assert (bali.started_at, bali.ended_at) == t.sikesda_down and bali.recovery_noted
    assert bali.case.version.procedure_key == "sop-002-penanganan-masalah-aplikasi"
    assert bali.case.steps.get(status="active").step_key == "s1"
    assert bali.case.journal.filter(kind=JournalKind.RECOVERED).count() == 1
    # Nothing else: three incidents, two cases.
    assert Incident.objects.count() == 4
    assert Incident.objects.exclude(case=None).count() == 2


def test_ipas_uptime_over_90_days_is_exactly_the_scripted_timeline(demo):  # noqa: F811
    t = script()
    start = t.now - dt.timedelta(days=90)
    figures = uptime.application_figures(ipas().application_id, start, t.now)
    # By hand: the monitors are up from before the period's start; the window (4 hours) is
    # left out of the known time; the outage inside it counts for nothing; the other outage
    # lasted 47 minutes.
    window = 4 * 3600
    known = 90 * DAY - window
    down = 47 * 60
    assert (figures.known_seconds, figures.down_seconds, figures.maintenance_seconds) == (
        known,
        down,
        window,
    )
    assert figures.uptime_percent == Decimal((known - down) * 100) / Decimal(known)
    assert figures.downtime_minutes == Decimal(47)
    assert str(figures.uptime_percent)[:7] == "99.9636"
    # The changes are the state machine's: up at the first check, then two outages.
    changes = list(
        StateChange.objects.filter(monitor=ipas()).values_list("at", "old_state", "new_state")
    )
    assert changes == [
        (t.ipas_start, State.UNKNOWN, State.UP),
        (t.maintenance_down[0], State.UP, State.DOWN),
        (t.maintenance_down[1], State.DOWN, State.UP),
        (t.ipas_down[0], State.UP, State.DOWN),
        (t.ipas_down[1], State.DOWN, State.UP),
    ]
    # Bali's monitors were made 59 days ago: the days before are unknown, not "up".
    sikesda = Monitor.objects.get(name="SIKESDA (Produksi)")
    f = uptime.application_figures(sikesda.application_id, start, t.now)
    assert f.known_seconds == (t.now - t.bali_start).total_seconds()
    assert f.down_seconds == 4 * 60


def test_the_certificate_notice_and_the_status_pages(demo):  # noqa: F811
    t = script()
    tls = Monitor.objects.get(kind="tls")
    assert not tls.active  # no TLS server on a developer's machine: paused after its checks
    assert tls.cert_expires_at == t.now + CERT_LEFT == tls.cert_noticed_for
    notices = Message.objects.filter(subject__contains=tls.target)
    assert notices.exists() and notices.values("subject").distinct().count() == 1
    assert all("SIMPEG" in n.body for n in notices)
    djki = MonitoringSettings.objects.get(agency__slug="djki")
    bali = MonitoringSettings.objects.get(agency__slug="diskominfos-bali")
    assert djki.status_public and not bali.status_public
    client = Client()
    page = client.get("/status/djki/")
    assert page.status_code == 200
    assert ipas().application.name in page.content.decode()
    hidden = client.get("/status/diskominfos-bali/")
    assert hidden.status_code in (302, 404)
    assert Agency.objects.filter(slug="djki").exists()


def test_the_results_kept_are_the_last_days_only(demo, settings):  # noqa: F811
    t = script()
    oldest = (
        Monitor.objects.get(name="SIMPEG (Produksi)")
        .results.order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    assert oldest is not None and t.now - oldest <= dt.timedelta(
        days=settings.LAKSANA_MONITOR_RESULT_DAYS
    )
    # A handful of results per monitor in the last 24 hours (the latency charts).
    for m in Monitor.objects.filter(active=True).exclude(target="http://127.0.0.1:9/"):
        recent = m.results.filter(at__gte=t.now - dt.timedelta(hours=24))
        assert recent.count() == 12 and all(r.ok and r.latency_ms is not None for r in recent), m
