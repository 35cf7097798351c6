"""Rendering a procedure back as the SOP AP document (HTML, SVG, PDF) and as BPMN 2.0.

Runs on hand-made specs (built from the dataclasses) and on every shipped procedure YAML.
No database and no Django.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

import laksana
from laksana.engine.render import render_bpmn, render_html, render_svg
from laksana.engine.render.html import format_nip, indonesian_date
from laksana.engine.render.layout import (
    CONTENT_HEIGHT,
    PAGE_SAFETY,
    START,
    SopLayout,
    connector_label,
    sop_layout,
)
from laksana.engine.render.model import ConnectorRole, Page, Point, RowKind, Shape, Symbol
from laksana.engine.render.textmetrics import syllable_breaks, wrap_text
from laksana.engine.spec import (
    Actor,
    ActorKind,
    ArtifactSpec,
    Decision,
    End,
    Identity,
    Official,
    Outcome,
    ProcedureSpec,
    Step,
)
from laksana.engine.timetext import parse_time

PROCEDURES = Path(laksana.__file__).parent / "procedures"
SVG_NS = "{http://www.w3.org/2000/svg}"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": BPMN_NS,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}


# -- specs ----------------------------------------------------------------------------------


def maintenance_spec() -> ProcedureSpec:
    """SOP 000 in small: two lanes, a decision with a skip, a loop back, notes and lists."""
    actors = (
        Actor("operasional", "Seksi Operasional", ActorKind.TEAM),
        Actor("vendor", "Vendor", ActorKind.VENDOR),
    )
    artifacts = (
        ArtifactSpec("arsitektur", "Dokumen Arsitektur Aplikasi", "file"),
        ArtifactSpec("rencana", "Rencana Pemeliharaan", "maintenance.plan"),
        ArtifactSpec("kriteria", "Kriteria Penerimaan", "maintenance.acceptance_criteria"),
        ArtifactSpec("dok_vendor", "Dokumentasi pemeliharaan vendor", "file"),
        ArtifactSpec("evaluasi", "Evaluasi capaian kriteria kinerja", "maintenance.evaluation"),
        ArtifactSpec("laporan", "Laporan Manajemen Pemeliharaan", "maintenance.report"),
    )
    steps = (
        Step(
            "s1",
            "1",
            "Menyusun rencana pemeliharaan aplikasi berdasarkan arsitektur aplikasi",
            "operasional",
            requires=("arsitektur",),
            produces=("rencana",),
            time=parse_time("±3 Hari"),
            next="s2",
        ),
        Step(
            "s2",
            "2",
            "Menetapkan kriteria penerimaan pekerjaan pemeliharaan",
            "operasional",
            requires=("rencana",),
            produces=("kriteria",),
            time=parse_time("1 Hari"),
            next="s3",
        ),
        Step(
            "s3",
            "3",
            "Apakah pemeliharaan dilakukan oleh pihak ketiga (vendor)?",
            "operasional",
            decision=Decision(
                "Dilakukan oleh pihak ketiga (vendor)?",
                (Outcome("Ya", "s4"), Outcome("Tidak", "s5")),
            ),
        ),
        Step(
            "s4",
            "4",
            "Vendor melaksanakan pemeliharaan aplikasi sesuai rencana",
            "vendor",
            requires=("rencana", "kriteria"),
            produces=("dok_vendor",),
            time=parse_time("±60 Hari (sesuai lingkup aplikasi)"),
            next="s6",
        ),
        Step(
            "s5",
            "5",
            "Tim internal melaksanakan pemeliharaan aplikasi sesuai rencana",
            "operasional",
            requires=("rencana", "kriteria"),
            requirements_text="Rencana dan kriteria penerimaan yang telah ditetapkan",
            next="s6",
        ),
        Step(
            "s6",
            "6",
            "Mengevaluasi capaian kriteria kinerja pemeliharaan",
            "operasional",
            produces=("evaluasi",),
            output_text="Catatan evaluasi per triwulan",
            time=parse_time("2 Hari"),
            note="Evaluasi per triwulan",
            next="s7",
        ),
        Step(
            "s7",
            "7",
            "Apakah siklus pemeliharaan telah berakhir (tahun anggaran / kontrak)?",
            "operasional",
            decision=Decision(
                "Apakah siklus pemeliharaan telah berakhir (tahun anggaran / kontrak)?",
                (Outcome("Tidak", "s3"), Outcome("Ya", "s8")),
            ),
        ),
        Step(
            "s8",
            "8",
            "Menyusun evaluasi kegiatan dan laporan manajemen pemeliharaan",
            "operasional",
            requires=("evaluasi",),
            produces=("laporan",),
            time=parse_time("±5 Hari"),
            next="selesai",
        ),
    )
    identity = Identity(
        number="527/IT1.B05.3/OT/2021",
        title="Pemeliharaan Aplikasi",
        agency="Institut Teknologi Bandung",
        unit="Direktorat Sistem dan Teknologi Informasi",
        government="Kementerian Pendidikan",
        made=dt.date(2023, 1, 9),
        revised=dt.date(2023, 8, 17),
        revision=1,
        effective=dt.date(2021, 12, 28),
        approved_by=Official(
            "Direktur Sistem dan Teknologi Informasi,", "Dr. Budi Santoso", "196805311997031002"
        ),
        legal_basis=("Peraturan Presiden Nomor 95 Tahun 2018 tentang SPBE",),
        qualifications=("Memahami arsitektur aplikasi", "Menguasai manajemen proyek"),
        related=("SOP SIT", "SOP UAT"),
        equipment=("Komputer", "Jaringan internet"),
        warnings=("Pemeliharaan yang tidak sesuai rencana mengganggu layanan",),
        records=("Laporan manajemen pemeliharaan",),
    )
    return ProcedureSpec(
        "sop-000-kecil", identity, actors, artifacts, steps, "s1", (End("selesai", "Selesai"),)
    )


def awkward_spec() -> ProcedureSpec:
    """Markup in texts, ids that are not NCNames as they are, one lane, two ends."""
    actors = (Actor("tim <a>", "Tim <Aplikasi> & Data", ActorKind.TEAM),)
    steps = (
        Step(
            "1st step",
            "1",
            'Memeriksa <script>alert("x")</script> & mencatat',
            "tim <a>",
            next="7a:check",
        ),
        Step(
            "7a:check",
            "2",
            "Lengkap?",
            "tim <a>",
            decision=Decision("Lengkap?", (Outcome("Ya", "ok"), Outcome("Tidak", "batal"))),
        ),
    )
    identity = Identity(number="1/2 <3>", title="Uji & Coba", agency="Dinas <Uji>")
    return ProcedureSpec(
        "awkward",
        identity,
        actors,
        (),
        steps,
        "1st step",
        (End("ok", "Selesai"), End("batal", "Selesai (dibatalkan)")),
    )


def long_spec(count: int = 40, lanes: int = 4) -> ProcedureSpec:
    """Forty steps across four lanes, with loops back and skips ahead: several pages."""
    actors = tuple(Actor(f"a{i}", f"Pelaksana Nomor {i}", ActorKind.POSITION) for i in range(lanes))
    steps = []
    for i in range(1, count + 1):
        actor = f"a{(i * 7) % lanes}"
        following = f"s{i + 1}" if i < count else "selesai"
        if i % 9 == 0:
            steps.append(
                Step(
                    f"s{i}",
                    str(i),
                    f"Langkah {i}: memeriksa apakah hasilnya lengkap dan benar",
                    actor,
                    decision=Decision(
                        f"Lengkap {i}?",
                        (Outcome("Ya", following), Outcome("Tidak", f"s{i - 5}")),
                    ),
                )
            )
            continue
        if i % 13 == 0 and i + 3 <= count:
            following = f"s{i + 3}"
        steps.append(
            Step(
                f"s{i}",
                str(i),
                f"Langkah {i}: melaksanakan kegiatan nomor {i} " + "dengan teliti " * (i % 5),
                actor,
                time=parse_time("1 jam"),
                next=following,
                note="catatan" if i % 4 == 0 else "",
            )
        )
    identity = Identity(number="X/1", title="Prosedur Panjang", agency="Dinas Uji")
    return ProcedureSpec(
        "panjang", identity, actors, (), tuple(steps), "s1", (End("selesai", "Selesai"),)
    )


def _shipped() -> list[Path]:
    return sorted(PROCEDURES.glob("*.yaml"))


def _load(path: Path) -> ProcedureSpec:
    from laksana.engine.loader import load_procedure

    return load_procedure(path)


HAND_MADE = {"maintenance": maintenance_spec, "awkward": awkward_spec, "long": long_spec}
SPEC_IDS = [*HAND_MADE, *(p.stem for p in _shipped())]


@pytest.fixture(scope="module", params=SPEC_IDS)
def spec(request: pytest.FixtureRequest) -> ProcedureSpec:
    name = request.param
    if name in HAND_MADE:
        return HAND_MADE[name]()
    return _load(PROCEDURES / f"{name}.yaml")


def _squash(text: str) -> str:
    """Text with all white space removed, for comparing text that may have been wrapped."""
    return re.sub(r"\s+", "", text)


def test_the_shipped_procedures_are_covered() -> None:
    assert len(_shipped()) >= 5
    assert {p.stem[:7] for p in _shipped()} >= {f"sop-00{i}" for i in range(5)}


# -- text helpers ---------------------------------------------------------------------------


def test_dates_are_printed_in_indonesian() -> None:
    assert indonesian_date(dt.date(2023, 1, 9)) == "09 Januari 2023"
    assert indonesian_date(dt.date(2021, 12, 28)) == "28 Desember 2021"
    assert indonesian_date(None) == "-"


def test_a_nip_is_grouped_as_printed() -> None:
    assert format_nip("196805311997031002") == "19680531 199703 1 002"
    assert format_nip("123") == "123"


def test_wrapping_keeps_every_word_and_respects_the_width() -> None:
    text = "Unit Kerja Pemohon mengajukan permohonan penanganan masalah Sistem/Aplikasi"
    lines = wrap_text(text, 80, 7)
    assert len(lines) > 1
    assert " ".join(lines).split() == text.split()
    assert wrap_text("", 80, 7) == []


def test_hyphenation_breaks_indonesian_words_at_syllables() -> None:
    assert "Pengem" in ["Pengembangan"[:i] for i in syllable_breaks("Pengembangan")]
    assert "Peng" in ["Pengguna"[:i] for i in syllable_breaks("Pengguna")]
    lines = wrap_text("Pengembangan", 45, 7, bold=True, hyphenate=True)
    assert len(lines) == 2 and lines[0].endswith("-")
    assert "".join(lines).replace("-", "") == "Pengembangan"


def test_connector_labels_run_through_the_alphabet() -> None:
    assert [connector_label(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


# -- HTML -----------------------------------------------------------------------------------


def test_html_has_every_activity_actor_and_identity_field(spec: ProcedureSpec) -> None:
    out = render_html(spec)
    assert out.startswith("<!DOCTYPE html>")
    for step in spec.steps:
        assert html.escape(step.activity) in out, step.id
        assert f">{html.escape(step.number)}<" in out
    layout = sop_layout(spec)
    for actor in spec.actors:
        header = next(h for h in layout.actor_headers if h.text == actor.name)
        assert "<br>".join(html.escape(line) for line in header.lines) in out
    identity = spec.identity
    for text in (identity.number, identity.title, identity.agency, identity.unit):
        assert html.escape(text) in out
    if identity.made is not None:
        assert indonesian_date(identity.made) in out
    if identity.effective_text:
        assert html.escape(identity.effective_text) in out
    if identity.approved_by is not None:
        assert html.escape(identity.approved_by.title) in out
        assert html.escape(identity.approved_by.name) in out


def test_html_identity_block_of_the_hand_made_spec() -> None:
    out = render_html(maintenance_spec())
    for label in ("Nomor SOP", "Tgl. Pembuatan", "Tgl. Revisi", "Tgl. Efektif", "Disahkan oleh"):
        assert label in out
    assert "09 Januari 2023" in out
    assert "17 Agustus 2023 (Revisi ke-1)" in out
    assert "28 Desember 2021" in out
    assert "NIP. 19680531 199703 1 002" in out
    for heading in (
        "Dasar Hukum",
        "Kualifikasi Pelaksana",
        "Keterkaitan",
        "Peralatan/Perlengkapan",
        "Peringatan",
        "Pencatatan dan Pendataan",
    ):
        assert heading in out
    assert "<li>Menguasai manajemen proyek</li>" in out
    # Kelengkapan: the printed text when given, else the artifacts as a list.
    assert "Rencana dan kriteria penerimaan yang telah ditetapkan" in out
    assert "<ol><li>Rencana Pemeliharaan</li><li>Kriteria Penerimaan</li></ol>" in out
    assert "Catatan evaluasi per triwulan" in out
    # A decision row shows its question when it differs from the activity.
    assert "Dilakukan oleh pihak ketiga (vendor)?" in out
    assert "@page{size:A4 landscape" in out


def test_html_escapes_every_text() -> None:
    out = render_html(awkward_spec())
    assert "<script>" not in out
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; mencatat" in out
    assert "Tim &lt;Aplikasi&gt; &amp; Data" in out.replace("<br>", " ")  # a wrapped header
    assert "Dinas &lt;Uji&gt;" in out


def test_html_fragment_is_a_scoped_div() -> None:
    out = render_html(maintenance_spec(), standalone=False)
    assert out.startswith('<div class="sop-document"')
    assert out.rstrip().endswith("</div>")
    assert "<html" not in out and "@page" not in out
    style = re.search(r"<style>(.*?)</style>", out, re.S)
    assert style is not None
    selectors = [rule.split("{")[0] for rule in style.group(1).splitlines() if "{" in rule]
    assert selectors and all(".sop-document" in s for s in selectors)


def test_html_repeats_the_header_rows_on_every_page() -> None:
    spec = long_spec()
    out = render_html(spec)
    pages = len(sop_layout(spec).flow.pages)
    assert pages > 1
    assert out.count('<section class="sop-page"') == pages
    assert out.count(">KEGIATAN</th>") == pages
    assert out.count('class="actor"') == pages * len(spec.actors)


def test_html_row_heights_match_the_flowchart(spec: ProcedureSpec) -> None:
    """Each page's SVG is exactly as tall as the rows it spans, row by row."""
    layout = sop_layout(spec)
    out = render_html(spec)
    for page in layout.flow.pages:
        assert abs(sum(r.height for r in page.rows) - page.height) < 0.01
        assert f'data-page="{page.index + 1}" width="' in out
    # A row's printed table rows: its own, then one per further source row (row-also).
    heights: list[float] = []
    for kind, height in re.findall(
        r'<tr class="row-([a-z_]+)"[^>]*><td class="c[^"]*" style="height:([\d.]+)pt"', out
    ):
        if kind == "also":
            heights[-1] += float(height) + 5.75
        else:
            heights.append(float(height))
    expected = [r.height for p in layout.flow.pages for r in p.rows]
    assert len(heights) == len(expected)
    for got, want in zip(heights, expected, strict=True):
        assert abs(got - (want - 5.75)) < 0.011


