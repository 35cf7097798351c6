"""The columns of an inventory spreadsheet: the fields one may hold, the headers each is
recognised by (Indonesian and English), and the names of the choices as the spreadsheet writes
them (Indonesian) and reads them (Indonesian, English and common variants).

Data, not code: a header an agency uses that is not recognised yet is one more alias here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy

from laksana.catalog.models import (
    DataClassification,
    DeveloperKind,
    EnvironmentKind,
    Platform,
    Scope,
    ServiceKind,
    Stage,
    SupportKind,
)


class Kind(StrEnum):
    """How a column's cells are read."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    CHOICES = "choices"
    URLS = "urls"
    UNIT = "unit"
    UNITS = "units"
    DEVELOPER = "developer"
    YEAR = "year"
    DATE = "date"
    MONEY = "money"
    DOMAIN = "domain"


# Indonesian names of the choices, as the spreadsheet writes them, and other names it reads.
CHOICE_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "scope": {
        Scope.GENERAL: ("Aplikasi Umum", "umum", "general", "general application"),
        Scope.SPECIFIC: ("Aplikasi Khusus", "khusus", "specific", "specific application"),
    },
    "service_kind": {
        ServiceKind.PUBLIC_SERVICE: (
            "Pelayanan Publik",
            "layanan publik",
            "publik",
            "public service",
        ),
        ServiceKind.ADMINISTRATION: (
            "Administrasi Pemerintahan",
            "administrasi",
            "pemerintahan",
            "government administration",
            "administration",
        ),
    },
    "platforms": {
        Platform.WEB: ("Web", "website", "situs web", "aplikasi web", "berbasis web"),
        Platform.MOBILE: ("Mobile", "android", "ios", "aplikasi mobile", "seluler", "ponsel"),
        Platform.DESKTOP: ("Desktop", "aplikasi desktop", "dekstop"),
        Platform.API: ("API", "web service", "layanan web", "webservice"),
    },
    "stage": {
        Stage.PROPOSED: ("Diusulkan", "usulan", "usul", "proposed"),
        Stage.APPROVED: ("Disetujui", "approved"),
        Stage.IN_DEVELOPMENT: (
            "Dalam Pengembangan",
            "pengembangan",
            "dikembangkan",
            "pembangunan",
            "in development",
            "development",
        ),
        Stage.IN_TESTING: ("Dalam Pengujian", "pengujian", "uji coba", "in testing", "testing"),
        Stage.IN_PRODUCTION: (
            "Beroperasi",
            "aktif",
            "produksi",
            "operasional",
            "berjalan",
            "digunakan",
            "in production",
            "production",
            "active",
            "live",
        ),
        Stage.UNDER_MAINTENANCE: (
            "Dalam Pemeliharaan",
            "pemeliharaan",
            "perbaikan",
            "under maintenance",
            "maintenance",
        ),
        Stage.RETIRED: (
            "Dihentikan",
            "tidak aktif",
            "nonaktif",
            "non aktif",
            "diputus",
            "tidak digunakan",
            "retired",
            "inactive",
        ),
    },
    "data_classification": {
        DataClassification.PUBLIC: ("Terbuka", "publik", "umum", "public"),
        DataClassification.INTERNAL: ("Terbatas", "internal", "dikecualikan"),
        DataClassification.CONFIDENTIAL: ("Rahasia", "confidential"),
        DataClassification.SECRET: ("Sangat Rahasia", "secret", "top secret"),
    },
    "developer_kind": {
        DeveloperKind.INTERNAL: ("Tim Internal", "internal", "swakelola", "internal team"),
        DeveloperKind.VENDOR: (
            "Penyedia",
            "vendor",
            "pihak ketiga",
            "penyedia jasa",
            "rekanan",
            "pusat",
        ),
    },
    "support_kind": {
        SupportKind.WARRANTY: ("Garansi", "masa garansi", "jaminan", "warranty"),
        SupportKind.MAINTENANCE: ("Pemeliharaan", "masa pemeliharaan", "maintenance"),
    },
}


@dataclass(frozen=True)
class Column:
    """A field a spreadsheet column can hold: its key, its header as exported, what it means
    (for the mapping screen) and the other headers it is recognised by."""

    key: str
    header: str
    label: Any  # a lazy translation
    kind: Kind
    aliases: tuple[str, ...] = ()
    choices: str = ""  # key of CHOICE_NAMES
    max_length: int = 0


COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "Nama Aplikasi",
        gettext_lazy("Application name"),
        Kind.TEXT,
        (
            "nama",
            "aplikasi",
            "nama sistem",
            "nama layanan",
            "application",
            "name",
            "app name",
            "application name",
        ),
        max_length=200,
    ),
    Column(
        "short_name",
        "Nama Singkat",
        gettext_lazy("Short name"),
        Kind.TEXT,
        ("singkatan", "akronim", "alias", "abbreviation", "acronym"),
        max_length=60,
    ),
    Column(
        "description",
        "Deskripsi",
        gettext_lazy("Description"),
        Kind.LONG_TEXT,
        ("uraian", "keterangan", "deskripsi aplikasi", "penjelasan"),
    ),
    Column(
        "scope",
        "Kategori",
        gettext_lazy("Category (general or specific application)"),
        Kind.CHOICE,
        ("kategori aplikasi", "jenis aplikasi", "umum khusus", "category"),
        choices="scope",
    ),
    Column(
        "service_kind",
        "Jenis Layanan",
        gettext_lazy("Service type (public service or administration)"),
        Kind.CHOICE,
        ("layanan", "sifat layanan", "kategori layanan", "service type", "service"),
        choices="service_kind",
    ),
    Column(
        "function",
        "Fungsi",
        gettext_lazy("Function"),
        Kind.LONG_TEXT,
        ("fungsi aplikasi", "manfaat", "kegunaan", "tujuan", "purpose"),
    ),
    Column(
        "legal_basis",
        "Dasar Hukum",
        gettext_lazy("Legal basis"),
        Kind.LONG_TEXT,
        ("regulasi", "landasan hukum", "peraturan", "legal basis"),
    ),
    Column(
        "platforms",
        "Platform",
        gettext_lazy("Platforms"),
        Kind.CHOICES,
        ("jenis platform", "platforms", "basis aplikasi"),
        choices="platforms",
    ),
    Column(
        "urls",
        "Alamat URL",
        gettext_lazy("URLs"),
        Kind.URLS,
        (
            "url",
            "urls",
            "alamat",
            "alamat aplikasi",
            "alamat website",
            "website",
            "link",
            "tautan",
            "alamat web",
        ),
    ),
    Column(
        "owner_unit",
        "Unit Pemilik",
        gettext_lazy("Owner unit"),
        Kind.UNIT,
        (
            "pemilik",
            "opd pemilik",
            "pemilik aplikasi",
            "unit kerja pemilik",
            "perangkat daerah",
            "opd",
            "unit kerja",
            "owner",
            "owner unit",
        ),
    ),
    Column(
        "managing_unit",
        "Unit Pengelola",
        gettext_lazy("Managing unit"),
        Kind.UNIT,
        ("pengelola", "opd pengelola", "unit kerja pengelola", "managed by", "managing unit"),
    ),
    Column(
        "user_units",
        "Unit Pengguna",
        gettext_lazy("User units"),
        Kind.UNITS,
        ("pengguna", "opd pengguna", "unit kerja pengguna", "users", "user units"),
    ),
    Column(
        "developer_kind",
        "Jenis Pengembang",
        gettext_lazy("Developer kind (internal or vendor)"),
        Kind.CHOICE,
        ("jenis pembuat", "cara pengembangan", "developer kind"),
        choices="developer_kind",
    ),
    Column(
        "developer",
        "Pengembang",
        gettext_lazy("Developer (team or vendor)"),
        Kind.DEVELOPER,
        ("pembuat", "dibangun oleh", "developer", "vendor", "penyedia aplikasi"),
        max_length=200,
    ),
    Column(
        "stage",
        "Status",
        gettext_lazy("Lifecycle stage"),
        Kind.CHOICE,
        ("status aplikasi", "tahap", "tahapan", "siklus hidup", "stage", "lifecycle stage"),
        choices="stage",
    ),
    Column(
        "year_built",
        "Tahun Pembuatan",
        gettext_lazy("Year built"),
        Kind.YEAR,
        ("tahun", "tahun dibuat", "tahun pembangunan", "tahun pengembangan", "year", "year built"),
    ),
    Column(
        "data_classification",
        "Klasifikasi Data",
        gettext_lazy("Data classification"),
        Kind.CHOICE,
        ("klasifikasi", "sifat data", "kerahasiaan data", "data classification"),
        choices="data_classification",
    ),
    Column(
        "source_code_location",
        "Lokasi Kode Sumber",
        gettext_lazy("Source-code location"),
        Kind.TEXT,
        ("kode sumber", "source code", "repositori", "repository", "lokasi source code"),
        max_length=500,
    ),
    Column(
        "production_server",
        "Server Produksi",
        gettext_lazy("Production server"),
        Kind.TEXT,
        ("server", "server aplikasi", "production server"),
        max_length=200,
    ),
    Column(
        "production_domain",
        "Domain Produksi",
        gettext_lazy("Production domain"),
        Kind.DOMAIN,
        ("domain", "nama domain", "production domain"),
    ),
    Column(
        "production_database",
        "Basis Data Produksi",
        gettext_lazy("Production database"),
        Kind.TEXT,
        ("database", "basis data", "dbms", "production database"),
        max_length=200,
    ),
    Column(
        "production_hosting",
        "Hosting Produksi",
        gettext_lazy("Production hosting"),
        Kind.TEXT,
        ("hosting", "lokasi server", "pusat data", "production hosting"),
        max_length=200,
    ),
    Column(
        "staging_server",
        "Server Staging",
        gettext_lazy("Staging server"),
        Kind.TEXT,
        ("server uji", "server pengembangan", "staging server"),
        max_length=200,
    ),
    Column(
        "staging_domain",
        "Domain Staging",
        gettext_lazy("Staging domain"),
        Kind.DOMAIN,
        ("domain uji", "domain pengembangan", "staging domain"),
    ),
    Column(
        "staging_database",
        "Basis Data Staging",
        gettext_lazy("Staging database"),
        Kind.TEXT,
        ("database staging", "basis data uji", "staging database"),
        max_length=200,
    ),
    Column(
        "staging_hosting",
        "Hosting Staging",
        gettext_lazy("Staging hosting"),
        Kind.TEXT,
        ("hosting uji", "staging hosting"),
        max_length=200,
    ),
    Column(
        "contract_vendor",
        "Penyedia Kontrak",
        gettext_lazy("Contract vendor"),
        Kind.TEXT,
        ("penyedia", "rekanan", "nama penyedia", "contract vendor"),
        max_length=200,
    ),
    Column(
        "contract_number",
        "Nomor Kontrak",
        gettext_lazy("Contract number"),
        Kind.TEXT,
        (
            "no kontrak",
            "no kontrak spk",
            "nomor kontrak spk",
            "nomor spk",
            "no spk",
            "kontrak",
            "contract number",
            "contract",
        ),
        max_length=100,
    ),
    Column(
        "contract_date",
        "Tanggal Kontrak",
        gettext_lazy("Contract date"),
        Kind.DATE,
        ("tgl kontrak", "tanggal spk", "contract date"),
    ),
    Column(
        "contract_value",
        "Nilai Kontrak (Rp)",
        gettext_lazy("Contract value (rupiah)"),
        Kind.MONEY,
        ("nilai kontrak", "nilai", "nilai spk", "anggaran", "biaya", "contract value", "value"),
    ),
    Column(
        "contract_start",
        "Mulai Kontrak",
        gettext_lazy("Contract start"),
        Kind.DATE,
        (
            "tanggal mulai",
            "masa kontrak mulai",
            "awal kontrak",
            "mulai",
            "contract start",
            "start date",
        ),
    ),
    Column(
        "contract_end",
        "Akhir Kontrak",
        gettext_lazy("Contract end"),
        Kind.DATE,
        (
            "tanggal selesai",
            "masa kontrak selesai",
            "selesai kontrak",
            "berakhir",
            "contract end",
            "end date",
        ),
    ),
    Column(
        "support_kind",
        "Jenis Dukungan",
        gettext_lazy("Warranty or maintenance"),
        Kind.CHOICE,
        (
            "garansi atau pemeliharaan",
            "garansi pemeliharaan",
            "dukungan",
            "support",
            "support kind",
        ),
        choices="support_kind",
    ),
    Column(
        "support_end",
        "Akhir Garansi/Pemeliharaan",
        gettext_lazy("Warranty or maintenance until"),
        Kind.DATE,
        (
            "masa garansi",
            "akhir garansi",
            "akhir pemeliharaan",
            "berakhir garansi pemeliharaan",
            "warranty until",
            "support end",
        ),
    ),
    Column(
        "contract_scope",
        "Lingkup Kontrak",
        gettext_lazy("Contract scope"),
        Kind.LONG_TEXT,
        ("lingkup pekerjaan", "ruang lingkup", "uraian pekerjaan", "contract scope", "scope"),
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}
CONTRACT_KEYS = (
    "contract_vendor",
    "contract_number",
    "contract_date",
    "contract_value",
    "contract_start",
    "contract_end",
    "support_kind",
    "support_end",
    "contract_scope",
)
ENVIRONMENT_KEYS = {
    EnvironmentKind.PRODUCTION: (
        "production_server",
        "production_domain",
        "production_database",
        "production_hosting",
    ),
    EnvironmentKind.STAGING: (
        "staging_server",
        "staging_domain",
        "staging_database",
        "staging_hosting",
    ),
}


