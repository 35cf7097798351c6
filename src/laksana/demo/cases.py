"""The demo cases: about a dozen cases in different states, driven through the case services.

Nothing here writes a case row directly: every case is opened, worked, dispositioned,
commented and given files through :mod:`laksana.cases.services`, with ``now=`` set by a clock
that walks through working time (Mon–Fri 07:30–16:00 in the agency's time zone), so the
journal of every case is a true, verifiable history that ends before the present.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from laksana.cases import services
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStep,
    Disposition,
    DispositionStatus,
    StepStatus,
    Urgency,
)
from laksana.catalog.models import Application
from laksana.demo import documents as demo_documents
from laksana.demo import quality as demo_quality
from laksana.demo import run_plans as plans
from laksana.demo import scenario_sets as sets
from laksana.demo import survey as demo_survey
from laksana.demo.files import pdf_bytes, png_bytes
from laksana.demo.orgs import SOP_000, SOP_001, SOP_002, SOP_003, SOP_004, DemoOrg
from laksana.demo.scenario_sets_more import RETRIBUSI
from laksana.documents.models import Document
from laksana.engine import artifacts
from laksana.org.models import Person
from laksana.procedures.models import ProcedureVersion

DAY_START = dt.time(7, 30)
DAY_END = dt.time(16, 0)
DAY = 8.5
"""Working hours in a day (07:30–16:00): ``hours=3 * DAY`` is three working days."""

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

# Artifact types written as documents (a generated PDF); every other named type is given as
# a short record reference.


class DemoError(RuntimeError):
    """A demo scenario that cannot run as written (a bug of the scenario, not of the data)."""


class WorkingClock:
    """A point in working time (Mon–Fri 07:30–16:00, local time of the agency) that moves
    forward or backward by working minutes."""

    def __init__(self, at: dt.datetime, tz: zoneinfo.ZoneInfo) -> None:
        self.tz = tz
        self.at = at.astimezone(tz)

    def _at_time(self, t: dt.datetime, time: dt.time) -> dt.datetime:
        return t.replace(hour=time.hour, minute=time.minute, second=0, microsecond=0)

    def _forward(self, t: dt.datetime) -> dt.datetime:
        """The first working instant at or after ``t``."""
        while True:
            if t.weekday() >= 5 or t.time() >= DAY_END:
                t = self._at_time(t + dt.timedelta(days=1), DAY_START)
            elif t.time() < DAY_START:
                t = self._at_time(t, DAY_START)
            else:
                return t

    def _backward(self, t: dt.datetime) -> dt.datetime:
        """The last working instant at or before ``t``."""
        while True:
            if t.weekday() >= 5 or t.time() < DAY_START:
                t = self._at_time(t - dt.timedelta(days=1), DAY_END)
            elif t.time() > DAY_END:
                t = self._at_time(t, DAY_END)
            else:
                return t

    def advance(self, minutes: float) -> dt.datetime:
        t, left = self._forward(self.at), dt.timedelta(minutes=minutes)
        while True:
            room = self._at_time(t, DAY_END) - t
            if left <= room:
                self.at = t + left
                return self.at
            left -= room
            t = self._forward(self._at_time(t, DAY_END))

    def rewind(self, minutes: float) -> dt.datetime:
        t, left = self._backward(self.at), dt.timedelta(minutes=minutes)
        while True:
            room = t - self._at_time(t, DAY_START)
            if left <= room:
                self.at = t - left
                return self.at
            left -= room
            t = self._backward(self._at_time(t, DAY_START) - dt.timedelta(minutes=1))


def long_date(at: dt.datetime) -> str:
    """``12 Maret 2026``: a date as Indonesian documents write it."""
    return f"{at.day} {MONTHS[at.month - 1]} {at.year}"


# Form values, by artifact id: what the people of the demo fill in.
FORMS: dict[str, dict[str, Any]] = {
    "keterangan_proses": {
        "uraian": (
            "Masalah muncul setelah pengguna menekan tombol Simpan pada formulir; halaman "
            "menampilkan pesan galat dan data tidak tersimpan. Terjadi pada semua komputer "
            "unit sejak pembaruan aplikasi minggu lalu."
        )
    },
    "bahan_diskusi": {
        "alur_sistem": "Input data oleh operator unit, verifikasi oleh kepala seksi, rekap.",
        "data_input_output": "Input: formulir dan lampiran PDF. Output: rekap bulanan (XLSX).",
        "mekanisme_validasi": "NIK 16 digit, tanggal tidak boleh di masa depan.",
        "role_pengguna": "Operator unit, verifikator, administrator Diskominfos.",
        "mekanisme_pelaporan": "Rekap bulanan diunduh oleh kepala unit.",
        "proses_bisnis_lainnya": "Sinkronisasi harian dengan aplikasi pusat pukul 01.00.",
    },
    "aplikasi_siap": {
        "tindakan": "Restart layanan aplikasi IPAS dan pembersihan cache sesi.",
        "siap": True,
    },
    "konfirmasi_ditutup": {
        "pulih": True,
        "keterangan": "Pengguna Direktorat Merek mengonfirmasi pencarian merek normal kembali.",
    },
}

# What the documents of instructions, journal notes and records say, by artifact id: Laksana
# keeps no records of these types, so their evidence is the document, uploaded.
NOTES: dict[str, str] = {
    "perintah": "Tindak lanjuti laporan gangguan IPAS dan lakukan analisa awal hari ini.",
    "perintah_jurnal": "Catat gangguan dalam jurnal harian Seksi Aplikasi.",
    "instruksi_pemulihan": "Lakukan pemulihan layanan IPAS sesuai hasil analisa.",
    "laporan_perbaikan": "Jurnal harian Seksi Aplikasi: gangguan IPAS ditangani dan ditutup.",
    "catatan_trouble": "Log layanan pengguna: 3 tiket ditangani pada pekan pertama.",
    "proker": "Program kerja DSTI tahun berikutnya, butir Pengembangan Website Unit.",
    "instalasi": "Server aplikasi app-02 (VM), domain dan basis data produksi disiapkan.",
}


# Structured values of the catalogue's artifact types (proposals, proker, risks, deployment):
# the lifecycle hook turns them into work programme entries, risks and environments.
def web_lab_proker(now: dt.datetime) -> dict[str, Any]:
    return {
        "year": now.year + 1,
        "activity": "Pembangunan Website Laboratorium Struktur dan Bahan",
        "budget": "185000000",
        "funding_source": "PNBP (BLU)",
    }


WEB_LAB_PLAN: dict[str, Any] = {
    "cost": "185000000",
    "cost_items": [
        {"item": "Analisis dan perancangan", "amount": "35000000"},
        {"item": "Pembangunan website dan modul pemesanan uji", "amount": "120000000"},
        {"item": "Hosting, domain dan sertifikat TLS (1 tahun)", "amount": "12000000"},
        {"item": "Pelatihan admin laboratorium", "amount": "18000000"},
    ],
    "duration_days": 60,
    "resources": [
        {"role": "Analis sistem", "count": 1},
        {"role": "Pengembang web", "count": 2},
        {"role": "Penguji", "count": 1},
    ],
    "developer": "internal",
    "funding_source": "PNBP (BLU)",
}

WEB_LAB_BUDGET: dict[str, Any] = {
    "items": [
        {
            "item": "Honorarium tim pengembang",
            "quantity": 3,
            "unit_price": "30000000",
            "amount": "90000000",
        },
        {"item": "Jasa analisis dan perancangan", "amount": "35000000"},
        {"item": "Hosting, domain dan sertifikat TLS", "amount": "12000000"},
        {"item": "Pengujian keamanan", "amount": "30000000"},
        {"item": "Pelatihan admin laboratorium", "amount": "18000000"},
    ],
    "total": "185000000",
}


WEB_LAB_DEPLOYMENT: dict[str, Any] = {
    "environment": "production",
    "server": "VM-WEB-07 (Ruang Server DSTI)",
    "domain": "labsb.ft.utn.ac.id",
    "database": "MariaDB 10.11",
    "hosting": "Ruang Server DSTI Universitas Teknologi Nusantara",
    "url": "https://labsb.ft.utn.ac.id",
    "version": "1.0.0",
}


def antrean_plan(now: dt.datetime) -> dict[str, Any]:
    start = now.date() + dt.timedelta(days=14)
    return {
        **ANTREAN_PLAN,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=120)).isoformat(),
    }


ANTREAN_PLAN: dict[str, Any] = {
    "cost": "240000000",
    "resources": [
        {"role": "Analis sistem", "count": 1},
        {"role": "Pengembang aplikasi", "count": 2},
        {"role": "Pengelola basis data", "count": 1},
    ],
    "developer": "internal",
    "funding_source": "APBD Kabupaten Sukamaju",
}

ANTREAN_RISKS: dict[str, Any] = {
    "risks": [
        {
            "risk": "Lonjakan pendaftar saat kuota antrean dibuka membuat layanan tidak responsif",
            "likelihood": 4,
            "impact": 3,
            "mitigation": "Uji beban sebelum rilis dan pembukaan kuota bertahap per kecamatan",
            "owner": "Ketua Tim Teknologi Informasi",
            "status": "open",
        },
        {
            "risk": "NIK pendaftar bocor melalui halaman status antrean",
            "likelihood": 2,
            "impact": 5,
            "mitigation": "Penyamaran NIK dan kode antrean acak; uji keamanan sebelum operasi",
            "owner": "Ketua Tim Pengembang Aplikasi",
            "status": "open",
        },
        {
            "risk": "Petugas loket belum terbiasa memanggil antrean dari aplikasi",
            "likelihood": 3,
            "impact": 2,
            "mitigation": "Pelatihan petugas dan masa transisi dua pekan dengan antrean manual",
            "owner": "Kepala Dinas Kependudukan dan Pencatatan Sipil",
            "status": "mitigating",
        },
    ]
}

RETRIBUSI_RISKS: dict[str, Any] = {
    "risks": [
        {
            "risk": "Transaksi nontunai gagal karena sinyal lemah di pasar",
            "likelihood": 4,
            "impact": 4,
            "mitigation": "Mode luring dengan sinkronisasi dan QRIS statis sebagai cadangan",
            "owner": "Kepala Badan Pengelolaan Keuangan dan Aset Daerah",
            "status": "mitigating",
        },
        {
            "risk": "Selisih setoran antara aplikasi dan rekening kas daerah",
            "likelihood": 2,
            "impact": 4,
            "mitigation": "Rekonsiliasi harian otomatis dengan data bank",
            "owner": "Analis Keuangan Daerah",
            "status": "open",
        },
    ]
}

RETRIBUSI_DEPLOYMENT: dict[str, Any] = {
    "environment": "production",
    "server": "VM-APP-02 (Data Center Diskominfo)",
    "domain": "eretribusi.sukamajukab.go.id",
    "database": "PostgreSQL 14",
    "hosting": "Data Center Diskominfo Kabupaten Sukamaju",
    "url": "https://eretribusi.sukamajukab.go.id",
    "version": "1.0.0",
}


class Story:
    """Drives one demo case through the services, moving a working-time clock between
    actions. Each action says how many working hours passed before it (``hours``)."""

    def __init__(
        self,
        org: DemoOrg,
        version: ProcedureVersion,
        now: dt.datetime,
        *,
        days_ago: float,
        written: list[str],
    ) -> None:
        self.org = org
        self.version = version
        self.spec = version.spec
        self.now = now
        self.clock = WorkingClock(now, zoneinfo.ZoneInfo(org.agency.time_zone))
        self.clock.rewind(days_ago * DAY * 60)
        self.written = written
        self.case: Case | None = None

    # --- time and bookkeeping -------------------------------------------------------------

    def _tick(self, hours: float) -> dt.datetime:
        at = self.clock.advance(hours * 60)
        if at >= self.now:
            raise DemoError(
                f"{self.case or self.version.procedure_key}: the scenario runs past the present"
            )
        return at

    def _person(self, login: str) -> Person:
        return self.org[login]

    @property
    def current(self) -> Case:
        if self.case is None:
            raise DemoError("open the case first")
        return self.case

    def _refresh(self) -> Case:
        self.case = Case.objects.select_related("version").get(pk=self.current.pk)
        return self.case

    def _active(self) -> CaseStep:
        row = self.current.steps.filter(status=StepStatus.ACTIVE).order_by("-pk").first()
        if row is None:
            raise DemoError(f"{self.current}: no active step")
        return row

    def _remember_files(self) -> None:
        for name, thumb in Attachment.objects.filter(case=self.current).values_list(
            "file", "thumbnail"
        ):
            for n in (name, thumb):
                if n and n not in self.written:
                    self.written.append(n)
        for n in Document.objects.filter(case=self.current).values_list("pdf", flat=True):
            if n and n not in self.written:
                self.written.append(n)

    # --- files ----------------------------------------------------------------------------

    def _document(self, title: str, by: Person, lines: list[str] | None = None) -> bytes:
        case = self.current
        at = self.clock.at
        body = [
            f"Perihal   : {case.title}",
            f"Nomor kasus: {case.reference}",
            f"Instansi  : {self.org.agency.name}",
            f"Tanggal   : {long_date(at)}",
            "",
            *(lines or []),
            "",
            f"Disusun oleh: {by.name}" + (f" (NIP {by.nip})" if by.nip else ""),
            "Dokumen contoh yang dibuat oleh data demo Laksana.",
        ]
        return pdf_bytes(title, body)

    def _upload(self, name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type=content_type)

    def _pdf_upload(
        self, title: str, by: Person, lines: list[str] | None = None
    ) -> SimpleUploadedFile:
        safe = "".join(c for c in title if c not in '/\\:*?"<>|')[:80].strip()
        return self._upload(f"{safe}.pdf", self._document(title, by, lines), "application/pdf")

    def _photo_upload(self, title: str) -> SimpleUploadedFile:
        case = self.current
        content = png_bytes(
            str(case.application or case.title),
            [case.title, f"{self.org.agency.short_name} - {long_date(self.clock.at)}"],
            error="Terjadi kesalahan pada server. Silakan coba beberapa saat lagi. (HTTP 500)",
        )
        return self._upload(f"{title}.png", content, "image/png")

    # --- actions --------------------------------------------------------------------------

    def open(
        self,
        login: str,
        title: str,
        description: str,
        application: Application | None = None,
        chosen: Mapping[str, str] | None = None,
    ) -> Story:
        """Open the case; ``chosen`` names the login chosen for each chosen actor."""
        at = self._tick(0)
        self.case = services.open_case(
            self._person(login),
            self.version,
            title,
            description,
            application=application,
            chosen={k: self._person(v) for k, v in chosen.items()} if chosen else None,
            now=at,
        )
        return self

    def confirm(self, login: str, *, hours: float = 1.0) -> Story:
        """Confirm ``login``'s part of the active joint step."""
        services.confirm_part(self._person(login), self._active().pk, now=self._tick(hours))
        return self

    def claim(self, login: str, *, hours: float = 0.5) -> Story:
        services.claim_step(self._person(login), self._active().pk, now=self._tick(hours))
        return self

    def step(
        self,
        login: str,
        *,
        hours: float = 1.0,
        outcome: str | None = None,
        note: str = "",
        values: Mapping[str, Any] | None = None,
    ) -> Story:
        """Complete the active step with realistic outputs (documents as generated PDFs)."""
        person = self._person(login)
        row = self._active()
        step = self.spec.step(row.step_key)
        state = self.current.state.get("artifacts", {})
        given: dict[str, Any] = dict(values or {})
        files: list[services.FileInput] = []
        wanted = [a for a in step.requires if a not in state] + list(step.produces)
        # Letters and minutes: made, initialled and signed in the product before the step
        # completes with them (within the step's hours).
        made = [k for k in dict.fromkeys(wanted) if k not in given and self._made(k)]
        used: list[float] = []

        def tick(h: float) -> dt.datetime:
            used.append(h * hours / 16)
            return self._tick(used[-1])

        for key in made:
            given[key] = demo_documents.signed_document(self.current, row, key, person, tick)
        at = self._tick(max(hours - sum(used), 0))
        for key in dict.fromkeys(wanted):
            if key in given:
                continue
            art = self.spec.artifact(key)
            if art.type == "disposition":
                continue  # the disposition this person sent on the step (see dispose)
            if art.type == "file":
                photo = "image" in art.accept and "pdf" not in art.accept
                upload = (
                    self._photo_upload(art.name) if photo else self._pdf_upload(art.name, person)
                )
                files.append(services.FileInput(key, [upload]))
            elif art.type == "form":
                given[key] = FORMS.get(key) or artifacts.example_value(art)
            else:
                # A letter, minutes, an instruction, a report: the signed document, uploaded.
                lines = [NOTES[key]] if key in NOTES else None
                files.append(services.FileInput(key, [self._pdf_upload(art.name, person, lines)]))
        services.complete_step(
            person, row.pk, values=given, files=files, outcome=outcome, note=note, now=at
        )
        self._refresh()
        self._remember_files()
        return self

    def _made(self, key: str) -> bool:
        return demo_documents.is_document(self.spec.artifact(key).type)

    def circulate(self, login: str, key: str, *, acted: int, hours: float = 1.0) -> Story:
        """The active step's document ``key`` drafted by ``login`` and sent for initials and
        signatures, of which the first ``acted`` are done: it waits for the rest."""
        demo_documents.circulating_document(
            self.current,
            self._active(),
            key,
            self._person(login),
            lambda h: self._tick(h * hours / 4),
            acted=acted,
        )
        return self

    def dispose(
        self,
        sender: str,
        to: str,
        instruction: str,
        *,
        hours: float = 0.25,
        urgency: str = Urgency.BIASA,
        note: str = "",
        deadline_days: float | None = None,
    ) -> Disposition:
        """Disposition the active step from ``sender`` to ``to``."""
        at = self._tick(hours)
        deadline = None
        if deadline_days is not None:
            deadline = WorkingClock(at, self.clock.tz).advance(deadline_days * DAY * 60)
        (d,) = services.dispose(
            self._person(sender),
            self.current.pk,
            [self._person(to)],
            instruction,
            step_id=self._active().pk,
            urgency=urgency,
            note=note,
            deadline=deadline,
            now=at,
        )
        self._refresh()
        return d

    def read(self, login: str, *, hours: float = 0.5) -> Story:
        """The recipient opens the newest unread disposition addressed to them."""
        d = (
            Disposition.objects.filter(
                case=self.current, recipient=self._person(login), status=DispositionStatus.UNREAD
            )
            .order_by("-pk")
            .first()
        )
        if d is None:
            raise DemoError(f"{self.current}: no unread disposition to {login}")
        services.mark_read(self._person(login), d.pk, now=self._tick(hours))
        self._refresh()
        return self

    def withdraw(self, login: str, disposition: Disposition, *, hours: float = 0.25) -> Story:
        services.withdraw(self._person(login), disposition.pk, now=self._tick(hours))
        self._refresh()
        return self

    def comment(self, login: str, text: str, *, hours: float = 0.5) -> Story:
        services.add_comment(self._person(login), self.current.pk, text, now=self._tick(hours))
        self._refresh()
        return self

    def remark(self, login: str, text: str, *, hours: float = 0.5) -> Story:
        services.add_remark(self._person(login), self.current.pk, text, now=self._tick(hours))
        self._refresh()
        return self

    def attach_photo(self, login: str, title: str, *, hours: float = 0.25) -> Story:
        at = self._tick(hours)
        services.add_attachment(
            self._person(login), self.current.pk, self._photo_upload(title), now=at
        )
        self._refresh()
        self._remember_files()
        return self