# -- layout ---------------------------------------------------------------------------------


def _inside(point: Point, symbol: Symbol, slack: float = 0.6) -> bool:
    return (
        symbol.left - slack <= point.x <= symbol.right + slack
        and symbol.top - slack <= point.y <= symbol.bottom + slack
    )


def _crosses_interior(a: Point, b: Point, symbol: Symbol) -> bool:
    x0, x1 = sorted((a.x, b.x))
    y0, y1 = sorted((a.y, b.y))
    return (
        x0 < symbol.right - 0.5
        and x1 > symbol.left + 0.5
        and y0 < symbol.bottom - 0.5
        and y1 > symbol.top + 0.5
    )


def _check_page_geometry(page: Page, lanes: int, lane_width: float) -> None:
    symbols = {s.id: s for s in page.symbols}
    for symbol in page.symbols:
        assert symbol.left >= 0 and symbol.right <= lanes * lane_width + 0.01, symbol.id
        assert symbol.top >= 0 and symbol.bottom <= page.height + 0.01, symbol.id
        if symbol.shape in (Shape.PROCESS, Shape.DECISION):
            assert abs(symbol.cx - (symbol.lane + 0.5) * lane_width) < 0.01  # centred in lane
    for route in page.routes:
        source, target = symbols[route.source], symbols[route.target]
        assert len(route.points) >= 2
        assert _inside(route.points[0], source), route.id
        assert _inside(route.points[-1], target), route.id
        for a, b in zip(route.points, route.points[1:], strict=False):
            assert abs(a.x - b.x) < 0.01 or abs(a.y - b.y) < 0.01, route.id  # orthogonal
            assert min(a.x, b.x) >= 0 and max(a.x, b.x) <= page.width + 0.01
            for symbol in page.symbols:
                if symbol.id not in (route.source, route.target):
                    assert not _crosses_interior(a, b, symbol), (route.id, symbol.id)
        last, before = route.points[-1], route.points[-2]
        assert abs(last.x - before.x) + abs(last.y - before.y) >= 4.0, route.id  # arrowhead fits
        if route.label:
            assert route.label_at is not None
            assert 0 <= route.label_at.x <= page.width


