"""Builders of the demo agencies. Each returns a :class:`DemoOrg` naming its people by role."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from laksana.catalog.models import Application, Contract, Vendor
from laksana.org.models import (
    DEFAULT_INSTRUCTIONS,
    ActorBinding,
    Agency,
    DispositionInstruction,
    Person,
    Position,
    Unit,
    UnitKind,
)

DEMO_PASSWORD = "laksana-demo"


@dataclass
class DemoOrg:
    """A demo agency and its people, by the short login names used in the demo."""

    agency: Agency
    people: dict[str, Person] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    applications: dict[str, Application] = field(default_factory=dict)

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
        user = user_model.objects.create_user(
            username=login,
            password=DEMO_PASSWORD,
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


SOP_002 = "sop-002-penanganan-masalah-aplikasi"
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
    b.person("bkd", "Wayan Sutama", "bkd", "198003102006041005", ("bkd_staf", "Analis Kepegawaian"))
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
    return b.org
