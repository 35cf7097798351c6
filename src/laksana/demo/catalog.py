"""The demo catalogue: the sample inventory imported into the Bali agency, the two Bali
applications of the demo cases (SIMPEG, SIKESDA) filled in, and a decommissioned application
with its data deletion minutes. Written through :mod:`laksana.catalog.services`, as the
operator (``actor=None``), before the demo cases run (the lifecycle cases then move the other
agencies' applications through their stages).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from laksana.catalog import samples, services, spreadsheet
from laksana.catalog.models import (
    Application,
    DataClassification,
    DeveloperKind,
    Platform,
    Scope,
    ServiceKind,
    SupportKind,
)
from laksana.demo.orgs import DemoOrg
from laksana.org.models import Unit, UnitKind


class CatalogueError(RuntimeError):
    """The sample inventory did not import (a bug of the sample, not of the data)."""


def add_sample_units(org: DemoOrg) -> None:
    """The units the sample inventory names that the agency does not have yet: requesting
    units (OPD) at the top, divisions under the agency's office."""
    office = org.units.get("dinas")
    have = set(Unit.objects.filter(agency=org.agency).values_list("name", flat=True))
    for name, short, kind in samples.UNITS:
        if name in have:
            continue
        Unit.objects.create(
            agency=org.agency,
            name=name,
            short_name=short,
            kind=kind,
            parent=office if kind == UnitKind.DIVISION else None,
        )


def import_sample_inventory(org: DemoOrg, now: dt.datetime) -> list[Application]:
    """Import the sample inventory into the agency (its units are added first)."""
    add_sample_units(org)
    table = spreadsheet.read_table(samples.inventory_bytes(), samples.INVENTORY_NAME)
    report = services.import_applications(
        None,
        org.agency,
        table,
        spreadsheet.guess_mapping(table.headers),
        source=samples.INVENTORY_NAME,
        now=now,
    )
    if not report.ok:
        raise CatalogueError("; ".join(str(p) for p in report.problems[:10]))
    return report.created