def test_layout_symbols_sit_in_their_lanes_and_routes_connect(spec: ProcedureSpec) -> None:
    layout = sop_layout(spec)
    flow = layout.flow
    assert flow.lanes == tuple(a.id for a in spec.actors)
    for page in flow.pages:
        _check_page_geometry(page, len(flow.lanes), flow.lane_width)


def test_layout_has_a_row_per_step_start_and_end(spec: ProcedureSpec) -> None:
    flow = sop_layout(spec).flow
    rows = [r for p in flow.pages for r in p.rows]
    kinds = Counter(r.kind for r in rows)
    assert kinds[RowKind.STEP] == len(spec.steps)
    assert kinds[RowKind.START] == 1
    assert kinds[RowKind.END] == len(spec.ends)
    steps = [r.node for r in rows if r.kind is RowKind.STEP]
    assert steps == [s.id for s in spec.steps]  # the table keeps the spec's order


def test_pages_fit_an_a4_landscape_page(spec: ProcedureSpec) -> None:
    layout = sop_layout(spec)
    first, second = layout.header_heights
    for page in layout.flow.pages:
        used = layout.caption_height + first + second + page.height
        assert used <= CONTENT_HEIGHT - PAGE_SAFETY + 0.01 or len(page.rows) <= 3


def _connectors(layout: SopLayout) -> list[tuple[int, Symbol]]:
    return [(p.index, s) for p in layout.flow.pages for s in p.connectors()]


