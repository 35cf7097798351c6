"""Reading people and units from a directory (laksana.org.ldapsource) against a real, private
OpenLDAP server (tests/org/ldap_server.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from laksana.org import ldapsource
from laksana.org.ldapsource import Directory, DirectoryError

from . import ldap_server
from .ldap_server import BASE, Server

KADIS = "197001011995031001"
KABID = "198002022005011002"
DEV = "199003032015031003"
OPERATOR = "199104042016022004"


def directory_entries() -> list[tuple[str, list[str], dict[str, object]]]:
    person = ["top", "person", "organizationalPerson", "inetOrgPerson"]
    ou = ["top", "organizationalUnit"]
    dinas = f"ou=Dinas Komunikasi dan Informatika,{BASE}"
    bidang = f"ou=Bidang Aplikasi Informatika,{dinas}"
    kadis = f"uid=kadis,{dinas}"
    kabid = f"uid=kabid,{bidang}"
    return [
        (
            f"{BASE}",
            ["top", "dcObject", "organization"],
            {"o": "Pemkab Sukamaju", "dc": "sukamaju"},
        ),
        (dinas, ou, {"ou": "Dinas Komunikasi dan Informatika"}),
        (bidang, ou, {"ou": "Bidang Aplikasi Informatika"}),
        (f"ou=Akun Layanan,{BASE}", ou, {"ou": "Akun Layanan"}),
        (
            kadis,
            person,
            {
                "cn": "Drs. Bambang Sutrisno",
                "sn": "Sutrisno",
                "employeeNumber": KADIS,
                "title": "Kepala Dinas",
                "mail": "kadis@sukamaju.go.id",
                "telephoneNumber": "0361 222333",
            },
        ),
        (
            kabid,
            person,
            {
                "cn": "Siti Rahmawati, S.Kom.",
                "sn": "Rahmawati",
                "employeeNumber": KABID,
                "title": "Kepala Bidang Aplikasi Informatika",
                "mail": "kabid@sukamaju.go.id",
                "manager": kadis,
            },
        ),
        (
            f"uid=dev,{bidang}",
            person,
            {
                "cn": "Agus Pranoto",
                "sn": "Pranoto",
                "employeeNumber": DEV,
                "title": "Pranata Komputer Ahli Pertama",
                "mail": "agus@sukamaju.go.id",
                "manager": kabid,
            },
        ),
        (
            # The unit comes from the ou attribute when the entry has one.
            f"uid=operator,{dinas}",
            person,
            {
                "cn": "Dewi Lestari",
                "sn": "Lestari",
                "employeeNumber": OPERATOR,
                "ou": "Seksi Persandian",
                "title": "Operator Persandian",
                "manager": kadis,
            },
        ),
        # A service account without a NIP: not staff, not read.
        (
            f"uid=backup,ou=Akun Layanan,{BASE}",
            person,
            {"cn": "backup", "sn": "backup", "title": "Akun cadangan"},
        ),
    ]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are checked in their source language (Indonesian is tested elsewhere).
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    yield from ldap_server.running()


@pytest.fixture
def directory(server: Server) -> Iterator[Directory]:
    ldap_server.fill(server, directory_entries())
    yield Directory(url=server.url, base=BASE, bind_dn=server.admin, password=server.password)
    ldap_server.clear(server)
    import ldap3

    connection = ldap3.Connection(
        ldap3.Server(server.url), server.admin, server.password, auto_bind=True
    )
    connection.delete(BASE)
    connection.unbind()


def test_people_are_read_as_rows_of_the_personnel_columns(directory: Directory) -> None:
    entries = ldapsource.read(directory)
    rows = {e.row["NIP"]: e.row for e in entries}
    assert set(rows) == {KADIS, KABID, DEV, OPERATOR}  # the service account is left out
    assert rows[KADIS] == {
        "NIP": KADIS,
        "Nama": "Drs. Bambang Sutrisno",
        "Jabatan": "Kepala Dinas",
        "Unit Kerja": "Dinas Komunikasi dan Informatika",
        "NIP Atasan": "",
        "Email": "kadis@sukamaju.go.id",
        "Telepon": "0361 222333",
    }
    # The unit is the nearest ou of the DN, or the entry's own ou attribute.
    assert rows[DEV]["Unit Kerja"] == "Bidang Aplikasi Informatika"
    assert rows[OPERATOR]["Unit Kerja"] == "Seksi Persandian"
    # The superior is the manager's NIP.
    assert rows[KABID]["NIP Atasan"] == KADIS
    assert rows[DEV]["NIP Atasan"] == KABID
    assert all(set(row) == set(ldapsource.COLUMNS) for row in rows.values())


def test_a_manager_outside_the_search_base_is_read_by_its_dn(directory: Directory) -> None:
    bidang = f"ou=Bidang Aplikasi Informatika,ou=Dinas Komunikasi dan Informatika,{BASE}"
    narrow = Directory(
        url=directory.url, base=bidang, bind_dn=directory.bind_dn, password=directory.password
    )
    rows = {e.row["NIP"]: e.row for e in ldapsource.read(narrow)}
    assert set(rows) == {KABID, DEV}
    assert rows[KABID]["NIP Atasan"] == KADIS  # kadis is above the base


def test_a_wrong_password_is_named(directory: Directory) -> None:
    wrong = Directory(url=directory.url, base=BASE, bind_dn=directory.bind_dn, password="salah")
    with pytest.raises(DirectoryError, match="refused the sign-in of cn=admin"):
        ldapsource.read(wrong)


def test_an_unreachable_directory_is_named() -> None:
    port = ldap_server._free_port()  # nothing listens there
    with pytest.raises(DirectoryError, match="cannot be reached"):
        ldapsource.read(Directory(url=f"ldap://127.0.0.1:{port}", base=BASE, timeout=2))


def test_a_base_that_does_not_exist_is_named(directory: Directory) -> None:
    wrong = Directory(
        url=directory.url,
        base=f"ou=Tidak Ada,{BASE}",
        bind_dn=directory.bind_dn,
        password=directory.password,
    )
    with pytest.raises(DirectoryError, match="does not exist"):
        ldapsource.read(wrong)


# --- the import from the directory (laksana org ldap) ----------------------------------------


def _ldap_command(directory: Directory, *extra: str) -> tuple[int, str, str]:
    import io
    import os

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    os.environ["LAKSANA_LDAP_PASSWORD"] = directory.password
    try:
        call_command(
            "org",
            "ldap",
            "--url",
            directory.url,
            "--base",
            directory.base,
            "--bind-dn",
            directory.bind_dn,
            *extra,
            stdout=out,
            stderr=err,
        )
        code = 0
    except CommandError as exc:
        code = exc.returncode or 1
        err.write(str(exc))
    finally:
        os.environ.pop("LAKSANA_LDAP_PASSWORD", None)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_the_directory_is_imported_like_a_spreadsheet_and_again_without_change(
    directory: Directory,
) -> None:
    from laksana.org.models import Agency, OrgChange, Person, Unit

    agency = Agency.objects.create(name="Pemkab Sukamaju", short_name="Sukamaju", slug="skm")
    Unit.objects.create(agency=agency, name="Dinas Komunikasi dan Informatika", kind="office")
    code, out, err = _ldap_command(directory, "--agency", "skm", "--dry-run")
    assert code == 0, err
    assert "4 person entries read" in out and Person.objects.filter(agency=agency).count() == 0
    code, out, err = _ldap_command(directory, "--agency", "skm")
    assert code == 0, err
    people = {p.nip: p for p in Person.objects.filter(agency=agency)}
    assert set(people) == {KADIS, KABID, DEV, OPERATOR}
    assert people[DEV].superior == people[KABID] and people[KABID].superior == people[KADIS]
    assert people[DEV].unit.name == "Bidang Aplikasi Informatika"
    assert people[KADIS].phone == "0361 222333"
    assert OrgChange.objects.filter(agency=agency, source__startswith="import: ldap:").exists()
    again = OrgChange.objects.count()
    code, out, err = _ldap_command(directory, "--agency", "skm")
    assert code == 0 and "unchanged: 4 person(s)" in out
    assert OrgChange.objects.count() == again


@pytest.mark.django_db
def test_a_bad_entry_is_named_by_its_dn_and_nothing_is_written(
    server: Server, directory: Directory
) -> None:
    from laksana.org.models import Agency, OrgChange, Person, Unit

    ldap_server.fill(
        server,
        [
            (
                f"uid=salah,ou=Dinas Komunikasi dan Informatika,{BASE}",
                ["top", "person", "organizationalPerson", "inetOrgPerson"],
                {"cn": "Nip Pendek", "sn": "Pendek", "employeeNumber": "12345", "title": "Staf"},
            )
        ],
    )
    agency = Agency.objects.create(name="Pemkab Sukamaju", short_name="Sukamaju", slug="skm")
    Unit.objects.create(agency=agency, name="Dinas Komunikasi dan Informatika", kind="office")
    before = (Person.objects.count(), Unit.objects.count(), OrgChange.objects.count())
    code, _out, err = _ldap_command(directory, "--agency", "skm")
    assert code == 1
    assert (
        "12345" in err and "NIP" in err and "uid=salah,ou=Dinas Komunikasi dan Informatika" in err
    )
    assert (Person.objects.count(), Unit.objects.count(), OrgChange.objects.count()) == before


@pytest.mark.django_db
def test_a_directory_that_refuses_the_password_imports_nothing(directory: Directory) -> None:
    import dataclasses

    from laksana.org.models import Agency, Person

    Agency.objects.create(name="Pemkab Sukamaju", short_name="Sukamaju", slug="skm")
    wrong = dataclasses.replace(directory, password="salah")
    code, _out, err = _ldap_command(wrong, "--agency", "skm")
    assert code == 1 and "refused the sign-in" in err
    assert Person.objects.count() == 0
