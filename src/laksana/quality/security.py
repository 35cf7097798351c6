"""The security test's checklist: OWASP ASVS 4.0.3 level 1, the items an agency can check by
hand (``checklists/asvs-4.0.3-l1.yaml``), installed as a scenario set of kind
:attr:`~laksana.quality.models.SetKind.SECURITY` for one application.

Each item becomes a scenario: its number is the ASVS id ("V2.1.1"), its requirement the ASVS
chapter, with steps a non-specialist can follow and the expected result. A security run
(SOP 003 item 8, ``security.test_report``) tests such a set; findings from a scanner are
added to the same run by :mod:`laksana.quality.zap`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from laksana.org.models import Person
from laksana.quality import scenarios
from laksana.quality.models import Priority, ScenarioSet, SetKind

CHECKLIST = Path(__file__).parent / "checklists" / "asvs-4.0.3-l1.yaml"
ASVS_VERSION = "4.0.3"


@dataclass(frozen=True)
class Checklist:
    """The shipped checklist: the set's name and description and its scenarios."""

    name: str
    description: str
    scenarios: tuple[scenarios.ScenarioInput, ...]


@cache
def checklist() -> Checklist:
    """The ASVS level 1 checklist as scenarios, read once from its data file."""
    data: dict[str, Any] = yaml.safe_load(CHECKLIST.read_text(encoding="utf-8"))
    chapters: dict[str, dict[str, str]] = data["chapters"]
    rows = []
    for item in data["items"]:
        number = str(item["number"])
        chapter = chapters[number.split(".")[0]]
        rows.append(
            scenarios.ScenarioInput(
                number=number,
                title=str(item["title"]),
                requirement=chapter["requirement"],
                preconditions=chapter.get("preconditions", ""),
                steps=str(item["steps"]).strip(),
                expected=str(item["expected"]).strip(),
                priority=Priority(item["priority"]),
            )
        )
    return Checklist(str(data["name"]), str(data["description"]), tuple(rows))


def install_checklist(
    person: Person | None, application_id: int, *, at: dt.datetime | None = None
) -> ScenarioSet:
    """Install the ASVS level 1 checklist as a new security scenario set of the application
    (one revision, every item a scenario). The rules (who may write the agency's sets, the
    application of the person's agency) are :func:`laksana.quality.scenarios.create_set`'s."""
    shipped = checklist()
    return scenarios.create_set(
        person,
        application_id,
        name=shipped.name,
        kind=SetKind.SECURITY,
        description=shipped.description,
        scenarios=shipped.scenarios,
        at=at,
    )
