"""The editor's forms on a procedure that refers to each kind of id: renaming an actor, a
document or a step in its form carries the new id to every place that refers to it, in the
same save (drafttree.rename / apply_renames, through drafts.save_section); two rows with one
id are refused keeping what was typed; a step's further source rows (also_rows) round-trip;
a loader message points at the field the editor shows; the preview prints the agency's logo."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from laksana.errors import ServiceError
from laksana.procedures import documents, drafts, drafttree
from laksana.procedures import forms_draft_steps as step_forms
from laksana.procedures import forms_drafts as forms
from laksana.procedures.models import ProcedureDraft, ProcedureEvent

SOURCE = textwrap.dedent("""\
    format: laksana/procedure@1
    id: sop-010-uji-ganti
    identity: {number: "1", title: Uji Ganti Nama, agency: A}
    actors:
      operator: {name: Operator, kind: position}
      tim: {name: Tim Teknis, kind: team}
      kabid: {name: Kepala Bidang, kind: position}
      sekretaris: {name: Sekretaris, kind: position}
    artifacts:
      laporan: {name: Laporan, type: letter, signed_by: [kabid, tim], initialled_by: [tim]}
      ba_uat: {name: Berita Acara UAT, type: minutes.uat}
    start: s1
    steps:
      - id: s1
        activity: Memeriksa bersama
        actor: operator
        joint: [tim]
        produces: [laporan]
        next: s2
      - id: s2
        activity: Menguji
        actor: kabid
        any_of: [tim]
        copies: [sekretaris]
        requires: [laporan]
        produces: [ba_uat]
        decision:
          question: Diterima?
          decided_by: ba_uat
          outcomes:
            - {label: Diterima, to: s3, when: [diterima, diterima_dengan_catatan]}
            - {label: Ditolak, to: s1, when: [ditolak]}
      - id: s3
        activity: Memperbaiki laporan
        actor: tim
        copies: [operator]
        produces: [laporan]
        revises: [laporan]
    """)


def _client(person: Any) -> Client:
    c = Client()
    c.cookies["django_language"] = "en"
    c.force_login(person.user)
    return c


def _posted(fields: list[forms.Field]) -> dict[str, Any]:
    """What a browser posts for these fields as shown."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.kind == "checkbox":
            if f.value:
                out[f.name] = "on"
        elif f.kind == "multi":
            out[f.name] = [str(v) for v in f.value]
        else:
            out[f.name] = f.text
    return out


def _rows_post(rows: list[list[forms.Field]], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {f"{prefix}-count": str(len(rows))}
    for row in rows:
        out.update(_posted(row))
    return out


def _save(c: Client, draft: ProcedureDraft, section: str, data: dict[str, Any]) -> Any:
    draft.refresh_from_db()
    return c.post(
        reverse("procedures:draft_save", args=[draft.pk, section]),
        {"revision": str(draft.revision), **data},
    )


def _ids(value: Any) -> list[str]:
    """Every text anywhere in a tree (keys too)."""
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (str(k), *_ids(v))]
    if isinstance(value, list):
        return [t for v in value for t in _ids(v)]
    return [str(value)]


@pytest.fixture
def draft(bali: Any) -> ProcedureDraft:
    made = drafts.create_from_source(bali["dev1"], SOURCE)
    assert drafts.check(made).ok, [m.text for m in drafts.check(made).messages]
    return made


# --- attacking: what a rename must not do ------------------------------------------------


def test_a_step_renamed_to_another_steps_id_is_refused_and_changes_nothing(
    bali: Any, draft: ProcedureDraft
) -> None:
    c = _client(bali["dev1"])
    tree = drafttree.parse(draft.source)
    fields, rows = step_forms.step_fields(tree["steps"][0], 0, tree)
    post = {**_posted(fields), **_rows_post(rows, "outcome"), "index": "0", "id": "s3"}
    before = (draft.source, ProcedureEvent.objects.count())
    response = _save(c, draft, "steps", post)
    assert response.status_code == 422
    page = response.content.decode()
    field = page.split('data-path="steps.0.id"', 1)[1].split("</div>", 2)
    assert "Two steps have the id s3; give each its own id." in "".join(field[:2])
    # What was typed stays on the page (the step's id field shows s3).
    assert 'name="id" id="f-id" value="s3"' in page
    draft.refresh_from_db()
    assert (draft.source, ProcedureEvent.objects.count()) == before


