"""`laksana procedure import-docx`: SOP AP Word documents built with python-docx (shapes,
marks, merged header cells, decisions, a row with no symbol) turned into drafts that load
and run to an end."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laksana.engine import artifacts
from laksana.engine.interpreter import CompleteStep, Transition, execute, open_case
from laksana.engine.loader import load_text
from laksana.engine.spec import ProcedureSpec
from laksana.procedures.docx_confirm import ImportRefused
from laksana.procedures.docx_import import import_docx

from .sopdocx import Row, build, has_tag

ACTORS = ["Unit Kerja Pemohon", "Operator Email", "Kepala Bidang"]
ROWS = [
    Row("1", "Pemohon mengajukan permohonan akun", 0, "dml", "Surat Permohonan", "±1 Jam",
        "Formulir Permohonan"),
    Row("2", "Operator memeriksa kelengkapan data", 1, "vml",
        "1. Formulir Permohonan 2. Surat Permohonan", "2 Hari", "Catatan Pemeriksaan"),
    Row("3", "Apakah data lengkap?", 1, "dml-diamond", "Catatan Pemeriksaan", "15 menit", "",
        "Jika tidak, kembali ke kegiatan 1"),
    Row("4", "Kepala Bidang menyetujui pembuatan akun", 2, "✓", "", "1 Hari", "Disposisi"),
    Row("5", "Operator Email membuat akun email", None, "", "Disposisi", "±1 Jam",
        "Akun Email"),
]  # fmt: skip


def run_to_end(spec: ProcedureSpec, outcomes: dict[str, list[str]]) -> str:
    """Complete every active step, supplying what it needs, until the case ends; a decision
    takes the next of its listed outcomes, then Ya."""
    state = open_case(spec).state
    outcomes = {k: list(v) for k, v in outcomes.items()}
    for _ in range(50):
        if state.finished:
            return state.end or ""
        step = spec.step(state.active[0])
        supplied = {
            a: artifacts.example_value(spec.artifact(a))
            for a in (*step.requires, *step.produces)
            if a not in state.artifacts or a in step.produces
        }
        outcome = (outcomes.get(step.id) or ["Ya"]).pop(0) if step.decision else None
        result = execute(spec, state, CompleteStep(step.id, supplied, outcome=outcome))
        assert isinstance(result, Transition), result
        state = result.state
    raise AssertionError("the case did not end")


@pytest.fixture
def sop(tmp_path: Path) -> Path:
    return build(tmp_path / "sop.docx", ACTORS, ROWS)


def test_the_document_has_the_shapes_it_is_built_with(sop: Path):
    assert has_tag(sop, "w:drawing") and has_tag(sop, "w:pict") and has_tag(sop, "w:vMerge")


def test_identity_and_actors_are_read(sop: Path):
    draft = import_docx(sop)
    identity = draft.data["identity"]
    assert identity["number"] == "800/123/DISKOMINFO/2024"
    assert identity["title"] == "Pembuatan Akun Email Dinas"
    assert identity["agency"] == "DINAS KOMUNIKASI DAN INFORMATIKA"
    assert identity["made"] == "2024-01-02" and identity["effective"] == "2024-01-15"
    assert "revised" not in identity
    assert identity["approved_by"] == {
        "title": "Kepala Dinas",
        "name": "I GEDE CONTOH",
        "nip": "19700101 199503 1 001",
    }
    assert identity["legal_basis"][1] == "Peraturan Presiden Nomor 95 Tahun 2018"
    assert identity["equipment"] == ["Komputer", "Jaringan Internet"]
    assert identity["records"] == ["Dicatat dalam buku register akun."]
    assert draft.data["actors"] == {
        "unit_kerja_pemohon": {"name": "Unit Kerja Pemohon", "kind": "requesting_unit"},
        "operator_email": {"name": "Operator Email", "kind": "position"},
        "kepala_bidang": {"name": "Kepala Bidang", "kind": "position"},
    }


def test_each_row_gets_the_actor_of_its_symbol_and_the_draft_runs(sop: Path):
    draft = import_docx(sop)
    spec = load_text(draft.yaml(), "draft.yaml")
    actors = [s.actor for s in spec.steps]
    # DrawingML, VML, a diamond, a typed mark; row 5 has no symbol and names its actor.
    assert actors == ["unit_kerja_pemohon", "operator_email", "operator_email",
                      "kepala_bidang", "operator_email"]  # fmt: skip
    assert [s.number for s in spec.steps] == ["1", "2", "3", "4", "5"]
    decision = spec.step("s3").decision
    assert decision is not None
    assert [(o.label, o.target) for o in decision.outcomes] == [("Ya", "s4"), ("Tidak", "s1")]
    assert spec.step("s2").requires == ("formulir_permohonan", "surat_permohonan")
    assert spec.artifact("akun_email").name == "Akun Email"
    assert spec.artifact("akun_email").type == "file"
    assert spec.step("s1").time is not None and spec.step("s1").time.amount == 1
    assert spec.step("s2").time is not None and spec.step("s2").time.amount == 2
    [item] = draft.to_confirm
    assert "row 7 (No 5)" in item.where and "'Pelaksana'" in item.where
    assert "no symbol" in item.text
    assert run_to_end(spec, {}) == "selesai"
    assert run_to_end(spec, {"s3": ["Tidak", "Ya"]}) == "selesai"  # back to row 1, then on


def test_a_question_without_a_target_lists_tidak_to_confirm(tmp_path: Path):
    rows = [
        Row("1", "Operator menerima laporan", 0, "vml", "", "10 menit", "Laporan"),
        Row("2", "Apakah laporan valid?", 0, "vml-diamond", "Laporan", "1 Jam"),
        Row("3", "Kepala Bidang menindaklanjuti laporan", 1, "X", "Laporan", "1 Hari",
            "Tindak Lanjut"),
    ]  # fmt: skip
    draft = import_docx(build(tmp_path / "q.docx", ["Operator", "Kepala Bidang"], rows))
    spec = load_text(draft.yaml(), "q.yaml")
    decision = spec.step("s2").decision
    assert decision is not None
    assert [(o.label, o.target) for o in decision.outcomes] == [("Ya", "s3"), ("Tidak", "selesai")]
    assert any("'Tidak'" in i.text and "row 4 (No 2)" in i.where for i in draft.to_confirm)
    assert run_to_end(spec, {}) == "selesai"
    assert run_to_end(spec, {"s2": ["Tidak"]}) == "selesai"


def test_a_time_without_unit_is_to_confirm_and_fails_the_check(tmp_path: Path):
    rows = [Row("1", "Operator mencatat", 0, "dml", "", "±1", "Catatan")]
    path = build(tmp_path / "t.docx", ["Operator"], rows)
    draft = import_docx(path)
    assert any("'Waktu'" in i.where and "no unit" in i.text for i in draft.to_confirm)
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("procedure", "import-docx", str(path), "-o", str(tmp_path / "t.yaml"),
                     stdout=out)  # fmt: skip
    assert exc.value.returncode == 1
    assert "t.yaml:" in out.getvalue() and "no unit" in out.getvalue()


def test_the_command_writes_the_draft_and_exits_0_when_it_checks_clean(sop: Path, tmp_path):
    out = StringIO()
    target = tmp_path / "draft.yaml"
    call_command("procedure", "import-docx", str(sop), "-o", str(target), stdout=out)
    text = out.getvalue()
    assert "To confirm (1):" in text and "no symbol" in text
    assert f"{target}: ok (5 steps, 3 actors, 1 decision)" in text
    assert load_text(target.read_text(encoding="utf-8")).identity.number


def test_the_command_exits_2_for_a_file_it_cannot_import(tmp_path: Path):
    text_file = tmp_path / "sop.txt"
    text_file.write_text("not a document", encoding="utf-8")
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip", encoding="utf-8")
    no_table = build(tmp_path / "none.docx", ["Operator"], [], identity=True)
    import docx

    plain = docx.Document()
    plain.add_paragraph("Tidak ada tabel")
    plain.save(str(no_table))
    for path, message in ((text_file, "not a Word .docx"), (fake, "not a Word .docx"),
                          (no_table, "no flowchart table")):  # fmt: skip
        with pytest.raises(CommandError) as exc:
            call_command("procedure", "import-docx", str(path), "-o", str(tmp_path / "o.yaml"),
                         stdout=StringIO())  # fmt: skip
        assert exc.value.returncode == 2
        assert message in str(exc.value)
        with pytest.raises(ImportRefused):
            import_docx(path)


HELPDESK = ["Pelapor", "Petugas Helpdesk", "Kepala Seksi", "Tim Teknis"]
HELPDESK_ROWS = [
    # Row 1: the start terminator and the process in the reporter's column, an arrow beside.
    Row("1", "Pelapor menyampaikan keluhan", 0, "vml", "", "±15 Menit", "Laporan Keluhan",
        extra=((0, "dml-terminator"), (1, "dml-line"))),
    Row("2", "Petugas Helpdesk mencatat keluhan dan meneruskan", 1, "dml", "Laporan Keluhan",
        "±1 Jam", "Disposisi", continued="ke Kepala Seksi untuk ditindaklanjuti"),
    Row("3", "Kepala Seksi meneruskan disposisi kepada Tim Teknis", 2, "vml-oval",
        "Disposisi", "1 Hari", "Disposisi"),
    # A diamond without a question mark; the note names both targets.
    Row("4", "Tim Teknis menilai apakah gangguan dapat ditangani sendiri", 3, "vml-diamond",
        "Disposisi", "2 Hari", "", "Ya: lanjut ke kegiatan 5; tidak: kembali ke kegiatan 3"),
    # Done jointly: symbols in two columns.
    Row("5", "Tim Teknis dan Petugas Helpdesk menangani gangguan", 3, "V", "", "3 Hari",
        "Laporan Penanganan", extra=((1, "✓"),)),
    # One symbol cell merged over two columns.
    Row("6", "Laporan penanganan disampaikan kepada pelapor", 0, "dml", "Laporan Penanganan",
        "1x24 jam", "Surat Pemberitahuan", span=2),
]  # fmt: skip


def test_a_document_broken_across_pages_with_mixed_symbols(tmp_path: Path):
    draft = import_docx(build(tmp_path / "helpdesk.docx", HELPDESK, HELPDESK_ROWS))
    spec = load_text(draft.yaml(), "helpdesk.yaml")
    assert [s.number for s in spec.steps] == ["1", "2", "3", "4", "5", "6"]
    assert [s.actor for s in spec.steps] == [
        "pelapor", "petugas_helpdesk", "kepala_seksi", "tim_teknis", "tim_teknis", "pelapor",
    ]  # fmt: skip
    # The repeated header is skipped and the row after it continues step 2; the text in the
    # shapes ("Proses") is not part of the activity.
    assert spec.step("s2").activity == (
        "Petugas Helpdesk mencatat keluhan dan meneruskan ke Kepala Seksi untuk ditindaklanjuti"
    )
    assert spec.step("s1").activity == "Pelapor menyampaikan keluhan"
    decision = spec.step("s4").decision
    assert decision is not None
    assert [(o.label, o.target) for o in decision.outcomes] == [("Ya", "s5"), ("Tidak", "s3")]
    # "Disposisi" made at row 2 and made again at row 3: two documents, the later one new.
    assert spec.step("s3").requires == ("disposisi",)
    assert spec.step("s3").produces == ("disposisi_2",)
    assert spec.step("s4").requires == ("disposisi_2",)
    assert spec.step("s6").time is not None and spec.step("s6").time.days == 1
    where = {i.where: i.text for i in draft.to_confirm}
    assert (
        "several columns (Tim Teknis, Petugas Helpdesk)"
        in where["flowchart table 2, row 10 (No 5), column 'Pelaksana'"]
    )
    assert (
        "merged over 2 Pelaksana columns"
        in where["flowchart table 2, row 11 (No 6), column 'Pelaksana'"]
    )
    assert any("Disposisi" in i.text and "'Output'" in i.where for i in draft.to_confirm)
    assert run_to_end(spec, {"s4": ["Tidak", "Ya"]}) == "selesai"


def test_the_installed_script_exits_0_1_and_2(sop: Path, tmp_path: Path):
    from .test_cli import run

    clean = run("procedure", "import-docx", sop, "-o", tmp_path / "a.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    unitless = build(tmp_path / "u.docx", ["Operator"], [Row("1", "Mencatat", 0, "dml", "", "±1")])
    failing = run("procedure", "import-docx", unitless, "-o", tmp_path / "u.yaml")
    assert failing.returncode == 1 and "has no unit" in failing.stdout
    refused = run("procedure", "import-docx", tmp_path / "a.yaml", "-o", tmp_path / "b.yaml")
    assert refused.returncode == 2 and "not a Word .docx file" in refused.stderr


def test_an_identity_table_with_the_logo_block_and_a_period(tmp_path: Path):
    """The agency printed in the identity table's first cell (merged down), label | : | value
    rows, an effective period, a number with a stray space kept as printed."""
    import docx

    from .sopdocx import _set_cell, flowchart

    document = docx.Document()
    values = [
        ("NOMOR SOP", "B.24.473.1/12074/IAI/D.KOMINFOS"),
        ("TGL. PEMBUATAN", "09 Januari 2023"),
        ("TGL. REVISI", ""),
        ("TGL. EFEKTIF", "09 Januari - 31 Desember 2023"),
        ("NAMA SOP", "Penanganan Masalah Aplikasi"),
    ]
    t = document.add_table(rows=len(values), cols=3)
    logo = t.cell(0, 0).merge(t.cell(len(values) - 1, 0))
    _set_cell(logo, ["PEMERINTAH PROVINSI BALI",
                     "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK PROVINSI BALI",
                     "BIDANG INFRASTRUKTUR DAN APLIKASI INFORMATIKA"])  # fmt: skip
    for r, (label, value) in enumerate(values):
        _set_cell(t.cell(r, 1), [label])
        _set_cell(t.cell(r, 2), [f": {value}"] if value else [":"])
    flowchart(document, ["Operator"], [Row("1", "Operator mencatat", 0, "dml", "", "1 Jam")])
    path = tmp_path / "logo.docx"
    document.save(str(path))
    draft = import_docx(path)
    identity = draft.data["identity"]
    assert identity["government"] == "PEMERINTAH PROVINSI BALI"
    assert identity["agency"] == "DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK PROVINSI BALI"
    assert identity["unit"] == "BIDANG INFRASTRUKTUR DAN APLIKASI INFORMATIKA"
    assert identity["number"] == "B.24.473.1/12074/IAI/D.KOMINFOS"
    assert identity["made"] == "2023-01-09" and "revised" not in identity
    assert identity["effective"] == "2023-01-09"
    assert identity["effective_text"] == "09 Januari - 31 Desember 2023"
    assert draft.to_confirm == []
    load_text(draft.yaml(), "logo.yaml")


def test_a_shape_saved_with_its_vml_fallback_counts_once(tmp_path: Path):
    """Word saves a shape as mc:AlternateContent: the DrawingML choice and a VML fallback."""
    from docx.oxml import parse_xml

    from .sopdocx import drawingml, vml

    path = build(tmp_path / "alt.docx", ["Operator", "Kepala"], [
        Row("1", "Apakah berkas lengkap", None),
        Row("2", "Kepala menandatangani", 1, "dml", "", "1 Jam"),
    ])  # fmt: skip
    import docx

    document = docx.Document(str(path))
    cell = document.tables[-1].rows[2].cells[2]  # row 1, column Operator
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    alternate = parse_xml(
        f'<mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="wps">'
        f"{drawingml('flowChartDecision')}</mc:Choice><mc:Fallback>{vml('rect')}</mc:Fallback>"
        "</mc:AlternateContent>"
    )
    cell.paragraphs[0].add_run()._r.append(alternate)
    document.save(str(path))
    draft = import_docx(path)
    spec = load_text(draft.yaml(), "alt.yaml")
    assert spec.step("s1").actor == "operator"
    assert spec.step("s1").decision is not None  # the diamond, not the fallback's rectangle
    assert not any("several" in i.text for i in draft.to_confirm)
    assert run_to_end(spec, {}) == "selesai"


def test_sop_002_written_as_a_word_document_imports_as_shipped(tmp_path: Path):
    """The shipped SOP 002 as its Word table (each row's symbol in its actor's column, row 9
    a diamond): the import gives its numbers, activities, actors and times, and asks for the
    unit of row 3's "±1" as the author of the shipped file had to decide."""
    from laksana.engine.loader import load_procedure
    from laksana.procedures.library import PROCEDURES_DIR

    shipped = load_procedure(PROCEDURES_DIR / "sop-002-penanganan-masalah-aplikasi.yaml")
    names = [a.name for a in shipped.actors]
    index = {a.id: i for i, a in enumerate(shipped.actors)}
    rows = [
        Row(
            s.number,
            s.activity,
            index[s.actor],
            "vml-diamond" if s.decision else "dml",
            s.requirements_text or "; ".join(shipped.artifact(a).name for a in s.requires),
            s.time.text if s.time else "",
            s.output_text or "; ".join(shipped.artifact(a).name for a in s.produces),
            s.note,
        )
        for s in shipped.steps
    ]
    path = build(tmp_path / "sop002.docx", names, rows)
    draft = import_docx(path)
    data = draft.data
    assert [a["name"] for a in data["actors"].values()] == names
    assert data["actors"]["unit_kerja_pemohon"]["kind"] == "requesting_unit"
    steps = data["steps"]
    assert [s["no"] for s in steps] == [s.number for s in shipped.steps]
    assert [s["activity"] for s in steps] == [s.activity for s in shipped.steps]
    assert [names.index(data["actors"][s["actor"]]["name"]) for s in steps] == [
        index[s.actor] for s in shipped.steps
    ]
    assert [s.get("time") for s in steps] == [
        s.time.text if s.time else None for s in shipped.steps
    ]
    assert [s["no"] for s in steps if "decision" in s] == ["9"]
    [waktu] = [i for i in draft.to_confirm if "'Waktu'" in i.where]
    assert "(No 3)" in waktu.where and "no unit" in waktu.text
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("procedure", "import-docx", str(path), "-o", str(tmp_path / "d.yaml"),
                     stdout=out)  # fmt: skip
    assert exc.value.returncode == 1
    problems = [
        line
        for line in out.getvalue().splitlines()
        if re.match(rf"{re.escape(str(tmp_path))}/d\.yaml:\d+:\d+: ", line)
    ]
    assert len(problems) == 1 and "step 3 ('s3'): time '±1' has no unit" in problems[0]
