"""What every benchmark part reports: named figures, printed as a table and written as JSON."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured figure. ``target`` is the goal (None: reported only); ``higher_is_better``
    says which side of it passes."""

    part: str  # "engine", "service", "peer", "http", "scale", "memory"
    name: str  # what was measured, e.g. "first page of a filtered case list"
    value: float
    unit: str  # "steps/s", "ms", "MB", "entries/s", ...
    backend: str = ""  # "sqlite", "postgresql" or "" (in memory)
    target: float | None = None
    higher_is_better: bool = True
    extra: dict[str, Any] = field(default_factory=dict)  # p50/p99/count/... details

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["met"] = self.met
        return data


def percentile(samples: list[float], share: float) -> float:
    """The ``share`` (0..1) percentile of the samples, by the inclusive method."""
    if len(samples) == 1:
        return samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    index = round(share * 100) - 1
    return cuts[min(max(index, 0), 98)]
