"""Procedure drafts: who may write, review and approve them, and what they refuse.

The attacking tests come first: another agency's draft, a vendor's staff, a non-administrator
approving, the submitter approving their own, a stale revision, a draft in review saved, a
forged section, a YAML bomb or too large a source, a revision's key edited, a journal row
changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from laksana.demo.orgs import SOP_002, SOP_004
from laksana.errors import NotAllowed, ServiceError
from laksana.org import roles
from laksana.org.models import RoleKind
from laksana.procedures import drafts, drafttree
from laksana.procedures.models import (
    DraftState,
    ProcedureDraft,
    ProcedureEvent,
    ProcedureEventKind,
    ProcedureVersion,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def revision(bali):
    """Bali's draft revising its SOP 002, written by the Ketua Tim."""
    return drafts.create_from_version(bali["ketuatim"], bali.versions[SOP_002])


def _edited(person, draft, title="Penanganan Masalah Aplikasi (revisi)"):
    tree = drafttree.parse(draft.source)
    ident = drafttree.section(tree, "identity")
    return drafts.save_section(
        person, draft, "identity", {**ident, "title": title}, revision=draft.revision
    )


def _reviewer(bali):
    roles.grant(bali["kadis"], RoleKind.PROCEDURE_ADMIN)
    return bali["kadis"]


# attacks -----------------------------------------------------------------------------------


def test_another_agencys_draft_is_not_found(bali, djki, revision):
    outsider = djki["ipasdev"]
    for person in (outsider, djki.people[next(iter(djki.people))]):
        with pytest.raises(drafts.DraftNotFound) as caught:
            drafts.get(person, revision.pk)
        assert caught.value.code == "not_found"
        with pytest.raises(drafts.DraftNotFound):
            drafts.save_source(person, revision, revision.source, revision=revision.revision)
        with pytest.raises(drafts.DraftNotFound):
            drafts.withdraw(person, revision)
        assert revision not in drafts.drafts_of(person)
    with pytest.raises(drafts.DraftNotFound):
        drafts.get(bali["ketuatim"], 999_999)
    assert ProcedureDraft.objects.get(pk=revision.pk).state == DraftState.DRAFT


def test_another_agencys_version_cannot_be_revised(client, bali, djki):
    # Naming DJKI's published version, in the service's argument or the web route, as a
    # writer of Bali: not found, as if it did not exist, and no draft is written.
    theirs = djki.versions[SOP_004]
    with pytest.raises(ServiceError) as refused:
        drafts.create_from_version(bali["ketuatim"], theirs)
    assert refused.value.code == "not_found"
    client.force_login(bali["ketuatim"].user)
    url = reverse("procedures:revise", args=[djki.agency.slug, SOP_004, theirs.number])
    assert client.post(url).status_code == 404
    assert not ProcedureDraft.objects.exists()


def test_a_vendors_staff_and_a_requesting_unit_may_not_write(djki, bali):
    with pytest.raises(NotAllowed):
        drafts.create_from_version(djki["ipasdev"], djki.versions[SOP_004])
    with pytest.raises(NotAllowed):
        drafts.create_blank(bali["dinkes_staf"], procedure_key="izin-baru", title="Izin")
    draft = drafts.create_from_version(djki.people[_djki_writer(djki)], djki.versions[SOP_004])
    with pytest.raises(NotAllowed):
        drafts.save_source(djki["ipasdev"], draft, draft.source, revision=draft.revision)
    with pytest.raises(NotAllowed):
        drafts.get(djki["ipasdev"], draft.pk)
    assert not ProcedureDraft.objects.filter(created_by=djki["ipasdev"]).exists()


def _djki_writer(djki):
    return next(
        login
        for login, p in djki.people.items()
        if drafts.may_write(p, djki.agency) and p.vendor_id is None
    )


