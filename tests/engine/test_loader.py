"""Loading procedure files: a clean file loads; a broken one reports every error at its place."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laksana.engine.loader import ProcedureErrors, load_procedure, load_text
from laksana.engine.spec import ActorKind

DATA = Path(__file__).parent / "data"
MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")


def errors_of(text: str) -> list[str]:
    with pytest.raises(ProcedureErrors) as exc:
        load_text(textwrap.dedent(text), "p.yaml")
    return [str(e) for e in exc.value.errors]


def test_it_loads_a_clean_file_with_defaults_filled_in():
    spec = load_procedure(DATA / "mini.yaml")
    assert spec.id == "mini"
    assert [s.id for s in spec.steps] == ["s1", "s2", "s3"]
    assert [s.number for s in spec.steps] == ["1", "2", "3"]
    assert spec.step("s1").next == "s2"  # default: the following step
    assert spec.step("s3").next == "selesai"  # the last step: the only end
    assert [e.id for e in spec.ends] == ["selesai"]
    assert spec.actor("pemohon").kind is ActorKind.REQUESTING_UNIT
    assert spec.identity.approved_by is not None
    assert spec.identity.approved_by.nip == "196805311997031002"  # spaces removed
    assert str(spec.identity.made) == "2024-01-09"
    assert spec.step("s2").decision is not None
    assert spec.step("s2").decision.question == "Memeriksa"  # default: the activity
    assert str(spec.positions["step:s2"]) == f"{DATA / 'mini.yaml'}:27:9"


def test_it_reports_every_error_of_a_file_at_once_at_line_and_column():
    errors = errors_of("""\
        format: laksana/procedure@1
        id: p
        identity: {number: "1", title: T, agency: A, colour: red}
        actors:
          a: {name: A, kind: position}
          b: {name: B, kind: wizard}
        artifacts:
          x: {name: X, type: minutes.uta}
        start: s1
        steps:
          - id: s1
            activity: one
            actor: a
            time: "±1"
            requires: [zz]
          - id: s1
            activity: two
            actor: nobody
            next: s9
          - id: s3
            activity: three
            actor: a
            decision:
              outcomes: []
        """)
    assert errors == [
        "p.yaml:3:46: identity: unknown key 'colour'; allowed: number, title, agency, unit, "
        "government, made, revised, effective, effective_text, revision, approved_by, purpose, "
        "scope, legal_basis, related, qualifications, equipment, warnings, records, "
        "definitions, success_indicators, service_requirements, service_time, cost, product",
        "p.yaml:6:22: actor 'b': unknown kind 'wizard'; allowed: position, team, person, "
        "requesting_unit, vendor, external, chosen",
        "p.yaml:8:22: artifact 'x': unknown artifact type 'minutes.uta'; known types: "
        "catalog.deployment, catalog.work_programme_entry, complaint.report, disposition, file, "
        "form, instruction, journal.entry, letter, letter.completion, letter.memo, "
        "letter.request, maintenance.acceptance_criteria, maintenance.documentation, "
        "maintenance.evaluation, maintenance.plan, maintenance.report, minutes.data_deletion, "
        "minutes.discussion, minutes.handover, minutes.sit, minutes.uat, proposal.budget_plan, "
        "proposal.development_plan, proposal.needs_analysis, proposal.risk_register, "
        "quality.evaluation_report, quality.satisfaction_survey, quality.test_scenarios, "
        "security.test_report",
        "p.yaml:14:11: step 's1': time '±1' has no unit; write it with one (menit, jam, hari) "
        "or state the unit: time: {text: '±1', unit: jam}",
        "p.yaml:15:16: step 's1' requires: unknown artifact 'zz'; artifacts: (none)",
        "p.yaml:16:9: duplicate id 's1': already used by a step",
        "p.yaml:18:12: step 's1': unknown actor 'nobody'; actors: a",
        "p.yaml:19:11: step 's1' next: unknown step or end 's9'; known: s1, s3, selesai",
        "p.yaml:24:17: step 's3': a decision needs outcomes, e.g. [{label: Ya, to: ...}, "
        "{label: Tidak, to: ...}]",
    ]


GRAPH = """\
    format: laksana/procedure@1
    id: g
    identity: {number: "1", title: T, agency: A}
    actors:
      a: {name: A, kind: position}
    start: s1
    ends: [{id: selesai}]
    steps:
      - {id: s1, activity: one, actor: a, next: s3}
      - {id: s2, activity: orphan, actor: a}
      - {id: s3, activity: three, actor: a, decision: {outcomes: [{label: Ya, to: selesai},
          {label: Tidak, to: s4}]}}
      - {id: s4, activity: spin, actor: a, next: s4}
    """


def test_it_reports_unreachable_steps_and_dead_ends():
    assert errors_of(GRAPH) == [
        "p.yaml:10:10: step 's2' cannot be reached from the start",
        "p.yaml:13:10: step 's4' leads to no end: from it, the case can never finish",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "format: laksana/procedure@1\nid: [unclosed\n",
            "p.yaml:3:1: YAML syntax error: while parsing a flow sequence expected ',' or ']', "
            "but got '<stream end>'",
        ),
        ("", "p.yaml:1:1: the file is empty"),
        ("- a list\n", "p.yaml:1:1: procedure must be a mapping of keys to values"),
        (
            "format: laksana/procedure@1\nformat: x\n",
            "p.yaml:2:1: procedure: key 'format' is written twice",
        ),
    ],
)
def test_it_reports_malformed_files_without_a_traceback(text, expected):
    assert expected in errors_of(text)


def test_it_names_missing_required_keys_at_the_mapping():
    errors = errors_of("format: laksana/procedure@1\nid: x\n")
    assert errors == [
        "p.yaml:1:1: procedure: 'identity' is required",
        "p.yaml:1:1: procedure: 'actors' is required",
        "p.yaml:1:1: procedure: 'start' is required",
        "p.yaml:1:1: procedure: 'steps' is required",
    ]


def test_it_checks_decisions_forms_and_unused_declarations():
    errors = errors_of("""\
        format: laksana/procedure@2
        id: d
        identity: {number: "1", title: T, agency: A, approved_by: {title: K, nip: "123"}}
        actors:
          a: {name: A, kind: position}
          spare: {name: S, kind: team}
        artifacts:
          f: {name: F, type: form, fields: [{id: k, label: K, type: choice},
                                            {id: k, label: L, type: colour}]}
          g: {name: G, type: file, accept: [pdf, exe]}
        start: s1
        steps:
          - {id: s1, activity: one, actor: a, produces: [f, g], decision: {outcomes: [
              {label: Ya, to: selesai}, {label: Ya, to: selesai}]}, next: s1}
        """)
    assert errors == [
        "p.yaml:1:9: format 'laksana/procedure@2' is not supported; write format: "
        "laksana/procedure@1",
        "p.yaml:3:75: approved_by.nip must be 18 digits, not '123'",
        "p.yaml:6:3: actor 'spare' is declared but no step uses it",
        "p.yaml:8:61: artifact 'f': choice field 'k' needs 'choices'",
        "p.yaml:9:42: artifact 'f': field id 'k' is declared twice",
        "p.yaml:10:42: artifact 'g': unknown file kind 'exe'; allowed: pdf, image, office, "
        "video, archive, text, any",
        "p.yaml:14:41: step 's1': outcome 'Ya' is written twice",
        "p.yaml:14:61: step 's1': a decision leads on through its outcomes; remove 'next'",
    ]


def test_it_reports_a_missing_file_and_a_directory(tmp_path):
    with pytest.raises(ProcedureErrors, match="no such file"):
        load_procedure(tmp_path / "missing.yaml")
    with pytest.raises(ProcedureErrors, match="is a directory"):
        load_procedure(tmp_path)


def test_it_reads_labels_as_written_not_as_yaml_booleans():
    text = MINI.replace("{label: Tidak, to: s1}", "{label: No, to: s1}")
    spec = load_text(text, "p.yaml")
    assert [o.label for o in spec.step("s2").decision.outcomes] == ["Ya", "No"]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_mangled_file_is_loaded_or_refused_with_positioned_errors(data):
    lines = MINI.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "cut", "indent", "junk"]))
        if op == "drop":
            lines.pop(i)
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
        elif op == "indent":
            lines[i] = "  " + lines[i]
        else:
            lines[i] += data.draw(st.sampled_from([": x", " [", " {a: 1}", " - y", "'"]))
        if not lines:
            lines = [""]
    text = "\n".join(lines)
    try:
        load_text(text, "m.yaml")
    except ProcedureErrors as exc:
        assert exc.errors
        for e in exc.errors:
            assert e.position.file == "m.yaml"
            assert 1 <= e.position.line <= len(lines) + 1
            assert e.message


def test_a_superscript_number_is_refused_as_a_whole_number_not_a_crash():
    # "²" is a digit to str.isdigit but not a number to int(): the file is refused with the
    # field's line and column, like any other text where a whole number belongs.
    errors = errors_of(MINI.replace("  title: Contoh\n", "  title: Contoh\n  revision: ²\n", 1))
    assert any("identity.revision must be a whole number, not '²'" in e for e in errors), errors
