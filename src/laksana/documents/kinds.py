"""The kinds of official documents Laksana makes, and what each asks of its author.

A kind names the artifact types it produces (a step whose output is of such a type makes the
document), the short code its numbers carry (``{code}`` in a numbering pattern), the shipped
template (``templates/documents/kinds/<code>.html``) and the form fragment of what the case,
the application, the contract and the people do not already hold. Everything else a template
shows comes from the records (:mod:`laksana.documents.context`).

Pure data; no Django models.
"""

from __future__ import annotations

from dataclasses import dataclass

from laksana.cases.artifacts import FormPart, PartField, PartRows


@dataclass(frozen=True)
class DocumentKind:
    code: str  # the kind's id: "bast"
    label: str  # its Indonesian name, the default title
    artifact_types: tuple[str, ...]  # the artifact types it produces
    number_code: str  # {code} in numbering patterns: "BAST"
    form: FormPart
    # Printed above each signer by default, in order (the rest: no label).
    signer_labels: tuple[str, ...] = ()
    minutes: bool = True  # a berita acara ("Pada hari ini ..."), else a letter
    # The module that makes its documents from its own records ("quality": the minutes of a
    # test run, made by closing the run); empty: an author drafts them by hand. Such a kind
    # has no manual draft (services.make_draft refuses one without a ``source``) and its
    # fields are the module's, except MADE_EDITABLE ones.
    made_by: str = ""

    @property
    def default_pattern(self) -> str:
        return "{seq:03d}/" + self.number_code + "/{agency_code}/{year}"


_PLACE = PartField("place", "Tempat", help="Tempat pelaksanaan atau penandatanganan.")

_PARTICIPANTS = PartRows(
    "participants",
    "Peserta",
    (
        PartField("name", "Nama", required=True),
        PartField("position", "Jabatan/Instansi"),
    ),
    rows=6,
)

_VERDICTS = (
    ("Lulus", "Lulus"),
    ("Gagal", "Gagal"),
    ("Diblokir", "Diblokir"),
    ("Tidak dijalankan", "Tidak dijalankan"),
)

# Per scenario, the columns of the minutes (DOMAIN.md "Minutes"): the scenario's number,
# its description, procedure, input data, expected and actual result, and the verdict.
_TESTS = PartRows(
    "tests",
    "Hasil pengujian per skenario",
    (
        PartField("id", "No. skenario", required=True),
        PartField("description", "Skenario", required=True),
        PartField("steps", "Langkah/Prosedur", "long_text"),
        PartField("input_data", "Data masukan", "long_text"),
        PartField("expected", "Hasil yang diharapkan", "long_text"),
        PartField("actual", "Hasil aktual", "long_text"),
        PartField("verdict", "Hasil uji", "choice", required=True, choices=_VERDICTS),
    ),
    rows=8,
    required=True,
)

_FINDINGS = PartRows(
    "findings",
    "Temuan dan tindak lanjut",
    (
        PartField("number", "No. temuan"),
        PartField("finding", "Temuan", required=True),
        PartField("severity", "Tingkat"),
        PartField("description", "Uraian", "long_text"),
        PartField("owner", "Penanggung jawab"),
        PartField("follow_up", "Tindak lanjut"),
        PartField("due", "Batas waktu", "date"),
    ),
    rows=4,
)

_CONCLUSION = PartField(
    "conclusion",
    "Kesimpulan",
    "choice",
    required=True,
    choices=(
        ("Diterima", "Diterima"),
        ("Diterima dengan catatan", "Diterima dengan catatan"),
        ("Ditolak", "Ditolak"),
    ),
)

# What the minutes of a test run hold (SIT, UAT, security test): made from the run by the
# testing module (laksana.quality.minutes) when the run is closed.
_TEST_MINUTES = FormPart(
    fields=(
        _PLACE,
        PartField("run", "Pengujian"),
        PartField("retest_of", "Uji ulang dari"),
        PartField("version", "Versi aplikasi", required=True),
        PartField("environment", "Lingkungan/URL pengujian", required=True),
        PartField("scenario_set", "Set skenario"),
        _CONCLUSION,
        PartField("reasons", "Dasar kesimpulan", "lines"),
        PartField("notes", "Catatan", "long_text"),
    ),
    tables=(_TESTS, _FINDINGS, _PARTICIPANTS),
)

