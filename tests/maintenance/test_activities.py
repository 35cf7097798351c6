"""Recording scheduled activities: who may (the executor's side only), the files checked as
case attachments are, nothing recorded twice, the journal of the plan's case; attacks
first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laksana.cases import services as case_services
from laksana.cases.models import JournalEntry, JournalKind
from laksana.catalog.models import Contract, Vendor
from laksana.demo.orgs import SOP_000, build_university
from laksana.errors import ServiceError
from laksana.maintenance import activities, schedule
from laksana.maintenance.models import (
    Executor,
    Occurrence,
    OccurrenceFile,
    OccurrenceStatus,
    Schedule,
)
from laksana.org.models import Agency, Person, Unit, UnitKind
from tests.maintenance import factories

D = dt.date
JKT = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2027, 3, 17, 10, 0, tzinfo=JKT)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "laporan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def utn(db):
    org = build_university()
    siakad = org.applications["siakad"]
    org.contract = Contract.objects.create(
        application=siakad,
        vendor=org["utn_vendor1"].vendor,
        number="SPK/001/UTN/2027",
        starts_on=D(2027, 1, 1),
        ends_on=D(2027, 12, 31),
    )
    org.case = case_services.open_case(
        org["utn_ops1"],
        org.versions[SOP_000],
        "Pemeliharaan SIAKAD 2027",
        application=siakad,
        now=NOW - dt.timedelta(days=60),
    )
    org.plan = factories.plan(siakad, contract=org.contract, budget_year=None, case=org.case)
    vendor_job = factories.activity(org.plan, schedule=Schedule.DATES, dates=[D(2027, 3, 10)])
    internal = factories.activity(
        org.plan, executor=Executor.INTERNAL, schedule=Schedule.DATES, dates=[D(2027, 3, 1)]
    )
    schedule.generate(org.plan)
    org.vendor_job = Occurrence.objects.get(activity=vendor_job)
    org.internal = Occurrence.objects.get(activity=internal)
    return org


def _unchanged(occurrence: Occurrence) -> None:
    occurrence.refresh_from_db()
    assert occurrence.status == OccurrenceStatus.PLANNED
    assert occurrence.report == "" and occurrence.done_by_id is None
    assert not OccurrenceFile.objects.filter(occurrence=occurrence).exists()


def _refused(code: str, person, occurrence_id, **kw) -> ServiceError:
    kw.setdefault("report", "Pembaruan keamanan dipasang")
    with pytest.raises(ServiceError) as caught:
        activities.record(person, occurrence_id, now=NOW, **kw)
    assert caught.value.code == code
    return caught.value


# --- attacks --------------------------------------------------------------------------------


def test_another_agencys_person_does_not_find_the_activity(utn):
    other = Agency.objects.create(name="Instansi Lain", short_name="Lain", slug="lain")
    unit = Unit.objects.create(agency=other, name="Pusdatin", kind=UnitKind.OFFICE)
    stranger = Person.objects.create(agency=other, name="Orang Lain", unit=unit)
    _refused("not_found", stranger, utn.vendor_job.pk)
    _refused("not_found", stranger, utn.internal.pk)
    # Ids that are no ids are not found either.
    for raw in ("abc", -1, 0, 2**70, None, True):
        _refused("not_found", utn["utn_ops1"], raw)
    _unchanged(utn.vendor_job)


def test_a_vendor_of_another_contract_does_not_find_it(utn):
    rival = Vendor.objects.create(agency=utn.agency, name="PT Lain")
    Contract.objects.create(
        application=utn.applications["lms"],
        vendor=rival,
        number="SPK/LMS/2027",
        starts_on=D(2027, 1, 1),
        ends_on=D(2027, 12, 31),
    )
    stranger = Person.objects.create(
        agency=utn.agency, name="Vendor Lain", unit=utn.units["vendor"], vendor=rival
    )
    _refused("not_found", stranger, utn.vendor_job.pk)
    with pytest.raises(ServiceError) as caught:
        activities.mark_not_done(stranger, utn.vendor_job.pk, "tidak sempat", now=NOW)
    assert caught.value.code == "not_found"
    assert not activities.may_record(stranger, utn.vendor_job, now=NOW)
    _unchanged(utn.vendor_job)


def test_the_contracts_vendor_after_its_contract_ended_is_refused(utn):
    Contract.objects.filter(pk=utn.contract.pk).update(ends_on=D(2027, 3, 15))
    _refused("not_allowed", utn["utn_vendor1"], utn.vendor_job.pk)
    assert not activities.may_record(utn["utn_vendor1"], utn.vendor_job, now=NOW)
    _unchanged(utn.vendor_job)


def test_a_vendor_never_records_an_internal_activity(utn):
    _refused("not_allowed", utn["utn_vendor1"], utn.internal.pk)
    assert not activities.may_record(utn["utn_vendor1"], utn.internal, now=NOW)
    _unchanged(utn.internal)


def test_a_requesting_unit_member_records_nothing(utn):
    faculty = utn["utn_ft_staf"]
    _refused("not_allowed", faculty, utn.vendor_job.pk)
    _refused("not_allowed", faculty, utn.internal.pk)
    assert not activities.may_record(faculty, utn.internal, now=NOW)
    assert not activities.may_record(None, utn.internal, now=NOW)
    _unchanged(utn.internal)


def test_oversize_and_forbidden_files_are_refused_and_nothing_is_written(utn, settings):
    settings.LAKSANA_MAX_UPLOAD_BYTES = 1000
    big = SimpleUploadedFile("besar.pdf", PDF + b"0" * 2000, content_type="application/pdf")
    error = _refused("invalid_file", utn["utn_vendor1"], utn.vendor_job.pk, files=[pdf(), big])
    assert error.field == "files" and "besar.pdf" in error.message
    script = SimpleUploadedFile("alat.exe", b"MZ\x90\x00" + b"\x00" * 60, content_type="image/png")
    _refused("invalid_file", utn["utn_vendor1"], utn.vendor_job.pk, files=[script])
    page = SimpleUploadedFile("foto.png", b"<html><script>alert(1)</script></html>")
    _refused("invalid_file", utn["utn_vendor1"], utn.vendor_job.pk, files=[page])
    empty = SimpleUploadedFile("kosong.pdf", b"")
    _refused("invalid_file", utn["utn_vendor1"], utn.vendor_job.pk, files=[empty])
    _refused("too_many", utn["utn_vendor1"], utn.vendor_job.pk, files=[pdf() for _ in range(11)])
    _unchanged(utn.vendor_job)
    assert not JournalEntry.objects.filter(
        case=utn.case, kind=JournalKind.ACTIVITY_RECORDED
    ).exists()


def test_bad_values_name_their_field_and_change_nothing(utn):
    vendor = utn["utn_vendor1"]
    job = utn.vendor_job.pk
    assert _refused("required", vendor, job, report="   ").field == "report"
    assert _refused("invalid", vendor, job, report=["x"]).field == "report"
    assert _refused("too_long", vendor, job, report="x" * 10_001).field == "report"
    assert _refused("invalid", vendor, job, report="a\x00b").field == "report"
    for cost in ("-1", "1.5", "abc", "NaN", "1e20", Decimal("Infinity")):
        assert _refused("invalid", vendor, job, cost=cost).field == "cost"
    for day in (D(2027, 3, 18), "2027-13-01", D(2026, 12, 31), dt.datetime(2027, 3, 1, 1)):
        assert _refused("invalid", vendor, job, done_on=day).field == "done_on"
    _unchanged(utn.vendor_job)


def test_recording_twice_is_refused_and_the_evidence_stays(utn):
    vendor, other = utn["utn_vendor1"], utn["utn_vendor2"]
    done = activities.record(
        vendor,
        utn.vendor_job.pk,
        report="Patch keamanan dipasang",
        cost="1500000",
        files=[pdf()],
        now=NOW,
    )
    assert done.status == OccurrenceStatus.DONE
    error = _refused("already_recorded", other, utn.vendor_job.pk, report="Menimpa laporan")
    assert "Bayu Anggara" in error.message
    with pytest.raises(ServiceError) as caught:
        activities.mark_not_done(other, utn.vendor_job.pk, "tidak jadi", now=NOW)
    assert caught.value.code == "already_recorded"
    row = Occurrence.objects.get(pk=utn.vendor_job.pk)
    assert row.report == "Patch keamanan dipasang" and row.done_by == vendor
    assert row.cost == Decimal(1500000)
    assert OccurrenceFile.objects.filter(occurrence=row).count() == 1

    activities.mark_not_done(utn["utn_ops1"], utn.internal.pk, "Server sedang dipindah", now=NOW)
    _refused("already_recorded", utn["utn_ops2"], utn.internal.pk)
    assert Occurrence.objects.get(pk=utn.internal.pk).report == "Server sedang dipindah"


# --- what works -----------------------------------------------------------------------------


def test_the_vendor_records_with_files_and_the_case_journal_says_so(utn):
    vendor = utn["utn_vendor1"]
    assert activities.may_record(vendor, utn.vendor_job, now=NOW)
    done = activities.record(
        vendor,
        str(utn.vendor_job.pk),
        report="Patch keamanan dipasang, layanan diuji",
        files=[pdf(), pdf("foto.pdf")],
        done_on="2027-03-16",
        now=NOW,
    )
    assert done.done_at == dt.datetime(2027, 3, 16, 10, 0, tzinfo=JKT)
    assert done.opened_at == NOW and done.cost is None
    files = list(OccurrenceFile.objects.filter(occurrence=done).order_by("pk"))
    assert [f.original_name for f in files] == ["laporan.pdf", "foto.pdf"]
    assert files[0].content_type == "application/pdf" and files[0].size == len(PDF)
    assert files[0].file.read() == PDF
    entry = JournalEntry.objects.get(case=utn.case, kind=JournalKind.ACTIVITY_RECORDED)
    assert entry.actor == vendor
    assert entry.data == {
        "occurrence": done.pk,
        "title": done.activity.title,
        "due_on": "2027-03-16",
        "done": True,
        "report": "Patch keamanan dipasang, layanan diuji",
        "files": 2,
    }
    assert schedule.late(utn.plan, D(2027, 3, 17)).filter(pk=done.pk).count() == 0


def test_the_agencys_keepers_record_internal_and_vendor_activities(utn):
    ops = utn["utn_ops2"]
    assert activities.may_record(ops, utn.vendor_job, now=NOW)
    activities.record(ops, utn.internal.pk, report="Cadangan dipulihkan ke server uji", now=NOW)
    skipped = activities.mark_not_done(ops, utn.vendor_job.pk, "Vendor menunda", now=NOW)
    assert skipped.status == OccurrenceStatus.SKIPPED
    data = [
        e.data
        for e in JournalEntry.objects.filter(
            case=utn.case, kind=JournalKind.ACTIVITY_RECORDED
        ).order_by("seq")
    ]
    assert [d["done"] for d in data] == [True, False]
    assert data[1]["reason"] == "Vendor menunda" and data[1]["files"] == 0


def test_a_plan_without_a_case_records_without_a_journal(utn):
    plan = factories.plan(utn.applications["lms"])
    factories.activity(plan, executor=Executor.INTERNAL)
    schedule.generate(plan)
    first = Occurrence.objects.filter(plan=plan).order_by("due_on").first()
    before = JournalEntry.objects.count()
    done = activities.record(utn["utn_ops1"], first.pk, report="Selesai", now=NOW)
    assert done.status == OccurrenceStatus.DONE
    assert JournalEntry.objects.count() == before
