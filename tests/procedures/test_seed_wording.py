"""The document of every shipped SOP prints, row by row, the Kelengkapan and Output its source
prints: the source's own wording, an empty cell where the source's is empty; never the name of
an artifact the procedure adds only to run a step (issue 22).

The expected texts are transcribed from the source documents (``seeds/``, copies of the
project's five source extractions); each is checked to be in its source, so the table cannot
drift from the sources, and the printed document is compared with it row by row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import laksana.procedures
from laksana.engine.loader import load_procedure
from laksana.engine.render import render_html

from ..engine.docrows import source_rows

SEEDS = Path(__file__).parent / "seeds"
SHIPPED = Path(laksana.procedures.__file__).parent

# Sources with no Kelengkapan / Output column: every row prints both cells empty.
NO_SUCH_COLUMNS = {
    "sop-001-pengelolaan-aplikasi": "001_6bf9ac1f1c8fbff0.txt",
    "sop-003-pembuatan-aplikasi-dan-website": "003_8301269a52c25286.txt",
}

LIST_1_3 = (
    "1. Surat Permohonan 2. Dokumen Analisis Masalah dan Spesifikasi Aplikasi "
    "3. Dokumen Proses Bisnis Masalah/Penyesuaian Sistem/Aplikasi"
)
REPORT = "Laporan pengaduan gangguan aplikasi"

# Source file, the corrections the procedure's notes document (applied to the source's text),
# and per row: No -> (Kelengkapan, Output) as the source prints them.
TABLES: dict[str, tuple[str, dict[str, str], dict[str, tuple[str, str]]]] = {
    "sop-000-pemeliharaan-aplikasi": (
        "000_3fa9bf71ddd0920c.txt",
        # The Lampiran table says "infrastruktur" where the body says "aplikasi" (a copy-paste
        # the procedure's notes correct).
        {"infrastruktur": "aplikasi"},
        {
            "1": ("Arsitektur infrastruktur", "Rencana pemeliharaan infrastruktur"),
            "2": ("", "Kriteria penerimaan atas kegiatan pemeliharaan infrastruktur"),
            "3": ("", ""),
            "4": ("", "Dokumentasi kegiatan pemeliharaan oleh vendor"),
            "5": ("", "Dokumentasi kegiatan pemeliharaan oleh internal"),
            "6": (
                "Dokumentasi kegiatan pemeliharaan",
                "Evaluasi ketercapaian kriteria pemeliharaan",
            ),
            "7": ("", ""),
            "8": ("", "Laporan manajemen pemeliharaan infrastruktur"),
        },
    ),
    "sop-002-penanganan-masalah-aplikasi": (
        "002_338f08646607c415.txt",
        {},
        {
            "1": (
                "Surat permohonan perbaikan system dengan melampirkan : - Foto dokumentasi "
                "permasalahan - Keterangan proses yang menyebabkan terjadinya permasalahan.",
                "Dokumen Analisis Masalah dan Spesifikasi Aplikasi.",
            ),
            "2": (
                LIST_1_3,
                "Surat Permohonan dengan melampirkan Dokumen Analisis Masalah dan Dokumen "
                "Proses Bisnis Masalah/ Penyesuaian Sistem/Aplikasi",
            ),
            "3": (LIST_1_3, "Disposisi"),
            "4": ("Disposisi", "Disposisi"),
            "5": (
                "1. Alur Sistem 2. Data Input dan Output 3. Mekanisme Validasi 4. Role "
                "Pengguna 5. Mekanisme Pelaporan 6. Proses Bisnis Masalah Terkait Lainnya",
                "Dokumen Awal Proses Bisnis Masalah",
            ),
            "6": (
                "Berita Acara Hasil Diskusi Proses Bisnis Masalah Aplikasi dan/atau Surat "
                "Tugas dan Dokumen Proses Bisnis Masalah OPD",
                "Dokumen Pengembangan sesuai dengan masalah di Aplikasi",
            ),
            "7": ("Dokumen Pengembangan Aplikasi", "Dokumen Skenario Pengujian"),
            "8": ("Dokumen Pengujian", "Berita Acara SIT"),
            "9": ("Dokumen Pengujian", "Berita Acara UAT"),
            "10": (
                "Dokumen Pengembangan Aplikasi",
                "Berita Acara Serah Terima Aplikasi, Dokumen dan/atau Video petunjuk "
                "penggunaan aplikasi",
            ),
            "11": (
                "Dokumen Dan/Atau Video Petunjuk Penggunaan Aplikasi",
                "Surat kepada Unit Kerja Pemohon",
            ),
        },
    ),
    "sop-004-pemulihan-gagal-fungsi-ipas": (
        "004_15a3d370d9450e22.txt",
        {},
        {
            "1": (REPORT, REPORT),
            "2": ("", ""),
            "3": ("", ""),
            "4": ("", ""),
            "5": ("", ""),
            "6": ("Pengaduan gangguan aplikasi", "Perintah"),
            "7": (f"{REPORT} / perintah", REPORT),
            "8": (REPORT, "Perintah/instruksi"),
            "9": ("", ""),
            "10": ("", ""),
            "11": ("", ""),
            "12": ("", ""),
            "13": ("Instruksi", "Aplikasi siap digunakan"),
            "14": ("Aplikasi siap digunakan", "konfirmasi pengaduan ditutup"),
            "15": ("konfirmasi pengaduan ditutup", "laporan perbaikan aplikasi terdokumentasi"),
        },
    ),
}


def norm(text: str) -> str:
    return " ".join(text.split())


def shipped(key: str) -> Path:
    return SHIPPED / f"{key}.yaml"


def test_every_shipped_sop_is_compared():
    keys = {p.stem for p in SHIPPED.glob("sop-*.yaml")}
    assert keys == set(TABLES) | set(NO_SUCH_COLUMNS)


@pytest.mark.parametrize("key", sorted(TABLES))
def test_the_expected_texts_are_the_sources(key: str) -> None:
    seed, _, rows = TABLES[key]
    source = norm((SEEDS / seed).read_text(encoding="utf-8"))
    for number, texts in rows.items():
        for text in texts:
            assert norm(text) in source, (key, number, text)


@pytest.mark.parametrize("key", sorted(TABLES))
def test_the_document_prints_the_sources_kelengkapan_and_output(key: str) -> None:
    _, corrections, rows = TABLES[key]

    def corrected(text: str) -> str:
        for wrong, right in corrections.items():
            text = text.replace(wrong, right)
        return norm(text)

    printed = source_rows(render_html(load_procedure(shipped(key))))
    assert [no for no, _, _ in printed] == list(rows), "every source row once, in order"
    for no, requirements, output in printed:
        want_req, want_out = rows[no]
        assert (no, norm(requirements)) == (no, corrected(want_req))
        assert (no, norm(output)) == (no, corrected(want_out))


@pytest.mark.parametrize("key", sorted(NO_SUCH_COLUMNS))
def test_a_source_without_those_columns_prints_them_empty(key: str) -> None:
    assert (SEEDS / NO_SUCH_COLUMNS[key]).is_file()
    spec = load_procedure(shipped(key))
    printed = source_rows(render_html(spec))
    assert [no for no, _, _ in printed] == list(dict.fromkeys(s.number for s in spec.steps))
    assert [(no, req, out) for no, req, out in printed if req or out] == []
    # The steps do run on artifacts; none of their names is printed as if the source listed it.
    html = render_html(spec)
    for artifact in spec.artifacts:
        assert f">{artifact.name}<" not in html


def test_the_editors_yaml_keeps_empty_cells_and_further_rows():
    from laksana.engine.loader import load_text
    from laksana.procedures.drafttree import dump, parse

    from ..engine.test_source_rows import SOURCE

    again = dump(parse(SOURCE))
    assert 'output_text: ""' in again
    assert load_text(again).steps == load_text(SOURCE).steps
    for key in TABLES | NO_SUCH_COLUMNS:
        text = shipped(key).read_text(encoding="utf-8")
        assert load_text(dump(parse(text))).steps == load_text(text).steps
