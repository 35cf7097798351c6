"""The only code that writes evaluations (:class:`laksana.evaluation.models.Evaluation`).

Who: the keepers of the agency's catalogue (:func:`may_keep`: the IT unit's staff, never a
vendor's) create, refresh and conclude evaluations of the agency's applications; the agency's
members who are not vendors' staff, the operator and superusers read them (:func:`may_read`).
Another agency's evaluation answers ``not_found`` (no field: the screens' 404), the same as
one that does not exist; an application, a case of another agency answer ``not_found``
naming their field. Every problem of the input is named by field at once, nothing written.

A draft's figures are computed when shown (:func:`figures_of`); refreshing keeps a snapshot
in ``figures``; concluding (keep, improve or retire, with the reasoning) keeps them as they
were then, and ties the evaluation to the SOP 001 case of the application whose row f.1 is
active (optional): its row f.3 is then read from the conclusion (:mod:`.plugin`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from laksana.cases.models import Case, CaseStatus, CaseStep, StepStatus
from laksana.cases.servicebase import _atomic
from laksana.catalog import services as catalog_services
from laksana.catalog.models import Application
from laksana.dates import given_date
from laksana.errors import NotAllowed, ServiceError
from laksana.evaluation import sections
from laksana.evaluation.models import Conclusion, Evaluation, EvaluationStatus
from laksana.org.models import Person

TYPE = "quality.evaluation_report"
MAX_DAYS = 5 * 366  # a period of at most five years
MAX_REASONING = 5000


def may_keep(person: Person | None, agency_id: int) -> bool:
    """The catalogue's keepers of the agency, never a vendor's staff."""
    if person is not None and person.vendor_id is not None:
        return False
    return catalog_services.may_keep(person, agency_id)


def may_read(person: Person | None, evaluation: Evaluation) -> bool:
    if person is None or catalog_services.is_superuser(person):
        return True
    return person.vendor_id is None and person.agency_id == evaluation.agency_id


def visible_evaluations(person: Person | None) -> QuerySet[Evaluation]:
    """The evaluations ``person`` may read (:func:`may_read`)."""
    found = Evaluation.objects.select_related("application", "case")
    if person is None or catalog_services.is_superuser(person):
        return found
    if person.vendor_id is not None:
        return found.none()
    return found.filter(agency_id=person.agency_id)


def _not_found() -> ServiceError:
    return ServiceError("not_found", _("No such evaluation."))


def get_evaluation(person: Person | None, evaluation_id: object) -> Evaluation:
    """The evaluation ``person`` may read; ``not_found`` otherwise (no field: 404)."""
    pk = _id(evaluation_id)
    found = visible_evaluations(person).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise _not_found()
    return found


def _id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        return int(value) or None
    return None


def _keeper(person: Person | None, agency_id: int) -> Person:
    if not may_keep(person, agency_id):
        raise NotAllowed(_("Only the IT unit's staff evaluate the agency's applications."))
    if person is None:
        raise NotAllowed(_("An evaluation is made by a person of the agency, not the operator."))
    return person


def _locked(person: Person | None, evaluation_id: object) -> Evaluation:
    found = get_evaluation(person, evaluation_id)
    _keeper(person, found.agency_id)
    return Evaluation.objects.select_for_update().select_related("application").get(pk=found.pk)


def producing_step(case: Case) -> CaseStep | None:
    """The case's active step that produces an evaluation report (SOP 001 f.1), or None."""
    spec = case.version.spec
    keys = [s.id for s in spec.steps if any(spec.artifact(k).type == TYPE for k in s.produces)]
    if not keys:
        return None
    return CaseStep.objects.filter(
        case_id=case.pk, step_key__in=keys, status=StepStatus.ACTIVE
    ).first()


def _case(value: object, application: Application, problems: list[ServiceError]) -> Case | None:
    """The running case of the application whose evaluation step is active (or None)."""
    if value in (None, ""):
        return None
    pk = _id(value)
    case = (
        Case.objects.filter(pk=pk, agency_id=application.agency_id).first()
        if pk is not None
        else None
    )
    if case is None:
        problems.append(ServiceError("not_found", _("No such case."), field="case"))
        return None
    if case.application_id != application.pk or case.status != CaseStatus.RUNNING:
        problems.append(
            ServiceError(
                "invalid", _("The case is not a running case of this application."), field="case"
            )
        )
        return None
    if producing_step(case) is None:
        problems.append(
            ServiceError(
                "invalid",
                _("The case's step of the periodic evaluation (f.1) is not active now."),
                field="case",
            )
        )
        return None
    return case


def _raise(problems: list[ServiceError]) -> None:
    if not problems:
        return
    first = problems[0]
    if len(problems) == 1:
        exc = first
    else:
        code = "invalid" if any(p.code != "not_found" for p in problems) else "not_found"
        exc = ServiceError(
            code,
            first.message,
            field=first.field,
            items=[f"{p.field}: {p.message}" for p in problems],
        )
    # Each problem on its field, for the forms (laksana.evaluation.views).
    exc.errors = {}  # type: ignore[attr-defined]
    for p in problems:
        exc.errors.setdefault(p.field or "", []).append(p.message)  # type: ignore[attr-defined]
    raise exc


