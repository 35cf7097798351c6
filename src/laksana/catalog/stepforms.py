"""The form fragments a step's page shows for the catalogue's structured artifact types.

Each fragment produces the mapping :mod:`laksana.catalog.artifacts` checks and
:mod:`laksana.catalog.lifecycle` turns into catalogue records (a work programme entry, an
environment, risks, data deletion records) when the step completes: the web form gives the
same values the API accepts. The labels are the domain's Indonesian terms, as the artifact
types' own labels are. Registered in :class:`laksana.catalog.apps.CatalogConfig.ready`.
"""

from __future__ import annotations

from laksana.cases.artifacts import FormPart, PartField, PartRows
from laksana.catalog.artifacts import DEVELOPERS, ENVIRONMENTS, RISK_STATUSES
from laksana.catalog.risk import SCALE

_DEVELOPER_LABELS = {"internal": "Tim internal", "vendor": "Pihak ketiga (vendor)"}
_ENVIRONMENT_LABELS = {"production": "Produksi", "staging": "Staging (uji coba)"}
_STATUS_LABELS = {
    "open": "Terbuka",
    "mitigating": "Dalam mitigasi",
    "accepted": "Diterima",
    "closed": "Ditutup",
}
_SCALE = tuple((str(n), str(n)) for n in SCALE)

COST_ITEMS = PartRows(
    "cost_items",
    "Rincian biaya",
    (
        PartField("item", "Uraian", required=True),
        PartField("amount", "Jumlah (Rp)", "money", required=True),
    ),
    rows=6,
)

FORMS: dict[str, FormPart] = {
    "proposal.needs_analysis": FormPart(
        fields=(
            PartField("summary", "Kebutuhan dan alasannya", "long_text", required=True),
            PartField("users", "Pengguna aplikasi", required=True),
            PartField(
                "requirements",
                "Fungsi yang dibutuhkan",
                "lines",
                required=True,
                help="Satu fungsi per baris.",
            ),
            PartField("survey_summary", "Ringkasan survei pengguna", "long_text"),
            PartField("legal_basis", "Dasar hukum", "long_text"),
            PartField("benefits", "Manfaat", "long_text"),
        )
    ),
    "proposal.development_plan": FormPart(
        fields=(
            PartField(
                "cost",
                "Biaya total (Rp)",
                "money",
                required=True,
                help="Bila rincian diisi, biaya total adalah jumlahnya.",
            ),
            PartField(
                "duration_days",
                "Lama pengerjaan (hari)",
                "number",
                help="Isi lama pengerjaan, atau tanggal mulai dan selesai.",
            ),
            PartField("start", "Tanggal mulai", "date"),
            PartField("end", "Tanggal selesai", "date"),
            PartField(
                "developer",
                "Pengembang",
                "choice",
                choices=tuple((d, _DEVELOPER_LABELS[d]) for d in DEVELOPERS),
            ),
            PartField("funding_source", "Sumber dana"),
        ),
        tables=(
            COST_ITEMS,
            PartRows(
                "resources",
                "Sumber daya",
                (
                    PartField("role", "Peran", required=True),
                    PartField("count", "Jumlah orang", "number", required=True),
                    PartField("notes", "Keterangan"),
                ),
                rows=4,
                required=True,
            ),
        ),
    ),
    "proposal.budget_plan": FormPart(
        fields=(
            PartField(
                "total",
                "Jumlah total (Rp)",
                "money",
                required=True,
                help="Jumlah semua rincian.",
            ),
            PartField("fiscal_year", "Tahun anggaran", "number"),
        ),
        tables=(
            PartRows(
                "items",
                "Rincian anggaran",
                (
                    PartField("item", "Uraian", required=True),
                    PartField("quantity", "Volume", "number"),
                    PartField("unit", "Satuan"),
                    PartField("unit_price", "Harga satuan (Rp)", "money"),
                    PartField("amount", "Jumlah (Rp)", "money", required=True),
                ),
                rows=8,
                required=True,
            ),
        ),
    ),
    "proposal.risk_register": FormPart(
        tables=(
            PartRows(
                "risks",
                "Risiko",
                (
                    PartField("risk", "Risiko", required=True),
                    PartField("likelihood", "Kemungkinan (1–5)", "choice", True, _SCALE),
                    PartField("impact", "Dampak (1–5)", "choice", True, _SCALE),
                    PartField("mitigation", "Mitigasi", required=True),
                    PartField("owner", "Penanggung jawab", required=True),
                    PartField(
                        "status",
                        "Status",
                        "choice",
                        choices=tuple((s, _STATUS_LABELS[s]) for s in RISK_STATUSES),
                    ),
                ),
                rows=5,
                required=True,
            ),
        ),
    ),
    "catalog.work_programme_entry": FormPart(
        fields=(
            PartField("year", "Tahun program kerja", "number", required=True),
            PartField("activity", "Kegiatan"),
            PartField("budget", "Anggaran (Rp)", "money"),
            PartField("funding_source", "Sumber dana"),
            PartField("notes", "Catatan", "long_text"),
        )
    ),
    "catalog.deployment": FormPart(
        fields=(
            PartField(
                "environment",
                "Lingkungan",
                "choice",
                choices=tuple((e, _ENVIRONMENT_LABELS[e]) for e in ENVIRONMENTS),
                help="Bila tidak dipilih: produksi.",
            ),
            PartField("server", "Server", required=True),
            PartField("domain", "Domain", required=True, help="Misalnya aplikasi.baliprov.go.id."),
            PartField("database", "Basis data"),
            PartField("hosting", "Hosting"),
            PartField("url", "Alamat web (URL)", help="Dimulai dengan https://"),
            PartField("version", "Versi"),
            PartField("deployed_on", "Tanggal instalasi", "date"),
        )
    ),
    "minutes.data_deletion": FormPart(
        fields=(
            PartField("number", "Nomor berita acara"),
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
}