# The demo cases by key, with their titles (tests find the cases by these titles).
TITLES = {
    "bali_opened": "SIMPEG: data riwayat jabatan tidak tersimpan",
    "bali_unread": "SIKESDA: laporan bulanan puskesmas gagal diunduh",
    "bali_uat": "SIKESDA: validasi NIK pasien menolak data yang benar",
    "bali_finished": "SIMPEG: gagal mencetak SK kenaikan pangkat",
    "bali_development": "SIKESDA: dasbor stok obat puskesmas tidak diperbarui",
    "bali_handover": "SIMPEG: unggah dokumen SKP ditolak untuk berkas di atas 1 MB",
    "djki_not_application": "IPAS tidak dapat diakses dari ruang layanan Direktorat Merek",
    "djki_retry": "IPAS: modul pencarian merek mengalami time-out",
    "djki_vendor": "IPAS: notifikasi email kepada pemohon paten tidak terkirim",
    "utn_maintenance": "Pemeliharaan SIAKAD tahun anggaran berjalan",
    "utn_rejected": "Usulan aplikasi presensi mahasiswa berbasis kode QR",
    "utn_building": "Pembuatan website Laboratorium Struktur dan Bahan",
    "skm_midway": "Pembangunan aplikasi antrean daring pelayanan adminduk",
    "skm_operation": "Pengelolaan aplikasi e-Retribusi pasar daerah",
    "skm_hosting": "Hosting aplikasi antrean daring SIANDUK di Pusat Data",
}


