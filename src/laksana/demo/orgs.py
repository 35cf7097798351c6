"""Builders of the demo agencies. Each returns a :class:`DemoOrg` naming its people by role."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from laksana.catalog.models import Application, Contract, Stage, Vendor
from laksana.org import roles
from laksana.org.models import (
    DEFAULT_INSTRUCTIONS,
    ActorBinding,
    Agency,
    DispositionInstruction,
    Person,
    Position,
    RoleKind,
    Unit,
    UnitKind,
)
from laksana.procedures.models import ProcedureVersion
from laksana.procedures.services import adopt

DEMO_PASSWORD = "laksana-demo"


@functools.cache
def _password_hash(hashers: tuple[str, ...]) -> str:
    # Every demo account shares the one published password, so it is hashed once (per hasher
    # setting): hashing it for each of some fifty people would make `laksana demo` take half
    # a minute.
    return make_password(DEMO_PASSWORD)


def demo_password_hash() -> str:
    """The stored hash of :data:`DEMO_PASSWORD` under the current password hashers."""
    return _password_hash(tuple(settings.PASSWORD_HASHERS))


@dataclass
class DemoOrg:
    """A demo agency and its people, by the short login names used in the demo."""

    agency: Agency
    people: dict[str, Person] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)
    # The shipped SOPs the agency adopted, by key: its own published versions.
    versions: dict[str, ProcedureVersion] = field(default_factory=dict)

    def __getitem__(self, login: str) -> Person:
        return self.people[login]


class _Builder:
    def __init__(self, name: str, short: str, slug: str, tz: str = "Asia/Jakarta") -> None:
        self.org = DemoOrg(
            Agency.objects.create(name=name, short_name=short, slug=slug, time_zone=tz)
        )
        self.positions: dict[str, Position] = {}
        for i, text in enumerate(DEFAULT_INSTRUCTIONS):
            DispositionInstruction.objects.create(agency=self.org.agency, text=text, order=i)

    def unit(
        self, key: str, name: str, kind: str, parent: str | None = None, short: str = ""
    ) -> Unit:
        unit = Unit.objects.create(
            agency=self.org.agency,
            name=name,
            short_name=short,
            kind=kind,
            parent=self.org.units.get(parent or ""),
        )
        self.org.units[key] = unit
        return unit

    def person(
        self,
        login: str,
        name: str,
        unit: str,
        nip: str = "",
        position: tuple[str, str] | None = None,
        superior: str | None = None,
        vendor: Vendor | None = None,
        superuser: bool = False,
    ) -> Person:
        user_model = get_user_model()
        user = user_model.objects.create(
            username=login,
            password=demo_password_hash(),
            email=f"{login}@demo.laksana.local",
            first_name=name[:150],
        )
        if superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        person = Person.objects.create(
            user=user,
            agency=self.org.agency,
            name=name,
            nip=nip,
            email=user.email,
            unit=self.org.units[unit],
            superior=self.org.people.get(superior or ""),
            vendor=vendor,
        )
        if position:
            key, title = position
            pos = self.positions.get(key)
            if pos is None:
                sup = self.org.people.get(superior or "")
                sup_pos = sup.positions.first() if sup else None
                pos = Position.objects.create(
                    agency=self.org.agency, unit=self.org.units[unit], name=title, superior=sup_pos
                )
                self.positions[key] = pos
            person.positions.add(pos)
        self.org.people[login] = person
        return person

    def bind(
        self,
        procedure: str,
        actor: str,
        *,
        position: str | None = None,
        person: str | None = None,
        unit: str | None = None,
    ) -> None:
        ActorBinding.objects.create(
            agency=self.org.agency,
            procedure_key=procedure,
            actor_key=actor,
            position=self.positions.get(position or ""),
            person=self.org.people.get(person or ""),
            unit=self.org.units.get(unit or ""),
        )

    def administrator(self, login: str, name: str, unit: str, nip: str) -> Person:
        """A member of staff who administers the agency (its units, people, bindings...)."""
        person = self.person(login, name, unit, nip)
        roles.grant(person, RoleKind.AGENCY_ADMIN)
        return person

    def adopt(self, admin: str, *procedures: str) -> None:
        """Make ``admin`` a procedure administrator of the agency, who adopts the shipped
        ``procedures`` as the agency's own published versions."""
        person = self.org.people[admin]
        roles.grant(person, RoleKind.PROCEDURE_ADMIN)
        for key in procedures:
            self.org.versions[key] = adopt(key, self.org.agency, by=person)


