"""A step's other actors in the loader: ``joint`` (done together), ``any_of`` (any one of
them) and ``copies`` (tembusan). Bad inputs first, each one problem at its line:column."""

from __future__ import annotations

import re
import textwrap

import pytest

from laksana.engine import stepactors
from laksana.engine.loader import LoadError, ProcedureErrors, load_text
from laksana.engine.render.layout import sop_layout
from laksana.engine.render.model import Shape

BASE = textwrap.dedent("""\
    format: laksana/procedure@1
    id: p
    identity: {number: "1", title: T, agency: A}
    actors:
      operator: {name: Operator, kind: position}
      tim: {name: Tim Teknis, kind: team}
      kabid: {name: Kepala Bidang, kind: position}
      sekretaris: {name: Sekretaris, kind: position}
    start: s1
    steps:
      - id: s1
        no: "1"
        activity: Memeriksa bersama
        actor: operator
        joint: [tim]
      - id: s2
        no: "2"
        activity: Menyetujui
        actor: kabid
        any_of: [tim]
        copies: [sekretaris]
    """)


def problems(text: str) -> list[LoadError]:
    with pytest.raises(ProcedureErrors) as exc:
        load_text(text, "p.yaml")
    return exc.value.errors


def only_problem(text: str) -> LoadError:
    errors = problems(text)
    assert len(errors) == 1, "\n".join(str(e) for e in errors)
    return errors[0]


def changed(old: str, new: str) -> str:
    assert BASE.count(old) == 1, old
    return BASE.replace(old, new)


def at(error: LoadError) -> tuple[int, int]:
    return error.position.line, error.position.column


def test_an_unknown_joint_actor_is_told_with_the_closest_one():
    error = only_problem(changed("joint: [tim]", "joint: [tm]"))
    assert at(error) == (15, 13)
    assert error.message.startswith(
        "step 1 ('s1') joint: unknown actor 'tm'; did you mean 'tim'? actors: "
    )


def test_an_unknown_copy_actor_is_told():
    error = only_problem(changed("copies: [sekretaris]", "copies: [sekertaris]"))
    assert at(error) == (21, 14)
    assert "unknown actor 'sekertaris'; did you mean 'sekretaris'?" in error.message


def test_the_steps_own_actor_is_not_named_again():
    error = only_problem(changed("joint: [tim]", "joint: [tim, operator]"))
    assert at(error) == (15, 18)
    assert error.message == (
        "step 1 ('s1') joint: 'operator' is the step's own actor; name only the others"
    )


def test_an_actor_is_named_once():
    error = only_problem(changed("copies: [sekretaris]", "copies: [sekretaris, tim]"))
    assert at(error) == (21, 26)
    assert error.message == "step 2 ('s2') copies: 'tim' is already named in any_of"


def test_joint_and_any_of_are_not_both_on_one_step():
    error = only_problem(changed("joint: [tim]", "joint: [tim]\n    any_of: [kabid]"))
    assert at(error) == (16, 5)
    assert "either jointly (joint) or by any one of several actors (any_of), not both" in (
        error.message
    )


def test_a_joint_list_that_is_no_list_is_told():
    error = only_problem(changed("joint: [tim]", "joint: {tim: 1}"))
    assert at(error) == (15, 12)
    assert "joint must be a list of ids" in error.message


def test_an_actor_named_only_in_copies_is_not_unused_and_has_no_lane():
    spec = load_text(BASE, "p.yaml")
    s1, s2 = spec.steps
    assert (s1.joint, s1.any_of, s1.copies) == (("tim",), (), ())
    assert (s2.joint, s2.any_of, s2.copies) == ((), ("tim",), ("sekretaris",))
    assert stepactors.acting(s2) == ("kabid", "tim")
    assert stepactors.parts(s1) == ("operator", "tim")
    assert stepactors.parts(s2) == ()
    assert stepactors.lane_actors(spec.steps) == {"operator", "tim", "kabid"}


def test_an_actor_named_nowhere_is_still_unused():
    error = only_problem(changed("actors:\n", "actors:\n  lain: {name: Lain, kind: position}\n"))
    assert error.message == "actor 'lain' is declared but no step uses it"


