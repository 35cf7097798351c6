"""The catalogue services: who keeps the catalogue, entering and changing applications,
stage changes journaled, decommissioning, and retired applications read-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from laksana.catalog import services
from laksana.catalog.models import Application, Stage, StageChange, Vendor

from ..cases.helpers import pdf

pytestmark = pytest.mark.django_db


def entered(bali, **extra) -> Application:
    return services.create_application(
        bali["kabid"],
        bali.agency,
        services.ApplicationInput(name="Sistem Informasi Subak", short_name="SISUBAK", **extra),
    )


def deletion(**extra) -> services.DeletionInput:
    values = {
        "data": "Basis data subak",
        "location": "VM-APP-03",
        "method": "shred",
        "executed_by": "I Made Suardana",
        "executed_on": dt.date(2026, 1, 5),
        "witness": "Ni Luh Putu Ariani",
    }
    values.update(extra)
    return services.DeletionInput(**values)


def test_the_it_units_staff_keep_the_catalogue_others_propose(bali, djki):
    assert services.may_keep(bali["kabid"], bali.agency.pk)
    assert services.may_keep(bali["dev1"], bali.agency.pk)
    assert not services.may_keep(bali["bkd"], bali.agency.pk)  # a requesting unit
    assert not services.may_keep(djki["direktur"], bali.agency.pk)  # another agency
    assert not services.may_keep(djki["ipasdev"], djki.agency.pk)  # a vendor
    with pytest.raises(services.NotAllowed):
        services.create_application(
            bali["bkd"], bali.agency, services.ApplicationInput(name="Aplikasi BKD")
        )
    app = services.propose_application(
        bali["bkd"], bali.agency, services.ApplicationInput(name="Aplikasi Cuti Daring")
    )
    assert app.stage == Stage.PROPOSED
    change = StageChange.objects.get(application=app)
    assert (change.old_stage, change.new_stage, change.by) == ("", Stage.PROPOSED, bali["bkd"])
    with pytest.raises(services.NotAllowed):
        services.propose_application(
            djki["ipasdev"], djki.agency, services.ApplicationInput(name="Aplikasi Vendor")
        )


def test_entering_checks_every_field_at_once(bali, djki):
    with pytest.raises(services.InvalidInput) as refused:
        services.create_application(
            None,
            bali.agency,
            services.ApplicationInput(
                name="SIMPEG",
                scope="semua",
                platforms=["web", "kulkas"],
                urls=["bukan alamat"],
                owner_unit=djki.units["merek"],
                year_built=1850,
            ),
        )
    assert set(refused.value.errors) == {
        "name",
        "scope",
        "platforms",
        "urls",
        "owner_unit",
        "year_built",
    }
    assert "already in the catalogue" in refused.value.errors["name"][0]
    assert not Application.objects.filter(name="SIMPEG").exists()


def test_a_vendor_named_as_developer_is_entered_once(bali):
    a = entered(bali, developer_vendor_name="PT Dewata Data")
    b = services.create_application(
        None,
        bali.agency,
        services.ApplicationInput(name="Aplikasi Lain", developer_vendor_name="pt dewata data"),
    )
    assert a.developer_vendor == b.developer_vendor and a.developer_kind == "vendor"
    assert Vendor.objects.filter(agency=bali.agency, name__iexact="PT Dewata Data").count() == 1


def test_a_stage_change_needs_a_reason_and_is_journaled(bali):
    app = entered(bali)
    with pytest.raises(services.ServiceError) as refused:
        services.change_stage(bali["kabid"], app.pk, Stage.UNDER_MAINTENANCE, " ")
    assert refused.value.field == "reason"
    with pytest.raises(services.ServiceError):
        services.change_stage(bali["kabid"], app.pk, Stage.RETIRED, "Tidak dipakai")
    change = services.change_stage(
        bali["kabid"], app.pk, Stage.UNDER_MAINTENANCE, "Perbaikan modul pelaporan"
    )
    assert (change.old_stage, change.new_stage, change.by_name) == (
        Stage.IN_PRODUCTION,
        Stage.UNDER_MAINTENANCE,
        "Ni Luh Putu Ariani",
    )
    with pytest.raises(services.NotAllowed):
        services.change_stage(bali["dinkes"], app.pk, Stage.IN_PRODUCTION, "Selesai")


def test_stage_changes_are_append_only(bali):
    app = entered(bali)
    change = StageChange.objects.get(application=app)
    change.reason = "diubah"
    with pytest.raises(ValueError, match="append-only"):
        change.save()
    with pytest.raises(ValueError, match="append-only"):
        change.delete()


def test_decommissioning_retires_with_the_data_deletion_minutes(bali):
    app = entered(bali)
    with pytest.raises(services.InvalidInput):
        services.decommission(bali["kabid"], app.pk, "Diganti aplikasi nasional", [])
    assert Application.objects.get(pk=app.pk).stage == Stage.IN_PRODUCTION
    with pytest.raises(services.InvalidInput) as refused:
        services.decommission(
            bali["kabid"],
            app.pk,
            "Diganti",
            [deletion(witness="", executed_on=dt.date(2999, 1, 1))],
        )
    assert set(refused.value.errors) == {"deletions.1.witness", "deletions.1.executed_on"}
    change = services.decommission(
        bali["kabid"],
        app.pk,
        "Diganti aplikasi nasional",
        [deletion(), deletion(data="Cadangan", location="NAS")],
    )
    app.refresh_from_db()
    assert app.stage == Stage.RETIRED and change.reason == "Diganti aplikasi nasional"
    assert app.data_deletions.count() == 2


def test_a_retired_application_is_read_only(bali):
    app = entered(bali)
    services.decommission(bali["kabid"], app.pk, "Tidak dipakai", [deletion()])
    refusals = [
        lambda: services.update_application(
            bali["kabid"], app.pk, services.ApplicationInput(name="Baru")
        ),
        lambda: services.change_stage(bali["kabid"], app.pk, Stage.IN_PRODUCTION, "Hidup lagi"),
        lambda: services.set_environment(
            bali["kabid"], app.pk, "production", services.EnvironmentInput(server="VM")
        ),
        lambda: services.add_contract(
            bali["kabid"], app.pk, services.ContractInput(vendor_name="PT A", number="1")
        ),
        lambda: services.add_document(bali["kabid"], app.pk, pdf()),
        lambda: services.add_risk(bali["kabid"], app.pk, services.RiskInput("x", 1, 1)),
        lambda: services.add_to_work_programme(
            bali["kabid"], app.pk, services.ProgrammeInput(year=2027)
        ),
        lambda: services.decommission(bali["kabid"], app.pk, "Lagi", [deletion()]),
    ]
    for refuse in refusals:
        with pytest.raises(services.ServiceError) as refused:
            refuse()
        assert refused.value.code == "retired"
    # The deletion minutes of its decommissioning can still be completed.
    services.record_data_deletion(bali["kabid"], app.pk, [deletion(data="Log akses")])
    assert app.data_deletions.count() == 2


def test_contracts_are_checked_and_their_vendor_entered(bali):
    app = entered(bali)
    with pytest.raises(services.InvalidInput) as refused:
        services.add_contract(
            bali["kabid"],
            app.pk,
            services.ContractInput(
                vendor_name="",
                number="",
                value=Decimal(-1),
                starts_on=dt.date(2026, 5, 1),
                ends_on=dt.date(2026, 1, 1),
                support_ends_on=dt.date(2026, 2, 1),
            ),
        )
    assert set(refused.value.errors) == {"vendor", "number", "value", "ends_on", "support_kind"}
    contract = services.add_contract(
        bali["kabid"],
        app.pk,
        services.ContractInput(
            vendor_name="PT Subak Digital",
            number="SPK/1/2026",
            value=Decimal("250000000"),
            starts_on=dt.date(2026, 1, 5),
            ends_on=dt.date(2026, 6, 30),
            support_kind="warranty",
            support_ends_on=dt.date(2026, 12, 31),
        ),
    )
    assert contract.vendor.name == "PT Subak Digital"
    assert contract.is_current(dt.date(2026, 9, 1)) and not contract.is_current(dt.date(2027, 1, 1))


def test_documents_are_checked_by_content(bali):
    app = entered(bali)
    doc = services.add_document(bali["kabid"], app.pk, pdf("bast.pdf"), kind="handover")
    assert (doc.content_type, doc.title, doc.original_name) == (
        "application/pdf",
        "bast.pdf",
        "bast.pdf",
    )
    assert doc.file.name.startswith(f"catalog/{app.pk}/") and "bast" not in doc.file.name
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(services.ServiceError) as refused:
        services.add_document(
            bali["kabid"], app.pk, SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary")
        )
    assert refused.value.code == "upload_rejected"


def test_the_work_programme_keeps_one_entry_per_application_and_year(bali):
    app = entered(bali)
    services.add_to_work_programme(
        bali["kabid"], app.pk, services.ProgrammeInput(year=2027, budget=Decimal(100))
    )
    entry = services.add_to_work_programme(
        bali["kabid"], app.pk, services.ProgrammeInput(year=2027, budget=Decimal(200))
    )
    assert app.work_programme_entries.count() == 1 and entry.budget == Decimal(200)
    assert entry.activity == "Development of Sistem Informasi Subak"
