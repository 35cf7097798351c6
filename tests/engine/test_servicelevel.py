"""The service-level block (standar pelayanan) and the Ya/Tidak decision default: read by the
loader with their messages at line and column, run by the engine, printed in the official
document (HTML and the PDF's text read back)."""

from __future__ import annotations

import io
import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laksana.engine import artifacts
from laksana.engine.interpreter import (
    CaseState,
    CompleteStep,
    Refusal,
    Transition,
    allowed_actions,
    execute,
    open_case,
    replay,
)
from laksana.engine.loader import ProcedureErrors, load_procedure, load_text
from laksana.engine.render.html import render_html
from laksana.engine.spec import ProcedureSpec
from laksana.engine.timetext import TimeUnit

DATA = Path(__file__).parent / "data"
SOURCE = (DATA / "servicelevel.yaml").read_text(encoding="utf-8")
SPEC = load_procedure(DATA / "servicelevel.yaml")

# A procedure with only the required identity, for small variations.
BASE = """\
format: laksana/procedure@1
id: p
identity:
  number: "1"
  title: T
  agency: A
actors:
  a: {name: A, kind: team}
start: s1
steps:
  - id: s1
    activity: one
    actor: a
  - id: s2
    activity: Lengkap?
    actor: a
DECISION
  - id: s3
    activity: three
    actor: a
"""


def with_decision(decision: str, identity: str = "") -> str:
    text = BASE.replace("DECISION\n", textwrap.indent(decision, "    "))
    return text.replace("  agency: A\n", "  agency: A\n" + identity)


def errors_of(text: str) -> list[str]:
    with pytest.raises(ProcedureErrors) as exc:
        load_text(text, "p.yaml")
    return [str(e) for e in exc.value.errors]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the loader: the service-level block --------------------------------------------------------


def test_the_whole_block_is_read_into_the_identity():
    identity = SPEC.identity
    assert identity.purpose.startswith("Memberikan akun surel")
    assert identity.scope == "Seluruh pegawai perangkat daerah."
    assert identity.definitions == (
        "Akun surel dinas adalah alamat surat elektronik resmi pegawai.",
    )
    assert identity.service_requirements == (
        "Surat permohonan dari kepala perangkat daerah",
        "Fotokopi SK pengangkatan",
    )
    assert identity.service_time is not None
    assert (identity.service_time.text, identity.service_time.amount) == ("1 Hari kerja", 1)
    assert identity.service_time.unit is TimeUnit.DAY
    assert identity.cost == "Tidak dipungut biaya"
    assert identity.product == "Akun surel dinas yang aktif"
    assert identity.success_indicators == ("Akun surel dinas aktif dan dapat digunakan pemohon.",)


def test_a_procedure_without_the_block_has_none_of_it():
    spec = load_text(with_decision("decision: {yes: s3, no: s1}\n"), "p.yaml")
    identity = spec.identity
    assert identity.service_time is None
    assert (identity.service_requirements, identity.cost, identity.product) == ((), "", "")


@pytest.mark.parametrize(
    ("written", "amount", "unit"),
    [
        ('"1 Hari kerja"', 1, TimeUnit.DAY),
        ('"3x24 jam"', 3, TimeUnit.DAY),
        ('"±2 minggu"', 10, TimeUnit.DAY),
        ("{text: '4', unit: jam}", 4, TimeUnit.HOUR),
        ('"90 menit"', 90, TimeUnit.MINUTE),
    ],
)
def test_the_service_time_follows_the_time_text_rules(written, amount, unit):
    text = with_decision("decision: {yes: s3, no: s1}\n", f"  service_time: {written}\n")
    time = load_text(text, "p.yaml").identity.service_time
    assert time is not None and (time.amount, time.unit) == (amount, unit)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            '"satu hari"',
            "p.yaml:7:17: identity.service_time: cannot read time 'satu hari': write a number "
            "and a unit",
        ),
        ('"3"', "p.yaml:7:17: identity.service_time: time '3' has no unit"),
        (
            "{text: '3', unit: tahun}",
            "p.yaml:7:24: identity.service_time: unknown time unit 'tahun'",
        ),
        ("[1, hari]", "p.yaml:7:17: identity.service_time must be text"),
        ("{unit: jam}", "p.yaml:7:17: identity.service_time: 'text' is required"),
    ],
)
def test_an_unreadable_service_time_is_one_message_at_its_place(written, expected):
    text = with_decision("decision: {yes: s3, no: s1}\n", f"  service_time: {written}\n")
    errors = errors_of(text)
    assert len(errors) == 1, errors
    assert errors[0].startswith(expected), errors


