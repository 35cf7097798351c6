"""Domain modules plug in; ``cases`` knows none of them.

``cases`` runs steps and asks the registry (:mod:`laksana.cases.artifacts`) for what domain
apps declare: resolvers, forms and the effects of a completed step. It may refer to the
catalogue's applications and contracts (what cases are about, whom vendors may see), but
imports nothing of the catalogue's lifecycle, services, artifact checks or step forms, nor of
the documents, quality, maintenance or monitoring apps — anywhere in the module, a function's
body included."""

from __future__ import annotations

import ast
from pathlib import Path

import laksana.cases

FORBIDDEN = (
    "laksana.catalog.lifecycle",
    "laksana.catalog.services",
    "laksana.catalog.artifacts",
    "laksana.catalog.stepforms",
    "laksana.documents",
    "laksana.quality",
    "laksana.maintenance",
    "laksana.monitoring",
)


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from laksana.catalog import lifecycle` names the module as a member.
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_cases_imports_no_domain_module() -> None:
    root = Path(laksana.cases.__file__).parent
    files = [p for p in root.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 20  # the package itself was read
    wrong = [
        f"{path.relative_to(root)}:{line} imports {name}"
        for path in files
        for line, name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]
    assert wrong == []


def test_the_catalogue_follows_completions_through_the_registry() -> None:
    from laksana.cases.artifacts import effects_for
    from laksana.catalog.lifecycle import on_step_completed

    class About:
        application_id: int | None = 1

    class NotAbout:
        application_id: int | None = None

    assert on_step_completed in effects_for(About())  # type: ignore[arg-type]
    assert effects_for(NotAbout()) == []  # type: ignore[arg-type]
