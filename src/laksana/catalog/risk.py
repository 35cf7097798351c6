"""Risk levels of the risk register: likelihood × impact, in documented bands.

A risk is scored on two scales of 1 to 5 (likelihood: 1 rare … 5 almost certain; impact:
1 insignificant … 5 catastrophic), the usual 5 × 5 matrix of risk management guidelines such
as the SPBE risk management guideline (PermenPANRB 5/2020). Its score is the product, 1 to
25, and its level is read off these bands (each a lower bound, so no score falls in a gap):

| score | level |
|---|---|
| 20–25 | very high (sangat tinggi) |
| 10–16 | high (tinggi) |
| 5–9 | medium (sedang) |
| 1–4 | low (rendah) |

The bands are data (:data:`BANDS`): an agency whose guideline draws them elsewhere changes
this table, not the code that uses it. Pure Python, so the artifact validators can use it.
"""

from __future__ import annotations

from enum import StrEnum

SCALE = range(1, 6)
"""The allowed likelihood and impact values."""


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


BANDS: tuple[tuple[int, RiskLevel], ...] = (
    (20, RiskLevel.VERY_HIGH),
    (10, RiskLevel.HIGH),
    (5, RiskLevel.MEDIUM),
    (1, RiskLevel.LOW),
)
"""(lowest score, level), highest band first."""


def risk_score(likelihood: int, impact: int) -> int:
    """likelihood × impact; both must be on the 1–5 scale."""
    if likelihood not in SCALE or impact not in SCALE:
        raise ValueError(f"likelihood and impact must be 1 to 5, got {likelihood} and {impact}")
    return likelihood * impact


def risk_level(likelihood: int, impact: int) -> RiskLevel:
    """The level of a risk from its likelihood and impact (see :data:`BANDS`)."""
    score = risk_score(likelihood, impact)
    for lowest, level in BANDS:
        if score >= lowest:
            return level
    raise AssertionError("the bands start at 1")
