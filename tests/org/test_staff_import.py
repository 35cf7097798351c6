"""Importing staff from a SIMPEG export (laksana.org.staffimport): bad spreadsheets first,
each refused with its row and column and nothing written; then a good import, a re-import,
the dry run and the command."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from laksana.org import staffimport
from laksana.org.models import OrgChange, Person, Position, Unit, UnitKind
from laksana.org.staffimport import StaffFileError, import_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are compared as written in the code (the screen shows them in Indonesian).
    with translation.override("en"):
        yield


HEADER = "NIP,Nama,Jabatan,Unit Kerja,NIP Atasan,Email,Telepon"
KADIS = "196805311997031002"  # Bali's Kepala Dinas (demo)
KABID = "197604122003122004"
DJKI_ADMIN = "198907212014022003"
SAMPLE = Path(staffimport.__file__).parent / "samples" / "simpeg-contoh.csv"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Unit.objects.count(),
        Position.objects.count(),
        OrgChange.objects.count(),
    )


def refused(agency, content: bytes, name: str = "pegawai.csv") -> list[str]:
    """The problems of importing ``content``, checking that nothing was written."""
    before = counts()
    plan = import_staff(agency, content, name)
    assert not plan.ok and not plan.written
    assert counts() == before
    return [str(p) for p in plan.problems]


def unreadable(agency, content: bytes, name: str = "pegawai.csv") -> str:
    before = counts()
    with pytest.raises(StaffFileError) as info:
        import_staff(agency, content, name)
    assert counts() == before
    return info.value.message


def test_a_nip_not_of_18_digits_is_refused_at_its_row(bali):
    problems = refused(bali.agency, csv("19800101200501100;Ani;Staf;Tim AI;;;".replace(";", ",")))
    assert problems == ["row 2, column NIP: 19800101200501100 is not a NIP: a NIP is 18 digits."]


def test_a_nip_twice_in_the_file_is_refused_naming_the_first_row(bali):
    problems = refused(
        bali.agency,
        csv(
            "198001012005011001,Ani,Staf,Tim AI,,,",
            "198001012005011001,Budi,Staf,Tim AI,,,",
        ),
    )
    assert problems == [
        "row 3, column NIP: The NIP 198001012005011001 is already in row 2; each person once."
    ]


def test_a_missing_column_is_named(bali):
    message = unreadable(bali.agency, csv("198001012005011001,Ani,Staf", header="NIP,Nama,Jabatan"))
    assert message == "The header row (row 1) lacks the column(s) Unit Kerja."


def test_a_superior_found_nowhere_is_refused(bali):
    problems = refused(bali.agency, csv("198001012005011001,Ani,Staf,Tim AI,199901012020011001,,"))
    assert problems == [
        "row 2, column NIP Atasan: No person has the NIP 199901012020011001, in the file or in "
        "the agency; give the superior's row in the file or leave the cell empty."
    ]


def test_a_superior_of_another_agency_is_refused(bali, djki):
    problems = refused(bali.agency, csv(f"198001012005011001,Ani,Staf,Tim AI,{DJKI_ADMIN},,"))
    assert problems == [
        f"row 2, column NIP Atasan: The NIP {DJKI_ADMIN} is of a person of another agency; a "
        "superior is a person of the same agency."
    ]


def test_a_cycle_of_three_superiors_is_refused_naming_its_rows(bali):
    a, b, c = "198001012005011001", "198001012005011002", "198001012005011003"
    problems = refused(
        bali.agency,
        csv(
            f"{KADIS},Gede Pramana,Kepala Dinas,Diskominfos,,,",
            f"{a},Ani,Staf,Tim AI,{b},,",
            f"{b},Budi,Staf,Tim AI,{c},,",
            f"{c},Citra,Staf,Tim AI,{a},,",
        ),
    )
    assert problems == [
        "row 3, column NIP Atasan: The superiors form a cycle (rows 3, 4, 5): someone must be "
        "at the top."
    ]


def test_a_cycle_through_a_stored_superior_is_refused(bali):
    # The Kabid's stored superior is the Kepala Dinas; making the Kadis report to the Kabid
    # in the file closes a loop (the Kabid is not in the file).
    problems = refused(bali.agency, csv(f"{KADIS},Gede Pramana,Kepala Dinas,Diskominfos,{KABID},,"))
    assert problems == [
        "row 2, column NIP Atasan: The superiors form a cycle (rows 2): someone must be at the top."
    ]


def test_the_nip_of_another_agencys_person_is_refused_and_that_person_untouched(bali, djki):
    person = Person.objects.get(nip=DJKI_ADMIN)
    problems = refused(bali.agency, csv(f"{DJKI_ADMIN},Rina Bali,Staf,Tim AI,,,"))
    assert problems == [
        f"row 2, column NIP: The NIP {DJKI_ADMIN} is of a person of another agency; a NIP "
        "belongs to one person in the whole installation, who is not moved or changed by this "
        "agency's import."
    ]
    person.refresh_from_db()
    assert person.agency == djki.agency and person.name == "Rina Kusumawardani"


def test_a_bad_email_is_refused(bali):
    problems = refused(bali.agency, csv("198001012005011001,Ani,Staf,Tim AI,,ani@,"))
    assert problems == ["row 2, column Email: ani@ is not an e-mail address (name@domain)."]


def test_every_problem_is_listed_not_only_the_first(bali):
    problems = refused(
        bali.agency,
        csv(
            "123,Ani,Staf,Tim AI,,,",
            "198001012005011002,,Staf,Tim AI,,bad,",
            "198001012005011003,Citra,,Layanan Publik,,,",
        ),
    )
    assert [p.split(":")[0] for p in problems] == [
        "row 2, column NIP",
        "row 3, column Nama",
        "row 3, column Email",
        "row 4, column Jabatan",
    ]


def test_the_public_desk_and_vendor_units_are_never_matched(bali):
    Unit.objects.create(agency=bali.agency, name="Loket Publik", kind=UnitKind.PUBLIC)
    Unit.objects.create(agency=bali.agency, name="PT Vendor", kind=UnitKind.VENDOR)
    problems = refused(
        bali.agency,
        csv(
            "198001012005011001,Ani,Staf,loket publik,,,",
            "198001012005011002,Budi,Staf,PT VENDOR,,,",
        ),
    )
    assert [p.split(":")[0] for p in problems] == [
        "row 2, column Unit Kerja",
        "row 3, column Unit Kerja",
    ]


def test_an_empty_file_is_refused(bali):
    assert unreadable(bali.agency, b"") == "The file is empty."
    assert unreadable(bali.agency, b"\xef\xbb\xbf\n") == "The file is empty."
    assert unreadable(bali.agency, csv()) == "The file has no rows of staff below its header."


def test_a_file_of_another_type_is_refused(bali):
    message = unreadable(bali.agency, b"%PDF-1.7\n...", "pegawai.pdf")
    assert message.startswith("The file is not a spreadsheet.")
    assert "legacy" not in unreadable(bali.agency, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.xls")


def test_an_oversized_file_is_refused(bali):
    big = csv(*["198001012005011001,Ani,Staf,Tim AI,,," for _ in range(60_000)])
    assert len(big) > 2 * 1024 * 1024
    assert unreadable(bali.agency, big) == "The file is too large; the limit is 2 MB."


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(bali):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    content = out.getvalue()
    assert len(content) < 2 * 1024 * 1024
    message = unreadable(bali.agency, content, "pegawai.xlsx")
    assert "decompression bomb" in message


def test_a_csv_with_bom_and_semicolons_is_read(bali):
    content = "\ufeff" + "NIP;Nama;Jabatan;Unit Kerja;NIP Atasan;Email;Telepon\n"
    content += f"198001012005011001;Ani, S.Kom.;Staf;tim ai;{KADIS};ani@example.id;0812 1\n"
    plan = staffimport.check(bali.agency, content.encode(), "pegawai.csv")
    assert plan.ok, plan.problems
    [row] = plan.created
    assert (row.name, row.after["unit"], row.after["superior"]) == (
        "Ani, S.Kom.",
        "Tim Aplikasi Informatika",
        KADIS,
    )


def test_headers_are_matched_without_case_and_spaces_and_other_columns_ignored(bali):
    header = " nip ;NAMA;Golongan; jabatan ;UNIT KERJA"
    plan = staffimport.check(
        bali.agency, csv("198001012005011001;Ani;III/a;Staf;Tim AI", header=header), "p.csv"
    )
    assert plan.ok and plan.created[0].after["position"] == "Staf"


# --- a good import ----------------------------------------------------------------------------


def test_the_sample_imports_into_the_demo_agency(bali):
    admin = bali["adminbali"]
    people, units, positions, _changes = counts()
    plan = import_staff(bali.agency, SAMPLE.read_bytes(), SAMPLE.name, admin)
    assert plan.ok and plan.written
    assert plan.new_units == ["Bidang Statistik", "Sekretariat"]
    assert plan.new_units_parent == "Dinas Komunikasi, Informatika dan Statistik"
    assert Person.objects.count() == people + 4
    assert Unit.objects.count() == units + 2
    assert Position.objects.count() == positions + 4
    antari = Person.objects.get(nip="199206182019032012")
    assert antari.unit.name == "Bidang Statistik"
    assert antari.unit.parent == bali.units["dinas"]
    assert antari.superior.nip == "198507232010011015"
    assert antari.phone == "0819 1622 0931"
    [held] = antari.positions.all()
    assert held.name == "Statistisi Ahli Pertama"
    assert held.superior.name == "Kepala Bidang Statistik"
    # The demo people not in the file are listed, not removed.
    absent = {p.name for p in plan.absent}
    assert {"Komang Adi Wiguna", "Kadek Ayu Lestari"} <= absent
    assert Person.objects.filter(name="Komang Adi Wiguna").exists()
    changes = OrgChange.objects.filter(agency=bali.agency, source="import: simpeg-contoh.csv")
    assert changes.filter(subject="unit", action="created").count() == 2
    assert changes.filter(subject="position", action="created").count() == 4
    assert changes.filter(subject="person", action="created").count() == 4
    assert changes.filter(by=admin).count() == changes.count()
    kadis = changes.get(subject="person", object_id=str(bali["kadis"].pk))
    assert kadis.before["email"] == "kadis@demo.laksana.local"
    assert kadis.after["email"] == "gede.pramana@diskominfos.baliprov.go.id"


def test_a_reimport_reports_two_changed_fields_and_the_unchanged(bali):
    import_staff(bali.agency, SAMPLE.read_bytes(), SAMPLE.name)
    text = SAMPLE.read_text().replace("0819 1622 0931", "0819 0000 0000")
    text = text.replace("Made Dwi Antari, S.Si.", "Made Dwi Antari, S.Si., M.Stat.")
    before = counts()
    plan = import_staff(bali.agency, text.encode(), "simpeg-2.csv")
    [changed] = plan.changed
    assert changed.changes == [
        ("name", "Made Dwi Antari, S.Si.", "Made Dwi Antari, S.Si., M.Stat."),
        ("phone", "0819 1622 0931", "0819 0000 0000"),
    ]
    assert len(plan.unchanged) == 6 and not plan.created and not plan.new_units
    assert counts()[:3] == before[:3]
    assert counts()[3] == before[3] + 1  # one person changed, recorded once
    assert Person.objects.get(nip="199206182019032012").phone == "0819 0000 0000"


def test_a_reimport_moves_a_person_and_changes_their_superior(bali):
    plan = import_staff(
        bali.agency,
        csv(f"199107152019031008,Komang Adi Wiguna,Pengembang Tim SPBE,Tim AI,{KABID},,"),
        "p.csv",
    )
    [row] = plan.changed
    fields = {f: (b, a) for f, b, a in row.changes}
    assert fields["unit"] == ("Tim SPBE", "Tim Aplikasi Informatika")
    assert fields["superior"] == ("198201082009011003", KABID)
    person = Person.objects.get(nip="199107152019031008")
    assert person.unit == bali.units["tim_ai"] and person.superior == bali["kabid"]


def test_the_dry_run_writes_nothing(bali):
    before = counts()
    plan = import_staff(bali.agency, SAMPLE.read_bytes(), SAMPLE.name, dry_run=True)
    assert plan.ok and not plan.written and len(plan.created) == 4
    assert counts() == before


# --- the command ------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_plan(bali):
    out = io.StringIO()
    call_command(
        "org", "import", str(SAMPLE), "--agency", bali.agency.slug, "--by", "adminbali", stdout=out
    )
    text = out.getvalue()
    assert "new unit: Sekretariat" in text
    assert "new person: Made Dwi Antari, S.Si. (199206182019032012)" in text
    assert "not in the file (kept): Komang Adi Wiguna" in text
    assert OrgChange.objects.filter(by=bali["adminbali"]).exists()


def test_the_command_with_problems_exits_1_and_writes_nothing(bali, tmp_path):
    path = tmp_path / "pegawai.csv"
    path.write_bytes(csv("123,Ani,Staf,Tim AI,,,", "198001012005011002,Budi,Staf,Tim AI,,x,"))
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError) as exit_:
        call_command("org", "import", str(path), "--agency", bali.agency.slug, stderr=err)
    assert exit_.value.returncode == 1
    assert "pegawai.csv: row 2, column NIP: 123 is not a NIP" in err.getvalue()
    assert "pegawai.csv: row 3, column Email" in err.getvalue()
    assert counts() == before


def test_the_command_dry_run_writes_nothing(bali):
    before = counts()
    out = io.StringIO()
    call_command(
        "org", "import", str(SAMPLE), "--agency", bali.agency.slug, "--dry-run", stdout=out
    )
    assert "dry run: nothing was written" in out.getvalue()
    assert counts() == before


def test_rows_from_another_source_are_checked_the_same_way(bali):
    # A directory (laksana.org.ldapsource) gives rows with the same columns.
    sheet = staffimport.staffsheet.sheet_of(
        [
            ["NIP", "Nama", "Jabatan", "Unit Kerja", "NIP Atasan", "Email", "Telepon"],
            ["198001012005011001", "Ani", "Staf", "Tim AI", "", "ani@", ""],
        ]
    )
    before = counts()
    plan = staffimport.import_sheet(bali.agency, sheet, "ldap")
    assert [str(p) for p in plan.problems] == [
        "row 2, column Email: ani@ is not an e-mail address (name@domain)."
    ]
    assert counts() == before


def test_the_xlsx_sample_with_a_title_above_its_header_imports_like_the_csv(bali):
    xlsx = SAMPLE.with_suffix(".xlsx")
    plan = import_staff(bali.agency, xlsx.read_bytes(), xlsx.name, dry_run=True)
    assert plan.ok, plan.problems
    assert len(plan.created) == 4 and plan.new_units == ["Bidang Statistik", "Sekretariat"]
    assert plan.created[0].row == 7  # the title and an empty row stand above the header


def test_a_nip_stored_as_a_number_in_xlsx_is_refused_with_a_hint(bali):
    from laksana import tabular

    book = tabular.new_workbook()
    sheet = book.active
    sheet.append(["NIP", "Nama", "Jabatan", "Unit Kerja"])
    sheet.append([1.99003152015032e17, "Ani", "Staf", "Tim AI"])
    problems = refused(bali.agency, tabular.workbook_bytes(book), "pegawai.xlsx")
    assert problems == [
        "row 2, column NIP: 1.99003152015032e+17 is not a NIP: a NIP is 18 digits. The cell "
        "holds a number; format the NIP column as text."
    ]