def test_a_person_who_is_no_procedure_administrator_may_not_approve_or_return(bali, revision):
    draft = drafts.submit(bali["ketuatim"], _edited(bali["ketuatim"], revision))
    for person in (bali["dev1"], bali["dinkes"]):
        with pytest.raises(NotAllowed):
            drafts.approve(person, draft)
        with pytest.raises(NotAllowed):
            drafts.return_to_authors(person, draft, "tidak")
    assert ProcedureDraft.objects.get(pk=draft.pk).state == DraftState.IN_REVIEW


def test_the_submitter_may_not_approve_their_own_draft(bali):
    admin = bali["kabid"]  # a procedure administrator who writes and sends it
    draft = drafts.create_from_version(admin, bali.versions[SOP_002])
    draft = drafts.submit(admin, _edited(admin, draft))
    with pytest.raises(NotAllowed, match="four eyes"):
        drafts.approve(admin, draft)
    assert ProcedureVersion.objects.filter(agency=bali.agency, procedure_key=SOP_002).count() == 1


def test_a_stale_revision_is_refused_and_changes_nothing(bali, revision):
    first = _edited(bali["ketuatim"], revision, "Judul A")
    stale_tree = drafttree.parse(revision.source)
    with pytest.raises(ServiceError) as caught:
        drafts.save_section(
            bali["dev1"],
            revision,  # read before the save above
            "notes",
            ["x"],
            revision=revision.revision - 1 if revision.revision == first.revision else 1,
        )
    assert caught.value.code == "stale" and caught.value.field == "revision"
    assert (
        drafttree.parse(ProcedureDraft.objects.get(pk=revision.pk).source)["identity"]["title"]
        == "Judul A"
    )
    assert stale_tree["identity"]["title"] != "Judul A"


def test_a_draft_in_review_published_or_withdrawn_cannot_be_saved(bali, revision):
    draft = drafts.submit(bali["ketuatim"], _edited(bali["ketuatim"], revision))
    with pytest.raises(ServiceError) as caught:
        drafts.save_source(bali["ketuatim"], draft, draft.source, revision=draft.revision)
    assert caught.value.code == "read_only"
    with pytest.raises(ServiceError):
        drafts.save_section(bali["ketuatim"], draft, "notes", [], revision=draft.revision)
    drafts.withdraw(bali["ketuatim"], draft)
    with pytest.raises(ServiceError):
        drafts.withdraw(bali["ketuatim"], draft)
    with pytest.raises(ServiceError):
        drafts.submit(bali["ketuatim"], draft)


def test_a_forged_section_name_is_refused(bali, revision):
    with pytest.raises(ServiceError) as caught:
        drafts.save_section(bali["ketuatim"], revision, "__class__", {}, revision=revision.revision)
    assert caught.value.field == "section"
    with pytest.raises(ServiceError) as caught:
        drafts.save_section(
            bali["ketuatim"], revision, "steps", [{"id": object()}], revision=revision.revision
        )
    assert caught.value.field == "steps.0.id"
    assert ProcedureDraft.objects.get(pk=revision.pk).revision == revision.revision


def test_a_yaml_bomb_or_too_large_a_source_is_refused(bali, revision):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    person = bali["ketuatim"]
    with pytest.raises(ServiceError) as caught:
        drafts.save_source(person, revision, bomb, revision=revision.revision)
    assert caught.value.field == "source"
    with pytest.raises(ServiceError) as caught:
        drafts.create_from_source(person, "id: x\nnotes: ['" + "a" * 70_000 + "']\n")
    assert caught.value.code == "too_large"
    deep = "id: x\nnotes: " + "[" * 200 + "]" * 200 + "\n"
    with pytest.raises(ServiceError):
        drafts.create_from_source(person, deep)
    with pytest.raises(ServiceError) as caught:
        drafts.save_section(person, revision, "notes", ["a" * 70_000], revision=revision.revision)
    assert caught.value.code == "too_large"
    nested: list = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(ServiceError):
        drafts.save_section(person, revision, "notes", nested, revision=revision.revision)
    assert ProcedureDraft.objects.filter(agency=bali.agency).count() == 1