def normalize(text: object) -> str:
    """Lower-case words without accents or punctuation: how headers and choices compare."""
    raw = unicodedata.normalize("NFKD", str(text or ""))
    raw = "".join(ch for ch in raw if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", raw).split())


_HEADER_NAMES: dict[str, str] = {}
"""Every normalised header a field is recognised by -> the field's key."""
for _col in COLUMNS:
    for _name in (_col.header, _col.key.replace("_", " "), *_col.aliases):
        _HEADER_NAMES.setdefault(normalize(_name), _col.key)


def choice_name(choices: str, value: str) -> str:
    """The Indonesian name the spreadsheet writes for a choice value."""
    names = CHOICE_NAMES[choices].get(value)
    return names[0] if names else value


def choice_lookup(choices: str) -> dict[str, str]:
    """Every name a choice is read by (normalised) -> its value."""
    table: dict[str, str] = {}
    for value, names in CHOICE_NAMES[choices].items():
        table[normalize(value)] = value
        for name in names:
            table.setdefault(normalize(name), value)
    return table


def allowed_names(choices: str) -> list[str]:
    return [names[0] for names in CHOICE_NAMES[choices].values()]


def header_key(header: object) -> str:
    """The field a header names ("" for none)."""
    return _HEADER_NAMES.get(normalize(header), "")