def test_two_actors_in_actor_point_to_joint_and_any_of():
    error = only_problem(changed("actor: operator\n    joint: [tim]", "actor: [operator, tim]"))
    assert at(error) == (14, 12)
    assert "write actor: operator with joint: [tim]" in error.message
    assert "any_of: [tim]" in error.message


# -- the document --------------------------------------------------------------------------


def test_the_document_marks_the_other_actors_lanes_and_prints_the_copies():
    from laksana.engine.render import render_bpmn, render_html, render_svg

    spec = load_text(BASE, "p.yaml")
    layout = sop_layout(spec)
    # The copy actor has no lane; the others keep theirs in order.
    assert layout.flow.lanes == ("operator", "tim", "kabid")
    markers = [m for page in layout.flow.pages for m in page.markers]
    assert {(m.node, m.actor, m.kind, m.word) for m in markers} == {
        ("s1", "tim", "joint", "bersama"),
        ("s2", "tim", "any_of", "atau"),
    }
    for page in layout.flow.pages:
        symbols = {s.node: s for s in page.symbols if s.shape is Shape.PROCESS}
        for m in page.markers:
            lane = layout.flow.lanes.index(m.actor)
            assert abs(m.cx - (lane + 0.5) * layout.flow.lane_width) < 0.01
            assert m.cy == symbols[m.node].cy  # on its step's row
            assert m.link_x in (symbols[m.node].left, symbols[m.node].right)
    for out in (render_html(spec), render_svg(spec)):
        assert 'data-marker="joint"' in out and 'data-marker="any_of"' in out
        assert ">bersama</text>" in out and ">atau</text>" in out
        # The words of Keterangan, whatever lines and hyphens the cell broke them into.
        words = re.sub(r"[\s\u00ad-]+", "", re.sub(r"<[^>]+>", "", out))
        for text in (
            "Tembusan: Sekretaris.",
            "Dikerjakan bersama oleh Operator dan Tim Teknis",
            "Dapat dikerjakan oleh salah satu: Kepala Bidang atau Tim Teknis",
        ):
            assert re.sub(r"[\s-]+", "", text) in words, text
    bpmn = render_bpmn(spec)
    assert "Tembusan: Sekretaris." in bpmn


def test_the_bpmn_of_a_procedure_with_other_actors_validates():
    etree = pytest.importorskip("lxml.etree")
    from pathlib import Path

    import SpiffWorkflow

    from laksana.engine.render import render_bpmn

    schema_dir = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema"
    schema = etree.XMLSchema(etree.parse(str(schema_dir / "BPMN20.xsd")))
    document = etree.fromstring(render_bpmn(load_text(BASE, "p.yaml")).encode("utf-8"))
    assert schema.validate(document), schema.error_log


def test_a_procedure_without_other_actors_has_no_markers():
    text = (
        BASE.replace("    joint: [tim]\n", "")
        .replace("    any_of: [tim]\n", "")
        .replace("    copies: [sekretaris]\n", "")
        .replace("  sekretaris: {name: Sekretaris, kind: position}\n", "")
        .replace("  tim: {name: Tim Teknis, kind: team}\n", "")
    )
    layout = sop_layout(load_text(text, "p.yaml"))
    assert all(page.markers == () for page in layout.flow.pages)


# -- the editor's data ---------------------------------------------------------------------


def test_the_editor_keeps_the_keys_and_points_their_messages_at_them():
    from laksana.procedures import drafttree

    spec = load_text(BASE, "p.yaml")
    again = load_text(drafttree.dump(drafttree.parse(BASE)), "p.yaml")
    assert [(s.joint, s.any_of, s.copies) for s in again.steps] == [
        (s.joint, s.any_of, s.copies) for s in spec.steps
    ]
    bad = changed("joint: [tim]", "joint: [tm]")
    error = only_problem(bad)
    # At the list, as the editor shows it (the step's joint field).
    assert drafttree.path_at(bad, error.position.line, error.position.column) == "steps.0.joint"
    bad = changed("copies: [sekretaris]", "copies: [sekretaris, sekretaris]")
    error = only_problem(bad)
    assert drafttree.path_at(bad, error.position.line, error.position.column) == "steps.1.copies"
