"""`laksana procedure check|render|types`, through call_command and the installed script."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laksana.procedures.library import PROCEDURES_DIR

SEEDS = sorted(PROCEDURES_DIR.glob("*.yaml"))
LAKSANA = Path(sys.executable).with_name("laksana")

# One problem at a known place: line 13 names an actor that does not exist ("operatr", column
# 12); the actor it means (line 8) is named in the message, not told unused as well.
BROKEN = """\
format: laksana/procedure@1
id: rusak
identity:
  number: "SOP-X/2024"
  title: "Prosedur rusak"
  agency: "Dinas Uji Coba"
actors:
  operator: {name: "Operator", kind: position}
start: s1
steps:
  - id: s1
    activity: "Menerima laporan gangguan"
    actor: operatr
"""


@pytest.fixture
def seed() -> Path:
    assert SEEDS, f"no shipped procedures in {PROCEDURES_DIR}"
    return SEEDS[0]


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "rusak.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `laksana` script as a user would."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "laksana.config.settings"}
    return subprocess.run(
        [str(LAKSANA), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


def call(*args: str | Path) -> str:
    out = StringIO()
    call_command("procedure", *map(str, args), stdout=out)
    return out.getvalue()


def call_failing(*args: str | Path) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("procedure", *map(str, args), stdout=out)
    return out.getvalue(), info.value


# --- check -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_check_passes_every_shipped_procedure(path: Path) -> None:
    output = call("check", path)
    assert f"{path}: ok (" in output
    assert "1 file checked: all ok." in output


def test_check_counts_steps_actors_and_decisions(seed: Path) -> None:
    from laksana.engine.loader import load_procedure

    spec = load_procedure(seed)
    decisions = sum(1 for s in spec.steps if s.is_decision)
    output = call("check", seed)
    assert f"{len(spec.steps)} steps, {len(spec.actors)} actors," in output
    assert f"{decisions} decision" in output


def test_check_reports_each_problem_at_its_line_and_column(broken: Path) -> None:
    output, error = call_failing("check", broken)
    assert f"{broken}:13:12: " in output
    assert "unknown actor 'operatr'; did you mean 'operator'?" in output
    assert f"{broken}:8:3: " not in output
    assert "1 file checked: 0 ok, 1 with problems (1 problem)." in output
    assert error.returncode == 1


def test_check_reports_missing_files_and_folders_without_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "tidak-ada.yaml"
    output, error = call_failing("check", missing, tmp_path)
    assert f"{missing}:1:1: no such file" in output
    assert f"{tmp_path}:1:1: " in output
    assert error.returncode == 1


def test_check_goes_on_after_a_broken_file(broken: Path, seed: Path) -> None:
    output, _ = call_failing("check", broken, seed)
    assert f"{seed}: ok (" in output
    assert "2 files checked: 1 ok, 1 with problems" in output


def test_the_script_checks_a_good_file(seed: Path) -> None:
    result = run("procedure", "check", seed)
    assert result.returncode == 0, result.stderr
    assert f"{seed}: ok (" in result.stdout
    assert result.stderr == ""


def test_the_script_exits_1_with_positions_and_no_traceback(broken: Path, tmp_path: Path) -> None:
    result = run("procedure", "check", broken, tmp_path / "tidak-ada.yaml")
    assert result.returncode == 1
    assert f"{broken}:13:12: step 's1': unknown actor 'operatr'" in result.stdout
    assert f"{tmp_path / 'tidak-ada.yaml'}:1:1: no such file" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "2 problems in 2 files" in result.stderr


def test_the_script_prints_paths_as_given(broken: Path) -> None:
    result = run("procedure", "check", broken.name, cwd=broken.parent)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("rusak.yaml:13:12: ")


# --- render ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "start"),
    [("html", b"<!"), ("svg", b"<"), ("bpmn", b"<?xml")],
)
def test_render_writes_the_document(seed: Path, tmp_path: Path, fmt: str, start: bytes) -> None:
    out = tmp_path / f"sop.{fmt}"
    output = call("render", seed, "--format", fmt, "-o", out)
    assert f"{out}: written ({fmt}," in output
    content = out.read_bytes()
    assert content.lstrip().lower().startswith(start.lower())


def test_render_takes_the_format_from_the_output_suffix(seed: Path, tmp_path: Path) -> None:
    out = tmp_path / "flow.svg"
    call("render", seed, "-o", out)
    assert b"<svg" in out.read_bytes()


def test_the_script_renders_a_pdf(seed: Path, tmp_path: Path) -> None:
    out = tmp_path / "sop.pdf"
    result = run("procedure", "render", seed, "--format", "pdf", "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_render_refuses_a_broken_file(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "rusak.html"
    output, error = call_failing("render", broken, "--format", "html", "-o", out)
    assert f"{broken}:13:12: " in output
    assert error.returncode == 1
    assert not out.exists()


def test_the_script_refuses_to_render_a_broken_file(broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "rusak.pdf"
    result = run("procedure", "render", broken, "--format", "pdf", "-o", out)
    assert result.returncode == 1
    assert f"{broken}:13:12: " in result.stdout
    assert "Traceback" not in result.stderr
    assert not out.exists()


# --- types -------------------------------------------------------------------------------


def test_types_lists_the_registered_artifact_types() -> None:
    output = call("types")
    names = [line.split()[0] for line in output.splitlines()]
    assert {"file", "form", "minutes.uat", "maintenance.plan"} <= set(names)
    assert names == sorted(names)


def test_the_script_lists_types() -> None:
    result = run("procedure", "types")
    assert result.returncode == 0, result.stderr
    assert "minutes.handover" in result.stdout


def test_the_script_needs_an_action() -> None:
    result = run("procedure")
    assert result.returncode == 2
    assert "check" in result.stderr or "ACTION" in result.stderr
