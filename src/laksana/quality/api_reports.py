"""The testing module's reports and security checklist in the API.

* ``GET /quality-reports``: the figures of every application of the caller's agency;
* ``GET /quality-reports/{application_id}``: one application's (404 for another agency's);
* ``GET /security-checklist``: the shipped OWASP ASVS 4.0.3 level 1 checklist;
* ``POST /security-checklist``: install it as a security scenario set of an application.

The figures are :mod:`laksana.quality.reports`'s, read as on the screen: by the agency's
own staff (403 for requesting units and vendors). Installing is
:func:`laksana.quality.security.install_checklist` (the agency's catalogue keepers).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from laksana.api.auth import acting_person, caller
from laksana.api.errors import ApiError, not_found, responses
from laksana.api.types import Id, Out, PathId
from laksana.catalog.models import Application
from laksana.quality import reports, security

router = Router(tags=["testing"])


class VersionRateOut(Out):
    version: str
    runs: int
    passed: int
    executed: int
    pass_rate: float | None  # passed / executed, 0..1; null when nothing was executed


class FixTimeOut(Out):
    fixed: int  # findings fixed or closed (not accepted risks)
    median_days: float | None
    mean_days: float | None


class KindRunsOut(Out):
    kind: str  # sit, uat, keamanan
    total: int
    results: dict[str, int]  # diterima, diterima_dengan_catatan, ditolak, berjalan (open)


class QualityReportOut(Out):
    """One application's testing figures."""

    application_id: int
    application: str
    versions: list[VersionRateOut]
    open_findings: int
    open_by_severity: dict[str, int]  # kritis, tinggi, sedang, rendah, info
    open_by_age: dict[str, int]  # "0-7", "8-30", "31-90", ">90" days
    fix_time: FixTimeOut
    runs: list[KindRunsOut]


class ChecklistItemOut(Out):
    number: str
    title: str
    requirement: str
    preconditions: str
    steps: str
    expected: str
    priority: str


class ChecklistOut(Out):
    name: str
    description: str
    items: list[ChecklistItemOut]


class InstallIn(Schema):
    model_config = ConfigDict(extra="forbid")

    application_id: Id


class InstalledOut(Out):
    set_id: int
    name: str
    scenarios: int
    revision: int


def _refuse_reader(request: HttpRequest) -> None:
    who = caller(request)
    if not reports.may_read(who.user, who.person):
        raise ApiError(403, "not_allowed", _("The reports are for the agency's own staff."))


def _out(report: reports.ApplicationReport) -> QualityReportOut:
    return QualityReportOut.model_validate(reports.as_data(report))


@router.get("/quality-reports", response={200: list[QualityReportOut], **responses(403)})
def list_reports(request: HttpRequest) -> list[QualityReportOut]:
    """The testing figures of every application of the caller's agency."""
    _refuse_reader(request)
    who = caller(request)
    return [_out(r) for r in reports.reports_for(reports.applications_of(who.user, who.person))]


@router.get(
    "/quality-reports/{application_id}",
    response={200: QualityReportOut, **responses(403, 404, 422)},
)
def get_report(request: HttpRequest, application_id: PathId) -> QualityReportOut:
    """One application's testing figures: pass rate per version, open findings by severity
    and age, time to fix, runs by kind and result."""
    who = caller(request)
    if not reports.application_in_scope(who.user, who.person, application_id):
        raise not_found()
    _refuse_reader(request)
    return _out(reports.report_of(Application.objects.get(pk=application_id)))


@router.get("/security-checklist", response={200: ChecklistOut, **responses()})
def get_checklist(request: HttpRequest) -> ChecklistOut:
    """The shipped OWASP ASVS 4.0.3 level 1 checklist (the items checkable by hand)."""
    shipped = security.checklist()
    return ChecklistOut(
        name=shipped.name,
        description=shipped.description,
        items=[
            ChecklistItemOut(
                number=s.number,
                title=s.title,
                requirement=s.requirement,
                preconditions=s.preconditions,
                steps=s.steps,
                expected=s.expected,
                priority=str(s.priority),
            )
            for s in shipped.scenarios
        ],
    )


@router.post("/security-checklist", response={201: InstalledOut, **responses(400, 403, 404, 422)})
def install_checklist(request: HttpRequest, payload: InstallIn) -> Status[InstalledOut]:
    """Install the checklist as a new security scenario set of an application of the
    caller's agency (its catalogue keepers)."""
    person = acting_person(request)
    made = security.install_checklist(person, payload.application_id)
    return Status(
        201,
        InstalledOut(
            set_id=made.pk,
            name=made.name,
            scenarios=made.scenarios.count(),
            revision=made.revision,
        ),
    )
