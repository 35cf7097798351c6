"""The sample application inventory: a provincial Diskominfo's spreadsheet, for the demo and
the tests.

:data:`INVENTORY` is a CSV file as a provincial communication and informatics office keeps it
(Pemerintah Provinsi Bali, made up but realistic: its regional offices (OPD), national shared
applications (Aplikasi Umum) and its own (Aplikasi Khusus), vendors and contracts, addresses
under .baliprov.go.id). :data:`UNITS` are the units it names, beyond those every demo Bali
agency has (the Diskominfos and its teams, Dinkes, BKD): the importing agency must have them,
as an unknown unit is a problem of the import.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

INVENTORY_NAME = "inventaris-aplikasi-pemprov-bali.csv"


def inventory_path() -> Path:
    """Where the sample inventory (CSV) is installed."""
    return Path(str(resources.files(__package__).joinpath(INVENTORY_NAME)))


def inventory_bytes() -> bytes:
    return resources.files(__package__).joinpath(INVENTORY_NAME).read_bytes()


UNITS: tuple[tuple[str, str, str], ...] = (
    ("Badan Perencanaan Pembangunan Daerah Provinsi Bali", "Bappeda", "requesting"),
    ("Badan Pengelolaan Keuangan dan Aset Daerah Provinsi Bali", "BPKAD", "requesting"),
    ("Badan Pendapatan Daerah Provinsi Bali", "Bapenda", "requesting"),
    (
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Bali",
        "DPMPTSP",
        "requesting",
    ),
    ("Dinas Pendidikan, Kepemudaan dan Olahraga Provinsi Bali", "Disdikpora", "requesting"),
    ("Dinas Sosial Provinsi Bali", "Dinsos", "requesting"),
    ("Dinas Pariwisata Provinsi Bali", "Dispar", "requesting"),
    ("Dinas Perhubungan Provinsi Bali", "Dishub", "requesting"),
    ("Dinas Kehutanan dan Lingkungan Hidup Provinsi Bali", "DKLH", "requesting"),
    ("Dinas Pemajuan Masyarakat Adat Provinsi Bali", "Dinas PMA", "requesting"),
    (
        "Dinas Tenaga Kerja dan Energi Sumber Daya Mineral Provinsi Bali",
        "Disnaker ESDM",
        "requesting",
    ),
    ("Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Bali", "Diskop UKM", "requesting"),
    ("Badan Penanggulangan Bencana Daerah Provinsi Bali", "BPBD", "requesting"),
    ("Inspektorat Provinsi Bali", "Inspektorat", "requesting"),
    ("Biro Organisasi Sekretariat Daerah Provinsi Bali", "Biro Organisasi", "requesting"),
    ("Biro Hukum Sekretariat Daerah Provinsi Bali", "Biro Hukum", "requesting"),
    ("Biro Pengadaan Barang dan Jasa Sekretariat Daerah Provinsi Bali", "Biro PBJ", "requesting"),
    ("Biro Umum dan Protokol Sekretariat Daerah Provinsi Bali", "Biro Umum", "requesting"),
    ("Sekretariat DPRD Provinsi Bali", "Setwan", "requesting"),
    ("Rumah Sakit Umum Daerah Bali Mandara", "RSUD Bali Mandara", "requesting"),
    ("Bidang Statistik", "Bidang Statistik", "division"),
    ("Bidang Persandian dan Keamanan Informasi", "Bidang Persandian", "division"),
)
"""(name, short name, unit kind) of the requesting units (OPD) and the Diskominfos divisions
(under its office) that the inventory names."""
