"""The demo's monitoring: monitors of the demo applications of DJKI and Diskominfos Bali,
their last 90 days, and the recovery cases their incidents opened.

The monitors are made through :func:`laksana.monitoring.services.add_monitor` as the
operator; their targets are on the developer's machine that runs ``make demo`` (the demo
site itself, its port, the name ``localhost``, and a closed port that is really down), so
the task worker's live checks go on from where the history ends.

The history is made by the real state machine: scripted check outcomes with past times fed
through :func:`laksana.monitoring.state.record`. Only state changes count for uptime, so
only the checks around each change are fed (``fail_after`` failures, ``recover_after``
successes) and a handful of ordinary results of the last 24 hours for the latency charts;
the results older than ``LAKSANA_MONITOR_RESULT_DAYS`` are then pruned as the running
system prunes them. The incidents, their cases and the uptime figures are what the code
makes of that script (:func:`timeline` is the script's times, for the tests).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from laksana.cases.models import Attachment
from laksana.catalog import services as catalog_services
from laksana.catalog.inputs import EnvironmentInput
from laksana.catalog.models import Environment
from laksana.demo.cases import DemoError, Story, WorkingClock
from laksana.demo.orgs import SOP_002, SOP_004, DemoOrg
from laksana.monitoring import incidents, services, state
from laksana.monitoring.models import Incident, Monitor
from laksana.monitoring.probes import Error, Outcome

SITE = "http://127.0.0.1:8000/akun/masuk/"
"""The demo site's sign-in page (``make demo`` serves on ``ADDRESS``, 127.0.0.1:8000)."""
CLOSED = "http://127.0.0.1:9/"
"""A port nothing listens on: the monitor of it is really down when the worker runs."""
KEYWORD = "Laksana"

MINUTE = dt.timedelta(minutes=1)
CREATED_BEFORE = dt.timedelta(days=90, hours=1)
"""DJKI's monitors are made this long before the demo's present (a whole 90 days known)."""
BALI_CREATED_BEFORE = dt.timedelta(days=59)
"""Bali's monitors are made after its catalogue (two months ago): 59 days known."""
IPAS_OUTAGE = dt.timedelta(minutes=47)
MAINTENANCE_OUTAGE = dt.timedelta(minutes=71)
SIKESDA_OUTAGE = dt.timedelta(minutes=4)
CERT_LEFT = dt.timedelta(days=12, hours=5)
"""SIMPEG's certificate expires this long after the present: one notice (within 30 days)."""


@dataclass(frozen=True)
class Timeline:
    """The script's times (UTC) for a demo built at ``now``."""

    now: dt.datetime
    ipas_start: dt.datetime  # the first check of DJKI's monitors
    ipas_down: tuple[dt.datetime, dt.datetime]  # the IPAS outage (first failure, first success)
    window: tuple[dt.datetime, dt.datetime]  # the declared maintenance window of IPAS
    window_declared: dt.datetime
    maintenance_down: tuple[dt.datetime, dt.datetime]  # the IPAS outage inside the window
    bali_start: dt.datetime
    sikesda_down: tuple[dt.datetime, dt.datetime]


def _weekday_back(day: dt.date, weekday: int | None = None) -> dt.date:
    """``day`` or the nearest day before it that is a working day (or the given weekday)."""
    while (day.weekday() >= 5) if weekday is None else (day.weekday() != weekday):
        day -= dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tz).astimezone(dt.UTC)


