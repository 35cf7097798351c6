"""Who sees and who tests a run. Nothing here writes.

* A run is seen by whoever may see its case (:func:`laksana.cases.queries.can_view`), in the
  run's own agency: a tester of another unit sees nothing of a unit's runs.
* A run is tested (verdicts, evidence, findings, closing it) while it is open, its step is
  active, by whoever may work that step (:func:`laksana.cases.authority.may_work`): for a
  UAT of SOP 002, the people of the case's requesting unit; for a SIT, the Tim SPBE.
"""

from __future__ import annotations

from django.db.models import QuerySet

from laksana.cases import authority
from laksana.cases.models import Case, CaseStep, StepStatus
from laksana.cases.queries import can_view, visible_cases
from laksana.org.models import Person
from laksana.quality.models import RunStatus, TestRun

MAX_TO_TEST = 500  # the open runs looked at for a person's "to test" list


def visible_runs(person: Person) -> QuerySet[TestRun]:
    """The runs of the cases the person may see, of the person's own agency."""
    if person.user is None:
        return TestRun.objects.none()
    cases = visible_cases(person.user)
    return TestRun.objects.filter(
        agency_id=person.agency_id, case_id__in=cases.values("pk")
    ).select_related("case", "application", "environment", "scenario_set", "step")


def may_see_run(person: Person, run: TestRun) -> bool:
    """Whether the person may see the run (the run's case, in the person's agency)."""
    if person.user is None or run.agency_id != person.agency_id:
        return False
    return can_view(person.user, run.case, person)


def _step_of(run: TestRun) -> tuple[Case, CaseStep]:
    case = run.case
    row = CaseStep.objects.get(pk=run.step_id)
    row.case = case
    return case, row


def may_test(person: Person, run: TestRun) -> bool:
    """Whether the person may record verdicts, evidence and findings of the run, and close
    it: the run is open, its step active, and the person may work that step."""
    if run.status != RunStatus.OPEN or run.agency_id != person.agency_id:
        return False
    case, row = _step_of(run)
    if row.status != StepStatus.ACTIVE:
        return False
    return bool(authority.may_work(person, case, row))


def runs_to_test(person: Person) -> QuerySet[TestRun]:
    """The open runs whose step the person may work now, newest first."""
    open_runs = list(
        visible_runs(person)
        .filter(status=RunStatus.OPEN, step__status=StepStatus.ACTIVE)
        .order_by("-opened_at", "-pk")[:MAX_TO_TEST]
    )
    mine = [run.pk for run in open_runs if may_test(person, run)]
    return visible_runs(person).filter(pk__in=mine).order_by("-opened_at", "-pk")