SOP_000 = "sop-000-pemeliharaan-aplikasi"
SOP_001 = "sop-001-pengelolaan-aplikasi"
SOP_002 = "sop-002-penanganan-masalah-aplikasi"
SOP_003 = "sop-003-pembuatan-aplikasi-dan-website"
SOP_004 = "sop-004-pemulihan-gagal-fungsi-ipas"


@transaction.atomic
def build_bali() -> DemoOrg:
    """Dinas Kominfos Provinsi Bali with two OPDs as requesting units (SOP 002)."""
    b = _Builder(
        "Dinas Komunikasi, Informatika dan Statistik Provinsi Bali",
        "Diskominfos Bali",
        "diskominfos-bali",
        "Asia/Makassar",
    )
    b.unit(
        "dinas", "Dinas Komunikasi, Informatika dan Statistik", UnitKind.OFFICE, short="Diskominfos"
    )
    b.unit(
        "iai",
        "Bidang Infrastruktur dan Aplikasi Informatika",
        UnitKind.DIVISION,
        "dinas",
        short="Bidang IAI",
    )
    b.unit("tim_ai", "Tim Aplikasi Informatika", UnitKind.TEAM, "iai", short="Tim AI")
    b.unit("tim_spbe", "Tim SPBE", UnitKind.TEAM, "iai")
    b.unit("dinkes", "Dinas Kesehatan Provinsi Bali", UnitKind.REQUESTING, short="Dinkes")
    b.unit("bkd", "Badan Kepegawaian Daerah Provinsi Bali", UnitKind.REQUESTING, short="BKD")
    b.person("kadis", "Gede Pramana", "dinas", "196805311997031002", ("kadis", "Kepala Dinas"))
    b.person(
        "kabid",
        "Ni Luh Putu Ariani",
        "iai",
        "197604122003122004",
        ("kabid", "Kepala Bidang Infrastruktur dan Aplikasi Informatika"),
        "kadis",
    )
    b.person(
        "ketuatim",
        "I Made Suardana",
        "tim_ai",
        "198201082009011003",
        ("ketua_tim", "Ketua Tim Aplikasi Informatika"),
        "kabid",
    )
    b.person(
        "dev1",
        "Komang Adi Wiguna",
        "tim_spbe",
        "199107152019031008",
        ("spbe", "Pengembang Tim SPBE"),
        "ketuatim",
    )
    b.person(
        "qa1",
        "Kadek Ayu Lestari",
        "tim_spbe",
        "199305202020122011",
        ("spbe", "Pengembang Tim SPBE"),
        "ketuatim",
    )
    b.person(
        "dinkes",
        "dr. Ketut Sudiarta",
        "dinkes",
        "197511302005011002",
        ("kadinkes", "Kepala Dinas Kesehatan"),
    )
    b.person(
        "dinkes_staf",
        "Putu Eka Pratama",
        "dinkes",
        "199402142022031001",
        ("dinkes_staf", "Pranata Komputer Dinas Kesehatan"),
        "dinkes",
    )
    b.person(
        "kabkd",
        "Drs. I Nyoman Widiana, M.Si.",
        "bkd",
        "197009121995031003",
        ("kabkd", "Kepala Badan Kepegawaian Daerah"),
    )
    b.person(
        "bkd",
        "Wayan Sutama",
        "bkd",
        "198003102006041005",
        ("bkd_staf", "Analis Kepegawaian"),
        "kabkd",
    )
    b.org.applications["simpeg"] = Application.objects.create(
        agency=b.org.agency,
        name="Sistem Informasi Kepegawaian",
        short_name="SIMPEG",
        owner_unit=b.org.units["bkd"],
    )
    b.org.applications["sikesda"] = Application.objects.create(
        agency=b.org.agency,
        name="Sistem Informasi Kesehatan Daerah",
        short_name="SIKESDA",
        owner_unit=b.org.units["dinkes"],
    )
    b.bind(SOP_002, "kadis", position="kadis")
    b.bind(SOP_002, "kabid", position="kabid")
    b.bind(SOP_002, "ketua_tim", position="ketua_tim")
    b.bind(SOP_002, "tim_spbe", unit="tim_spbe")
    b.administrator("adminbali", "Komang Sri Wahyuni", "dinas", "199003152015032001")
    b.adopt("kabid", SOP_002)
    return b.org