def test_the_other_keys_of_the_block_must_be_texts_at_their_place():
    identity = "  cost: [1, 2]\n  product: {a: b}\n  service_requirements: {a: b}\n"
    errors = errors_of(with_decision("decision: {yes: s3, no: s1}\n", identity))
    assert errors == [
        "p.yaml:7:9: identity.cost must be text",
        "p.yaml:8:12: identity.product must be text",
        "p.yaml:9:25: identity.service_requirements must be a list of texts",
    ]


def test_a_misspelt_key_of_the_block_says_which_was_meant():
    errors = errors_of(with_decision("decision: {yes: s3, no: s1}\n", "  servis_time: 1 hari\n"))
    assert len(errors) == 1
    assert errors[0].startswith(
        "p.yaml:7:3: identity: unknown key 'servis_time'; did you mean 'service_time'?"
    )


# --- the loader: a decision without outcomes ---------------------------------------------------


def test_yes_and_no_are_the_outcomes_ya_and_tidak():
    spec = load_text(with_decision('decision: {question: "Lengkap?", yes: s3, no: s1}\n'))
    decision = spec.step("s2").decision
    assert decision is not None and decision.question == "Lengkap?"
    assert [(o.label, o.target) for o in decision.outcomes] == [("Ya", "s3"), ("Tidak", "s1")]


def test_a_decision_with_neither_outcomes_nor_yes_no_needs_both_targets():
    errors = errors_of(with_decision('decision: {question: "Lengkap?"}\n'))
    # Both at the decision's line (its key), each saying what to write; nothing else follows
    # (the flow is not checked while its targets are unknown: no "unreachable step 3").
    assert errors == [
        "p.yaml:17:5: step 's2': the outcome 'Ya' needs its target; write yes: followed by the "
        "step it leads to",
        "p.yaml:17:5: step 's2': the outcome 'Tidak' needs its target; write no: followed by the "
        "step it leads to",
    ]


def test_a_decision_with_only_one_of_yes_and_no_needs_the_other():
    errors = errors_of(with_decision("decision:\n  question: Lengkap?\n  yes: s3\n"))
    assert errors == [
        "p.yaml:17:5: step 's2': the outcome 'Tidak' needs its target; write no: followed by the "
        "step it leads to"
    ]


def test_outcomes_together_with_yes_or_no_is_one_clear_error():
    decision = (
        "decision:\n"
        "  outcomes: [{label: Ya, to: s3}, {label: Tidak, to: s1}]\n"
        "  yes: s3\n"
        "  no: s1\n"
    )
    errors = errors_of(with_decision(decision))
    assert errors == [
        "p.yaml:19:7: step 's2': a decision gives its outcomes either as 'outcomes' or as "
        "'yes' and 'no', not both; remove 'yes' or 'outcomes'"
    ]


def test_a_yes_or_no_naming_an_unknown_step_is_told_at_its_value():
    errors = errors_of(with_decision("decision: {yes: s9, no: s1}\n"))
    assert len(errors) == 1
    assert errors[0].startswith("p.yaml:17:21: step 's2' outcome 'Ya': unknown step or end 's9'"), (
        errors
    )


def test_the_messages_have_their_indonesian():
    from laksana.engine.messages import translated

    catalogue = {
        "%(where)s: the outcome '%(label)s' needs its target; write %(key)s: followed by the "
        "step it leads to": (
            "%(where)s: pilihan '%(label)s' memerlukan tujuannya; tulis %(key)s: diikuti "
            "langkah yang dituju"
        ),
    }
    with pytest.raises(ProcedureErrors) as exc:
        load_text(with_decision("decision: {yes: s3}\n"), "p.yaml")
    message = exc.value.errors[0].message
    assert translated(message, lambda t: catalogue.get(t, t)).endswith(
        "pilihan 'Tidak' memerlukan tujuannya; tulis no: diikuti langkah yang dituju"
    )


