"""The draft screens (laksana.procedures.views_drafts, views_draft_forms): the attacking cases
first (another agency's draft, vendors' staff, a person without the reviewer's role, a forged
section), then writing a procedure through the section forms, its check messages next to
their fields, the preview that writes nothing, a stale save, and the review to a published
version; and the round trip: forms -> YAML -> a new draft from that YAML -> the same tree."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from laksana.engine.loader import load_text
from laksana.procedures import drafts, drafttree
from laksana.procedures.models import DraftState, ProcedureDraft, ProcedureEvent, ProcedureVersion

pytestmark = pytest.mark.django_db


def _client(person: Any) -> Client:
    c = Client()
    c.cookies["django_language"] = "en"
    c.force_login(person.user)
    return c


def _draft(person: Any, key: str = "sop-009-uji-editor") -> ProcedureDraft:
    return drafts.create_blank(person, procedure_key=key, title="Layanan Uji Editor")


def _save(c: Client, draft: ProcedureDraft, section: str, data: dict[str, Any]) -> Any:
    draft.refresh_from_db()
    return c.post(
        reverse("procedures:draft_save", args=[draft.pk, section]),
        {"revision": str(draft.revision), **data},
    )


def _state() -> tuple[Any, ...]:
    return (
        sorted(ProcedureDraft.objects.values_list("pk", "revision", "state", "source")),
        ProcedureEvent.objects.count(),
        ProcedureVersion.objects.count(),
    )


# --- attacking ------------------------------------------------------------------------------


def test_another_agencys_draft_is_not_found_on_every_route(bali: Any, djki: Any) -> None:
    draft = _draft(bali["dev1"])
    c = _client(djki["kasubdit"])
    before = _state()
    gets = ["procedures:draft", "procedures:draft_yaml"]
    for name in gets:
        assert c.get(reverse(name, args=[draft.pk])).status_code == 404, name
    posts = [
        reverse("procedures:draft_save", args=[draft.pk, "identity"]),
        reverse("procedures:draft_source", args=[draft.pk]),
        reverse("procedures:draft_preview", args=[draft.pk, "steps"]),
        reverse("procedures:draft_submit", args=[draft.pk]),
        reverse("procedures:draft_approve", args=[draft.pk]),
        reverse("procedures:draft_return", args=[draft.pk]),
        reverse("procedures:draft_withdraw", args=[draft.pk]),
    ]
    for url in posts:
        response = c.post(url, {"revision": "1", "title": "diambil alih", "note": "x"})
        assert response.status_code == 404, url
    assert c.get(reverse("procedures:draft", args=[draft.pk + 1000])).status_code == 404
    assert _state() == before


@pytest.mark.parametrize("who", ["ipasdev", "dinkes_staf"])
def test_vendor_and_requesting_unit_staff_may_not_write_drafts(
    bali: Any, djki: Any, who: str
) -> None:
    person = djki[who] if who == "ipasdev" else bali[who]
    draft = _draft(bali["dev1"], "sop-009-milik-bali")
    c = _client(person)
    before = _state()
    assert c.get(reverse("procedures:drafts")).status_code == 403
    response = c.post(reverse("procedures:draft_new"), {"procedure_key": "sop-009-x", "title": "X"})
    assert response.status_code == 403
    expected = 404 if who == "ipasdev" else 403  # DJKI's vendor: Bali's draft does not exist
    assert c.get(reverse("procedures:draft", args=[draft.pk])).status_code == expected
    assert _state() == before


def test_a_person_without_the_reviewers_role_cannot_approve_or_return(bali: Any) -> None:
    author = bali["dev1"]
    draft = drafts.create_from_version(author, bali.versions["sop-002-penanganan-masalah-aplikasi"])
    drafts.submit(author, draft)
    before = _state()
    c = _client(bali["kadis"])  # staff of Bali, not a procedure administrator
    assert c.post(reverse("procedures:draft_approve", args=[draft.pk])).status_code == 403
    response = c.post(reverse("procedures:draft_return", args=[draft.pk]), {"note": "ubah"})
    assert response.status_code == 403
    assert _state() == before


def test_a_forged_section_is_not_found_and_a_forged_row_changes_nothing(bali: Any) -> None:
    draft = _draft(bali["dev1"])
    c = _client(bali["dev1"])
    before = _state()
    for section in ("format", "source", "yaml", "x" * 40):
        assert _save(c, draft, section, {"title": "x"}).status_code == 404, section
    response = c.post(reverse("procedures:draft_preview", args=[draft.pk, "nope"]), {})
    assert response.status_code == 404
    # A step that does not exist, a row count out of range: refused or ignored, never a 500.
    assert _save(c, draft, "steps", {"index": "99", "activity": "x"}).status_code == 422
    assert _save(c, draft, "actors", {"actor-count": "99999999"}).status_code in (302, 422)
    assert _state()[2] == before[2]


def test_two_actors_with_one_id_are_refused_naming_the_id(bali: Any) -> None:
    draft = _draft(bali["dev1"])
    c = _client(bali["dev1"])
    before = _state()
    response = _save(
        c,
        draft,
        "actors",
        {
            "actor-count": "2",
            **{"actor-0-id": "kadis", "actor-0-name": "Kepala Dinas", "actor-0-kind": "position"},
            **{"actor-1-id": "kadis", "actor-1-name": "Kepala Bidang", "actor-1-kind": "position"},
        },
    )
    assert response.status_code == 422
    assert "kadis" in response.content.decode()
    assert _state() == before


# --- writing through the forms --------------------------------------------------------------

IDENTITY = {
    "id": "sop-009-uji-editor",
    "number": "000.9/009/Diskominfos",
    "title": "Layanan Uji Editor",
    "agency": "Dinas Komunikasi, Informatika dan Statistik Provinsi Bali",
    "legal_basis": "Peraturan Gubernur Bali Nomor 1 Tahun 2024\r\nSurat Edaran Nomor 2",
    "approved_by_title": "Kepala Dinas",
}
ACTORS = {
    "actor-count": "3",
    "actor-0-id": "pemohon",
    "actor-0-name": "Unit Kerja Pemohon",
    "actor-0-kind": "requesting_unit",
    "actor-1-id": "operator",
    "actor-1-name": "Operator Layanan",
    "actor-1-kind": "position",
    "actor-2-id": "",
    "actor-2-name": "",
}


def _write_small_sop(c: Client, draft: ProcedureDraft) -> None:
    assert _save(c, draft, "identity", IDENTITY).status_code == 302
    assert (
        _save(
            c,
            draft,
            "service",
            {"purpose": "Menguji editor", "success_indicators": "Permohonan selesai"},
        ).status_code
        == 302
    )
    assert _save(c, draft, "actors", ACTORS).status_code == 302
    for _n in range(3):
        assert _save(c, draft, "steps", {"action": "add", "index": ""}).status_code == 302
    step = {"outcome-count": "0"}
    assert (
        _save(
            c,
            draft,
            "steps",
            {
                **step,
                "index": "0",
                "id": "s1",
                "activity": "Mengajukan permohonan",
                "actor": "pemohon",
                "time": "10 menit",
            },
        ).status_code
        == 302
    )
    assert (
        _save(
            c,
            draft,
            "steps",
            {
                "index": "1",
                "id": "s2",
                "activity": "Apakah permohonan lengkap?",
                "actor": "operator",
                "time": "1 jam",
                "decision": "on",
                "outcome-count": "3",
                "outcome-0-label": "Ya",
                "outcome-0-to": "s3",
                "outcome-1-label": "Tidak",
                "outcome-1-to": "s1",
            },
        ).status_code
        == 302
    )
    assert (
        _save(
            c,
            draft,
            "steps",
            {
                **step,
                "index": "2",
                "id": "s3",
                "activity": "Memproses permohonan",
                "actor": "operator",
                "time": "1 Hari",
            },
        ).status_code
        == 302
    )
    assert (
        _save(
            c,
            draft,
            "flow",
            {"start": "s1", "end-count": "1", "end-0-id": "selesai", "end-0-label": "Selesai"},
        ).status_code
        == 302
    )


def test_a_procedure_written_in_the_forms_exports_and_opens_back_equal(bali: Any) -> None:
    author = bali["dev1"]
    draft = _draft(author)
    c = _client(author)
    _write_small_sop(c, draft)
    draft.refresh_from_db()
    result = drafts.check(draft)
    assert result.ok, [m.text for m in result.messages]
    assert result.spec is not None
    assert [s.id for s in result.spec.steps] == ["s1", "s2", "s3"]
    assert result.spec.identity.legal_basis == (
        "Peraturan Gubernur Bali Nomor 1 Tahun 2024",
        "Surat Edaran Nomor 2",
    )
    exported = c.get(reverse("procedures:draft_yaml", args=[draft.pk]))
    assert exported.status_code == 200
    text = exported.content.decode()
    opened = c.post(
        reverse("procedures:draft_open"),
        {"source": _upload("uji.yaml", text)},
    )
    assert opened.status_code == 302
    again = ProcedureDraft.objects.exclude(pk=draft.pk).get(
        agency=draft.agency, procedure_key="sop-009-uji-editor"
    )
    assert drafttree.parse(again.source) == drafttree.parse(draft.source)
    assert load_text(again.source, "a.yaml", draft=True) == load_text(
        draft.source, "a.yaml", draft=True
    )


def _upload(name: str, text: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="application/yaml")


def test_a_check_message_is_shown_next_to_its_field_and_counted_on_its_tab(bali: Any) -> None:
    author = bali["dev1"]
    draft = _draft(author)
    c = _client(author)
    _write_small_sop(c, draft)
    # The decision's "Tidak" loses its target.
    response = _save(
        c,
        draft,
        "steps",
        {
            "index": "1",
            "id": "s2",
            "activity": "Apakah permohonan lengkap?",
            "actor": "operator",
            "time": "1 jam",
            "decision": "on",
            "outcome-count": "2",
            "outcome-0-label": "Ya",
            "outcome-0-to": "s3",
            "outcome-1-label": "Tidak",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    paths = drafts.check(draft).by_path()
    assert "steps.1.decision.outcomes.1.to" in paths or any(
        p.startswith("steps.1.decision.outcomes.1") for p in paths
    ), paths
    page = c.get(
        reverse("procedures:draft", args=[draft.pk]) + "?tab=steps&langkah=1"
    ).content.decode()
    field = page.split('data-path="steps.1.decision.outcomes.1.to"', 1)[1].split(
        "</div>\n</div>", 1
    )[0]
    assert 'class="field-error"' in field
    tab = page.split('data-tab="steps"', 1)[1].split("</a>", 1)[0]
    assert "count--problems" in tab


def test_the_preview_renders_the_section_as_typed_and_writes_nothing(bali: Any) -> None:
    author = bali["dev1"]
    draft = _draft(author)
    c = _client(author)
    _write_small_sop(c, draft)
    draft.refresh_from_db()
    before = _state()
    typed = {**IDENTITY, "title": "Judul Yang Sedang Diketik"}
    response = c.post(reverse("procedures:draft_preview", args=[draft.pk, "identity"]), typed)
    assert response.status_code == 200
    assert "Judul Yang Sedang Diketik" in response.content.decode()
    broken = c.post(
        reverse("procedures:draft_preview", args=[draft.pk, "flow"]),
        {"start": "tidak-ada", "end-count": "0"},
    )
    assert broken.status_code == 200
    assert "alert--error" in broken.content.decode()
    assert _state() == before


def test_a_stale_save_shows_the_message_and_keeps_what_was_typed(bali: Any) -> None:
    author = bali["dev1"]
    draft = _draft(author)
    c = _client(author)
    stale = draft.revision
    assert _save(c, draft, "identity", IDENTITY).status_code == 302
    before = _state()
    response = c.post(
        reverse("procedures:draft_save", args=[draft.pk, "identity"]),
        {**IDENTITY, "revision": str(stale), "title": "Ketikan Saya Yang Terlambat"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Ketikan Saya Yang Terlambat" in body
    assert 'id="draft-refusal"' in body
    assert _state() == before


def test_a_draft_is_sent_for_review_approved_and_published_with_its_journal(bali: Any) -> None:
    author, reviewer = bali["dev1"], bali["kabid"]
    draft = _draft(author)
    c = _client(author)
    _write_small_sop(c, draft)
    assert c.post(reverse("procedures:draft_submit", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW
    # Read-only now: no save button, and a save is refused.
    page = c.get(reverse("procedures:draft", args=[draft.pk])).content.decode()
    assert 'value="save"' not in page
    assert _save(c, draft, "notes", {"notes": "x"}).status_code == 422
    r = _client(reviewer)
    response = r.post(reverse("procedures:draft_approve", args=[draft.pk]), {"note": "Sesuai"})
    assert response.status_code == 302
    version = ProcedureVersion.objects.get(agency=draft.agency, procedure_key="sop-009-uji-editor")
    assert response["Location"] == reverse(
        "procedures:version", args=[draft.agency.slug, version.procedure_key, version.number]
    )
    assert r.get(response["Location"]).status_code == 200
    journal = c.get(reverse("procedures:draft", args=[draft.pk])).content.decode()
    assert reviewer.name in journal.split('id="draft-journal"', 1)[1]
    assert "Sesuai" in journal


def test_a_published_version_is_revised_from_its_page(bali: Any, sop002: Any) -> None:
    c = _client(bali["dev1"])
    url = reverse(
        "procedures:version", args=[sop002.agency.slug, sop002.procedure_key, sop002.number]
    )
    assert 'id="revise-version"' in c.get(url).content.decode()
    response = c.post(
        reverse("procedures:revise", args=[sop002.agency.slug, sop002.procedure_key, sop002.number])
    )
    assert response.status_code == 302
    draft = ProcedureDraft.objects.get(base_version=sop002)
    assert response["Location"] == reverse("procedures:draft", args=[draft.pk])
    for tab in ("identity", "service", "actors", "artifacts", "steps", "flow", "notes", "yaml"):
        assert c.get(response["Location"] + f"?tab={tab}").status_code == 200, tab
