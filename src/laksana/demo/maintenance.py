"""The demo's maintenance (SOP 000) at the Universitas Teknologi Nusantara: two plans with
their history, run through the real services with past ``now=`` times.

* a **vendor plan** of the e-Learning under its maintenance contract with PT Mitra Solusi
  Informatika (added to the catalogue here: twelve months from the first day of the month
  ten months before the present), monthly cycles;
* an **internal plan** of the Fakultas Teknik's website for a budget year (the year of the
  day 120 days before the present, so some quarters are always over), quarterly cycles.

Each plan is drafted by the Kepala Seksi Operasional, submitted (its rencana pemeliharaan
drafted on row 1 of the plan's SOP 000 case) and signed in turn: in force, its dates
generated. Rows 1 and 2 complete with the plan; then every cycle whose evaluation day has
passed runs: row 3 (the branch read from the plan), the activities recorded by the vendor's
staff or the internal team on their due days (a few late, one not done), row 4 or 5, the
evaluation of row 6 (:func:`laksana.maintenance.cycles.evaluate_cycle`) and row 7 (read from
the evaluation). The cycle holding the present runs up to its activities already due.

The e-Learning's availability comes from a monitor of it (the demo site, like the other
demo monitors) fed through :func:`laksana.monitoring.state.record` from a year ago, with one
outage of :data:`OUTAGE` in cycle :data:`OUTAGE_BACK` months before the present's month: the
vendor misses its availability criterion in that month.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from laksana.catalog import services as catalog_services
from laksana.catalog.inputs import ContractInput, EnvironmentInput
from laksana.catalog.models import SupportKind
from laksana.demo import documents as demo_documents
from laksana.demo.cases import DAY, DemoError, Story, WorkingClock
from laksana.demo.files import pdf_bytes
from laksana.demo.monitoring import KEYWORD, MINUTE, SITE, _outage, _recent, _start
from laksana.demo.orgs import SOP_000, DemoOrg
from laksana.maintenance import activities, cycles, plans, schedule
from laksana.maintenance.models import (
    Cycle,
    Executor,
    Occurrence,
    OccurrenceFile,
    Plan,
)
from laksana.maintenance.plan_inputs import ActivityInput, CriterionInput, PlanInput
from laksana.monitoring import services as monitoring_services
from laksana.monitoring import state
from laksana.monitoring.models import Monitor
from laksana.monitoring.probes import Error

OUTAGE = dt.timedelta(hours=4, minutes=20)
"""The e-Learning's outage: more than the 0.5 % of a month (about 3 h 40 min) allowed."""
OUTAGE_BACK = 4
"""The outage falls in the month this many months before the present's month."""
HISTORY_MONTHS = 10
"""The vendor plan starts this many months before the present's month."""
VENDOR_TITLE = "Pemeliharaan e-Learning UTN oleh PT Mitra Solusi Informatika"
INTERNAL_TITLE = "Pemeliharaan Portal Website Fakultas Teknik tahun anggaran {year}"

# (plan key, cycle number, activity order) -> working days late, for the activity's first date
# in the cycle. One late activity of the four or five due that month keeps the vendor's
# share at 75 % (met); the internal team's lates fall in quarters of seven or more.
LATE: dict[tuple[str, int, int], int] = {
    ("vendor", 6, 3): 3,
    ("internal", 2, 1): 4,
    ("internal", 3, 0): 2,
}
NOT_DONE = ("internal", 1, 0)
"""The one activity not done (its first date in the cycle; the reason is in :meth:`_Run.work`)."""


@dataclass
class DemoMaintenance:
    """What :func:`build_maintenance` wrote."""

    plans: dict[str, Plan]
    monitor: Monitor
    outage: tuple[dt.datetime, dt.datetime]


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _at(day: dt.date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tz)


def _working(day: dt.date, forward: int = 0) -> dt.date:
    """``day`` (or the next weekday), then ``forward`` weekdays on."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    for _ in range(forward):
        day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return day


def periods(now: dt.datetime, tz: zoneinfo.ZoneInfo) -> dict[str, tuple[dt.date, dt.date]]:
    """The two plans' periods for a demo built at ``now``."""
    today = now.astimezone(tz).date()
    start = add_months(today, -HISTORY_MONTHS)
    year = (today - dt.timedelta(days=120)).year
    return {
        "vendor": (start, add_months(start, 12) - dt.timedelta(days=1)),
        "internal": (dt.date(year, 1, 1), dt.date(year, 12, 31)),
    }