def test_the_key_of_a_revision_cannot_be_edited(bali, revision):
    person = bali["ketuatim"]
    ident = drafttree.section(drafttree.parse(revision.source), "identity")
    with pytest.raises(ServiceError) as caught:
        drafts.save_section(
            person, revision, "identity", {**ident, "id": "lain"}, revision=revision.revision
        )
    assert caught.value.field == "identity.id" and SOP_002 in caught.value.message
    other = revision.source.replace(f"id: {SOP_002}", "id: lain")
    with pytest.raises(ServiceError) as caught:
        drafts.save_source(person, revision, other, revision=revision.revision)
    assert caught.value.field == "identity.id"
    assert ProcedureDraft.objects.get(pk=revision.pk).procedure_key == SOP_002


def test_a_new_draft_may_not_take_the_key_of_a_published_procedure(bali):
    person = bali["ketuatim"]
    with pytest.raises(ServiceError, match="revise") as caught:
        drafts.create_blank(person, procedure_key=SOP_002, title="Lain")
    assert caught.value.field == "procedure_key"
    with pytest.raises(ServiceError, match="revise"):
        drafts.create_from_source(person, bali.versions[SOP_002].source)
    new = drafts.create_blank(person, procedure_key="izin-baru", title="Izin Baru")
    ident = drafttree.section(drafttree.parse(new.source), "identity")
    with pytest.raises(ServiceError) as caught:
        drafts.save_section(person, new, "identity", {**ident, "id": SOP_002}, revision=1)
    assert caught.value.field == "identity.id"
    with pytest.raises(ServiceError) as caught:
        drafts.create_blank(person, procedure_key="Bad Key", title="x")
    assert caught.value.field == "procedure_key"


def test_the_journal_chain_detects_a_changed_row(bali, revision):
    _edited(bali["ketuatim"], revision)
    assert drafts.verify_journal(bali.agency) == []
    event = ProcedureEvent.objects.filter(agency=bali.agency).order_by("seq").first()
    assert event is not None
    ProcedureEvent.objects.filter(pk=event.pk).update(data={"origin": "forged"})
    problems = drafts.verify_journal(bali.agency)
    assert problems and "1" in problems[0]
    with pytest.raises(ValueError):
        event.delete()


def test_a_draft_with_unconfirmed_import_items_is_not_sent_for_review(bali):
    person = bali["ketuatim"]
    source = bali.versions[SOP_002].source.replace(f"id: {SOP_002}", "id: sop-impor")
    draft = drafts.create_from_source(
        person,
        source,
        origin="docx",
        to_confirm=[{"where": "tabel 2, baris 5", "text": "Tidak ke selesai"}],
    )
    with pytest.raises(ServiceError, match="tabel 2, baris 5") as caught:
        drafts.submit(person, draft)
    assert caught.value.items == ("tabel 2, baris 5",)
    with pytest.raises(ServiceError):
        drafts.confirm_item(person, draft, 5)
    draft = drafts.confirm_item(person, draft, 0)
    assert drafts.submit(person, draft).state == DraftState.IN_REVIEW


def test_a_draft_without_its_number_saves_and_checks_but_is_not_sent(bali):
    person = bali["ketuatim"]
    source = bali.versions[SOP_002].source.replace(f"id: {SOP_002}", "id: sop-baru")
    tree = drafttree.parse(source)
    tree["identity"]["number"] = ""
    draft = drafts.create_from_source(person, drafttree.dump(tree))
    assert drafts.check(draft).ok
    with pytest.raises(ServiceError) as caught:
        drafts.submit(person, draft)
    assert caught.value.field == "identity.number"
    tree["actors"]["kadis"]["kind"] = "jabatan"
    draft = drafts.save_source(person, draft, drafttree.dump(tree), revision=draft.revision)
    result = drafts.check(draft)
    assert not result.ok and "actors.kadis.kind" in result.by_path()
    with pytest.raises(ServiceError) as caught:
        drafts.submit(person, draft)
    assert caught.value.items and "actors.kadis.kind" in caught.value.items[0]


