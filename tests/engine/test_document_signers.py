"""A document artifact names who signs and who initials it, by the procedure's actors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from laksana.engine.loader import ProcedureErrors, load_text

MINI = (Path(__file__).parent / "data" / "mini.yaml").read_text(encoding="utf-8")


def _with_artifact(extra: str) -> str:
    """mini.yaml with one more artifact (not used by a step, which is reported too)."""
    return MINI.replace("artifacts:\n", "artifacts:\n" + textwrap.indent(extra, "  "), 1)


def _errors(text: str) -> list[str]:
    with pytest.raises(ProcedureErrors) as exc:
        load_text(text, "p.yaml")
    return [str(e) for e in exc.value.errors]


def test_an_unknown_signer_or_a_signer_of_a_plain_file_is_named_at_its_place() -> None:
    errors = _errors(
        _with_artifact(
            "ba:\n"
            "  name: BAST\n"
            "  type: minutes.handover\n"
            "  signed_by: [tim, bupati]\n"
            "  initialled_by: kabag\n"
            "berkas:\n"
            "  name: Berkas\n"
            "  type: file\n"
            "  signed_by: [pemohon]\n"
        )
    )
    text = "\n".join(errors)
    assert "artifact 'ba' signed_by: unknown actor 'bupati'" in text
    assert "artifact 'ba' initialled_by: unknown actor 'kabag'" in text
    assert "'signed_by' is for documents (letters, minutes), not file" in text


def test_sop_002_bast_is_signed_by_both_heads_after_the_kabids_initial() -> None:
    import laksana.procedures
    from laksana.engine.loader import load_procedure

    folder = Path(laksana.procedures.__file__).parent
    spec = load_procedure(folder / "sop-002-penanganan-masalah-aplikasi.yaml")
    bast = spec.artifact("bast")
    assert bast.type == "minutes.handover"
    assert bast.signed_by == ("kadis", "pemohon")
    assert bast.initialled_by == ("kabid",)
    assert spec.artifact("surat_selesai").type == "letter.completion"