def test_a_rename_of_another_kind_or_a_malformed_one_is_refused_by_the_service(
    bali: Any, draft: ProcedureDraft
) -> None:
    data = drafttree.section(drafttree.parse(draft.source), "actors")
    for renames in ([("agency", "tim", "x")], [("actor", "tim")], [("actor", 1, "x")]):
        with pytest.raises(ServiceError):
            drafts.save_section(
                bali["dev1"], draft, "actors", data, revision=draft.revision, renames=renames
            )


def test_two_actors_with_one_id_keep_what_was_typed_with_the_message_at_the_second(
    bali: Any, draft: ProcedureDraft
) -> None:
    c = _client(bali["dev1"])
    tree = drafttree.parse(draft.source)
    post = _rows_post(forms.actor_rows(tree["actors"]), "actor")
    post["actor-4-id"], post["actor-4-name"] = "tim", "Tim Yang Baru Diketik"
    post["actor-0-name"] = "Operator Diganti"
    before = draft.source
    response = _save(c, draft, "actors", post)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Tim Yang Baru Diketik" in page and "Operator Diganti" in page
    second = page.split('value="Tim Yang Baru Diketik"', 1)[0].rsplit("<fieldset", 1)[1]
    assert "Two actors have the id tim" in second
    draft.refresh_from_db()
    assert draft.source == before


def test_two_documents_with_one_id_keep_what_was_typed(bali: Any, draft: ProcedureDraft) -> None:
    c = _client(bali["dev1"])
    tree = drafttree.parse(draft.source)
    post = _rows_post(forms.artifact_rows(tree["artifacts"], list(tree["actors"])), "artifact")
    post["artifact-2-id"], post["artifact-2-name"] = "laporan", "Laporan Kedua Diketik"
    response = _save(c, draft, "artifacts", post)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Laporan Kedua Diketik" in page
    assert "Two documents have the id laporan" in page.split("Laporan Kedua Diketik", 1)[0]


# --- renames carried through ---------------------------------------------------------------


def test_renaming_an_actor_in_its_form_renames_every_reference(
    bali: Any, draft: ProcedureDraft
) -> None:
    c = _client(bali["dev1"])
    tree = drafttree.parse(draft.source)
    post = _rows_post(forms.actor_rows(tree["actors"]), "actor")
    post["actor-1-id"] = "tim_teknis"  # tim: joint, any_of, actor, signed_by, initialled_by
    post["actor-3-id"] = "sekre"  # copies
    post["actor-0-id"] = "op"  # actor and copies
    assert _save(c, draft, "actors", post).status_code == 302
    draft.refresh_from_db()
    after = drafttree.parse(draft.source)
    assert not {"tim", "sekretaris", "operator"} & set(_ids(after))
    steps = after["steps"]
    assert steps[0]["actor"] == "op" and steps[0]["joint"] == ["tim_teknis"]
    assert steps[1]["any_of"] == ["tim_teknis"] and steps[1]["copies"] == ["sekre"]
    assert steps[2]["actor"] == "tim_teknis" and steps[2]["copies"] == ["op"]
    laporan = after["artifacts"]["laporan"]
    assert laporan["signed_by"] == ["kabid", "tim_teknis"]
    assert laporan["initialled_by"] == ["tim_teknis"]
    assert list(after["actors"]) == ["op", "tim_teknis", "kabid", "sekre"]
    assert drafts.check(draft).ok, [m.text for m in drafts.check(draft).messages]
    entry = ProcedureEvent.objects.filter(draft=draft).order_by("-pk").first()
    assert entry is not None and ["actor", "tim", "tim_teknis"] in entry.data["renamed"]


def test_renaming_a_document_in_its_form_renames_every_reference(
    bali: Any, draft: ProcedureDraft
) -> None:
    c = _client(bali["dev1"])
    tree = drafttree.parse(draft.source)
    post = _rows_post(forms.artifact_rows(tree["artifacts"], list(tree["actors"])), "artifact")
    post["artifact-0-id"] = "laporan_hasil"  # requires, produces, revises
    post["artifact-1-id"] = "ba_uji"  # produces, decided_by
    assert _save(c, draft, "artifacts", post).status_code == 302
    draft.refresh_from_db()
    after = drafttree.parse(draft.source)
    assert not {"laporan", "ba_uat"} & set(_ids(after))
    steps = after["steps"]
    assert steps[0]["produces"] == ["laporan_hasil"]
    assert steps[1]["requires"] == ["laporan_hasil"]
    assert steps[1]["produces"] == ["ba_uji"]
    assert steps[1]["decision"]["decided_by"] == "ba_uji"
    assert steps[2]["produces"] == ["laporan_hasil"] and steps[2]["revises"] == ["laporan_hasil"]
    assert after["artifacts"]["laporan_hasil"]["signed_by"] == ["kabid", "tim"]
    assert drafts.check(draft).ok, [m.text for m in drafts.check(draft).messages]