def _period(data: Mapping[str, Any], problems: list[ServiceError]) -> tuple[dt.date, dt.date]:
    message = _("Give a date as YYYY-MM-DD.")
    dates: list[dt.date | None] = []
    for name in ("period_start", "period_end"):
        try:
            dates.append(given_date(data.get(name), field=name, message=message))
        except ServiceError as exc:
            problems.append(exc)
            dates.append(None)
    start, end = dates
    if start is not None and end is not None:
        if end < start:
            problems.append(
                ServiceError("invalid", _("The period ends before it starts."), field="period_end")
            )
        elif (end - start).days > MAX_DAYS:
            problems.append(
                ServiceError(
                    "invalid", _("A period is at most five years long."), field="period_end"
                )
            )
    return start or dt.date.min, end or dt.date.min


@_atomic
def create_evaluation(
    person: Person | None, data: Mapping[str, Any], *, now: dt.datetime | None = None
) -> Evaluation:
    """A draft evaluation. ``data``: application (id of one of the person's agency; the
    operator's and a superuser's: any), period_start, period_end (dates or ISO text), case
    (optional: the application's SOP 001 case whose f.1 is active)."""
    problems: list[ServiceError] = []
    pk = _id(data.get("application"))
    application = Application.objects.filter(pk=pk).first() if pk is not None else None
    if (
        application is not None
        and not (person is None or catalog_services.is_superuser(person))
        and person.agency_id != application.agency_id
    ):
        application = None
    if application is None:
        if person is not None and person.vendor_id is not None:
            raise NotAllowed(_("Only the IT unit's staff evaluate the agency's applications."))
        problems.append(ServiceError("not_found", _("No such application."), field="application"))
    else:
        _keeper(person, application.agency_id)
    start, end = _period(data, problems)
    case = _case(data.get("case"), application, problems) if application is not None else None
    _raise(problems)
    assert application is not None and person is not None
    return Evaluation.objects.create(
        agency_id=application.agency_id,
        application=application,
        period_start=start,
        period_end=end,
        case=case,
        created_by=person,
        created_at=now or timezone.now(),
    )


def compute(evaluation: Evaluation) -> dict[str, sections.Section]:
    return sections.compute(evaluation.application, evaluation.period_start, evaluation.period_end)


def figures_of(evaluation: Evaluation) -> dict[str, sections.Section]:
    """The page's sections: kept ones for a concluded evaluation, computed now for a draft."""
    if evaluation.status == EvaluationStatus.CONCLUDED:
        kept = evaluation.figures.get("sections") if isinstance(evaluation.figures, dict) else None
        out: dict[str, sections.Section] = {}
        for key, data in (kept or {}).items() if isinstance(kept, dict) else ():
            section = sections.Section.from_json(data)
            if section is not None:
                out[str(key)] = section
        return out
    return compute(evaluation)


def _frozen(evaluation: Evaluation, at: dt.datetime) -> dict[str, Any]:
    """The sections as they stand, worded in Indonesian whatever the language of the person
    who keeps them: the kept figures are the record's, read alike by everyone."""
    with translation.override("id"):
        sections = {key: s.as_json() for key, s in compute(evaluation).items()}
    return {"computed_at": at.isoformat(), "sections": sections}


@_atomic
def refresh(
    person: Person | None, evaluation_id: object, *, now: dt.datetime | None = None
) -> Evaluation:
    """A draft's figures computed again and kept as a snapshot."""
    evaluation = _locked(person, evaluation_id)
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ServiceError(
            "concluded", _("A concluded evaluation keeps its figures."), field="status"
        )
    evaluation.figures = _frozen(evaluation, now or timezone.now())
    evaluation.save(update_fields=["figures"])
    return evaluation


@_atomic
def conclude(
    person: Person | None,
    evaluation_id: object,
    conclusion: object,
    reasoning: object,
    *,
    case: object = None,
    now: dt.datetime | None = None,
) -> Evaluation:
    """The unit's conclusion (keep, improve or retire) with its reasoning: the figures are
    kept as they are now; ``case`` (optional, else the one given at creation) ties it to the
    application's SOP 001 case whose f.1 is active."""
    evaluation = _locked(person, evaluation_id)
    assert person is not None
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ServiceError("concluded", _("This evaluation is concluded already."), field="status")
    problems: list[ServiceError] = []
    if conclusion not in Conclusion.values:
        problems.append(
            ServiceError(
                "invalid",
                _("Choose the conclusion: %(items)s") % {"items": ", ".join(Conclusion.values)},
                field="conclusion",
            )
        )
    text = reasoning.strip() if isinstance(reasoning, str) else ""
    if not text:
        problems.append(
            ServiceError("required", _("Write the reasoning of the conclusion."), field="reasoning")
        )
    elif len(text) > MAX_REASONING:
        problems.append(
            ServiceError(
                "too_long",
                _("At most %(count)s characters.") % {"count": MAX_REASONING},
                field="reasoning",
            )
        )
    tied = _case(case, evaluation.application, problems) if case not in (None, "") else None
    _raise(problems)
    at = now or timezone.now()
    evaluation.status = EvaluationStatus.CONCLUDED
    evaluation.conclusion = str(conclusion)
    evaluation.reasoning = text
    evaluation.figures = _frozen(evaluation, at)
    if tied is not None:
        evaluation.case = tied
    evaluation.concluded_by = person
    evaluation.concluded_at = at
    evaluation.save()
    return evaluation


@_atomic
def delete_evaluation(person: Person | None, evaluation_id: object) -> None:
    """A draft deleted (a concluded evaluation is kept)."""
    evaluation = _locked(person, evaluation_id)
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ServiceError("concluded", _("A concluded evaluation is kept."), field="status")
    evaluation.delete()