@transaction.atomic
def build_djki() -> DemoOrg:
    """Direktorat Teknologi Informasi of DJKI, with a user directorate (SOP 004)."""
    b = _Builder("Direktorat Jenderal Kekayaan Intelektual", "DJKI", "djki")
    b.unit(
        "tiki",
        "Direktorat Teknologi Informasi Kekayaan Intelektual",
        UnitKind.OFFICE,
        short="Dit. TIKI",
    )
    b.unit(
        "subdit",
        "Subdirektorat Pengembangan Sistem Informasi KI",
        UnitKind.DIVISION,
        "tiki",
        short="Subdit PSI",
    )
    b.unit("seksi_app", "Seksi Aplikasi", UnitKind.SECTION, "subdit")
    b.unit("seksi_db", "Seksi Database dan Keamanan Data", UnitKind.SECTION, "subdit")
    b.unit("seksi_net", "Seksi Pengelola Jaringan", UnitKind.SECTION, "subdit")
    b.unit("tu", "Subbagian Tata Usaha TIKI", UnitKind.SECTION, "tiki", short="Subbag TU")
    b.unit("ipas_dev", "Team IPAS Development", UnitKind.VENDOR)
    b.unit(
        "merek", "Direktorat Merek dan Indikasi Geografis", UnitKind.REQUESTING, short="Dit. Merek"
    )
    b.unit(
        "paten",
        "Direktorat Paten, Desain Tata Letak Sirkuit Terpadu, dan Rahasia Dagang",
        UnitKind.REQUESTING,
        short="Dit. Paten",
    )
    vendor = Vendor.objects.create(agency=b.org.agency, name="PT Solusi IPAS Nusantara")
    b.person(
        "direktur",
        "Dr. Sucipto Hadi",
        "tiki",
        "197001011995031001",
        ("direktur", "Direktur Teknologi Informasi KI"),
    )
    b.person(
        "kasubdit",
        "Rina Marlina",
        "subdit",
        "197505052000032001",
        ("kasubdit", "Kasubdit Pengembangan Sistem Informasi KI"),
        "direktur",
    )
    b.person(
        "kasie_app",
        "Agus Setiawan",
        "seksi_app",
        "198008082005011001",
        ("kasie_app", "Kasie Aplikasi"),
        "kasubdit",
    )
    b.person(
        "kasie_db",
        "Dewi Kartika",
        "seksi_db",
        "198109092006042001",
        ("kasie_db", "Kasie Database dan Keamanan Data"),
        "kasubdit",
    )
    b.person(
        "kasie_net",
        "Bambang Prasetyo",
        "seksi_net",
        "197912122004121001",
        ("kasie_net", "Kasie Pengelola Jaringan"),
        "kasubdit",
    )
    b.person(
        "jfu",
        "Fajar Nugroho",
        "seksi_app",
        "199203032019031002",
        ("jfu", "JFU Pelaksana"),
        "kasie_app",
    )
    b.person(
        "kasubag_tu",
        "Sri Wahyuni",
        "tu",
        "197807072003122002",
        ("kasubag_tu", "Kasubag TU TIKI"),
        "direktur",
    )
    b.person("ipasdev", "Rizky Ramadhan", "ipas_dev", vendor=vendor)
    b.person(
        "merek",
        "Hendra Gunawan",
        "merek",
        "198506062010011004",
        ("dir_merek", "Direktur Merek dan Indikasi Geografis"),
    )
    b.person(
        "merek_staf",
        "Lina Oktaviani",
        "merek",
        "199006062015032003",
        ("merek_staf", "Analis Merek"),
        "merek",
    )
    b.person(
        "paten_staf",
        "Yogi Firmansyah",
        "paten",
        "199107142017121002",
        ("paten_staf", "Pemeriksa Paten Ahli Pertama"),
    )
    app = Application.objects.create(
        agency=b.org.agency,
        name="Industrial Property Automation System",
        short_name="IPAS",
        owner_unit=b.org.units["tiki"],
    )
    Contract.objects.create(application=app, vendor=vendor, number="KTR-IPAS/2026/001")
    b.org.applications["ipas"] = app
    for actor, position in (
        ("direktur", "direktur"),
        ("kasubdit", "kasubdit"),
        ("kasie_database", "kasie_db"),
        ("kasie_jaringan", "kasie_net"),
        ("kasie_aplikasi", "kasie_app"),
        ("kasubag_tu", "kasubag_tu"),
        ("jfu", "jfu"),
    ):
        b.bind(SOP_004, actor, position=position)
    b.bind(SOP_004, "tim_ipas", unit="ipas_dev")
    b.administrator("admindjki", "Rina Kusumawardani", "tu", "198907212014022003")
    b.adopt("kasubdit", SOP_004)
    return b.org


