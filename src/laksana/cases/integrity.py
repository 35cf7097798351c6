"""``laksana journal verify``: everything that proves the journal and the rows it covers were
not changed — each case's hash chain (:mod:`laksana.cases.journal`), the daily seals
(:mod:`laksana.cases.seals`), the rows the entries cover and the attachments' files
(:mod:`laksana.cases.coverage`), and the case numbers each agency gave out (a case deleted
with its journal leaves a gap)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from laksana.cases import coverage, seals
from laksana.cases.journal import verify_case
from laksana.cases.models import Case, Counter
from laksana.org.models import Agency
from laksana.procedures.models import ProcedureVersion


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    cases: int = 0
    entries: int = 0
    seals: int = 0
    sealed_entries: int = 0
    unsealed_entries: int = 0
    overdue_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def missing_cases() -> list[str]:
    """Case numbers an agency gave out (its counters) whose case is not there."""
    problems = []
    slugs = dict(Agency.objects.values_list("pk", "slug"))
    for agency_id, year, value in Counter.objects.values_list("agency_id", "year", "value"):
        prefix = f"{slugs[agency_id]}-{year}-"
        have = set(
            Case.objects.filter(agency_id=agency_id, reference__startswith=prefix).values_list(
                "reference", flat=True
            )
        )
        gone = [f"{prefix}{n:06d}" for n in range(1, value + 1) if f"{prefix}{n:06d}" not in have]
        for reference in gone[:20]:
            problems.append(
                f"case {reference} is missing: {slugs[agency_id]} gave out {value} case "
                f"numbers in {year} (a case was deleted)"
            )
        if len(gone) > 20:
            problems.append(f"... and {len(gone) - 20} more case numbers of {prefix}* are missing")
    return problems


def verify(*, files: bool = True, expected: Iterable[tuple[str, dt.date, str]] = ()) -> Report:
    report = Report()
    versions: dict[int, ProcedureVersion] = {}
    for case in Case.objects.order_by("id").iterator(chunk_size=500):
        if case.version_id not in versions:
            versions[case.version_id] = ProcedureVersion.objects.get(pk=case.version_id)
        case.version = versions[case.version_id]
        report.cases += 1
        report.entries += case.journal_seq
        broken = verify_case(case)
        if broken is not None:
            report.problems.append(f"journal broken: {broken}")
        report.problems += coverage.check_case(case, files=files)
    report.problems += missing_cases()
    sealed = seals.verify_seals(expected)
    report.problems += sealed.problems
    report.seals = sealed.seals
    report.sealed_entries = sealed.sealed_entries
    report.unsealed_entries = sealed.unsealed_entries
    report.overdue_entries = sealed.overdue_entries
    return report