def _vendor_activities(start: dt.date) -> list[ActivityInput]:
    # A contract starting inside a quarter has its own first restore test (the quarterly
    # ones fall on the quarters' first months).
    first_test = (
        []
        if start.month % 3 == 1
        else [
            ActivityInput(
                "backup_restore_test",
                "Uji pemulihan cadangan awal kontrak",
                "vendor",
                "dates",
                dates=[start + dt.timedelta(days=9)],
                documentation="Berita acara uji pemulihan",
            )
        ]
    )
    return [
        ActivityInput(
            "preventive",
            "Pemeriksaan kesehatan server, basis data dan log e-Learning",
            "vendor",
            "monthly",
            working_day=3,
            documentation="Laporan pemeriksaan bulanan",
            budget=Decimal("36000000"),
        ),
        ActivityInput(
            "security_update",
            "Pembaruan keamanan Moodle dan plugin",
            "vendor",
            "monthly",
            working_day=8,
            documentation="Catatan rilis dan hasil uji regresi",
            budget=Decimal("60000000"),
        ),
        ActivityInput(
            "backup_restore_test",
            "Uji pemulihan cadangan basis data e-Learning",
            "vendor",
            "quarterly",
            working_day=12,
            documentation="Berita acara uji pemulihan",
            budget=Decimal("24000000"),
        ),
        ActivityInput(
            "perfective",
            "Peningkatan kinerja modul kuis untuk ujian serentak",
            "vendor",
            "dates",
            dates=[add_months(start, 5).replace(day=14)],
            documentation="Hasil uji beban 2.000 pengguna serentak",
            budget=Decimal("30000000"),
        ),
        ActivityInput(
            "preventive",
            "Pemantauan kapasitas penyimpanan berkas mata kuliah",
            "internal",
            "monthly",
            working_day=15,
            documentation="Catatan kapasitas penyimpanan",
        ),
        *first_test,
    ]


VENDOR_CRITERIA = [
    CriterionInput(
        "availability", "Ketersediaan e-Learning minimal 99,5% per bulan", Decimal("99.5")
    ),
    CriterionInput(
        "activities_on_time", "Kegiatan terjadwal selesai tepat waktu minimal 75%", Decimal("75")
    ),
    CriterionInput("restore_test", "Uji pemulihan cadangan setiap triwulan", period="quarter"),
    CriterionInput("judged", "Laporan bulanan vendor diterima lengkap"),
]


def _internal_activities(year: int) -> list[ActivityInput]:
    return [
        ActivityInput(
            "preventive",
            "Pemeriksaan tautan, formulir dan konten kedaluwarsa",
            "internal",
            "monthly",
            working_day=4,
            documentation="Daftar periksa konten",
            budget=Decimal("6000000"),
        ),
        ActivityInput(
            "security_update",
            "Pembaruan WordPress, tema dan plugin",
            "internal",
            "monthly",
            working_day=9,
            documentation="Catatan pembaruan",
            budget=Decimal("9000000"),
        ),
        ActivityInput(
            "backup_restore_test",
            "Uji pemulihan cadangan situs",
            "internal",
            "quarterly",
            working_day=11,
            documentation="Berita acara uji pemulihan",
            budget=Decimal("4000000"),
        ),
        ActivityInput(
            "adaptive",
            "Penyesuaian laman penerimaan mahasiswa baru",
            "internal",
            "dates",
            dates=[dt.date(year, 6, 15)],
            documentation="Tangkapan layar laman yang diperbarui",
            budget=Decimal("12000000"),
        ),
    ]


INTERNAL_CRITERIA = [
    CriterionInput(
        "activities_on_time",
        "Kegiatan terjadwal selesai tepat waktu minimal 80% per triwulan",
        Decimal("80"),
        period="cycle",
    ),
    CriterionInput("restore_test", "Uji pemulihan cadangan dalam triwulan", period="cycle"),
    CriterionInput(
        "judged", "Konten program studi mutakhir (diperiksa Fakultas Teknik)", period="cycle"
    ),
]