@transaction.atomic
def build_university() -> DemoOrg:
    """A university's IT directorate: application maintenance with a vendor (SOP 000) and
    proposals for new applications and websites from the faculties (SOP 003).

    The university has one IT unit, the Direktorat Sistem dan Teknologi Informasi; it plays
    the PUSTIPD of SOP 003, so the actor "Kepala PUSTIPD" is bound to its Direktur.
    """
    b = _Builder("Universitas Teknologi Nusantara", "UTN", "utn")
    b.unit("dsti", "Direktorat Sistem dan Teknologi Informasi", UnitKind.OFFICE, short="DSTI")
    b.unit("seksi_ops", "Seksi Operasional", UnitKind.SECTION, "dsti", short="Seksi Ops")
    b.unit("div_app", "Divisi Aplikasi", UnitKind.DIVISION, "dsti")
    b.unit("div_layanan", "Divisi Layanan dan Sosialisasi", UnitKind.DIVISION, "dsti")
    b.unit("div_infra", "Divisi Infrastruktur", UnitKind.DIVISION, "dsti")
    b.unit("div_monsec", "Divisi Monitoring dan Keamanan", UnitKind.DIVISION, "dsti")
    b.unit("biro_ren", "Biro Perencanaan dan Keuangan", UnitKind.OFFICE, short="Biro PK")
    b.unit("ft", "Fakultas Teknik", UnitKind.REQUESTING, short="FT")
    b.unit("feb", "Fakultas Ekonomi dan Bisnis", UnitKind.REQUESTING, short="FEB")
    b.unit("vendor", "PT Mitra Solusi Informatika", UnitKind.VENDOR, short="PT MSI")
    vendor = Vendor.objects.create(agency=b.org.agency, name="PT Mitra Solusi Informatika")
    b.person(
        "utn_direktur",
        "Dr. Ir. Bambang Riyanto, M.T.",
        "dsti",
        "197003152000121001",
        ("direktur", "Direktur Sistem dan Teknologi Informasi"),
    )
    b.person(
        "utn_kasi_ops",
        "Dedi Kurniawan, A.Md.",
        "seksi_ops",
        "197805222005011003",
        ("kasi_ops", "Kepala Seksi Operasional"),
        "utn_direktur",
    )
    b.person(
        "utn_ops1",
        "Siti Nurhaliza, S.Kom.",
        "seksi_ops",
        "199108172019032014",
        ("staf_ops", "Pranata Komputer Seksi Operasional"),
        "utn_kasi_ops",
    )
    b.person(
        "utn_ops2",
        "Ahmad Fauzi, S.T.",
        "seksi_ops",
        "199304102020121005",
        ("staf_ops", "Pranata Komputer Seksi Operasional"),
        "utn_kasi_ops",
    )
    b.person(
        "utn_koord_app",
        "Muhammad Ridwan, S.Kom., M.T.",
        "div_app",
        "198201142008011007",
        ("koord_app", "Koordinator Divisi Aplikasi"),
        "utn_direktur",
    )
    b.person(
        "utn_kadiv_app",
        "Rahmawati, S.T., M.Kom.",
        "div_app",
        "198506302010122003",
        ("kadiv_app", "Kepala Divisi Aplikasi"),
        "utn_koord_app",
    )
    b.person(
        "utn_dev1",
        "Andi Pratama, S.Kom.",
        "div_app",
        "199402052020121008",
        ("dev_app", "Pengembang Aplikasi"),
        "utn_kadiv_app",
    )
    b.person(
        "utn_dev2",
        "Nurul Hidayah, S.Kom.",
        "div_app",
        "199511212022032011",
        ("dev_app", "Pengembang Aplikasi"),
        "utn_kadiv_app",
    )
    b.person(
        "utn_kadiv_layanan",
        "Yusuf Hamdani, S.Kom.",
        "div_layanan",
        "198709092011011009",
        ("kadiv_layanan", "Kepala Divisi Layanan dan Sosialisasi"),
        "utn_direktur",
    )
    b.person(
        "utn_kadiv_infra",
        "Hendra Saputra, S.T.",
        "div_infra",
        "198312122009011006",
        ("kadiv_infra", "Kepala Divisi Infrastruktur"),
        "utn_direktur",
    )
    b.person(
        "utn_kadiv_monsec",
        "Fitri Handayani, S.Kom., M.Cs.",
        "div_monsec",
        "198803032012122002",
        ("kadiv_monsec", "Kepala Divisi Monitoring dan Keamanan"),
        "utn_direktur",
    )
    b.person(
        "utn_karo_pk",
        "Drs. Syamsul Bahri, M.M.",
        "biro_ren",
        "196910101995031002",
        ("karo_pk", "Kepala Biro Perencanaan dan Keuangan"),
    )
    b.person(
        "utn_dekan_ft",
        "Prof. Dr. Eng. Lukman Hakim, S.T., M.Eng.",
        "ft",
        "197207071998021001",
        ("dekan_ft", "Dekan Fakultas Teknik"),
    )
    b.person(
        "utn_ft_staf",
        "Desi Ratnasari, S.Kom.",
        "ft",
        "199006152015042002",
        ("ft_staf", "Pranata Komputer Fakultas Teknik"),
        "utn_dekan_ft",
    )
    b.person(
        "utn_dekan_feb",
        "Dr. Retno Wulandari, S.E., M.Si.",
        "feb",
        "197604042002122001",
        ("dekan_feb", "Dekan Fakultas Ekonomi dan Bisnis"),
    )
    b.person(
        "utn_feb_staf",
        "Rudi Hartono, S.E.",
        "feb",
        "198811202014041003",
        ("feb_staf", "Kepala Subbagian Akademik FEB"),
        "utn_dekan_feb",
    )
    b.person("utn_vendor1", "Bayu Anggara", "vendor", vendor=vendor)
    b.person("utn_vendor2", "Clara Wijaya", "vendor", vendor=vendor)
    siakad = Application.objects.create(
        agency=b.org.agency,
        name="Sistem Informasi Akademik",
        short_name="SIAKAD",
        owner_unit=b.org.units["dsti"],
    )
    year = dt.date.today().year
    Contract.objects.create(
        application=siakad,
        vendor=vendor,
        number=f"SPK/027/UTN/DSTI/{year}",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
    )
    b.org.applications["siakad"] = siakad
    b.org.applications["lms"] = Application.objects.create(
        agency=b.org.agency,
        name="Learning Management System UTN",
        short_name="e-Learning",
        owner_unit=b.org.units["dsti"],
    )
    b.org.applications["web_ft"] = Application.objects.create(
        agency=b.org.agency,
        name="Portal Website Fakultas Teknik",
        short_name="Web FT",
        owner_unit=b.org.units["ft"],
    )
    # Proposed by the faculty (SOP 003): its proposal case moves it through its stages.
    b.org.applications["web_lab"] = Application.objects.create(
        agency=b.org.agency,
        name="Website Laboratorium Struktur dan Bahan",
        short_name="Web Lab SB",
        owner_unit=b.org.units["ft"],
        stage=Stage.PROPOSED,
    )
    b.bind(SOP_000, "operasional", unit="seksi_ops")
    b.bind(SOP_003, "kepala_pustipd", position="direktur")
    b.bind(SOP_003, "koordinator_aplikasi", position="koord_app")
    b.bind(SOP_003, "kadiv_aplikasi", position="kadiv_app")
    b.bind(SOP_003, "divisi_aplikasi", unit="div_app")
    b.administrator("utn_admin", "Dewi Anggraini, S.Kom.", "dsti", "199208142018012001")
    b.adopt("utn_kadiv_app", SOP_000, SOP_003)
    return b.org


