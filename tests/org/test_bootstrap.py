"""A new agency with its first administrator (laksana.org.bootstrap): refusals write nothing."""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth import get_user_model

from laksana.errors import ServiceError
from laksana.org import roles
from laksana.org.bootstrap import NewAgency, create_agency
from laksana.org.models import Agency, DispositionInstruction, OrgChange, Person, Unit

pytestmark = pytest.mark.django_db

GOOD = NewAgency(
    name="Dinas Komunikasi dan Informatika Kabupaten Tanah Datar",
    short_name="Diskominfo Tanah Datar",
    slug="tanah-datar",
    unit_name="Dinas Komunikasi dan Informatika",
    admin_username="admin.tanahdatar",
    admin_name="Rahmat Hidayat",
    admin_email="admin@tanahdatar.go.id",
    admin_password="Batusangkar-2026!",
)


def _counts() -> tuple[int, ...]:
    return (
        Agency.objects.count(),
        Unit.objects.count(),
        Person.objects.count(),
        get_user_model().objects.count(),
        DispositionInstruction.objects.count(),
        OrgChange.objects.count(),
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "ada"}, "slug"),
        ({"slug": "bukan slug!"}, "slug"),
        ({"admin_username": "sudah.ada"}, "admin_username"),
        ({"admin_password": "123"}, "admin_password"),
        ({"admin_email": "bukan-email"}, "admin_email"),
        ({"time_zone": "Europe/Paris"}, "time_zone"),
        ({"name": "  "}, "name"),
    ],
)
def test_a_bad_value_is_named_and_nothing_is_written(change: dict, field: str) -> None:
    Agency.objects.create(name="Ada", short_name="Ada", slug="ada")
    get_user_model().objects.create_user("sudah.ada", "x@example.org", "Whatever-2026!")
    before = _counts()
    with pytest.raises(ServiceError) as caught:
        create_agency(dataclasses.replace(GOOD, **change))
    assert caught.value.field == field
    assert _counts() == before


def test_the_agency_starts_with_its_administrator() -> None:
    agency, admin = create_agency(GOOD)
    assert agency.slug == "tanah-datar" and agency.time_zone == "Asia/Jakarta"
    assert admin.user is not None and admin.user.check_password(GOOD.admin_password)
    assert not admin.user.is_staff and not admin.user.is_superuser  # a product role only
    assert roles.may_administer(admin, agency)
    assert admin.unit.agency_id == agency.pk
    assert DispositionInstruction.objects.filter(agency=agency).count() == 6
    assert set(OrgChange.objects.filter(agency=agency).values_list("subject", flat=True)) == {
        "unit",
        "person",
        "role",
    }
    other = Agency.objects.create(name="Lain", short_name="Lain", slug="lain")
    assert not roles.may_administer(admin, other)


def test_the_command_creates_the_agency_and_refuses_a_taken_slug(monkeypatch, capsys) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    monkeypatch.setenv("LAKSANA_ADMIN_PASSWORD", GOOD.admin_password)
    args = [
        "org", "agency", "create", "tanah-datar",
        "--name", GOOD.name, "--short-name", GOOD.short_name, "--unit", GOOD.unit_name,
        "--admin", GOOD.admin_username, "--admin-name", GOOD.admin_name,
        "--admin-email", GOOD.admin_email,
    ]  # fmt: skip
    call_command(*args)
    assert "/organisasi/tanah-datar/" in capsys.readouterr().out
    before = _counts()
    with pytest.raises(CommandError, match="slug"):
        call_command(*args)
    assert _counts() == before