# the way through ---------------------------------------------------------------------------


def test_approve_publishes_a_new_version_by_the_approver_in_the_journal(bali, revision):
    writer, reviewer = bali["ketuatim"], _reviewer(bali)
    draft = drafts.submit(writer, _edited(writer, revision))
    with pytest.raises(ServiceError) as caught:
        drafts.return_to_authors(reviewer, draft, " ")
    assert caught.value.field == "note"
    returned = drafts.return_to_authors(reviewer, draft, "Perbaiki judul")
    draft = drafts.submit(writer, _edited(writer, returned, "Judul akhir"))
    version = drafts.approve(reviewer, draft, "Disetujui")
    assert version.number == 2 and version.published_by == reviewer
    assert version.title == "Judul akhir" and version.agency == bali.agency
    draft.refresh_from_db()
    assert draft.state == DraftState.PUBLISHED and draft.published_version == version
    approved = drafts.journal(reviewer, draft).get(kind=ProcedureEventKind.APPROVED)
    assert approved.by == reviewer and approved.by_name == reviewer.name
    assert approved.data == {"version": 2, "checksum": version.checksum, "note": "Disetujui"}
    assert approved.at >= draft.submitted_at
    kinds = list(drafts.journal(writer, draft).values_list("kind", flat=True))
    assert kinds == ["created", "saved", "submitted", "returned", "saved", "submitted", "approved"]
    assert drafts.verify_journal(bali.agency) == []
    with pytest.raises(ServiceError):
        drafts.save_source(writer, draft, draft.source, revision=draft.revision)


def test_a_revision_of_a_version_no_longer_the_latest_is_not_approved(bali, revision):
    writer, reviewer = bali["ketuatim"], _reviewer(bali)
    other = drafts.submit(
        writer,
        _edited(writer, drafts.create_from_version(writer, bali.versions[SOP_002]), "Lebih dulu"),
    )
    late = drafts.submit(writer, _edited(writer, revision, "Belakangan"))
    drafts.approve(reviewer, other)
    with pytest.raises(ServiceError) as caught:
        drafts.approve(reviewer, late)
    assert caught.value.code == "stale" and "version 1" in caught.value.message
    assert ProcedureDraft.objects.get(pk=late.pk).state == DraftState.IN_REVIEW


def test_an_unchanged_revision_publishes_nothing(bali, revision):
    writer, reviewer = bali["ketuatim"], _reviewer(bali)
    draft = drafts.submit(writer, revision)
    with pytest.raises(ServiceError) as caught:
        drafts.approve(reviewer, draft)
    assert caught.value.code == "unchanged"


def test_a_blank_draft_is_written_section_by_section_and_published(bali):
    writer, reviewer = bali["dev1"], _reviewer(bali)
    draft = drafts.create_blank(writer, procedure_key="izin-uji", title="Izin Uji")
    assert not drafts.check(draft).ok
    steps = [
        {"id": "s1", "activity": "Mengajukan", "actor": "pemohon"},
        {"id": "s2", "activity": "Memeriksa", "actor": "tim", "time": "1 Jam"},
    ]
    for name, data in (
        (
            "actors",
            {
                "pemohon": {"name": "Pemohon", "kind": "requesting_unit"},
                "tim": {"name": "Tim", "kind": "team"},
            },
        ),
        ("steps", steps),
        ("flow", {"start": "s1"}),
        ("service", {"purpose": "Menguji izin"}),
    ):
        draft = drafts.save_section(writer, draft, name, data, revision=draft.revision)
    ident = drafttree.section(drafttree.parse(draft.source), "identity")
    draft = drafts.save_section(
        writer, draft, "identity", {**ident, "number": "9/UJI"}, revision=draft.revision
    )
    result = drafts.check(draft)
    assert result.ok, result.messages
    assert drafts.export_yaml(draft) == draft.source
    version = drafts.approve(reviewer, drafts.submit(writer, draft))
    assert version.procedure_key == "izin-uji" and version.number == 1
    assert version.spec.steps[1].time is not None