# A maintenance plan (SOP 000 row 1), made from the plan by the maintenance module
# (laksana.maintenance.plandoc) when it is submitted for approval.
_MAINTENANCE_PLAN = FormPart(
    fields=(
        _PLACE,
        PartField("application", "Aplikasi", required=True),
        PartField("contract", "Kontrak pemeliharaan"),
        PartField("budget_year", "Tahun anggaran"),
        PartField("period", "Masa berlaku", required=True),
        PartField("cycle", "Siklus pemeliharaan"),
        PartField("objective", "Tujuan", "long_text", required=True),
        PartField("scope", "Ruang lingkup", "long_text"),
        PartField("total_budget", "Jumlah anggaran"),
        PartField("notes", "Catatan", "long_text"),
    ),
    tables=(
        PartRows(
            "activities",
            "Kegiatan pemeliharaan",
            (
                PartField("activity", "Kegiatan", required=True),
                PartField("kind", "Jenis"),
                PartField("schedule", "Jadwal"),
                PartField("executor", "Pelaksana"),
                PartField("documentation", "Dokumentasi yang diharapkan"),
                PartField("budget", "Anggaran"),
            ),
            rows=8,
            required=True,
        ),
        PartRows(
            "criteria",
            "Kriteria penerimaan",
            (
                PartField("criterion", "Kriteria", required=True),
                PartField("indicator", "Indikator"),
                PartField("target", "Target"),
                PartField("period", "Periode"),
            ),
            rows=6,
        ),
    ),
)

# The maintenance management report (SOP 000 row 8), made from the plan's records by the
# maintenance module (laksana.maintenance.report) for a plan and a period.
_MAINTENANCE_REPORT = FormPart(
    fields=(
        _PLACE,
        PartField("plan", "Rencana pemeliharaan"),
        PartField("application", "Aplikasi", required=True),
        PartField("period", "Periode laporan", required=True),
        PartField("objective", "Tujuan pemeliharaan", "long_text"),
        PartField("summary", "Ringkasan", "long_text"),
        PartField("costs", "Biaya", "long_text"),
        PartField("vendor", "Kinerja vendor", "long_text"),
        PartField("recommendations", "Rekomendasi", "lines"),
        PartField("notes", "Catatan", "long_text"),
    ),
    tables=(
        PartRows(
            "activities",
            "Rencana dan realisasi kegiatan",
            (
                PartField("activity", "Kegiatan", required=True),
                PartField("executor", "Pelaksana"),
                PartField("due", "Jatuh tempo"),
                PartField("on_time", "Tepat waktu"),
                PartField("late", "Terlambat"),
                PartField("not_done", "Tidak dilaksanakan"),
                PartField("budget", "Anggaran"),
                PartField("cost", "Realisasi biaya"),
            ),
            rows=8,
        ),
        PartRows(
            "criteria",
            "Ketercapaian kriteria penerimaan",
            (
                PartField("cycle", "Siklus"),
                PartField("criterion", "Kriteria", required=True),
                PartField("figure", "Capaian"),
                PartField("result", "Hasil"),
            ),
            rows=6,
        ),
        PartRows(
            "downtime",
            "Gangguan dan ketersediaan per bulan",
            (
                PartField("month", "Bulan", required=True),
                PartField("incidents", "Gangguan"),
                PartField("minutes", "Lama gangguan"),
                PartField("uptime", "Ketersediaan"),
            ),
            rows=4,
        ),
    ),
)

# The fields of a made document its author may still change (the rest are the module's).
MADE_EDITABLE = ("place", "notes")

_NATURES = (
    ("Biasa", "Biasa"),
    ("Segera", "Segera"),
    ("Terbatas", "Terbatas"),
    ("Rahasia", "Rahasia"),
)

