"""A document's life through its services: drafts, submission, initials and signatures in
order, refusals, the final number, templates, numbering patterns, letterheads and the
disposition sheet. Attacks first: what must be refused, and that it changes nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from laksana.cases.journal import verify_case
from laksana.cases.models import Case, JournalKind, Notification
from laksana.cases.servicebase import NotAllowed, ServiceError
from laksana.documents import drafting, services
from laksana.documents.kinds import KINDS
from laksana.documents.models import (
    Document,
    DocumentStatus,
    Signatory,
    SignatoryStatus,
    TemplateVersion,
)
from laksana.engine.spec import ArtifactSpec

from .drafts import DISCUSSION, case_at_discussion, circulate, draft, finish, signatories, step


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(bali, sop002):
    return case_at_discussion(bali, sop002)


def _journal(case: Case, kind: str) -> list[dict]:
    return list(case.journal.filter(kind=kind).order_by("seq").values_list("data", flat=True))


# --- attacks --------------------------------------------------------------------------------


def test_a_person_of_another_agency_cannot_make_a_draft_on_the_case(bali, djki, case):
    with pytest.raises(NotAllowed, match="You cannot see this case"):
        services.make_draft(
            djki["direktur"], case, step=step(case), artifact_key="ba_diskusi", fields=DISCUSSION
        )
    assert not Document.objects.exists()


def test_a_signatory_of_another_agency_is_refused(bali, djki, case):
    named = [*signatories(bali), {"person": djki["direktur"].pk, "role": "sign", "order": 3}]
    with pytest.raises(ServiceError, match="signatory 5: no person") as err:
        draft(bali, case, signatories=named)
    assert err.value.field == "signatories"
    assert not Document.objects.exists()


def test_a_requester_cannot_make_the_minutes_of_a_step_they_cannot_work(bali, case):
    with pytest.raises(NotAllowed):
        services.make_draft(
            bali["dinkes_staf"],
            case,
            step=step(case),
            artifact_key="ba_diskusi",
            fields=DISCUSSION,
        )
    assert not Document.objects.exists()


def test_the_kind_must_be_the_artifacts_and_the_artifact_the_steps(bali, case):
    with pytest.raises(ServiceError, match="is a Berita Acara Hasil Diskusi") as err:
        draft(bali, case, kind="bast")
    assert err.value.field == "kind"
    with pytest.raises(ServiceError, match="neither needs nor makes") as err:
        services.make_draft(bali["ketuatim"], case, step=step(case), artifact_key="bast", fields={})
    assert err.value.field == "artifact"
    with pytest.raises(ServiceError, match="made from its disposition"):
        services.make_draft(bali["ketuatim"], case, kind="lembar_disposisi")


def test_fields_are_checked_naming_each_field(bali, case):
    with pytest.raises(ServiceError) as err:
        draft(
            bali,
            case,
            fields={
                "topic": "",
                "agreements": ["ok"],
                "colour": "red",
                "participants": [{"name": "", "position": "x"}, {"nama": "y"}],
            },
        )
    items = " | ".join(err.value.items)
    assert "Unknown field colour" in items
    assert "Pokok bahasan (topic): required." in items
    assert "Nama (participants[1].name): required." in items
    assert "row 2: unknown column nama" in items
    assert err.value.field == "colour"
    assert not Document.objects.exists()


def test_one_open_document_per_step_and_artifact(bali, case):
    first = draft(bali, case)
    with pytest.raises(ServiceError, match=first.draft_number):
        draft(bali, case)


def test_only_the_author_changes_or_submits_a_draft(bali, case):
    doc = draft(bali, case)
    for who in ("kabid", "kadis"):
        with pytest.raises(NotAllowed, match="Only the author"):
            services.update_draft(bali[who], doc, fields=DISCUSSION)
        with pytest.raises(NotAllowed, match="Only the author"):
            services.submit(bali[who], doc)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.DRAFT


def test_signing_out_of_turn_is_refused_naming_who_acts_first(bali, case):
    doc = circulate(bali, case)
    with pytest.raises(ServiceError, match="I Made Suardana must act first") as err:
        services.sign(bali["kadis"], doc)
    assert err.value.code == "not_your_turn"
    services.initial(bali["ketuatim"], doc)
    with pytest.raises(ServiceError, match="Ni Luh Putu Ariani must act first"):
        services.sign(bali["dinkes"], doc)
    assert Signatory.objects.filter(document=doc, status=SignatoryStatus.DONE).count() == 1


def test_someone_not_a_signatory_cannot_sign_or_refuse(bali, djki, case):
    doc = circulate(bali, case)
    for person in (bali["dev1"], djki["direktur"]):
        with pytest.raises(NotAllowed, match="not a signatory"):
            services.sign(person, doc)
        with pytest.raises(NotAllowed, match="not a signatory"):
            services.refuse(person, doc, note="tidak")
    assert not Signatory.objects.filter(document=doc).exclude(status="pending").exists()


def test_the_wrong_action_and_a_changed_pdf_are_refused(bali, case):
    doc = circulate(bali, case)
    with pytest.raises(ServiceError, match="asked to initial"):
        services.sign(bali["ketuatim"], doc)
    with pytest.raises(ServiceError, match="changed since you looked") as err:
        services.initial(bali["ketuatim"], doc, seen_sha256="0" * 64)
    assert err.value.field == "seen_sha256"
    services.initial(bali["ketuatim"], doc, seen_sha256=doc.pdf_sha256)


def test_a_draft_cannot_be_signed_before_it_is_submitted(bali, case):
    doc = draft(bali, case)
    with pytest.raises(ServiceError, match="not waiting for initials"):
        services.initial(bali["ketuatim"], doc)


# --- the life of a document -----------------------------------------------------------------


def test_submit_renders_the_draft_and_tells_the_first_verifier(bali, case):
    doc = circulate(bali, case)
    assert doc.status == DocumentStatus.CIRCULATING
    assert doc.draft_number == f"DRAF-{case.reference}-1"
    assert len(doc.code) >= 10 and not set(doc.code) & set("01OIL")
    assert doc.pdf_sha256 and doc.pdf.read().startswith(b"%PDF")
    assert _journal(case, JournalKind.DOCUMENT_SUBMITTED)[0]["sha256"] == doc.pdf_sha256
    told = Notification.objects.filter(case=case, message__contains=doc.draft_number)
    assert list(told.values_list("person", flat=True)) == [bali["ketuatim"].pk]


def test_initials_then_a_joint_signature_make_the_document_final(bali, case):
    doc = circulate(bali, case)
    draft_sha = doc.pdf_sha256
    doc = services.initial(bali["ketuatim"], doc)
    doc = services.initial(bali["kabid"], doc)
    # The joint group signs in any order: the head of Dinkes first here.
    doc = services.sign(bali["dinkes"], doc)
    assert doc.status == DocumentStatus.CIRCULATING and not doc.number
    doc = services.sign(bali["kadis"], doc)
    assert doc.status == DocumentStatus.FINAL and doc.finalised_at
    assert doc.number == f"001/BA-DISK/Diskominfos Bali/{doc.date.year}"
    assert (doc.year, doc.seq) == (doc.date.year, 1)
    assert doc.pdf_sha256 != draft_sha
    case.refresh_from_db()
    assert verify_case(case) is None
    initials = _journal(case, JournalKind.INITIALLED)
    assert [e["sha256"] for e in initials] == [draft_sha, draft_sha]
    signed = _journal(case, JournalKind.SIGNED)
    assert signed[0]["sha256"] == draft_sha
    assert signed[1]["sha256"] == doc.pdf_sha256 and signed[1]["draft_sha256"] == draft_sha
    final = _journal(case, JournalKind.DOCUMENT_FINAL)
    assert final == [
        {"document": doc.pk, "title": doc.title, "number": doc.number, "sha256": doc.pdf_sha256}
    ]
    kadis = doc.signatories.get(person=bali["kadis"])
    assert kadis.pdf_sha256 == doc.pdf_sha256 and kadis.status == SignatoryStatus.DONE
    # The step's holder is told it can be completed.
    assert Notification.objects.filter(
        person=bali["ketuatim"], message__contains="can be completed"
    ).exists()


def test_a_final_document_cannot_be_signed_again_nor_changed(bali, case):
    doc = finish(bali, circulate(bali, case))
    with pytest.raises(ServiceError, match="already final"):
        services.sign(bali["kadis"], doc)
    with pytest.raises(ServiceError, match="Only a draft or a returned"):
        services.update_draft(bali["ketuatim"], doc, fields=DISCUSSION)


def test_a_refusal_returns_the_document_to_its_author(bali, case):
    doc = circulate(bali, case)
    services.initial(bali["ketuatim"], doc)
    with pytest.raises(ServiceError, match="Say why") as err:
        services.refuse(bali["kabid"], doc, note="  ")
    assert err.value.field == "note"
    doc = services.refuse(bali["kabid"], doc, note="Lengkapi daftar peserta")
    assert doc.status == DocumentStatus.RETURNED and doc.return_note == "Lengkapi daftar peserta"
    assert Notification.objects.filter(
        person=bali["ketuatim"], message__contains="Lengkapi daftar peserta"
    ).exists()
    with pytest.raises(ServiceError, match="not waiting"):
        services.sign(bali["kadis"], doc)
    # Changed and submitted again: everyone acts again, in order.
    services.update_draft(bali["ketuatim"], doc, fields={**DISCUSSION, "timeline": "30 hari"})
    doc = services.submit(bali["ketuatim"], doc)
    assert set(doc.signatories.values_list("status", flat=True)) == {SignatoryStatus.PENDING}
    finish(bali, doc)
    case.refresh_from_db()
    assert verify_case(case) is None
    assert len(_journal(case, JournalKind.DOCUMENT_RETURNED)) == 1


def test_without_signatories_named_the_procedures_signers_sign_jointly(bali, case):
    doc = services.make_draft(
        bali["ketuatim"], case, step=step(case), artifact_key="ba_diskusi", fields=DISCUSSION
    )
    signers = list(doc.signatories.values_list("person", "role", "order", "label"))
    # SOP 002: signed_by [ketua_tim, pemohon, kabid]; the requesting unit signs by its head.
    assert signers == [
        (bali["ketuatim"].pk, "sign", 1, "PIHAK PERTAMA"),
        (bali["dinkes"].pk, "sign", 1, "PIHAK KEDUA"),
        (bali["kabid"].pk, "sign", 1, "Mengetahui"),
    ]


def test_a_document_on_the_case_alone_is_signed_by_its_author(bali, case):
    memo = {"to": "Kepala Dinas", "subject": "Laporan", "body": "Isi nota dinas."}
    doc = services.make_draft(bali["kabid"], case, kind="nota_dinas", fields=memo)
    assert list(doc.signatories.values_list("person", "role")) == [(bali["kabid"].pk, "sign")]
    assert doc.step_id is None and doc.artifact_key == ""
    with pytest.raises(ServiceError, match="Name the step") as err:
        services.make_draft(bali["kabid"], case, kind="nota_dinas", artifact_key="ba_diskusi")
    assert err.value.field == "step"


def test_the_procedures_signers_are_resolved_to_people_of_the_case(bali, case):
    art = ArtifactSpec(
        "bast",
        "BAST",
        "minutes.handover",
        signed_by=("kadis", "pemohon"),
        initialled_by=("ketua_tim",),
    )
    kind = KINDS["bast"]
    found = drafting.default_signatories(case, step(case), art, kind, bali["ketuatim"])
    assert [(s.person.pk, s.role, s.order, s.label) for s in found] == [
        (bali["ketuatim"].pk, "initial", 1, ""),
        (bali["kadis"].pk, "sign", 2, "PIHAK PERTAMA"),
        # The head of the requesting unit: its top position's holder, not its staff.
        (bali["dinkes"].pk, "sign", 2, "PIHAK KEDUA"),
    ]


def test_initials_must_come_before_signatures(bali, case):
    named = signatories(bali)
    named[1]["order"] = 3
    with pytest.raises(ServiceError, match="Initials come before signatures"):
        draft(bali, case, signatories=named)


# --- templates, numbering, letterheads ------------------------------------------------------


def test_only_administrators_save_templates_and_a_bad_template_is_listed(bali, djki, case):
    from laksana.documents import templating

    source = templating.shipped_source("ba_diskusi")
    agency = bali.agency
    for who in (bali["ketuatim"], djki["direktur"]):
        with pytest.raises(NotAllowed):
            services.save_template(who, agency, "ba_diskusi", source)
    # kabid is the agency's procedure administrator (the demo builder).
    with pytest.raises(ServiceError) as err:
        services.save_template(bali["kabid"], agency, "ba_diskusi", source + "{{ tak_dikenal }}")
    assert err.value.items and any("tak_dikenal" in i for i in err.value.items)
    first = services.save_template(bali["kabid"], agency, "ba_diskusi", source + "<p>v1</p>")
    second = services.save_template(bali["kabid"], agency, "ba_diskusi", source + "<p>v2</p>")
    assert (first.number, second.number) == (1, 2)
    doc = draft(bali, case)
    assert doc.template_id == second.pk


def test_the_shipped_template_is_kept_as_a_version_made_once(bali, case):
    doc = draft(bali, case)
    assert doc.template.agency_id is None and doc.template.number == 1
    assert services.template_for(bali.agency, "ba_diskusi").pk == doc.template_id
    assert TemplateVersion.objects.filter(kind="ba_diskusi").count() == 1


def test_the_agencys_numbering_pattern_numbers_the_final_document(bali, djki, case):
    with pytest.raises(NotAllowed):
        services.save_numbering_pattern(djki["direktur"], bali.agency, "ba_diskusi", "{seq}")
    with pytest.raises(ServiceError, match="Unknown placeholder") as err:
        services.save_numbering_pattern(bali["kabid"], bali.agency, "ba_diskusi", "{nomor}/BA")
    assert err.value.field == "pattern"
    services.save_numbering_pattern(
        bali["kabid"], bali.agency, "ba_diskusi", "{seq:03d}/BA/{unit_code}/{month_roman}/{year}"
    )
    doc = finish(bali, circulate(bali, case))
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    assert doc.number == f"001/BA/Tim AI/{roman[doc.date.month - 1]}/{doc.date.year}"


def test_a_letterhead_is_the_agencys_and_its_units(bali, djki):
    with pytest.raises(ServiceError, match="not one of the agency") as err:
        services.save_letterhead(bali["kabid"], bali.agency, djki.units["tiki"], address="x")
    assert err.value.field == "unit"
    with pytest.raises(NotAllowed):
        services.save_letterhead(bali["ketuatim"], bali.agency, address="Jl. Ahmad Yani")
    with pytest.raises(ServiceError, match="at most 300") as err:
        services.save_letterhead(bali["kabid"], bali.agency, address="x" * 301)
    assert err.value.field == "address"
    row = services.save_letterhead(bali["kabid"], bali.agency, address="Jl. D.I. Panjaitan")
    assert row.agency_name == bali.agency.name and row.unit_id is None


# --- the disposition sheet ------------------------------------------------------------------


def test_a_disposition_sheet_is_final_at_once_signed_by_the_sender(bali, djki, case):
    d = case.dispositions.filter(sender=bali["kadis"]).first()
    assert d is not None
    with pytest.raises(NotAllowed):
        services.make_disposition_sheet(djki["direktur"], d)
    doc = services.make_disposition_sheet(bali["kabid"], d)
    assert doc.status == DocumentStatus.FINAL and doc.number.startswith("001/DISP/")
    (signer,) = doc.signatories.all()
    assert signer.person_id == bali["kadis"].pk and signer.acted_at == d.created_at
    assert signer.pdf_sha256 == doc.pdf_sha256
    assert services.make_disposition_sheet(bali["kabid"], d).pk == doc.pk
    case.refresh_from_db()
    assert verify_case(case) is None


# --- queries --------------------------------------------------------------------------------


def test_who_sees_a_document_and_whose_turn_it_is(bali, djki, case):
    from laksana.documents import queries

    doc = circulate(bali, case)
    assert list(queries.waiting_for(bali["ketuatim"])) == [doc]
    assert not queries.waiting_for(bali["kadis"]).exists()
    services.initial(bali["ketuatim"], doc)
    services.initial(bali["kabid"], doc)
    # The joint group: both heads at once.
    assert list(queries.waiting_for(bali["kadis"])) == [doc]
    assert list(queries.waiting_for(bali["dinkes"])) == [doc]
    assert not queries.waiting_for(bali["ketuatim"]).exists()
    assert doc in queries.visible_documents(bali["dinkes_staf"])  # the requesting unit's case
    assert doc in queries.visible_documents(bali["kadis"])  # a signatory
    assert not queries.visible_documents(djki["direktur"]).exists()
    assert not queries.visible_documents(bali["bkd"]).exists()
    assert list(queries.documents_of_case(case)) == [doc]


def test_the_vendor_of_the_cases_application_may_sign_but_not_without_one(djki, versions):
    from laksana.cases import services as case_services

    version = versions["sop-004-pemulihan-gagal-fungsi-ipas"]
    memo = {"to": "Direktur", "subject": "Pemulihan", "body": "Isi nota dinas."}
    vendor_signs = [{"person": djki["ipasdev"].pk, "role": "sign", "order": 1}]
    on_ipas = case_services.open_case(
        djki["merek_staf"], version, "IPAS lambat", application=djki.applications["ipas"]
    )
    doc = services.make_draft(
        djki["merek_staf"], on_ipas, kind="nota_dinas", fields=memo, signatories=vendor_signs
    )
    assert list(doc.signatories.values_list("person", flat=True)) == [djki["ipasdev"].pk]
    on_nothing = case_services.open_case(djki["merek_staf"], version, "Tanpa aplikasi")
    with pytest.raises(ServiceError, match="no person"):
        services.make_draft(
            djki["merek_staf"], on_nothing, kind="nota_dinas", fields=memo, signatories=vendor_signs
        )


def test_bad_shapes_are_refused_naming_the_input(bali, case):
    with pytest.raises(ServiceError, match="YYYY-MM-DD") as err:
        draft(bali, case, date="kemarin")
    assert err.value.field == "date"
    with pytest.raises(ServiceError) as err:
        draft(bali, case, fields=["topic"])
    assert err.value.field == "fields"
    with pytest.raises(ServiceError) as err:
        draft(bali, case, signatories="kadis")
    assert err.value.field == "signatories"
    with pytest.raises(ServiceError, match="signatory 1: the role") as err:
        draft(bali, case, signatories=[{"person": bali["kadis"].pk, "role": "stempel"}])
    assert not Document.objects.exists()
    doc = draft(bali, case, date="2026-12-07")
    assert doc.date.isoformat() == "2026-12-07"
    doc = services.submit(bali["ketuatim"], doc)
    with pytest.raises(ServiceError, match="changed since"):
        services.initial(bali["ketuatim"], doc, seen_sha256=12345)


def test_numbering_and_letterhead_changes_are_in_the_agencys_change_record(bali, djki):
    from laksana.org.models import OrgChange

    before = OrgChange.objects.count()
    with pytest.raises(NotAllowed):
        services.save_letterhead(djki["direktur"], bali.agency, address="Jl. Lain")
    with pytest.raises(ServiceError):
        services.save_numbering_pattern(bali["kabid"], bali.agency, "ba_diskusi", "{nomor}")
    assert OrgChange.objects.count() == before  # refusals record nothing
    services.save_numbering_pattern(bali["kabid"], bali.agency, "ba_diskusi", "{seq}/BA/{year}")
    services.save_numbering_pattern(bali["kabid"], bali.agency, "ba_diskusi", "{seq}/BAD/{year}")
    services.save_letterhead(bali["kabid"], bali.agency, address="Jl. D.I. Panjaitan")
    services.save_letterhead(bali["kabid"], bali.agency, address="Jl. Raya Puputan")
    numbering, letterhead = (
        list(OrgChange.objects.filter(agency=bali.agency, subject=s).order_by("id"))
        for s in ("numbering", "letterhead")
    )
    assert [c.action for c in numbering] == ["created", "changed"]
    assert numbering[1].before == {"kind": "ba_diskusi", "pattern": "{seq}/BA/{year}"}
    assert numbering[1].after == {"kind": "ba_diskusi", "pattern": "{seq}/BAD/{year}"}
    assert numbering[1].by == bali["kabid"]
    assert [c.action for c in letterhead] == ["created", "changed"]
    assert letterhead[1].before["address"] == "Jl. D.I. Panjaitan"
    assert letterhead[1].after["address"] == "Jl. Raya Puputan"