def test_a_long_procedure_breaks_into_pages_with_connector_pairs() -> None:
    spec = long_spec()
    layout = sop_layout(spec)
    pages = layout.flow.pages
    assert len(pages) >= 3
    pairs = layout.flow.connectors
    assert pairs, "edges crossing pages end in off-page connectors"
    drawn = _connectors(layout)
    assert len({p.label for p in pairs}) == len(pairs)
    for pair in pairs:
        outs = [(p, s) for p, s in drawn if s.label == pair.label and s.role is ConnectorRole.OUT]
        ins = [(p, s) for p, s in drawn if s.label == pair.label and s.role is ConnectorRole.IN]
        assert [p for p, _ in ins] == [pair.target_page]  # one connector leads to the target
        assert pair.target_page not in pair.source_pages
        symbol_in = ins[0][1]
        page_in = pages[pair.target_page]
        assert any(r.source == symbol_in.id and r.target == pair.target for r in page_in.routes)
        if pair.forward:
            # at the bottom of the page it leaves and the top of the target's page
            (source_page,) = set(pair.source_pages)
            assert [p for p, _ in outs] == [source_page]
            page_out = pages[source_page]
            assert page_out.rows[-1].kind is RowKind.CONNECTORS_OUT
            assert outs[0][1].top >= page_out.rows[-1].top
            assert page_in.rows[0].kind is RowKind.CONNECTORS_IN
            assert symbol_in.bottom <= page_in.rows[0].bottom
            for source in pair.sources:
                assert any(
                    r.source == source and r.target == outs[0][1].id for r in page_out.routes
                )
        else:
            # back to an earlier page: beside each source, and beside the target
            assert sorted(p for p, _ in outs) == sorted(pair.source_pages)
            target_row = next(r for r in page_in.rows if r.node == pair.target)
            assert target_row.top <= symbol_in.cy <= target_row.bottom
            for page, symbol in outs:
                source = symbol.id.split(":", 3)[3]  # :out:<letter>:<source>
                assert source in pair.sources
                row = next(r for r in pages[page].rows if r.node == source)
                assert row.top <= symbol.cy <= row.bottom
            for source, page in zip(pair.sources, pair.source_pages, strict=True):
                assert any(
                    r.source == source and r.target.startswith(f":out:{pair.label}")
                    for r in pages[page].routes
                )
    assert any(p.forward for p in pairs) and any(not p.forward for p in pairs)