def build_catalogue(bali: DemoOrg, now: dt.datetime) -> None:
    """The Bali catalogue, as of two months before ``now``."""
    at = now - dt.timedelta(days=60)
    created = import_sample_inventory(bali, at)
    units = {u.short_name or u.name: u for u in Unit.objects.filter(agency=bali.agency)}
    year = at.year
    simpeg = bali.applications["simpeg"]
    services.update_application(
        None,
        simpeg.pk,
        services.ApplicationInput(
            name=simpeg.name,
            short_name=simpeg.short_name,
            description=(
                "Data induk pegawai ASN Pemerintah Provinsi Bali: riwayat jabatan, pangkat, "
                "pendidikan dan cetak SK."
            ),
            scope=Scope.SPECIFIC,
            service_kind=ServiceKind.ADMINISTRATION,
            function="Pengelolaan data kepegawaian dan layanan administrasi kepegawaian.",
            legal_basis="UU No. 20 Tahun 2023 tentang Aparatur Sipil Negara",
            platforms=[Platform.WEB],
            urls=["https://simpeg.baliprov.go.id"],
            owner_unit=units["BKD"],
            managing_unit=units["Bidang IAI"],
            user_units=[units["BKD"]],
            developer_kind=DeveloperKind.INTERNAL,
            developer_unit=units["Tim SPBE"],
            year_built=2015,
            data_classification=DataClassification.CONFIDENTIAL,
            source_code_location="https://git.baliprov.go.id/bkd/simpeg",
        ),
        now=at,
    )
    services.set_environment(
        None,
        simpeg.pk,
        "production",
        services.EnvironmentInput(
            server="VM-APP-02",
            domain="simpeg.baliprov.go.id",
            database="PostgreSQL 13",
            hosting="Data Center Pemprov Bali",
        ),
        now=at,
    )
    # The copy the Tim SPBE and the BKD test fixes on (SIT and UAT).
    services.set_environment(
        None,
        simpeg.pk,
        "staging",
        services.EnvironmentInput(
            server="VM-DEV-03", domain="uji-simpeg.baliprov.go.id", database="PostgreSQL 13"
        ),
        now=at,
    )
    sikesda = bali.applications["sikesda"]
    services.update_application(
        None,
        sikesda.pk,
        services.ApplicationInput(
            name=sikesda.name,
            short_name=sikesda.short_name,
            description=(
                "Pencatatan layanan puskesmas, stok obat dan laporan bulanan kesehatan "
                "kabupaten/kota ke Dinas Kesehatan Provinsi Bali."
            ),
            scope=Scope.SPECIFIC,
            service_kind=ServiceKind.PUBLIC_SERVICE,
            function="Pelaporan layanan kesehatan dan stok obat puskesmas.",
            legal_basis="PP No. 46 Tahun 2014 tentang Sistem Informasi Kesehatan",
            platforms=[Platform.WEB, Platform.MOBILE],
            urls=["https://sikesda.baliprov.go.id"],
            owner_unit=units["Dinkes"],
            managing_unit=units["Bidang IAI"],
            user_units=[units["Dinkes"], units["RSUD Bali Mandara"]],
            developer_kind=DeveloperKind.VENDOR,
            developer_vendor=services.vendor_named(bali.agency.pk, "PT Medika Digital Nusantara"),
            year_built=2019,
            data_classification=DataClassification.SECRET,
            source_code_location="Repositori vendor; salinan diserahkan saat BAST",
        ),
        now=at,
    )
    services.set_environment(
        None,
        sikesda.pk,
        "production",
        services.EnvironmentInput(
            server="VM-DINKES-01",
            domain="sikesda.baliprov.go.id",
            database="PostgreSQL 14",
            hosting="Data Center Pemprov Bali",
        ),
        now=at,
    )
    services.set_environment(
        None,
        sikesda.pk,
        "staging",
        services.EnvironmentInput(
            server="VM-DEV-05", domain="uji-sikesda.baliprov.go.id", database="PostgreSQL 14"
        ),
        now=at,
    )
    for number, starts, value, kind in (
        (f"440/0519/SPK/DINKES/{year - 2}", dt.date(year - 2, 2, 1), "395000000", "warranty"),
        (f"440/0217/SPK/DINKES/{year}", dt.date(year, 1, 8), "178500000", "maintenance"),
    ):
        services.add_contract(
            None,
            sikesda.pk,
            services.ContractInput(
                vendor_name="PT Medika Digital Nusantara",
                number=number,
                signed_on=starts,
                value=Decimal(value),
                starts_on=starts,
                ends_on=dt.date(starts.year, 12, 31),
                support_kind=SupportKind(kind),
                support_ends_on=dt.date(starts.year + 1, 6, 30)
                if kind == "warranty"
                else dt.date(starts.year, 12, 31),
                scope=(
                    "Pengembangan modul laporan bulanan puskesmas dan dasbor stok obat."
                    if kind == "warranty"
                    else "Pemeliharaan aplikasi, perbaikan galat dan dukungan pengguna."
                ),
            ),
            now=at,
        )
    for risk in (
        services.RiskInput(
            "Data kesehatan pasien bocor melalui akun operator puskesmas yang dipinjamkan.",
            3,
            5,
            "Autentikasi dua faktor dan audit log akses; sosialisasi kepada operator.",
            "Kepala Bidang IAI",
            "mitigating",
        ),
        services.RiskInput(
            "Server basis data tunggal tanpa replikasi: layanan terhenti bila server rusak.",
            2,
            4,
            "Replikasi ke server cadangan dan uji pemulihan setiap triwulan.",
            "Ketua Tim Aplikasi Informatika",
            "open",
        ),
    ):
        services.add_risk(None, sikesda.pk, risk, now=at)
    tnde = next(a for a in created if a.short_name == "TNDE")
    services.record_data_deletion(
        None,
        tnde.pk,
        [
            services.DeletionInput(
                data=data,
                location=location,
                method=method,
                executed_by="I Made Suardana (Ketua Tim Aplikasi Informatika)",
                executed_on=dt.date(year - 1, 9, 12),
                witness="Ni Luh Putu Ariani (Kepala Bidang IAI)",
                minutes_number=f"BA/045/0917/DISKOMINFOS/{year - 1}",
            )
            for data, location, method in (
                (
                    "Basis data surat masuk dan keluar 2014–2022 (setelah dimigrasikan ke "
                    "SRIKANDI)",
                    "VM-APP-01, basis data tnde_prod",
                    "DROP DATABASE dan penghapusan aman berkas data (shred)",
                ),
                (
                    "Lampiran surat (PDF) 2014–2022",
                    "VM-APP-01, /srv/tnde/lampiran",
                    "Penghapusan aman (shred) setelah arsip diserahkan ke Biro Umum",
                ),
                (
                    "Cadangan basis data TNDE",
                    "Server cadangan Diskominfos",
                    "Penghapusan aman dan pemusnahan media cadangan",
                ),
            )
        ],
        now=at,
    )