@transaction.atomic
def build_generic() -> DemoOrg:
    """A district's communication and informatics office running the whole application
    lifecycle for the other offices (SOP 001): users, the IT team, developers, the head."""
    b = _Builder(
        "Dinas Komunikasi dan Informatika Kabupaten Sukamaju",
        "Diskominfo Sukamaju",
        "diskominfo-sukamaju",
    )
    b.unit("dinas", "Dinas Komunikasi dan Informatika", UnitKind.OFFICE, short="Diskominfo")
    b.unit(
        "aptika",
        "Bidang Aplikasi Informatika",
        UnitKind.DIVISION,
        "dinas",
        short="Bidang Aptika",
    )
    b.unit("tim_ti", "Tim Teknologi Informasi", UnitKind.TEAM, "aptika", short="Tim TI")
    b.unit("tim_dev", "Tim Pengembang Aplikasi", UnitKind.TEAM, "aptika")
    b.unit(
        "dukcapil",
        "Dinas Kependudukan dan Pencatatan Sipil",
        UnitKind.REQUESTING,
        short="Disdukcapil",
    )
    b.unit(
        "bpkad",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        UnitKind.REQUESTING,
        short="BPKAD",
    )
    b.person(
        "skm_kadis",
        "Drs. Hari Santoso, M.Si.",
        "dinas",
        "196904121994031006",
        ("kadis", "Kepala Dinas Komunikasi dan Informatika"),
    )
    b.person(
        "skm_kabid",
        "Yuliana Sari, S.Kom., M.T.",
        "aptika",
        "197912052005012008",
        ("kabid", "Kepala Bidang Aplikasi Informatika"),
        "skm_kadis",
    )
    b.person(
        "skm_ketua_ti",
        "Arif Budiman, S.Kom.",
        "tim_ti",
        "198502182010011012",
        ("ketua_ti", "Ketua Tim Teknologi Informasi"),
        "skm_kabid",
    )
    b.person(
        "skm_ti1",
        "Dian Permata, S.Kom.",
        "tim_ti",
        "199208262019032009",
        ("pranata_ti", "Pranata Komputer Ahli Pertama"),
        "skm_ketua_ti",
    )
    b.person(
        "skm_ketua_dev",
        "Eko Wahyudi, S.T.",
        "tim_dev",
        "198707312011011004",
        ("ketua_dev", "Ketua Tim Pengembang Aplikasi"),
        "skm_kabid",
    )
    b.person(
        "skm_dev1",
        "Galih Ramadhan, S.Kom.",
        "tim_dev",
        "199512082022031003",
        ("pengembang", "Pengembang Aplikasi"),
        "skm_ketua_dev",
    )
    b.person(
        "skm_dev2",
        "Intan Permatasari, S.Kom.",
        "tim_dev",
        "199609142022032012",
        ("pengembang", "Pengembang Aplikasi"),
        "skm_ketua_dev",
    )
    b.person(
        "skm_kadisdukcapil",
        "H. Supriyadi, S.H.",
        "dukcapil",
        "197101231997031004",
        ("kadisdukcapil", "Kepala Dinas Kependudukan dan Pencatatan Sipil"),
    )
    b.person(
        "skm_dukcapil_staf",
        "Wulan Septiani, A.Md.",
        "dukcapil",
        "199309302017082001",
        ("dukcapil_staf", "Pengelola Data Kependudukan"),
        "skm_kadisdukcapil",
    )
    b.person(
        "skm_kabpkad",
        "Ir. Ratna Dewi, M.M.",
        "bpkad",
        "197308081999032005",
        ("kabpkad", "Kepala Badan Pengelolaan Keuangan dan Aset Daerah"),
    )
    b.person(
        "skm_bpkad_staf",
        "Teguh Santoso, S.E.",
        "bpkad",
        "198905172014061002",
        ("bpkad_staf", "Analis Keuangan Daerah"),
        "skm_kabpkad",
    )
    b.org.applications["antrean"] = Application.objects.create(
        agency=b.org.agency,
        name="Sistem Antrean Daring Pelayanan Adminduk",
        short_name="SIANDUK",
        owner_unit=b.org.units["dukcapil"],
        stage=Stage.PROPOSED,
    )
    b.org.applications["retribusi"] = Application.objects.create(
        agency=b.org.agency,
        name="Sistem Informasi Retribusi Daerah",
        short_name="e-Retribusi",
        owner_unit=b.org.units["bpkad"],
        stage=Stage.PROPOSED,
    )
    b.bind(SOP_001, "tim_ti", unit="tim_ti")
    b.bind(SOP_001, "pengembang", unit="tim_dev")
    b.bind(SOP_001, "pimpinan", position="kadis")
    b.administrator("skm_admin", "Rudi Hartono, S.T.", "dinas", "198711202011011002")
    b.adopt("skm_kabid", SOP_001)
    return b.org


BUILDERS = (build_bali, build_djki, build_university, build_generic)
"""Every demo agency's builder, in the order ``laksana demo`` builds them."""