REPORTS = {
    "preventive": "Pemeriksaan selesai; tidak ada temuan kritis, log dibersihkan.",
    "security_update": "Pembaruan keamanan dipasang di staging, diuji, lalu di produksi.",
    "backup_restore_test": "Cadangan terakhir dipulihkan ke server uji dan diperiksa utuh.",
    "perfective": "Kueri modul kuis dioptimasi; uji beban 2.000 pengguna lulus.",
    "adaptive": "Laman PMB disesuaikan dengan jadwal dan jalur masuk tahun ini.",
}


def _executor(plan_key: str, occurrence: Occurrence, k: int) -> str:
    if occurrence.activity.executor == Executor.VENDOR:
        return ("utn_vendor1", "utn_vendor2")[k % 2]
    if plan_key == "vendor":
        return "utn_ops1"
    if occurrence.activity.kind == "backup_restore_test":
        return "utn_ops1"
    return ("utn_ops2", "utn_dev1")[k % 2]


class _Run:
    """One plan's story: its case driven by a :class:`Story` whose clock jumps to each day."""

    def __init__(
        self, key: str, org: DemoOrg, plan: Plan, now: dt.datetime, written: list[str]
    ) -> None:
        self.key, self.org, self.plan, self.now, self.written = key, org, plan, now, written
        self.tz = zoneinfo.ZoneInfo(org.agency.time_zone)
        self.story = Story(org, org.versions[SOP_000], now, days_ago=0, written=written)
        self.done = 0

    def jump(self, at: dt.datetime) -> None:
        if at > self.story.clock.at:
            self.story.clock = WorkingClock(at, self.tz)

    def _file(self, occurrence: Occurrence, person: str) -> list[SimpleUploadedFile]:
        if occurrence.activity.kind not in ("backup_restore_test", "perfective", "adaptive"):
            return []
        title = occurrence.activity.documentation or occurrence.activity.title
        body = [
            f"Kegiatan : {occurrence.activity.title}",
            f"Aplikasi : {self.plan.application.name}",
            f"Tanggal  : {occurrence.due_on.isoformat()}",
            "",
            REPORTS[occurrence.activity.kind],
            "",
            f"Disusun oleh: {self.org[person].name}",
            "Dokumen contoh yang dibuat oleh data demo Laksana.",
        ]
        return [SimpleUploadedFile(f"{title[:60]}.pdf", pdf_bytes(title, body), "application/pdf")]

    def work(self, cycle_number: int, until: dt.datetime) -> bool:
        """Record the cycle's activities due before ``until``; whether all are recorded."""
        rows = list(
            Occurrence.objects.filter(plan=self.plan, cycle_number=cycle_number)
            .select_related("activity")
            .order_by("due_on", "pk")
        )
        complete = True
        seen: set[int] = set()
        for o in rows:
            order = o.activity.order
            first = order not in seen
            seen.add(order)
            late = LATE.get((self.key, cycle_number, order), 0) if first else 0
            day = _working(o.due_on, late)
            at = _at(day, 10 + self.done % 5, 5 * (self.done % 11), self.tz)
            if at >= until:
                complete = False
                continue
            login = _executor(self.key, o, self.done)
            self.done += 1
            person = self.org[login]
            if first and (self.key, cycle_number, order) == NOT_DONE:
                activities.mark_not_done(
                    person,
                    o.pk,
                    "Situs dipindahkan ke server baru pada pekan itu; pemeriksaan konten "
                    "digabung dengan bulan berikutnya.",
                    now=at,
                )
                continue
            budget = o.activity.budget
            cost = None
            if budget is not None:
                count = o.activity.occurrences.count()
                cost = (budget / count).quantize(Decimal(1))
            activities.record(
                person,
                o.pk,
                report=REPORTS[o.activity.kind],
                cost=cost,
                files=self._file(o, login),
                done_on=day,
                now=at,
            )
        return complete

    def approve(self, drafted: dt.datetime) -> None:
        """Rows 1 and 2: the plan submitted, signed in turn, then both rows completed."""
        s, kasi = self.story, self.org["utn_kasi_ops"]
        s.clock = WorkingClock(drafted, self.tz)
        doc = plans.submit_plan(kasi, self.plan.pk, now=s._tick(1))
        self.plan.refresh_from_db()
        s.case = self.plan.case
        doc = demo_documents.sign_in_turn(doc, lambda h: s._tick(h * 3))
        s._refresh()
        s.step(
            "utn_kasi_ops",
            hours=1,
            values={"rencana_pemeliharaan": {"ref": f"document:{doc.pk}"}},
            note="Rencana pemeliharaan disetujui dan ditandatangani.",
        )
        s.step(
            "utn_kasi_ops",
            hours=DAY,
            values={"kriteria_penerimaan": {"ref": f"maintenance.plan:{self.plan.pk}"}},
        )

    def cycles(self) -> None:
        """Every cycle whose first day has come: run as far as the present allows."""
        s = self.story
        for number, start, end in schedule.cycle_periods(self.plan):
            first = _at(_working(start), 8, 0, self.tz)
            if first >= self.now - dt.timedelta(hours=1):
                return
            self.jump(first)
            s.step("utn_kasi_ops", hours=0.25)  # row 3, read from the plan
            cycle = cycles.open_cycle(self.plan, now=s.clock.at)
            evaluated = _at(_working(end + dt.timedelta(days=1)), 9, 0, self.tz)
            if evaluated >= self.now - dt.timedelta(hours=2):
                self.work(number, self.now - dt.timedelta(hours=2))
                return
            if not self.work(number, evaluated):
                raise DemoError(f"{self.plan}: cycle {number} has activities after its end")
            self._close(cycle, evaluated, _at(_working(end - dt.timedelta(days=2)), 14, 0, self.tz))

    def _close(self, cycle: Cycle, evaluated: dt.datetime, documented: dt.datetime) -> None:
        """Rows 4/5, 6 and 7 of one cycle."""
        s = self.story
        ref = {"ref": f"maintenance.cycle:{cycle.pk}"}
        self.jump(documented)
        if cycle.executor == Executor.VENDOR:
            s.claim("utn_vendor1", hours=0.25)
            s.step("utn_vendor1", hours=0.5, values={"dokumentasi_pemeliharaan": ref})
        else:
            s.step("utn_ops1", hours=0.5, values={"dokumentasi_pemeliharaan": ref})
        self.jump(evaluated)
        from laksana.maintenance import criteria

        judged = {
            int(item["criterion"]): (True, "Diperiksa; dokumen dan bukti lengkap.")
            for item in criteria.evaluate(cycle, now=evaluated)
            if item["achieved"] is None
        }
        cycles.evaluate_cycle(
            self.org["utn_kasi_ops"], cycle.pk, judged=judged, overrides={}, now=s._tick(0.5)
        )
        s.step("utn_kasi_ops", hours=0.5, values={"evaluasi_ketercapaian": ref})
        s.step("utn_kasi_ops", hours=0.25)  # row 7, read from the evaluation

    def remember_files(self) -> None:
        self.story._remember_files()
        for name in OccurrenceFile.objects.filter(occurrence__plan=self.plan).values_list(
            "file", flat=True
        ):
            if name and name not in self.written:
                self.written.append(name)