def test_renaming_a_step_in_its_form_renames_every_reference(
    bali: Any, draft: ProcedureDraft
) -> None:
    c = _client(bali["dev1"])
    for index, new in ((0, "terima"), (2, "perbaiki")):  # start, next, outcomes' to
        draft.refresh_from_db()
        tree = drafttree.parse(draft.source)
        fields, rows = step_forms.step_fields(tree["steps"][index], index, tree)
        post = {**_posted(fields), **_rows_post(rows, "outcome"), "index": str(index), "id": new}
        assert _save(c, draft, "steps", post).status_code == 302
    draft.refresh_from_db()
    after = drafttree.parse(draft.source)
    assert not {"s1", "s3"} & set(_ids(after))
    assert after["start"] == "terima"
    assert [o["to"] for o in after["steps"][1]["decision"]["outcomes"]] == ["perbaiki", "terima"]
    assert after["steps"][0]["next"] == "s2"
    assert drafts.check(draft).ok, [m.text for m in drafts.check(draft).messages]


def test_rename_carries_yes_no_and_a_start_with_a_label() -> None:
    tree = {
        "start": {"label": "Mulai", "to": "a"},
        "steps": [
            {"id": "a", "next": ["b"]},
            {"id": "b", "decision": {"yes": "a", "no": "c"}},
            {"id": "c"},
        ],
    }
    out = drafttree.rename(tree, "step", "a", "z")
    assert out["start"] == {"label": "Mulai", "to": "z"}
    assert out["steps"][0] == {"id": "z", "next": ["b"]}
    assert out["steps"][1]["decision"] == {"yes": "z", "no": "c"}
    assert tree["steps"][0]["id"] == "a"  # the tree given is not changed
    with pytest.raises(ServiceError):
        drafttree.rename(tree, "unit", "a", "z")


