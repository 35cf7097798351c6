"""The permission matrix's rows for reassigning a step (Alihkan; laksana.cases.reassign), on
the scenario's unclaimed step 3 (held by the Kepala Dinas's position): nobody of the five is
above a holder of it, so every persona who sees the case is refused, the others get 404. The
claimed step, where the Kepala Dinas is above the claimant, is in CLAIMED_MATRIX."""

from __future__ import annotations

from typing import Any


def reassign_data(s: Any) -> dict[str, Any]:
    return {"to": s.bali["ketuatim"].pk, "reason": "Ketua tim mengerjakan"}


def entries() -> dict[str, Any]:
    from tests.security.test_permission_matrix import Entry, case_url, row, step_id

    return {
        "cases:reassign": Entry(
            case_url("cases:reassign", step_id),
            row("login", "404", "refused", "refused", "404"),
            method="POST",
            data=reassign_data,
        ),
        "POST /api/cases/{reference}/steps/{step_id}/reassign": Entry(
            lambda s: f"/api/cases/{s.case.reference}/steps/{s.step.pk}/reassign",
            row("401", "404", "403", "403", "404"),
            method="POST",
            data=reassign_data,
            json=True,
        ),
    }