def test_every_edge_is_drawn_once_per_page_it_touches(spec: ProcedureSpec) -> None:
    layout = sop_layout(spec)
    page_of = {r.node: p.index for p in layout.flow.pages for r in p.rows if r.node}
    routes = [r for p in layout.flow.pages for r in p.routes]
    edges = [(s.id, t) for s in spec.steps for t in s.targets()] + [(START, spec.start)]
    crossing = sum(1 for a, b in edges if page_of[a] != page_of[b])
    in_connectors = sum(1 for _p, s in _connectors(layout) if s.role is ConnectorRole.IN)
    assert len(routes) == len(edges) + in_connectors
    assert crossing == 0 or in_connectors > 0


def test_the_html_pairs_every_outgoing_connector_with_one_incoming() -> None:
    spec = long_spec()
    out = render_html(spec)
    labels = re.findall(r'data-connector="([A-Z]+)" data-role="(out|in)"', out)
    counts = Counter(labels)
    pairs = sop_layout(spec).flow.connectors
    assert {label for label, _ in labels} == {p.label for p in pairs}
    for pair in pairs:
        assert counts[(pair.label, "in")] == 1
        expected = 1 if pair.forward else len(pair.sources)
        assert counts[(pair.label, "out")] == expected


def test_a_single_page_layout_has_no_connectors() -> None:
    layout = sop_layout(long_spec(), paged=False)
    assert len(layout.flow.pages) == 1
    assert layout.flow.connectors == ()