def timeline(now: dt.datetime) -> Timeline:
    """The times of the script for a demo built at ``now``: the IPAS outage on a working
    day about a week ago at 10:05 (WIB), a maintenance window on a Saturday night about five
    weeks ago with an outage inside it, a brief outage of SIKESDA (WITA) 12 days ago."""
    jakarta, makassar = zoneinfo.ZoneInfo("Asia/Jakarta"), zoneinfo.ZoneInfo("Asia/Makassar")
    now = now.astimezone(dt.UTC).replace(microsecond=0)
    local = now.astimezone(jakarta).date()
    outage = _at(_weekday_back(local - dt.timedelta(days=6)), 10, 5, jakarta)
    saturday = _weekday_back(local - dt.timedelta(days=35), weekday=5)
    window = (_at(saturday, 22, 0, jakarta), _at(saturday, 22, 0, jakarta) + dt.timedelta(hours=4))
    maintenance = window[0] + dt.timedelta(minutes=20)
    bali_day = _weekday_back(now.astimezone(makassar).date() - dt.timedelta(days=12))
    sikesda = _at(bali_day, 13, 20, makassar)
    return Timeline(
        now=now,
        ipas_start=now - CREATED_BEFORE + 5 * MINUTE,
        ipas_down=(outage, outage + IPAS_OUTAGE),
        window=window,
        window_declared=window[0] - dt.timedelta(days=3, hours=8),
        maintenance_down=(maintenance, maintenance + MAINTENANCE_OUTAGE),
        bali_start=now - BALI_CREATED_BEFORE + 5 * MINUTE,
        sikesda_down=(sikesda, sikesda + SIKESDA_OUTAGE),
    )


# --- outcomes ----------------------------------------------------------------------------------


def up(m: Monitor, at: dt.datetime, ms: int, *, cert: dt.datetime | None = None) -> Outcome:
    status = 200 if m.kind == "http" else None
    return Outcome(m.pk, at, True, ms, status, "", "", cert)


def down(m: Monitor, at: dt.datetime, error: Error, detail: str, status: int | None) -> Outcome:
    latency = None if error == Error.TIMEOUT else 40
    return Outcome(m.pk, at, False, latency, status, error.value, detail, None)


def _latency(m: Monitor, k: int) -> int:
    """A plausible answer time of check ``k`` (a little slower in office hours)."""
    base = {"http": 60, "tcp": 1, "tls": 12, "dns": 1}[m.kind]
    return base + (m.pk * 7 + k * 13) % (base + 3) + (25 if m.kind == "http" and k % 4 == 1 else 0)


def _start(monitors: list[Monitor], at: dt.datetime, **extra: dt.datetime) -> list[Outcome]:
    """Each monitor's first ``recover_after`` checks, successful (unknown → up)."""
    return [
        up(m, at + i * MINUTE, _latency(m, i), cert=extra.get("cert"))
        for m in monitors
        for i in range(m.recover_after)
    ]


def _outage(
    m: Monitor, span: tuple[dt.datetime, dt.datetime], fails: list[tuple[Error, str, int | None]]
) -> tuple[list[Outcome], list[Outcome]]:
    """The failures that open an outage (one a minute from its start) and the successes that
    end it (from its end); the outage lasts exactly ``span``."""
    start, end = span
    failed = [
        down(m, start + i * MINUTE, *fails[min(i, len(fails) - 1)]) for i in range(m.fail_after)
    ]
    back = [up(m, end + i * MINUTE, _latency(m, i)) for i in range(m.recover_after)]
    return failed, back


def _recent(
    monitors: list[Monitor], now: dt.datetime, *, cert: Mapping[int, dt.datetime] | None = None
) -> list[Outcome]:
    """Twelve ordinary checks of each monitor over the last 24 hours (the latency charts)."""
    cert = cert or {}
    first = now - dt.timedelta(hours=23, minutes=50)
    return [
        up(
            m,
            first + k * dt.timedelta(hours=2) + m.pk % 60 * dt.timedelta(seconds=1),
            _latency(m, k),
            cert=cert.get(m.pk),
        )
        for m in monitors
        for k in range(12)
    ]


# --- building ----------------------------------------------------------------------------------


@dataclass
class DemoMonitoring:
    """What :func:`build_monitoring` wrote."""

    monitors: dict[str, Monitor]
    incidents: list[Incident]
    timeline: Timeline


def _environment(org: DemoOrg, app: str, kind: str) -> Environment:
    return Environment.objects.get(application=org.applications[app], kind=kind)