# --- the engine: property tests -----------------------------------------------------------------


def supply(spec: ProcedureSpec, state: CaseState, step_id: str, tag: str) -> dict:
    step = spec.step(step_id)
    wanted = [a for a in step.requires if a not in state.artifacts] + list(step.produces)
    return {a: artifacts.example_value(spec.artifact(a), tag) for a in wanted}


def test_the_yes_no_procedure_runs_to_its_end_through_both_answers():
    opened = open_case(SPEC)
    state, events = opened.state, list(opened.events)
    for i, (step_id, outcome) in enumerate(
        [("s1", None), ("s2", "Tidak"), ("s1", None), ("s2", "Ya"), ("s3", None)]
    ):
        result = execute(
            SPEC, state, CompleteStep(step_id, supply(SPEC, state, step_id, str(i)), outcome)
        )
        assert isinstance(result, Transition), (step_id, result)
        state = result.state
        events.extend(result.events)
    assert state.finished and state.end == "selesai"
    assert replay(events) == state
    # A decision's own labels only: "Yes" is refused.
    opened = open_case(SPEC)
    after = execute(SPEC, opened.state, CompleteStep("s1", supply(SPEC, opened.state, "s1", "x")))
    assert isinstance(after, Transition)
    refused = execute(SPEC, after.state, CompleteStep("s2", {}, "Yes"))
    assert isinstance(refused, Refusal)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_sequence_of_actions_on_a_yes_no_procedure_keeps_the_invariants(data):
    opened = open_case(SPEC)
    state, events = opened.state, list(opened.events)
    for i in range(data.draw(st.integers(1, 30), label="length")):
        moves = allowed_actions(SPEC, state)
        if state.finished:
            assert moves == []
            break
        step_id, outcome = data.draw(st.sampled_from(moves), label="move")
        result = execute(
            SPEC, state, CompleteStep(step_id, supply(SPEC, state, step_id, str(i)), outcome)
        )
        assert isinstance(result, Transition), result
        state = result.state
        events.extend(result.events)
        assert len(state.active) == (0 if state.finished else 1)
        assert replay(events) == state
        assert CaseState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