# -- SVG ------------------------------------------------------------------------------------


def test_svg_draws_one_symbol_per_node(spec: ProcedureSpec) -> None:
    root = ET.fromstring(render_svg(spec))
    assert root.tag == f"{SVG_NS}svg"
    classes = Counter(
        c for el in root.iter() for c in (el.get("class") or "").split() if c.startswith("sym-")
    )
    decisions = sum(1 for s in spec.steps if s.is_decision)
    assert classes["sym-process"] == len(spec.steps) - decisions
    assert classes["sym-decision"] == decisions
    assert classes["sym-terminator"] == 1 + len(spec.ends)
    assert classes["sym-connector"] == 0  # one tall page
    # only the five symbols: rectangles, diamonds, capsules, pentagons and arrows
    assert set(classes) <= {"sym-process", "sym-decision", "sym-terminator", "sym-connector"}
    nodes = {el.get("data-node") for el in root.iter() if "sym" in (el.get("class") or "").split()}
    assert nodes == {s.id for s in spec.steps} | {e.id for e in spec.ends} | {START}
    edges = [el for el in root.iter() if el.get("class") == "edge"]
    assert len(edges) == sum(len(s.targets()) for s in spec.steps) + 1


def test_svg_holds_the_table_texts(spec: ProcedureSpec) -> None:
    root = ET.fromstring(render_svg(spec))
    text = " ".join(t for el in root.iter(f"{SVG_NS}text") for t in el.itertext())
    squashed = _squash(text).replace("-", "")
    for step in spec.steps:
        assert _squash(step.activity).replace("-", "") in squashed, step.id
        if step.time is not None:
            assert _squash(step.time.text).replace("-", "") in squashed
        if step.note:
            assert _squash(step.note).replace("-", "") in squashed
        if step.requirements_text:
            assert _squash(step.requirements_text).replace("-", "") in squashed
    for actor in spec.actors:
        assert _squash(actor.name).replace("-", "") in squashed
    for heading in ("KEGIATAN", "KELENGKAPAN", "WAKTU", "OUTPUT", "KETERANGAN"):
        assert heading in text
    labels = {el.get("data-label") for el in root.iter() if el.get("class") == "edge-label"}
    assert labels == {o.label for s in spec.steps if s.decision for o in s.decision.outcomes}


# -- BPMN -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bpmn_schema() -> object:
    etree = pytest.importorskip("lxml.etree")
    import SpiffWorkflow

    schema_dir = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema"
    return etree.XMLSchema(etree.parse(str(schema_dir / "BPMN20.xsd")))


def test_bpmn_validates_against_the_xsd(spec: ProcedureSpec, bpmn_schema: object) -> None:
    from lxml import etree

    document = etree.fromstring(render_bpmn(spec).encode("utf-8"))
    assert bpmn_schema.validate(document), bpmn_schema.error_log  # type: ignore[attr-defined]


def test_bpmn_has_lanes_tasks_gateways_and_labelled_flows(spec: ProcedureSpec) -> None:
    root = ET.fromstring(render_bpmn(spec))
    process = root.find("bpmn:process", NS)
    assert process is not None
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert [lane.get("name") for lane in lanes] == [a.name for a in spec.actors]
    tasks = process.findall("bpmn:userTask", NS)
    gateways = process.findall("bpmn:exclusiveGateway", NS)
    assert [t.get("name") for t in tasks] == [s.activity for s in spec.steps]
    assert len(gateways) == sum(1 for s in spec.steps if s.is_decision)
    assert len(process.findall("bpmn:startEvent", NS)) == 1
    assert len(process.findall("bpmn:endEvent", NS)) == len(spec.ends)

    flows = {f.get("id"): f for f in process.findall("bpmn:sequenceFlow", NS)}
    elements = {el.get("id"): el for el in process if el.get("id")}
    for flow_id, flow in flows.items():
        source, target = elements[flow.get("sourceRef")], elements[flow.get("targetRef")]
        assert flow_id in [o.text for o in source.findall("bpmn:outgoing", NS)]
        assert flow_id in [i.text for i in target.findall("bpmn:incoming", NS)]
    # each decision: a task, then a gateway whose outgoing flows carry the outcome labels
    decisions = [s for s in spec.steps if s.decision is not None]
    for step, gateway in zip(decisions, gateways, strict=True):
        assert step.decision is not None
        outgoing = [flows[o.text or ""] for o in gateway.findall("bpmn:outgoing", NS)]
        assert [f.get("name") for f in outgoing] == [o.label for o in step.decision.outcomes]
        incoming = [flows[i.text or ""] for i in gateway.findall("bpmn:incoming", NS)]
        assert [elements[f.get("sourceRef")].get("name") for f in incoming] == [step.activity]
    # every flow node sits in exactly one lane
    refs = Counter(r.text for lane in lanes for r in lane.findall("bpmn:flowNodeRef", NS))
    nodes = [*tasks, *gateways, *process.findall("bpmn:startEvent", NS)]
    nodes += process.findall("bpmn:endEvent", NS)
    assert refs == Counter(n.get("id") for n in nodes)