def _monitor(
    key: str, org: DemoOrg, app: str, at: dt.datetime, **fields: object
) -> tuple[str, Monitor]:
    data = services.MonitorInput(**fields)  # type: ignore[arg-type]
    return key, services.add_monitor(None, org.applications[app].pk, data, now=at)


def build_monitoring(
    orgs: Mapping[str, DemoOrg], now: dt.datetime, written: list[str]
) -> DemoMonitoring:
    """Write the demo's monitors, their 90 days and the cases their incidents opened; call it
    after the demo cases (the recovery cases are worked by the same people)."""
    bali, djki = orgs["bali"], orgs["djki"]
    t = timeline(now)
    ipas = djki.applications["ipas"]
    # DJKI: a public status page; its incidents open SOP 004 for the Direktorat Merek (the
    # users of IPAS), who confirm the report at row 1. Bali: an internal status page; its
    # incidents open SOP 002 (the procedure it runs) for the application's owner unit.
    services.update_settings(
        None,
        djki.agency.pk,
        procedure_key=SOP_004,
        reporting_unit_id=djki.units["merek"].pk,
        status_public=True,
        cert_notice_days=30,
    )
    services.update_settings(
        None,
        bali.agency.pk,
        procedure_key=SOP_002,
        reporting_unit_id=None,
        status_public=False,
        cert_notice_days=30,
    )
    made = t.ipas_start - 5 * MINUTE
    production = catalog_services.set_environment(
        None,
        ipas.pk,
        "production",
        EnvironmentInput(
            server="app-ipas-01 (Pusat Data DJKI)",
            domain="ipas.dgip.go.id",
            database="Oracle 19c",
            hosting="Pusat Data DJKI",
        ),
        now=made - MINUTE,
    )
    bali_made = t.bali_start - 5 * MINUTE
    m = dict(
        [
            _monitor(
                "ipas",
                djki,
                "ipas",
                made,
                name="IPAS (Produksi)",
                target=SITE,
                environment_id=production.pk,
                keyword=KEYWORD,
            ),
            _monitor(
                "ipas_tcp",
                djki,
                "ipas",
                made,
                name="IPAS (port aplikasi)",
                kind="tcp",
                target="127.0.0.1:8000",
                environment_id=production.pk,
            ),
            _monitor(
                "ipas_dns",
                djki,
                "ipas",
                made,
                name="IPAS (DNS)",
                kind="dns",
                target="localhost",
                interval_seconds=300,
                counts_for_application=False,
            ),
            _monitor(
                "simpeg",
                bali,
                "simpeg",
                bali_made,
                name="SIMPEG (Produksi)",
                target=SITE,
                environment_id=_environment(bali, "simpeg", "production").pk,
                keyword=KEYWORD,
            ),
            _monitor(
                "simpeg_tls",
                bali,
                "simpeg",
                bali_made,
                name="SIMPEG (sertifikat TLS)",
                kind="tls",
                target="localhost:8443",
                interval_seconds=3600,
                counts_for_application=False,
            ),
            _monitor(
                "sikesda",
                bali,
                "sikesda",
                bali_made,
                name="SIKESDA (Produksi)",
                target=SITE,
                keyword=KEYWORD,
                environment_id=_environment(bali, "sikesda", "production").pk,
            ),
            _monitor(
                "sikesda_staging",
                bali,
                "sikesda",
                bali_made,
                name="SIKESDA (Staging)",
                target=CLOSED,
                timeout_seconds=5,
                counts_for_application=False,
                environment_id=_environment(bali, "sikesda", "staging").pk,
            ),
        ]
    )
    cert = t.now + CERT_LEFT
    djki_live = [m["ipas"], m["ipas_tcp"], m["ipas_dns"]]
    bali_live = [m["simpeg"], m["sikesda"]]
    state.record(_start(djki_live, t.ipas_start), now=t.ipas_start + 2 * MINUTE)
    state.record(_start(bali_live, t.bali_start), now=t.bali_start + 2 * MINUTE)
    state.record(_start([m["simpeg_tls"]], t.bali_start, cert=cert), now=t.bali_start + 2 * MINUTE)

    # IPAS, five weeks ago: a maintenance window declared by the Kasie Aplikasi, and the
    # application down inside it (no case).
    services.add_window(
        djki["kasie_app"],
        ipas.pk,
        t.window[0],
        t.window[1],
        "Pembaruan versi basis data IPAS dan penggantian server aplikasi",
        now=t.window_declared,
    )
    failed, back = _outage(m["ipas"], t.maintenance_down, [(Error.STATUS, "503", 503)])
    state.record(failed, now=failed[-1].at)
    state.record(back, now=back[-1].at)

    # SIKESDA, twelve days ago: four minutes of HTTP 502 (an SOP 002 case for Dinkes,
    # recovered by itself; it waits at row 1 for the Dinkes staff).
    failed, back = _outage(m["sikesda"], t.sikesda_down, [(Error.STATUS, "502", 502)])
    state.record(failed, now=failed[-1].at)
    state.record(back, now=back[-1].at)

    # IPAS, a week ago: 47 minutes without an answer, then 503; SOP 004 opened by the
    # monitoring account; its people work it while it recovers by itself.
    failed, back = _outage(
        m["ipas"], t.ipas_down, [(Error.TIMEOUT, "10", None), (Error.STATUS, "503", 503)]
    )
    state.record(failed, now=failed[-1].at)
    outage = Incident.objects.get(application=ipas, ended_at__isnull=True)
    if outage.case is None:
        raise DemoError("the IPAS outage opened no case")
    s = Story(djki, djki.versions[SOP_004], now, days_ago=0, written=written)
    s.case = outage.case
    s.clock = WorkingClock(failed[-1].at, zoneinfo.ZoneInfo(djki.agency.time_zone))
    s._remember_files()
    s.step("merek_staf", hours=0.25, note="Dikonfirmasi: IPAS tidak dapat dibuka dari Dit. Merek.")
    s.step("kasubag_tu", hours=0.2)
    state.record(back, now=back[-1].at)
    s.clock = WorkingClock(back[-1].at, s.clock.tz)
    s.dispose("direktur", "kasubdit", "Proses lebih lanjut", hours=0.2)
    s.step("direktur", hours=0.1)
    s.step("kasubag_tu", hours=0.25)
    s.step("kasubdit", hours=0.5)
    s.step("kasie_app", hours=0.25)
    s.remark(
        "jfu",
        "IPAS sudah pulih sendiri pukul 10.52; log server menunjukkan pool koneksi basis data "
        "penuh. Analisa dilanjutkan sebelum pengaduan ditutup.",
        hours=1,
    )

    # The last 24 hours: ordinary checks; SIMPEG's certificate is announced (one e-mail).
    state.record(_recent([*djki_live, *bali_live], t.now), now=t.now - 10 * MINUTE)
    state.record(
        _recent([m["simpeg_tls"]], t.now, cert={m["simpeg_tls"].pk: cert}), now=t.now - 10 * MINUTE
    )
    # No TLS server runs on a developer's machine: the certificate monitor is paused after
    # its last check (its history and notice stay).
    tls = services.MonitorInput.of(Monitor.objects.get(pk=m["simpeg_tls"].pk))
    tls.active = False
    services.change_monitor(None, m["simpeg_tls"].pk, tls, now=t.now - 5 * MINUTE)
    state.prune_results(now=t.now)
    incidents.open_pending_cases(now=t.now)
    found = list(Incident.objects.filter(agency__in=[bali.agency, djki.agency]))
    # The evidence files the monitoring account attached (removed again if the demo fails).
    cases = [i.case_id for i in found if i.case_id is not None]
    for name in Attachment.objects.filter(case_id__in=cases).values_list("file", flat=True):
        if name and name not in written:
            written.append(name)
    return DemoMonitoring(
        monitors={k: Monitor.objects.get(pk=v.pk) for k, v in m.items()},
        incidents=found,
        timeline=t,
    )