def _sop002_start(s: Story, requester: str) -> Story:
    """Steps 1–2: the requesting unit documents the problem and sends the request."""
    s.step(requester, hours=4)
    s.step(requester, hours=2, note="Permohonan dikirim melalui Kantor Virtual.")
    return s


def _sop002_dispositions(s: Story, *, read: bool = True) -> Story:
    """Steps 3–4: the head and the division head disposition the request down."""
    s.dispose(
        "kadis", "kabid", "Proses lebih lanjut", urgency=Urgency.SEGERA, hours=3, deadline_days=2
    )
    if read:
        s.read("kabid")
    s.step("kadis", hours=0.25)
    s.dispose(
        "kabid",
        "ketuatim",
        "Koordinasikan",
        note="Jadwalkan diskusi dengan unit pemohon pekan ini.",
        hours=1,
        deadline_days=3,
    )
    s.read("ketuatim")
    s.step("kabid", hours=0.25)
    return s


def build_cases(
    orgs: Mapping[str, DemoOrg],
    now: dt.datetime,
    written: list[str],
) -> dict[str, Case]:
    """Write the demo cases through the services; returns them by key (see :data:`TITLES`)."""
    bali, djki, utn, skm = orgs["bali"], orgs["djki"], orgs["utn"], orgs["skm"]
    out: dict[str, Case] = {}

    def story(org: DemoOrg, key: str, days_ago: float) -> Story:
        # Each agency's cases run its own adopted version.
        return Story(org, org.versions[key], now, days_ago=days_ago, written=written)

    # --- Diskominfos Bali, SOP 002 ----------------------------------------------------------
    s = story(bali, SOP_002, 0.15).open(
        "bkd",
        TITLES["bali_opened"],
        "Saat menyimpan riwayat jabatan pegawai, SIMPEG menampilkan pesan galat dan data "
        "tidak tersimpan. Terjadi sejak kemarin sore.",
        bali.applications["simpeg"],
    )
    s.attach_photo("bkd", "Tangkapan layar galat SIMPEG")
    s.comment("bkd", "Data riwayat jabatan 14 pegawai belum bisa disimpan. Mohon bantuan.")
    out["bali_opened"] = s.current

    s = story(bali, SOP_002, 3).open(
        "dinkes_staf",
        TITLES["bali_unread"],
        "Tombol unduh laporan bulanan puskesmas menghasilkan berkas kosong untuk bulan lalu.",
        bali.applications["sikesda"],
    )
    _sop002_start(s, "dinkes_staf")
    s.dispose(
        "kadis", "kabid", "Proses lebih lanjut", urgency=Urgency.SEGERA, hours=3, deadline_days=2
    )
    s.read("kabid")
    s.step("kadis", hours=0.25)
    s.dispose(
        "kabid",
        "ketuatim",
        "Koordinasikan",
        urgency=Urgency.SEGERA,
        note="Mohon dijadwalkan diskusi dengan Dinas Kesehatan pekan ini.",
        hours=2,
        deadline_days=3,
    )
    out["bali_unread"] = s.current

    s = story(bali, SOP_002, 16).open(
        "dinkes_staf",
        TITLES["bali_uat"],
        "Formulir pendaftaran pasien menolak NIK yang valid dengan pesan 'NIK tidak dikenal'.",
        bali.applications["sikesda"],
    )
    _sop002_start(s, "dinkes_staf")
    _sop002_dispositions(s)
    s.step("ketuatim", hours=DAY)
    s.claim("dev1", hours=1)
    s.remark("dev1", "Penyebab: aturan validasi NIK memakai kode wilayah lama. Sedang diperbaiki.")
    s.step("dev1", hours=4 * DAY)
    nik = demo_quality.write_scenarios(s, "qa1", sets.SIKESDA_NIK, hours=2 * DAY)
    demo_quality.test(s, "qa1", nik, plans.SIT_NIK, hours=1.5 * DAY)
    s.comment("ketuatim", "Perbaikan sudah lulus SIT. Mohon Dinas Kesehatan melakukan UAT.")
    s.claim("dinkes_staf", hours=2)
    # The UAT is under way: half of the scenarios tested, on the tester's phone.
    demo_quality.test(s, "dinkes_staf", nik, plans.UAT_NIK, hours=DAY)
    out["bali_uat"] = s.current

    # The UAT of row 9 is rejected (SK-04 failed, a high finding): back to the fix at row 6,
    # the scenario set revised, SIT again, and the UAT retested and accepted.
    s = story(bali, SOP_002, 40).open(
        "bkd",
        TITLES["bali_finished"],
        "Cetak SK kenaikan pangkat menghasilkan PDF dengan nama pejabat yang salah.",
        bali.applications["simpeg"],
    )
    s.step("bkd", hours=3 * DAY)
    s.step("bkd", hours=2)
    _sop002_dispositions(s)
    s.step("ketuatim", hours=DAY)
    s.claim("dev1")
    s.step("dev1", hours=8 * DAY)
    sk = demo_quality.write_scenarios(s, "qa1", sets.SIMPEG_SK, hours=2 * DAY)
    demo_quality.test(s, "qa1", sk, plans.SIT_SK_1, hours=2 * DAY)
    rejected = demo_quality.test(s, "bkd", sk, plans.UAT_SK_1, hours=3 * DAY)
    s.comment("bkd", "UAT ditolak: SK golongan IV/b masih ditandatangani Sekda. Mohon diperbaiki.")
    demo_quality.fix(
        s,
        "dev1",
        rejected,
        "Blok tanda tangan SK IV/b ke atas memakai jabatan Gubernur tanpa NIP.",
        hours=3 * DAY,
    )
    sk = demo_quality.revise_scenarios(
        s,
        "qa1",
        sk,
        sets.SIMPEG_SK_REVISED,
        note="SK-04 diperjelas; SK-09 cetak ulang ditambahkan setelah UAT 1 ditolak.",
        hours=DAY,
    )
    demo_quality.test(s, "qa1", sk, plans.SIT_SK_2, hours=DAY)
    demo_quality.test(s, "bkd", sk, plans.UAT_SK_2, hours=2 * DAY, retest_of=rejected)
    demo_quality.retested(
        s, "qa1", rejected, "Lulus pada UAT ulang: SK IV/b ditandatangani Gubernur."
    )
    s.step("kadis", hours=DAY)
    s.step("kadis", hours=DAY)
    s.comment("bkd", "Terima kasih, cetak SK sudah berjalan normal.")
    out["bali_finished"] = s.current

    # The BAST of row 10 waits for its signatures: the Kabid has initialled it; the Kepala
    # Dinas (kadis) and the head of the BKD (kabkd) sign it, then the step completes with it.
    s = story(bali, SOP_002, 24).open(
        "bkd",
        TITLES["bali_handover"],
        "Unggah dokumen SKP pegawai menolak berkas PDF di atas 1 MB, padahal batasnya 5 MB.",
        bali.applications["simpeg"],
    )
    s.step("bkd", hours=DAY)
    s.step("bkd", hours=2)
    _sop002_dispositions(s)
    s.step("ketuatim", hours=DAY)
    s.claim("dev1")
    s.step("dev1", hours=6 * DAY)
    skp = demo_quality.write_scenarios(s, "qa1", sets.SIMPEG_SKP, hours=2 * DAY)
    demo_quality.test(s, "qa1", skp, plans.SIT_SKP, hours=2 * DAY)
    demo_quality.test(s, "bkd", skp, plans.UAT_SKP, hours=3 * DAY)
    s.circulate("kadis", "bast", acted=1, hours=2)
    out["bali_handover"] = s.current

    s = story(bali, SOP_002, 8).open(
        "dinkes_staf",
        TITLES["bali_development"],
        "Dasbor stok obat tidak menampilkan data terbaru sejak pembaruan server.",
        bali.applications["sikesda"],
    )
    _sop002_start(s, "dinkes_staf")
    wrong = s.dispose("kadis", "kabid", "Untuk diketahui", hours=2)
    s.withdraw("kadis", wrong, hours=0.1)
    _sop002_dispositions(s)
    s.step("ketuatim", hours=DAY)
    s.claim("dev1")
    s.remark(
        "dev1",
        "Tugas sinkronisasi stok gagal sejak pembaruan server; penjadwal diperbaiki, "
        "uji di server pengembangan.",
        hours=DAY,
    )
    out["bali_development"] = s.current

    # --- DJKI, SOP 004 ------------------------------------------------------------------------
    def djki_start(s: Story, requester: str) -> Story:
        s.step(requester, hours=0.25)
        s.step("kasubag_tu", hours=0.5)
        s.dispose(
            "direktur", "kasubdit", "Proses lebih lanjut", urgency=Urgency.SANGAT_SEGERA, hours=1
        )
        s.step("direktur", hours=0.1)
        s.step("kasubag_tu", hours=0.25)
        s.step("kasubdit", hours=0.5)
        s.step("kasie_app", hours=0.25)
        return s

    s = story(djki, SOP_004, 6).open(
        "merek_staf",
        TITLES["djki_not_application"],
        "Seluruh komputer ruang layanan tidak dapat membuka IPAS; aplikasi lain juga lambat.",
        djki.applications["ipas"],
    )
    djki_start(s, "merek_staf")
    s.step("jfu", hours=1, outcome="Tidak", note="IPAS normal dari jaringan lain.")
    s.step(
        "jfu",
        hours=0.25,
        note="Gangguan pada switch jaringan gedung; diteruskan ke helpdesk jaringan.",
    )
    out["djki_not_application"] = s.current

    s = story(djki, SOP_004, 12).open(
        "merek_staf",
        TITLES["djki_retry"],
        "Pencarian merek serupa berhenti setelah 60 detik dengan pesan time-out.",
        djki.applications["ipas"],
    )
    djki_start(s, "merek_staf")
    s.step("jfu", hours=1, outcome="Ya")
    s.step("jfu", hours=0.25)
    s.step("kasie_app", hours=0.5)
    s.step("kasie_app", hours=1, outcome="Ya", note="Dugaan awal: sesi aplikasi macet.")
    s.step("kasie_app", hours=0.25)
    s.step("jfu", hours=1)
    s.step("jfu", hours=0.5, outcome="Tidak", note="Setelah restart pencarian masih time-out.")
    s.step("merek_staf", hours=DAY, note="Pencarian masih gagal untuk kelas 25 dan 35.")
    s.step("kasie_app", hours=1, outcome="Tidak", note="Bukan pada aplikasi: cek basis data.")
    s.step("kasie_app", hours=0.25)
    s.step("kasie_db", hours=2, note="Indeks tabel merek rusak; dibangun ulang.")
    s.step("kasie_net", hours=1, note="Jaringan ke server basis data normal.")
    s.step("kasie_app", hours=0.5, outcome="Ya")
    s.step("kasie_app", hours=0.25)
    s.remark("jfu", "Pemulihan dijadwalkan di luar jam layanan puncak.")
    s.step(
        "jfu",
        hours=2,
        values={
            "aplikasi_siap": {
                "tindakan": "Pembangunan ulang indeks pencarian dan restart layanan IPAS.",
                "siap": True,
            }
        },
    )
    s.step("jfu", hours=0.5, outcome="Ya")
    s.step("jfu", hours=0.25)
    s.step("jfu", hours=0.5)
    out["djki_retry"] = s.current

    s = story(djki, SOP_004, 4).open(
        "paten_staf",
        TITLES["djki_vendor"],
        "Email pemberitahuan hasil pemeriksaan tidak diterima pemohon sejak Senin.",
        djki.applications["ipas"],
    )
    djki_start(s, "paten_staf")
    s.step("jfu", hours=1, outcome="Ya")
    s.step("jfu", hours=0.25)
    s.step("kasie_app", hours=0.5)
    s.step("kasie_app", hours=1, outcome="Tidak")
    s.step("kasie_app", hours=0.25)
    s.step("kasie_db", hours=2, note="Antrean email di basis data menumpuk; tidak ada galat.")
    s.step("kasie_net", hours=1, note="Port SMTP keluar terbuka; server surel merespons.")
    s.step("kasie_app", hours=1, outcome="Tidak", note="Penyebab belum ditemukan.")
    s.step("kasie_app", hours=0.5, note="Konsultasi dengan Team IPAS Development.")
    s.comment(
        "ipasdev",
        "Kami memeriksa modul notifikasi; dugaan sementara sertifikat TLS server surel "
        "kedaluwarsa.",
        hours=2,
    )
    out["djki_vendor"] = s.current

    # --- Universitas Teknologi Nusantara, SOP 000 and SOP 003 ------------------------------
    s = story(utn, SOP_000, 24).open(
        "utn_kasi_ops",
        TITLES["utn_maintenance"],
        "Pemeliharaan SIAKAD sesuai kontrak pemeliharaan dengan PT Mitra Solusi Informatika.",
        utn.applications["siakad"],
    )
    s.step("utn_kasi_ops", hours=DAY)
    s.step("utn_kasi_ops", hours=DAY)
    s.step("utn_kasi_ops", hours=1, outcome="Ya", note="Siklus pertama oleh vendor.")
    s.claim("utn_vendor1", hours=2)
    s.step("utn_vendor1", hours=5 * DAY, note="Pembaruan keamanan dan optimasi kueri KRS.")
    s.step("utn_ops1", hours=2 * DAY)
    s.step(
        "utn_kasi_ops",
        hours=1,
        outcome="Tidak",
        note="Kontrak berjalan sampai Desember: siklus pemeliharaan berikutnya.",
    )
    s.step("utn_kasi_ops", hours=DAY, outcome="Tidak", note="Siklus kedua oleh tim internal.")
    s.claim("utn_ops2", hours=1)
    s.remark("utn_ops2", "Pembersihan log dan pembaruan sertifikat SIAKAD dijadwalkan Sabtu.")
    out["utn_maintenance"] = s.current

    s = story(utn, SOP_003, 10).open(
        "utn_feb_staf",
        TITLES["utn_rejected"],
        "Fakultas Ekonomi dan Bisnis mengusulkan aplikasi presensi mahasiswa dengan kode QR.",
    )
    s.step("utn_feb_staf", hours=DAY)
    s.step(
        "utn_direktur",
        hours=2 * DAY,
        outcome="Tidak",
        note="Presensi QR sudah tersedia sebagai modul SIAKAD; gunakan modul tersebut.",
    )
    s.comment("utn_feb_staf", "Baik, kami akan memakai modul presensi SIAKAD.")
    out["utn_rejected"] = s.current

    s = story(utn, SOP_003, 40).open(
        "utn_ft_staf",
        TITLES["utn_building"],
        "Website profil, jadwal dan pemesanan layanan uji Laboratorium Struktur dan Bahan.",
        utn.applications["web_lab"],
    )
    s.step("utn_ft_staf", hours=DAY)
    s.step("utn_direktur", hours=2 * DAY, outcome="Ya")
    s.step("utn_koord_app", hours=2 * DAY, values={"proker": web_lab_proker(now)})
    s.step(
        "utn_direktur",
        hours=3 * DAY,
        note="Dibahas pada rapat kerja tahunan.",
        values={"rencana_pembangunan": WEB_LAB_PLAN},
    )
    s.step("utn_koord_app", hours=3 * DAY, values={"rab": WEB_LAB_BUDGET})
    s.comment("utn_koord_app", "RAB sudah dikoordinasikan dengan Biro Perencanaan dan Keuangan.")
    s.claim("utn_kadiv_app", hours=DAY)
    s.step("utn_kadiv_app", hours=8 * DAY, note="Dibangun oleh tim internal Divisi Aplikasi.")
    s.step("utn_dev1", hours=DAY, note="Anggaran didistribusikan sesuai RAB.")
    s.step("utn_dev1", hours=2 * DAY, values={"instalasi": WEB_LAB_DEPLOYMENT})
    # Row 8: the security test before use (ASVS level 1 checklist and an OWASP ZAP scan),
    # with the Divisi Monitoring dan Keamanan; its report signed, the step completed.
    demo_quality.security_test(
        s,
        "utn_dev1",
        plans.SECURITY_WEB_LAB,
        hours=3 * DAY,
        version=str(WEB_LAB_DEPLOYMENT["version"]),
        report=demo_quality.ZAP_REPORT,
        owners=plans.SECURITY_OWNERS,
        fixed=plans.SECURITY_FIXED,
    )
    out["utn_building"] = s.current

    # --- Diskominfo Sukamaju, SOP 001 ----------------------------------------------------------
    s = story(skm, SOP_001, 14).open(
        "skm_dukcapil_staf",
        TITLES["skm_midway"],
        "Antrean pelayanan KTP-el dan KK secara daring agar warga tidak menunggu di kantor.",
        skm.applications["antrean"],
    )
    s.step("skm_dukcapil_staf", hours=2 * DAY)
    s.claim("skm_ti1")
    s.step("skm_ti1", hours=3 * DAY, note="Survei 212 warga dan 9 petugas loket.")
    s.step("skm_ketua_ti", hours=2 * DAY, values={"rencana_pengembangan": antrean_plan(now)})
    s.step("skm_ketua_ti", hours=DAY, values={"analisis_risiko": ANTREAN_RISKS})
    s.claim("skm_dev1", hours=1)
    s.remark("skm_dev1", "Rancangan basis data dan prototipe halaman pendaftaran selesai.")
    out["skm_midway"] = s.current

    s = story(skm, SOP_001, 36).open(
        "skm_bpkad_staf",
        TITLES["skm_operation"],
        "Aplikasi pembayaran retribusi pasar daerah secara nontunai.",
        skm.applications["retribusi"],
    )
    s.step("skm_bpkad_staf", hours=DAY)
    s.step("skm_ti1", hours=2 * DAY)
    s.step("skm_ketua_ti", hours=2 * DAY)
    s.step("skm_ketua_ti", hours=DAY, values={"analisis_risiko": RETRIBUSI_RISKS})
    s.step("skm_dev1", hours=8 * DAY)
    # c.2: the quality test names the developers' scenario set; the security test is the
    # ASVS checklist, by hand on the staging server (no scanner).
    demo_quality.security_test(
        s,
        "skm_dev2",
        plans.SECURITY_RETRIBUSI,
        hours=3 * DAY,
        version="1.0.0",
        values={"hasil_uji_kualitas": demo_quality.set_ref(skm, RETRIBUSI)},
    )
    s.step("skm_ti1", hours=DAY, values={"instalasi": RETRIBUSI_DEPLOYMENT})
    s.step("skm_ti1", hours=0.5, outcome="Ya", note="Data wajib retribusi dari aplikasi lama.")
    s.step("skm_ti1", hours=2 * DAY)
    s.step("skm_ti1", hours=2 * DAY, note="Pelatihan 24 petugas pasar.")
    s.step("skm_ti1", hours=3 * DAY)
    s.step("skm_ketua_ti", hours=DAY)
    s.step("skm_dev2", hours=2 * DAY)
    # f.1: the traders' questionnaires of the past semester imported into the application's
    # survey, then its evaluation over the last twelve months made on the case and
    # concluded "keep"; the step completes with it.
    survey = demo_survey.retribusi_survey(skm, "skm_ti1", s._tick(0.2 * DAY))
    evaluation = demo_survey.retribusi_evaluation(
        skm, "skm_ketua_ti", s.current, s._tick(0.3 * DAY), s._tick(0.3 * DAY)
    )
    s.step(
        "skm_ketua_ti",
        hours=0.2 * DAY,
        values={"laporan_evaluasi": {"ref": f"evaluation:{evaluation.pk}"}},
    )
    # f.2: the survey's report made on the step, sent round and signed.
    report = demo_survey.retribusi_report(skm, "skm_ti1", survey, lambda h: s._tick(h * 2))
    s._remember_files()
    s.step("skm_ti1", hours=0.5 * DAY, values={"survei_kepuasan": {"ref": f"document:{report.pk}"}})
    # f.3: read from the evaluation's conclusion ("keep": Ya, back to e.1).
    s.step(
        "skm_ketua_ti",
        hours=0.5,
        note="Masih relevan: lanjut ke periode operasi berikutnya.",
    )
    out["skm_operation"] = s.current
    return out
