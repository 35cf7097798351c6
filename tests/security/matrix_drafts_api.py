"""The permission matrix's rows for the procedure drafts api routes (filled in by the module's
work; see test_permission_matrix's docstring for the personas, outcomes and checks)."""

from __future__ import annotations

from typing import Any


def entries() -> dict[str, Any]:
    return {}