def _monitor(
    org: DemoOrg, start: dt.date, now: dt.datetime
) -> tuple[Monitor, tuple[dt.datetime, dt.datetime]]:
    """The e-Learning's production environment and monitor, its checks from before the
    plan's start, the outage and the last day's checks."""
    tz = zoneinfo.ZoneInfo(org.agency.time_zone)
    lms = org.applications["lms"]
    made = _at(start - dt.timedelta(days=10), 9, 0, tz).astimezone(dt.UTC)
    env = catalog_services.set_environment(
        None,
        lms.pk,
        "production",
        EnvironmentInput(
            server="VM-LMS-01 (Pusat Data DSTI)",
            domain="elearning.utn.ac.id",
            database="MariaDB 10.6",
            hosting="Pusat Data DSTI",
        ),
        now=made - MINUTE,
    )
    monitor = monitoring_services.add_monitor(
        None,
        lms.pk,
        monitoring_services.MonitorInput(
            name="e-Learning (Produksi)", target=SITE, environment_id=env.pk, keyword=KEYWORD
        ),
        now=made,
    )
    first = made + 5 * MINUTE
    state.record(_start([monitor], first), now=first + 2 * MINUTE)
    month = add_months(now.astimezone(tz).date(), -OUTAGE_BACK)
    begin = _at(_working(month.replace(day=14)), 9, 10, tz).astimezone(dt.UTC)
    span = (begin, begin + OUTAGE)
    monitor.refresh_from_db()
    failed, back = _outage(monitor, span, [(Error.TIMEOUT, "10", None), (Error.STATUS, "502", 502)])
    state.record(failed, now=failed[-1].at)
    state.record(back, now=back[-1].at)
    state.record(_recent([monitor], now), now=now - 10 * MINUTE)
    state.prune_results(now=now)
    return Monitor.objects.get(pk=monitor.pk), span