def test_bpmn_diagram_has_a_shape_per_node_and_waypoints_per_flow(spec: ProcedureSpec) -> None:
    root = ET.fromstring(render_bpmn(spec))
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane is not None
    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    process = root.find("bpmn:process", NS)
    assert process is not None
    for element in process:
        tag = element.tag.split("}")[1]
        if tag in ("userTask", "exclusiveGateway", "startEvent", "endEvent"):
            bounds = shapes[element.get("id")].find("dc:Bounds", NS)
            assert bounds is not None and float(bounds.get("width") or 0) > 0
        if tag == "sequenceFlow":
            points = edges[element.get("id")].findall("di:waypoint", NS)
            assert len(points) >= 2
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert all(lane.get("id") in shapes for lane in lanes)


def test_bpmn_ids_are_valid_xml_names() -> None:
    out = render_bpmn(awkward_spec())
    ids = re.findall(r'\bid="([^"]*)"', out)
    assert ids and all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", i) for i in ids)
    assert len(ids) == len(set(ids))


# -- PDF ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(spec: ProcedureSpec) -> bytes:
    pytest.importorskip("weasyprint")
    from laksana.documents.pdf import render_pdf

    return render_pdf(spec)


def test_pdf_is_a4_landscape_with_the_texts(spec: ProcedureSpec, pdf: bytes) -> None:
    pypdf = pytest.importorskip("pypdf")
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (
            842,
            595,
        )
    text = _squash("".join(page.extract_text() for page in reader.pages))
    for step in spec.steps:
        assert _squash(step.activity) in text, step.id
    for actor in spec.actors:
        header = _squash(actor.name)
        assert header in text.replace("-", "") or header in text, actor.name
    assert _squash(spec.identity.title).upper() in text.upper()  # printed in capitals
    assert _squash(spec.identity.number) in text


def test_pdf_has_the_identity_page_then_one_sheet_per_flowchart_page(
    spec: ProcedureSpec, pdf: bytes
) -> None:
    """No row grew beyond its estimate: otherwise a table would spill onto an extra sheet."""
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    identity_pages = 1 if len(spec.identity.legal_basis) < 12 else 2
    assert len(reader.pages) == identity_pages + len(sop_layout(spec).flow.pages)
    first = _squash(reader.pages[0].extract_text())
    assert "NOMORSOP" in first.upper() and "KEGIATAN" not in first


def test_weasyprint_lays_the_rows_out_at_their_estimated_heights(spec: ProcedureSpec) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    document = weasyprint.HTML(string=render_html(spec)).render()
    page_box = getattr(document.pages[0], "_page_box", None)
    if page_box is None:  # pragma: no cover - a WeasyPrint without this internal
        pytest.skip("WeasyPrint does not expose its layout boxes")

    def rows(box: object) -> list[object]:
        found = []
        if type(box).__name__ == "TableRowBox":
            element = getattr(box, "element", None)
            if element is not None and (element.get("class") or "").startswith("row-"):
                found.append(box)
        for child in getattr(box, "children", None) or []:
            found += rows(child)
        return found

    laid_out = [rows(p._page_box) for p in document.pages]
    flow_pages = [r for r in laid_out if r]
    layout = sop_layout(spec)
    assert len(flow_pages) == len(layout.flow.pages)
    for page, boxes in zip(layout.flow.pages, flow_pages, strict=True):
        assert len(boxes) == len(page.rows)
        for row, box in zip(page.rows, boxes, strict=True):
            height_pt = box.height * 0.75  # type: ignore[attr-defined]
            assert abs(height_pt - row.height) < 0.05, (page.index, row.node)


# -- purity ---------------------------------------------------------------------------------


