"""The engine is pure Python: nothing under laksana.engine imports Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import laksana.engine

ENGINE = Path(laksana.engine.__file__).parent


def _modules() -> list[str]:
    names = []
    for path in sorted(ENGINE.rglob("*.py")):
        rel = path.relative_to(ENGINE.parent.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def test_no_engine_source_imports_django():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path}:{node.lineno} {n}"
                for n in names
                if n == "django" or n.startswith("django.")
            ]
    assert offenders == []


def test_importing_every_engine_module_loads_no_django():
    modules = _modules()
    assert "laksana.engine.interpreter" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(ENGINE.parent.parent)},
    )
    assert out.stdout.strip() == ""