def test_the_yaml_tab_stays_literal(bali: Any, draft: ProcedureDraft) -> None:
    c = _client(bali["dev1"])
    text = SOURCE.replace("  tim: {name: Tim Teknis", "  tim_baru: {name: Tim Teknis")
    response = c.post(
        reverse("procedures:draft_source", args=[draft.pk]),
        {"revision": str(draft.revision), "source": text},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.source == text  # nothing renamed: the references stay as typed
    assert "joint: [tim]" in draft.source
    assert not drafts.check(draft).ok


# --- a step's further source rows ------------------------------------------------------------


def test_a_steps_further_rows_round_trip_through_its_form(bali: Any, draft: ProcedureDraft) -> None:
    c = _client(bali["dev1"])
    tree = drafttree.parse(draft.source)
    fields, rows = step_forms.step_fields(tree["steps"][2], 2, tree)
    also = step_forms.also_row_fields(tree["steps"][2], 2)
    assert len(also) == 1  # the blank row to add one
    post = {**_posted(fields), **_rows_post(rows, "outcome"), "index": "2", "also-count": "1"}
    post.update(
        {
            "no": "3",
            "also-0-no": "4",
            "also-0-activity": "Mengirim laporan yang diperbaiki",
            "also-0-requirements_text": "Laporan",
            "also-0-time": "1 hari",
            "also-0-output_text": "Tanda terima",
            "also-0-note": "Melalui surel",
        }
    )
    assert _save(c, draft, "steps", post).status_code == 302
    draft.refresh_from_db()
    step = drafttree.parse(draft.source)["steps"][2]
    assert step["also_rows"] == [
        {
            "no": "4",
            "activity": "Mengirim laporan yang diperbaiki",
            "requirements_text": "Laporan",
            "time": "1 hari",
            "output_text": "Tanda terima",
            "note": "Melalui surel",
        }
    ]
    result = drafts.check(draft)
    assert result.ok, [m.text for m in result.messages]
    assert result.spec is not None
    # The form shows the row again, and saving it unchanged keeps it.
    page = c.get(reverse("procedures:draft", args=[draft.pk]) + "?tab=steps&langkah=2")
    assert "Mengirim laporan yang diperbaiki" in page.content.decode()
    tree = drafttree.parse(draft.source)
    again = step_forms.also_row_fields(tree["steps"][2], 2)
    fields, rows = step_forms.step_fields(tree["steps"][2], 2, tree)
    post = {**_posted(fields), **_rows_post(rows, "outcome"), **_rows_post(again, "also")}
    before = drafttree.parse(draft.source)
    assert _save(c, draft, "steps", {**post, "index": "2"}).status_code == 302
    draft.refresh_from_db()
    assert drafttree.parse(draft.source) == before
    # Emptying the row removes it.
    post = {k: ("" if k.startswith("also-0-") else v) for k, v in post.items()}
    assert _save(c, draft, "steps", {**post, "index": "2"}).status_code == 302
    draft.refresh_from_db()
    assert "also_rows" not in drafttree.parse(draft.source)["steps"][2]


# --- where a message points ------------------------------------------------------------------


def test_a_missing_key_points_at_it_and_a_list_item_at_its_list() -> None:
    from laksana.engine.loader import ProcedureErrors, load_text

    def paths(text: str) -> list[str]:
        with pytest.raises(ProcedureErrors) as caught:
            load_text(text, "x.yaml")
        return [
            drafttree.path_at(text, e.position.line, e.position.column, e.message)
            for e in caught.value.errors
        ]

    no_number = SOURCE.replace('identity: {number: "1", ', "identity: {")
    assert paths(no_number) == ["identity.number"]
    no_activity = SOURCE.replace("    activity: Menguji\n", "")
    assert paths(no_activity) == ["steps.1.activity"]
    unknown = SOURCE.replace("joint: [tim]", "joint: [tm]")
    assert paths(unknown) == ["steps.0.joint"]
    signer = SOURCE.replace("signed_by: [kabid, tim]", "signed_by: [kabid, tm]")
    assert paths(signer) == ["artifacts.laporan.signed_by"]
    # Without the message: the mapping, as before; a mapping in a list stays the item.
    line = no_number.splitlines().index("identity: {title: Uji Ganti Nama, agency: A}") + 1
    assert drafttree.path_at(no_number, line, 11) == "identity"
    assert drafttree.path_at(SOURCE, 14, 5) == "steps.0"


def test_the_editor_shows_a_missing_keys_message_at_its_field(bali: Any) -> None:
    made = drafts.create_from_source(bali["dev1"], SOURCE.replace("    activity: Menguji\n", ""))
    by_path = drafts.check(made).by_path()
    assert "steps.1.activity" in by_path, by_path
    page = _client(bali["dev1"]).get(
        reverse("procedures:draft", args=[made.pk]) + "?tab=steps&langkah=1"
    )
    field = page.content.decode().split('data-path="steps.1.activity"', 1)[1].split("</div>", 2)
    assert 'class="field-error"' in "".join(field[:2])


# --- the preview's logo ----------------------------------------------------------------------


def test_the_preview_and_the_editor_print_the_agencys_logo(
    bali: Any, draft: ProcedureDraft
) -> None:
    from tests.procedures.test_logo import embedded, give_logo, png

    documents.clear()
    logo = png("green")
    give_logo(bali.agency, logo)
    c = _client(bali["dev1"])
    page = c.get(reverse("procedures:draft", args=[draft.pk])).content.decode()
    assert embedded(logo) in page
    tree = drafttree.parse(draft.source)
    typed = _posted(forms.identity_fields(drafttree.section(tree, "identity")))
    preview = c.post(reverse("procedures:draft_preview", args=[draft.pk, "identity"]), typed)
    assert preview.status_code == 200
    assert embedded(logo) in preview.content.decode()
    documents.clear()


def test_the_api_carries_a_rename_and_refuses_a_malformed_one(
    bali: Any, draft: ProcedureDraft, api_as: Any
) -> None:
    import json

    api = api_as(bali["dev1"])
    tree = drafttree.parse(draft.source)
    actors = {("tim_teknis" if k == "tim" else k): v for k, v in tree["actors"].items()}

    def put(renames: Any) -> Any:
        draft.refresh_from_db()
        body = {"data": actors, "revision": draft.revision, "renames": renames}
        return api.client.put(
            f"/api/procedure-drafts/{draft.pk}/sections/actors",
            json.dumps(body),
            content_type="application/json",
            **api.headers,
        )

    before = draft.source
    for bad in ([["actor", "tim"]], [["unit", "tim", "x"]], [["actor", "", "x"]]):
        refused = put(bad)
        assert refused.status_code in (400, 422), (bad, refused.content)
        draft.refresh_from_db()
        assert draft.source == before
    assert put([["actor", "tim", "tim_teknis"]]).status_code == 200
    draft.refresh_from_db()
    assert "tim" not in _ids(drafttree.parse(draft.source))
    assert drafts.check(draft).ok