def test_rendering_imports_neither_django_nor_lxml_and_documents_no_django() -> None:
    code = (
        "import sys\n"
        "import laksana.engine.render, laksana.engine.render.layout\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'lxml', 'weasyprint')]\n"
        "import laksana.documents.pdf\n"
        "bad += [m for m in sys.modules if m.split('.')[0] == 'django']\n"
        "print(','.join(sorted(bad)))\n"
    )
    src = Path(laksana.__file__).parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(src)},
    )
    assert out.stdout.strip() == ""


def _random_procedure(rng: random.Random, others: random.Random | None = None) -> ProcedureSpec:
    """A procedure shaped like real ones: runs of steps across lanes, some decisions that
    loop back a few steps, skip ahead or end early. With ``others``, some steps are joint or
    any-of with other actors, and some send copies (tembusan)."""
    lanes = rng.randint(1, 9)
    count = rng.randint(3, 40)
    actors = tuple(Actor(f"a{i}", f"Pelaksana {i}", ActorKind.POSITION) for i in range(lanes))
    ends = tuple(End(f"e{i}", "Selesai") for i in range(rng.randint(1, 2)))
    ids = [f"s{i}" for i in range(count)]
    steps = []
    lane = 0
    for i in range(count):
        if rng.random() < 0.6:
            lane = rng.randrange(lanes)
        text = "kata " * rng.randint(3, 40)
        following = ids[i + 1] if i + 1 < count else ends[0].id
        if i > 0 and rng.random() < 0.18:
            pick = rng.random()
            if pick < 0.4:
                other = ids[max(0, i - rng.randint(1, 6))]
            elif pick < 0.7:
                other = ids[i + 2] if i + 2 < count else ends[-1].id
            else:
                other = ends[-1].id
            if other == following:
                other = ids[i - 1]
            outcomes = (Outcome("Ya", following), Outcome("Tidak", other))
            steps.append(
                Step(ids[i], str(i + 1), text, f"a{lane}", decision=Decision("?", outcomes))
            )
        else:
            steps.append(Step(ids[i], str(i + 1), text, f"a{lane}", next=following))
    if others is not None and lanes > 1:
        steps = [_with_others(step, others, lanes) for step in steps]
    identity = Identity(number="R", title="Acak", agency="Dinas Uji")
    return ProcedureSpec("acak", identity, actors, (), tuple(steps), ids[0], ends)


def _with_others(step: Step, rng: random.Random, lanes: int) -> Step:
    rest = [f"a{i}" for i in range(lanes) if f"a{i}" != step.actor]
    picked = rng.sample(rest, rng.randint(1, min(2, len(rest))))
    pick = rng.random()
    if pick < 0.25:
        return dataclasses.replace(step, joint=tuple(picked))
    if pick < 0.5:
        return dataclasses.replace(step, any_of=tuple(picked))
    if pick < 0.65:
        return dataclasses.replace(step, copies=tuple(picked))
    return step


@pytest.mark.parametrize("seed", range(20))
def test_random_procedures_with_other_actors_are_laid_out_with_markers(seed: int) -> None:
    spec = _random_procedure(random.Random(seed), random.Random(1000 + seed))
    acting = {a for s in spec.steps for a in (s.actor, *s.joint, *s.any_of)}
    for paged in (True, False):
        flow = sop_layout(spec, paged=paged).flow
        assert set(flow.lanes) == acting  # an actor only copied (or in no step) has no lane
        expected = sorted((s.id, a) for s in spec.steps for a in (*s.joint, *s.any_of))
        drawn = {s.node for page in flow.pages for s in page.symbols}
        found = sorted((m.node, m.actor) for page in flow.pages for m in page.markers)
        assert found == [(n, a) for n, a in expected if n in drawn]
        for page in flow.pages:
            _check_page_geometry(page, len(flow.lanes), flow.lane_width)
            rows = {r.node: r for r in page.rows}
            for m in page.markers:
                lane = flow.lanes.index(m.actor)
                assert abs(m.cx - (lane + 0.5) * flow.lane_width) < 0.01
                assert m.cx - m.width / 2 >= lane * flow.lane_width
                assert m.cx + m.width / 2 <= (lane + 1) * flow.lane_width
                assert rows[m.node].top <= m.cy <= rows[m.node].bottom
        html_out = render_html(spec) if paged else render_svg(spec)
        assert html_out.count('class="sym-marker') == len(found) or not paged


@pytest.mark.parametrize("seed", range(40))
def test_random_procedures_are_laid_out_cleanly(seed: int) -> None:
    spec = _random_procedure(random.Random(seed))
    for paged in (True, False):
        flow = sop_layout(spec, paged=paged).flow
        for page in flow.pages:
            _check_page_geometry(page, len(flow.lanes), flow.lane_width)