KINDS: dict[str, DocumentKind] = {
    k.code: k
    for k in (
        DocumentKind(
            "ba_diskusi",
            "Berita Acara Hasil Diskusi",
            ("minutes.discussion",),
            "BA-DISK",
            FormPart(
                fields=(
                    _PLACE,
                    PartField("topic", "Pokok bahasan", "long_text", required=True),
                    PartField(
                        "agreements",
                        "Hasil kesepakatan",
                        "lines",
                        required=True,
                        help="Satu kesepakatan per baris.",
                    ),
                    PartField("timeline", "Lingkup dan jadwal penanganan", "long_text"),
                ),
                tables=(_PARTICIPANTS,),
            ),
            signer_labels=("PIHAK PERTAMA", "PIHAK KEDUA", "Mengetahui"),
        ),
        DocumentKind(
            "ba_sit",
            "Berita Acara System Internal Test (SIT)",
            ("minutes.sit",),
            "BA-SIT",
            _TEST_MINUTES,
            signer_labels=("Penguji", "Mengetahui"),
            made_by="quality",
        ),
        DocumentKind(
            "ba_uat",
            "Berita Acara User Acceptance Test (UAT)",
            ("minutes.uat",),
            "BA-UAT",
            _TEST_MINUTES,
            signer_labels=("PIHAK PERTAMA", "PIHAK KEDUA"),
            made_by="quality",
        ),
        DocumentKind(
            "laporan_uji_keamanan",
            "Laporan Uji Keamanan Data dan Aplikasi",
            ("security.test_report",),
            "LUK",
            _TEST_MINUTES,
            signer_labels=("Penguji", "Mengetahui"),
            made_by="quality",
        ),
        DocumentKind(
            "rencana_pemeliharaan",
            "Rencana Pemeliharaan Aplikasi",
            ("maintenance.plan",),
            "RPA",
            _MAINTENANCE_PLAN,
            signer_labels=("Menyetujui",),
            minutes=False,
            made_by="maintenance",
        ),
        DocumentKind(
            "laporan_manajemen_pemeliharaan",
            "Laporan Manajemen Pemeliharaan Aplikasi",
            ("maintenance.report",),
            "LMPA",
            _MAINTENANCE_REPORT,
            signer_labels=("Penyusun", "Mengetahui"),
            minutes=False,
            made_by="maintenance",
        ),
        DocumentKind(
            "bast",
            "Berita Acara Serah Terima Aplikasi",
            ("minutes.handover",),
            "BAST",
            FormPart(
                fields=(
                    _PLACE,
                    PartField(
                        "warranty",
                        "Masa garansi/pemeliharaan",
                        help="Misalnya: 3 (tiga) bulan sejak serah terima.",
                    ),
                    PartField("notes", "Catatan", "long_text"),
                ),
                tables=(
                    PartRows(
                        "items",
                        "Yang diserahterimakan",
                        (
                            PartField("item", "Uraian", required=True),
                            PartField("quantity", "Jumlah"),
                            PartField("condition", "Kondisi", required=True),
                        ),
                        rows=6,
                        required=True,
                    ),
                ),
            ),
            signer_labels=("PIHAK PERTAMA", "PIHAK KEDUA", "Mengetahui"),
        ),
        DocumentKind(
            "ba_penghapusan",
            "Berita Acara Penghapusan Data dan Informasi Aplikasi",
            ("minutes.data_deletion",),
            "BA-HPS",
            FormPart(
                fields=(
                    _PLACE,
                    PartField("date", "Tanggal penghapusan", "date", required=True),
                    PartField("executed_by", "Dilaksanakan oleh", required=True),
                    PartField("witness", "Saksi", required=True),
                ),
                tables=(
                    PartRows(
                        "items",
                        "Data yang dihapus",
                        (
                            PartField("data", "Data", required=True),
                            PartField("location", "Lokasi penyimpanan", required=True),
                            PartField("method", "Cara penghapusan", required=True),
                        ),
                        rows=4,
                        required=True,
                    ),
                ),
            ),
            signer_labels=("Pelaksana", "Mengetahui"),
        ),
        DocumentKind(
            "surat_permohonan",
            "Surat Permohonan",
            ("letter.request",),
            "SP",
            FormPart(
                fields=(
                    PartField("subject", "Perihal", required=True),
                    PartField("body", "Isi permohonan", "long_text", required=True),
                    PartField("attachments", "Lampiran", "lines"),
                    PartField("nature", "Sifat", "choice", choices=_NATURES),
                ),
            ),
            minutes=False,
        ),
        DocumentKind(
            "surat_penyampaian",
            "Surat Penyampaian",
            ("letter.completion",),
            "SPN",
            FormPart(
                fields=(
                    PartField("subject", "Perihal", required=True),
                    PartField(
                        "body",
                        "Isi penyampaian",
                        "long_text",
                        help="Bila kosong: penyampaian bahwa sistem telah selesai diperbaiki.",
                    ),
                    PartField("attachments", "Lampiran", "lines"),
                    PartField("nature", "Sifat", "choice", choices=_NATURES),
                ),
            ),
            minutes=False,
        ),
        DocumentKind(
            "nota_dinas",
            "Nota Dinas",
            ("letter.memo",),
            "ND",
            FormPart(
                fields=(
                    PartField("to", "Yth.", required=True),
                    PartField("subject", "Hal", required=True),
                    PartField("body", "Isi", "long_text", required=True),
                    PartField("nature", "Sifat", "choice", choices=_NATURES),
                ),
            ),
            minutes=False,
        ),
        DocumentKind(
            "lembar_disposisi",
            "Lembar Disposisi",
            (),
            "DISP",
            FormPart(),
            minutes=False,
        ),
        # Made from a satisfaction survey's records (laksana.survey.report): PermenPANRB
        # 14/2017's figures; the charts are SVG data URIs (laksana.survey.charts).
        DocumentKind(
            "laporan_skm",
            "Laporan Hasil Survei Kepuasan Masyarakat",
            ("quality.satisfaction_survey",),
            "LSKM",
            FormPart(
                fields=(
                    _PLACE,
                    PartField("survey", "Survei", required=True),
                    PartField("service", "Layanan", required=True),
                    PartField("period", "Periode survei", required=True),
                    PartField("method", "Metode", "long_text"),
                    PartField("channels", "Cara pengumpulan jawaban", "long_text"),
                    PartField("respondents", "Jumlah responden"),
                    PartField("sample", "Kecukupan sampel", "long_text"),
                    PartField("sample_below", "Sampel di bawah minimum"),
                    PartField("ikm", "IKM (bobot 1/9)"),
                    PartField("converted", "Nilai IKM konversi (bobot 1/9)"),
                    PartField("ikm_0111", "IKM dengan bobot dibulatkan 0,111"),
                    PartField("converted_0111", "Nilai konversi dengan bobot 0,111"),
                    PartField("grade", "Mutu pelayanan"),
                    PartField("grade_label", "Kinerja unit pelayanan"),
                    PartField("weakest", "Tiga unsur dengan nilai terendah", "lines"),
                    PartField("chart_elements", "Grafik nilai per unsur", "long_text"),
                    PartField("chart_sex", "Grafik jenis kelamin", "long_text"),
                    PartField("chart_education", "Grafik pendidikan", "long_text"),
                    PartField("chart_occupation", "Grafik pekerjaan", "long_text"),
                    PartField("notes", "Catatan", "long_text"),
                ),
                tables=(
                    PartRows(
                        "elements",
                        "Nilai per unsur",
                        (
                            PartField("code", "Kode"),
                            PartField("name", "Unsur", required=True),
                            PartField("total", "Jumlah nilai"),
                            PartField("nrr", "NRR"),
                            PartField("converted", "NRR konversi"),
                            PartField("grade", "Mutu"),
                        ),
                        rows=9,
                    ),
                    PartRows(
                        "profile",
                        "Profil responden",
                        (
                            PartField("group", "Karakteristik"),
                            PartField("label", "Kategori", required=True),
                            PartField("count", "Jumlah"),
                            PartField("share", "Persentase"),
                        ),
                        rows=8,
                    ),
                    PartRows(
                        "follow_up",
                        "Rencana tindak lanjut",
                        (
                            PartField("unsur", "Unsur"),
                            PartField("action", "Tindak lanjut", required=True),
                            PartField("due", "Batas waktu", "date"),
                            PartField("responsible", "Penanggung jawab"),
                        ),
                        rows=5,
                    ),
                ),
            ),
            signer_labels=("Penyusun", "Mengetahui"),
            minutes=False,
            made_by="survey",
        ),
    )
}


def form_part(kind: DocumentKind) -> FormPart:
    """What the draft form asks of the author: the kind's form, or of a kind a module makes,
    only its :data:`MADE_EDITABLE` fields (the rest come from the module's record)."""
    if not kind.made_by:
        return kind.form
    return FormPart(fields=tuple(f for f in kind.form.fields if f.id in MADE_EDITABLE))


BY_ARTIFACT_TYPE: dict[str, DocumentKind] = {t: k for k in KINDS.values() for t in k.artifact_types}


def kind_of(code: str) -> DocumentKind | None:
    return KINDS.get(code)