def build_maintenance(
    orgs: Mapping[str, DemoOrg], now: dt.datetime, written: list[str]
) -> DemoMaintenance:
    """Write UTN's two maintenance plans and their history (see the module's text)."""
    utn = orgs["utn"]
    tz = zoneinfo.ZoneInfo(utn.agency.time_zone)
    span = periods(now, tz)
    start, end = span["vendor"]
    kasi = utn["utn_kasi_ops"]
    contract = catalog_services.add_contract(
        None,
        utn.applications["lms"].pk,
        ContractInput(
            vendor_name="PT Mitra Solusi Informatika",
            number=f"SPK/041/UTN/DSTI/{start.year}",
            signed_on=start - dt.timedelta(days=14),
            value=Decimal("186000000"),
            starts_on=start,
            ends_on=end,
            support_kind=SupportKind.MAINTENANCE,
            support_ends_on=end,
            scope="Pemeliharaan e-Learning: pemeriksaan rutin, pembaruan keamanan, uji pemulihan.",
        ),
        now=_at(start - dt.timedelta(days=14), 10, 0, tz),
    )
    monitor, outage = _monitor(utn, start, now)
    made: dict[str, Plan] = {}
    for key, data, acts, crits in (
        (
            "vendor",
            PlanInput(
                application_id=utn.applications["lms"].pk,
                title=VENDOR_TITLE,
                objective=(
                    "Menjaga e-Learning tersedia dan aman selama perkuliahan dan ujian, sesuai "
                    "kontrak pemeliharaan."
                ),
                scope="Server aplikasi, basis data, Moodle beserta plugin, cadangan data.",
                contract_id=contract.pk,
            ),
            _vendor_activities(start),
            VENDOR_CRITERIA,
        ),
        (
            "internal",
            PlanInput(
                application_id=utn.applications["web_ft"].pk,
                title=INTERNAL_TITLE.format(year=span["internal"][0].year),
                objective="Menjaga portal Fakultas Teknik mutakhir, aman dan dapat dipulihkan.",
                scope="WordPress, tema, plugin, konten program studi, cadangan situs.",
                budget_year=span["internal"][0].year,
                cycle_length="quarter",
            ),
            _internal_activities(span["internal"][0].year),
            INTERNAL_CRITERIA,
        ),
    ):
        first = span[key][0]
        drafted = _at(_working(first - dt.timedelta(days=21)), 8, 30, tz)
        plan = plans.create_plan(kasi, data, now=drafted)
        plans.set_activities(kasi, plan.pk, acts, now=drafted + dt.timedelta(hours=1))
        plans.set_criteria(kasi, plan.pk, crits, now=drafted + dt.timedelta(hours=2))
        run = _Run(key, utn, plan, now, written)
        run.approve(drafted + dt.timedelta(hours=3))
        run.cycles()
        run.remember_files()
        made[key] = Plan.objects.get(pk=plan.pk)
    # The sweep of the present: activities due soon opened to their executors, late ones told.
    schedule.sweep(now=now)
    return DemoMaintenance(plans=made, monitor=monitor, outage=outage)
