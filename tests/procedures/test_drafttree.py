"""The procedure's YAML as a plain tree: canonical text that loads back equal, sections, and
the field a loader message concerns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import laksana.procedures
from laksana.engine.loader import ProcedureErrors, load_text
from laksana.engine.spec import ProcedureSpec
from laksana.errors import ServiceError
from laksana.procedures.drafttree import (
    SECTIONS,
    dump,
    parse,
    path_at,
    section,
    with_section,
)

SHIPPED = sorted(Path(laksana.procedures.__file__).parent.glob("*.yaml"))


def _bare(spec: ProcedureSpec) -> ProcedureSpec:
    return dataclasses.replace(spec, source="", positions={})


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_sop_dumps_to_canonical_yaml_that_loads_back_equal(path):
    source = path.read_text(encoding="utf-8")
    canonical = dump(parse(source))
    assert _bare(load_text(canonical, "canonical.yaml")) == _bare(load_text(source, path.name))
    assert dump(parse(canonical)) == canonical  # canonical text is a fixed point
    assert "notes:" in canonical or "notes" not in parse(source)


SMALL = {
    "format": "laksana/procedure@1",
    "id": "izin-uji",
    "identity": {
        "number": "001/UJI",
        "title": "Izin Uji",
        "agency": "Dinas Uji",
        "made": "2024-01-02",
        "revision": 1,
        "approved_by": {"title": "Kepala Dinas", "name": "Budi", "nip": "196805311997031002"},
        "legal_basis": [("Peraturan Gubernur " * 10).strip()],
    },
    "notes": ["The time of step 2 has no unit in the source; read as jam."],
    "actors": {
        "pemohon": {"name": "Pemohon", "kind": "requesting_unit"},
        "tim": {"name": "Tim Uji", "kind": "team"},
    },
    "artifacts": {"surat": {"name": "Surat", "type": "file", "accept": ["pdf"], "multiple": True}},
    "start": "s1",
    "steps": [
        {
            "id": "s1",
            "no": "08",
            "activity": "Mengajukan",
            "actor": "pemohon",
            "produces": ["surat"],
        },
        {
            "id": "s2",
            "activity": "Apakah lengkap?",
            "actor": "tim",
            "requires": ["surat"],
            "time": {"text": "±1", "unit": "jam"},
            "decision": {
                "outcomes": [{"label": "Ya", "to": "selesai"}, {"label": "Tidak", "to": "s1"}]
            },
        },
    ],
    "ends": [{"id": "selesai", "label": "Selesai"}],
}


def test_a_procedure_built_from_plain_data_dumps_loads_and_parses_back_equal():
    text = dump(SMALL)
    spec = load_text(text, "small.yaml")
    assert spec.steps[0].number == "08" and spec.identity.revision == 1
    assert spec.artifacts[0].multiple is True
    assert parse(text) == SMALL
    assert "made: 2024-01-02\n" in text and ">-" in text  # a date plain, long text folded


def test_keys_yaml_would_read_as_booleans_stay_keys():
    tree = parse("a:\n  no: 08\n  yes: s4\n  on: true\n  n: 3\n  t: ~\n")
    assert tree == {"a": {"no": "08", "yes": "s4", "on": True, "n": 3, "t": None}}
    assert parse(dump(tree)) == {"a": {"no": "08", "yes": "s4", "on": True, "n": 3}}


def test_bad_yaml_is_a_service_error_at_the_source():
    with pytest.raises(ServiceError) as caught:
        parse("a: [b\n")
    assert caught.value.code == "yaml" and caught.value.field == "source"
    with pytest.raises(ServiceError):
        parse("- just\n- a list\n")


def test_a_yaml_bomb_is_refused_before_it_expands():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    with pytest.raises(ServiceError, match=r"alias|expand|large"):
        parse(bomb)


def test_sections_read_and_replace_their_part_only():
    assert set(SECTIONS) == {"identity", "service", "actors", "artifacts", "steps", "flow", "notes"}
    tree = parse(dump(SMALL))
    ident = section(tree, "identity")
    assert ident["id"] == "izin-uji" and ident["number"] == "001/UJI"
    tree2 = with_section(tree, "service", {"cost": "Tidak dipungut biaya", "purpose": "Uji"})
    assert tree2["identity"]["cost"] == "Tidak dipungut biaya"
    assert section(tree2, "identity") == ident  # the service keys are not identity's
    tree3 = with_section(tree2, "identity", {**ident, "id": "izin-lain", "title": "Lain"})
    assert tree3["id"] == "izin-lain" and tree3["identity"]["cost"] == "Tidak dipungut biaya"
    assert section(with_section(tree, "flow", {"start": "s2"}), "flow") == {"start": "s2"}
    assert section(tree, "steps") == SMALL["steps"]
    with pytest.raises(ServiceError) as caught:
        section(tree, "secrets")
    assert caught.value.field == "section"
    with pytest.raises(ServiceError):
        with_section(tree, "steps", {"not": "a list"})
    with pytest.raises(ServiceError) as caught:
        with_section(tree, "service", {"title": "x"})
    assert caught.value.field == "identity.title"


def _path_of_error(text: str) -> list[str]:
    with pytest.raises(ProcedureErrors) as caught:
        load_text(text, "x.yaml")
    return [
        path_at(text, e.position.line, e.position.column, e.message) for e in caught.value.errors
    ]


def test_a_loader_message_maps_to_the_field_it_concerns():
    tree = parse(dump(SMALL))
    tree["actors"]["tim"]["kind"] = "tim"
    tree["steps"][1]["time"] = "kapan-kapan"
    tree["steps"][1]["decision"]["outcomes"][1]["to"] = "s9"
    tree["ends"][0]["label"] = ""
    text = dump(tree)
    paths = _path_of_error(text)
    assert "actors.tim.kind" in paths
    assert "steps.1.time" in paths
    assert "steps.1.decision.outcomes.1.to" in paths
    no_number = dump({**SMALL, "identity": {**SMALL["identity"], "number": ""}})
    assert _path_of_error(no_number) == ["identity.number"]  # the key missing, by its path
    assert path_at(text, 1, 1) == ""
    assert path_at(text, 999, 1) == ""
    assert path_at("a: [b\n", 1, 1) == ""


def test_the_draft_mode_accepts_a_missing_number_and_publishing_does_not():
    no_number = dump({**SMALL, "identity": {**SMALL["identity"], "number": ""}})
    assert load_text(no_number, "x.yaml", draft=True).identity.number == ""
    with pytest.raises(ProcedureErrors, match="'number' is required"):
        load_text(no_number, "x.yaml")
    empty = dump(SMALL).replace('number: "001/UJI"', 'number: ""')
    assert load_text(empty, "x.yaml", draft=True).identity.number == ""
    with pytest.raises(ProcedureErrors, match="must not be empty"):
        load_text(empty, "x.yaml")
    broken = dump({**SMALL, "identity": {**SMALL["identity"], "number": "", "title": ""}})
    with pytest.raises(ProcedureErrors) as caught:
        load_text(broken, "x.yaml", draft=True)
    assert [str(e.message) for e in caught.value.errors] == ["identity: 'title' is required"]