# The generator of procedure texts: the block's keys and the decision's forms, each given or
# not, valid or not. Every text loads, or is refused with messages at its own lines.
SERVICE_VALUES = {
    "service_requirements": ["[Surat permohonan, KTP]", "Surat permohonan", "{a: b}", "[]"],
    "service_time": ['"1 Hari kerja"', '"3x24 jam"', "{text: '2', unit: jam}", '"3"', "[1]"],
    "cost": ["Tidak dipungut biaya", '"Rp 0"', "[1]", "''"],
    "product": ["Akun surel", "{a: b}", "''"],
    "purpose": ["Memberikan layanan", "[a]"],
    "scope": ["Semua unit"],
    "definitions": ["[Akun adalah ...]", "Akun adalah ..."],
    "success_indicators": ["[Akun aktif]", "{a: 1}"],
}
DECISIONS = [
    "decision: {yes: s3, no: s1}\n",
    "decision: {question: Lengkap?, yes: s3, no: s1}\n",
    "decision: {question: Lengkap?}\n",
    "decision: {yes: s3}\n",
    "decision: {no: s9}\n",
    "decision: {yes: '', no: s1}\n",
    "decision: {outcomes: [{label: Ya, to: s3}, {label: Tidak, to: s1}], yes: s3}\n",
    "decision: {outcomes: [{label: Ya, to: s3}, {label: Tidak, to: s1}]}\n",
    "decision: {}\n",
    "decision: {yes: [s3, s1], no: s1}\n",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_block_and_decision_is_loaded_or_refused_with_positioned_errors(data):
    keys = data.draw(st.lists(st.sampled_from(sorted(SERVICE_VALUES)), unique=True))
    identity = "".join(
        f"  {key}: {data.draw(st.sampled_from(SERVICE_VALUES[key]))}\n" for key in keys
    )
    text = with_decision(data.draw(st.sampled_from(DECISIONS)), identity)
    lines = text.count("\n") + 1
    try:
        spec = load_text(text, "g.yaml")
    except ProcedureErrors as exc:
        assert exc.errors
        for e in exc.errors:
            assert e.position.file == "g.yaml" and 1 <= e.position.line <= lines
            assert e.message
        return
    # Loaded: the decision has Ya and Tidak with real targets, and the document prints it.
    decision = spec.step("s2").decision
    assert decision is not None
    assert all(spec.has_step(o.target) or spec.is_end(o.target) for o in decision.outcomes)
    assert len({o.label for o in decision.outcomes}) == len(decision.outcomes) >= 2
    html = render_html(spec)
    if spec.identity.service_time is not None:
        assert "Waktu Penyelesaian" in html
    if spec.identity.cost:
        assert "Biaya/Tarif" in html


# --- the official document ------------------------------------------------------------------------

LABELS = (
    "Tujuan",
    "Ruang Lingkup",
    "Pengertian",
    "Persyaratan Pelayanan",
    "Waktu Penyelesaian",
    "Biaya/Tarif",
    "Produk Pelayanan",
    "Indikator Keberhasilan",
)


def test_the_html_prints_the_whole_block_in_the_identity_part_in_order():
    html = render_html(SPEC)
    identity = html[html.index('<section class="sop-identity">') : html.index("</section>")]
    positions = [identity.index(f"<th>{label}</th>") for label in LABELS]
    assert positions == sorted(positions)
    for text in (
        SPEC.identity.purpose,
        SPEC.identity.scope,
        *SPEC.identity.definitions,
        *SPEC.identity.service_requirements,
        "1 Hari kerja",
        "Tidak dipungut biaya",
        "Akun surel dinas yang aktif",
        *SPEC.identity.success_indicators,
    ):
        assert text in identity, text
    # The requirements are a numbered list; a single item is printed as it is.
    assert "<li>Fotokopi SK pengangkatan</li>" in identity


def test_only_the_items_the_procedure_gives_are_printed():
    text = with_decision(
        "decision: {yes: s3, no: s1}\n", "  cost: Tidak dipungut biaya\n  scope: Semua unit\n"
    )
    html = render_html(load_text(text, "p.yaml"))
    assert "<th>Biaya/Tarif</th>" in html and "<th>Ruang Lingkup</th>" in html
    for label in set(LABELS) - {"Biaya/Tarif", "Ruang Lingkup"}:
        assert f"<th>{label}</th>" not in html, label
    bare = render_html(load_text(with_decision("decision: {yes: s3, no: s1}\n"), "p.yaml"))
    assert "sop-service" not in bare.split("</style>", 1)[1]


def test_the_block_is_escaped():
    text = with_decision("decision: {yes: s3, no: s1}\n", '  product: "<b>akun</b> & sandi"\n')
    html = render_html(load_text(text, "p.yaml"))
    assert "&lt;b&gt;akun&lt;/b&gt; &amp; sandi" in html and "<b>akun</b>" not in html


def test_the_pdf_prints_the_block_on_the_identity_pages():
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    from laksana.documents.pdf import render_pdf

    reader = pypdf.PdfReader(io.BytesIO(render_pdf(SPEC)))
    pages = [squash(page.extract_text()) for page in reader.pages]
    identity = "".join(p for p in pages if "KEGIATAN" not in p.upper())
    for label in LABELS:  # headers are printed in capitals
        assert squash(label).upper() in identity.upper(), label
    for text in (
        SPEC.identity.purpose,
        *SPEC.identity.service_requirements,
        "1 Hari kerja",
        "Tidak dipungut biaya",
        "Akun surel dinas yang aktif",
        *SPEC.identity.success_indicators,
    ):
        assert squash(text) in identity, text
