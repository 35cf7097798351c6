"""Domain modules plug in; ``cases`` knows none of them.

``cases`` runs steps and asks the registry (:mod:`laksana.cases.artifacts`) for what domain
apps declare: resolvers, forms and the effects of a completed step. It may refer to the
catalogue's applications and contracts (what cases are about, whom vendors may see), but
imports nothing of the catalogue's lifecycle, services, artifact checks or step forms, nor of
the documents, quality, maintenance, monitoring, survey or evaluation apps — anywhere in the
module, a function's body included."""

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
    "laksana.survey",
    "laksana.evaluation",
    "laksana.intake",
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


def test_the_catalogue_imports_no_case_service() -> None:
    """The circle is broken: the catalogue's modules raise the shared refusals
    (laksana.errors) and never import cases' services (which run the catalogue's effects
    through the registry)."""
    import laksana.catalog

    root = Path(laksana.catalog.__file__).parent
    files = [p for p in root.rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 10
    wrong = [
        f"{path.relative_to(root)}:{line} imports {name}"
        for path in files
        for line, name in _imports(path)
        if name in ("laksana.cases.services", "laksana.cases.servicebase")
        or name.startswith("laksana.cases.services.")
    ]
    assert wrong == []


def test_the_catalogue_declares_its_types_on_the_registry() -> None:
    from laksana.cases import artifacts
    from laksana.catalog import lifecycle
    from laksana.engine import artifacts as engine_registry

    class About:
        application_id: int | None = 1

    class NotAbout:
        application_id: int | None = None

    # Each type the catalogue writes from: its effect, its form and its checks, declared once.
    for name in lifecycle.EFFECTS:
        assert name in artifacts._TYPE_EFFECTS
        assert getattr(engine_registry.get(name).validate, "__catalog__", False)
    assert artifacts.form_of("catalog.deployment") is not None
    # The stage rules follow the cases about an application only.
    assert lifecycle.on_step_completed in [f.effect for f in artifacts._FOLLOWERS.values()]
    follower = artifacts._FOLLOWERS["catalog.lifecycle"]
    assert follower.applies(About())  # type: ignore[arg-type]
    assert not follower.applies(NotAbout())  # type: ignore[arg-type]
