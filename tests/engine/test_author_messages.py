"""The forms authors try first get one message at the right line saying what to write instead.

An author new to the format writes a step with two actors, a step going on to two steps, an
actor kind or an id misspelt. Each of these is one problem at the line of the text to change,
with the advice (the closest allowed value, the form to write), not a cascade of problems
elsewhere in the file. Steps are named by their number in the document (``no``), with the id.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from laksana.engine.loader import LoadError, ProcedureErrors, load_procedure, load_text

SHIPPED = sorted((Path(__file__).parents[2] / "src/laksana/procedures").glob("sop-*.yaml"))

# A small clean procedure; each case changes one line of it (line numbers in the comments).
CLEAN = textwrap.dedent("""\
    format: laksana/procedure@1
    id: p
    identity: {number: "1", title: T, agency: A}
    actors:
      operator: {name: Operator, kind: position}
      tim: {name: Tim, kind: team}
    artifacts:
      laporan: {name: Laporan, type: file}
    start: s1
    steps:
      - id: s1
        no: "1"
        activity: Menerima laporan
        actor: operator
        produces: [laporan]
      - id: s2
        no: "4"
        activity: Memeriksa laporan
        actor: tim
        requires: [laporan]
      - id: s3
        no: "5"
        activity: Menutup laporan
        actor: operator
    """)


def changed(old: str, new: str) -> str:
    assert CLEAN.count(old) == 1, old
    return CLEAN.replace(old, new)


def only_problem(text: str) -> LoadError:
    with pytest.raises(ProcedureErrors) as exc:
        load_text(text, "p.yaml")
    assert len(exc.value.errors) == 1, "\n".join(str(e) for e in exc.value.errors)
    return exc.value.errors[0]


def at(error: LoadError) -> tuple[int, int]:
    return error.position.line, error.position.column


def test_the_clean_procedure_loads():
    spec = load_text(CLEAN, "p.yaml")
    assert [s.number for s in spec.steps] == ["1", "4", "5"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_shipped_sops_still_load_with_no_problem(path: Path):
    assert load_procedure(path).steps


def test_two_actors_of_a_step_are_one_message_showing_one_actor():
    error = only_problem(changed("    actor: tim\n", "    actor: [tim, operator]\n"))
    assert at(error) == (19, 12)
    assert error.message == (
        "step 4 ('s2'): a step has one actor; write actor: tim with joint: [operator] when they "
        "do it together, or any_of: [operator] when any one of them may do it"
    )


def test_one_actor_in_a_list_is_told_to_be_written_plainly():
    error = only_problem(changed("    actor: tim\n", "    actor: [tim]\n"))
    assert at(error) == (19, 12)
    assert "write actor: tim" in error.message


def test_next_to_two_steps_is_one_message_showing_a_decision():
    error = only_problem(
        changed("    produces: [laporan]\n", "    produces: [laporan]\n    next: [s2, s3]\n")
    )
    assert at(error) == (16, 11)
    assert error.message == (
        "step 1 ('s1'): a step goes on to one step; a choice is written as a decision with "
        "outcomes, for example:\n"
        "    decision:\n"
        "      outcomes: [{label: Ya, to: s2}, {label: Tidak, to: s3}]"
    )


def test_next_to_two_steps_skipping_one_is_still_one_message():
    error = only_problem(
        changed("    produces: [laporan]\n", "    produces: [laporan]\n    next: [s3, selesai]\n")
    )
    assert at(error) == (16, 11)
    assert "outcomes: [{label: Ya, to: s3}, {label: Tidak, to: selesai}]" in error.message


def test_next_to_three_steps_shows_three_outcomes():
    error = only_problem(
        changed(
            "    produces: [laporan]\n", "    produces: [laporan]\n    next: [s2, s3, selesai]\n"
        )
    )
    assert "outcomes: [{label: ..., to: s2}, {label: ..., to: s3}, {label: ..., to: selesai}]" in (
        error.message
    )


def test_next_to_two_steps_with_one_unknown_also_names_that_target():
    with pytest.raises(ProcedureErrors) as exc:
        load_text(
            changed("    produces: [laporan]\n", "    produces: [laporan]\n    next: [s2, s9]\n"),
            "p.yaml",
        )
    assert [at(e) for e in exc.value.errors] == [(16, 11), (16, 16)]
    assert "unknown step or end 's9'" in exc.value.errors[1].message


def test_next_as_a_list_of_one_is_told_to_be_written_plainly():
    error = only_problem(
        changed("    produces: [laporan]\n", "    produces: [laporan]\n    next: [s2]\n")
    )
    assert at(error) == (16, 11)
    assert error.message == "step 1 ('s1'): next names one step; write next: s2"


def test_a_misspelt_actor_kind_is_one_message_with_the_closest_kind():
    error = only_problem(changed("kind: team}", "kind: tem}"))
    assert at(error) == (6, 26)
    assert error.message == (
        "actor 'tim': unknown kind 'tem'; did you mean 'team'? allowed: position, team, "
        "person, requesting_unit, vendor, external, chosen"
    )


def test_an_actor_kind_written_in_indonesian_is_told_its_english_name():
    error = only_problem(changed("kind: position}", "kind: jabatan}"))
    assert at(error) == (5, 36)
    assert "unknown kind 'jabatan'; did you mean 'position'?" in error.message


def test_an_unknown_actor_kind_without_a_close_one_lists_the_kinds_once():
    error = only_problem(changed("kind: team}", "kind: wizard}"))
    assert at(error) == (6, 26)
    assert error.message == (
        "actor 'tim': unknown kind 'wizard'; allowed: position, team, person, "
        "requesting_unit, vendor, external, chosen"
    )


def test_a_misspelt_actor_of_a_step_is_one_message_with_the_closest_id():
    error = only_problem(
        changed(
            "    activity: Menutup laporan\n    actor: operator\n",
            "    activity: Menutup laporan\n    actor: operatr\n",
        )
    )
    assert at(error) == (24, 12)
    assert error.message == (
        "step 5 ('s3'): unknown actor 'operatr'; did you mean 'operator'? actors: operator, tim"
    )


def test_the_actor_meant_by_a_misspelt_one_is_not_told_unused():
    error = only_problem(changed("    actor: tim\n", "    actor: timm\n"))
    assert at(error) == (19, 12)
    assert error.message == (
        "step 4 ('s2'): unknown actor 'timm'; did you mean 'tim'? actors: operator, tim"
    )


def test_a_misspelt_requirement_is_one_message_with_the_closest_artifact():
    error = only_problem(changed("requires: [laporan]", "requires: [lapran]"))
    assert at(error) == (20, 16)
    assert error.message == (
        "step 4 ('s2') requires: unknown artifact 'lapran'; did you mean 'laporan'? "
        "artifacts: laporan"
    )


def test_a_misspelt_output_is_one_message_with_the_closest_artifact():
    error = only_problem(changed("produces: [laporan]", "produces: [Laporan]"))
    assert at(error) == (15, 16)
    assert "unknown artifact 'Laporan'; did you mean 'laporan'?" in error.message


def test_a_misspelt_key_of_a_step_is_one_message_and_read_as_the_key_meant():
    error = only_problem(changed("    actor: tim\n", "    actr: tim\n"))
    assert at(error) == (19, 5)
    assert error.message.startswith(
        "step 4 ('s2'): unknown key 'actr'; did you mean 'actor'? allowed: id, no, activity, actor,"
    )


@pytest.mark.parametrize(
    ("old", "new", "meant"),
    [
        ("    activity: Menerima laporan\n", "    kegiatan: Menerima laporan\n", "activity"),
        ("    actor: tim\n", "    pelaksana: tim\n", "actor"),
        ("    produces: [laporan]\n", "    output: [laporan]\n", "produces"),
        ("    requires: [laporan]\n", "    persyaratan: [laporan]\n", "requires"),
    ],
)
def test_a_step_key_written_as_the_table_column_is_told_the_key(old: str, new: str, meant: str):
    error = only_problem(changed(old, new))
    key = new.split(":")[0].strip()
    assert f"unknown key '{key}'; did you mean '{meant}'?" in error.message


def test_a_step_is_named_by_its_number_in_the_document_not_its_place_in_the_list():
    error = only_problem(changed("    activity: Memeriksa laporan\n", ""))
    assert at(error) == (16, 5)
    assert error.message == "step 4 ('s2'): 'activity' is required"


def test_the_last_step_without_next_among_two_ends_is_named_by_its_number():
    error = only_problem(CLEAN + "ends: [{id: selesai}, {id: batal}]\n")
    assert at(error) == (21, 9)
    assert error.message == (
        "step 5 ('s3') is the last step and there are 2 ends: say which with 'next'"
    )


def test_a_step_without_a_number_is_named_by_its_id():
    error = only_problem(changed('    no: "4"\n    activity: Memeriksa laporan\n', ""))
    assert error.message == "step 's2': 'activity' is required"


def test_a_step_without_an_id_is_named_by_its_number():
    error = only_problem(changed('  - id: s3\n    no: "5"\n', '  - no: "5"\n'))
    assert at(error) == (21, 5)
    assert error.message == "step 5: 'id' is required"
