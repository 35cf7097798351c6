"""The screens of test runs and findings (/pengujian/...), phone first: a UAT tester from the
requesting unit sees the runs they may test, goes through the scenarios one at a time and
records a verdict with a photo in two taps (the photo button, then a verdict button).

Reads go through :mod:`laksana.quality.queries`: a run the person may not see (another unit's
UAT, another agency's) is a 404, the same as a missing one, and so are its scenarios, findings
and evidence. Writes call :mod:`laksana.quality.runs` and :mod:`laksana.quality.findings`; a
refusal is shown next to the input it concerns (or as a message), never as a server error.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from laksana.cases import authority
from laksana.cases.models import Case, CaseStep
from laksana.cases.queries import visible_cases
from laksana.cases.views import _serve
from laksana.catalog.models import Environment
from laksana.errors import ServiceError
from laksana.org.models import Person
from laksana.quality import findings, queries, reports, runs
from laksana.quality.forms_runs import (
    CloseForm,
    FindingForm,
    NoteForm,
    RetestForm,
    StartForm,
    VerdictForm,
    participant_rows,
    participants_of,
)
from laksana.quality.models import (
    Evidence,
    Finding,
    FindingStatus,
    RunItem,
    RunStatus,
    ScenarioSet,
    TestRun,
    Verdict,
)
from laksana.web.middleware import current_person
from laksana.web.params import MAX_ID, record_id

# The verdict buttons' words (Lulus, Gagal, Diblokir, Tidak dijalankan), in the order shown.
VERDICT_BUTTONS = (
    (Verdict.PASSED, pgettext_lazy("verdict button", "Passed")),
    (Verdict.FAILED, pgettext_lazy("verdict button", "Failed")),
    (Verdict.BLOCKED, pgettext_lazy("verdict button", "Blocked")),
    (Verdict.NOT_RUN, pgettext_lazy("verdict button", "Not run")),
)
RECENT_RUNS = 30
TO_TEST = 50
# Evidence shown in the browser; any other file (an SVG included) is downloaded.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


# --- lookups ----------------------------------------------------------------------------------


def _person(request: HttpRequest) -> Person:
    """The signed-in person; an account without one sees no runs (404, like a missing run)."""
    person = current_person(request)
    if person is None:
        raise Http404
    return person


def _run(request: HttpRequest, pk: int) -> tuple[Person, TestRun]:
    """The run if the person may see it; 404 otherwise (the same as a run that does not
    exist), whatever the id."""
    person = _person(request)
    run = (
        TestRun.objects.select_related(
            "case", "application", "environment", "scenario_set", "document", "retest_of", "step"
        )
        .filter(pk=pk if pk <= MAX_ID else 0, agency_id=person.agency_id)
        .first()
    )
    if run is None or not queries.may_see_run(person, run):
        raise Http404
    return person, run


def _refuse(form: Any, exc: ServiceError) -> None:
    """Put a service's refusal on the form: next to the field it names, else on top."""
    name = (exc.field or "").removesuffix("_id")
    field = name if name in form.fields else None
    form.add_error(field, exc.message)


def _refused(request: HttpRequest, exc: ServiceError, url: str) -> HttpResponse:
    """A refusal of someone who is shown no form to correct: back, with the reason."""
    messages.error(request, exc.message)
    return redirect(url)


def _with_progress(qs: QuerySet[TestRun]) -> QuerySet[TestRun]:
    return qs.select_related("case", "application", "environment").annotate(
        total=Count("items", distinct=True),
        done=Count("items", filter=~Q(items__verdict=""), distinct=True),
    )


def _next_pending(run: TestRun, after: int = 0) -> RunItem | None:
    """The next scenario without a verdict after position ``after`` (wrapping round)."""
    pending = run.items.filter(verdict="").order_by("position")
    return pending.filter(position__gt=after).first() or pending.first()


def _item_url(run: TestRun, position: int) -> str:
    return reverse("quality:item", args=[run.pk, position])


def _run_url(run: TestRun) -> str:
    return reverse("quality:run", args=[run.pk])


def _people(run: TestRun) -> QuerySet[Person]:
    """Who may own a finding: the people of the run's agency."""
    return Person.objects.filter(agency_id=run.agency_id).select_related("unit").order_by("name")


# --- my runs ----------------------------------------------------------------------------------


@login_required
@require_safe
def my_runs(request: HttpRequest) -> HttpResponse:
    """Pengujian saya: the open runs the person may test first, then recent runs they may see."""
    person = current_person(request)
    to_test: list[TestRun] = []
    recent: list[TestRun] = []
    if person is not None:
        to_test = list(
            _with_progress(queries.runs_to_test(person)).order_by("-opened_at")[:TO_TEST]
        )
        seen = [r.pk for r in to_test]
        recent = list(
            _with_progress(queries.visible_runs(person).exclude(pk__in=seen)).order_by(
                "-opened_at"
            )[:RECENT_RUNS]
        )
    return render(
        request,
        "quality/runs/list.html",
        {
            "to_test": to_test,
            "recent": recent,
            "no_person": person is None,
            "reads_reports": reports.may_read(request.user, person),
        },
    )


# --- starting a run ---------------------------------------------------------------------------


def _start_target(request: HttpRequest) -> tuple[Person, Case, CaseStep, str, str]:
    """The case step and artifact of ``?step=&artifact=``: 404 unless the step is of a case
    the person may see and the artifact one of its outputs that a run produces."""
    person = _person(request)
    params = request.POST if request.method == "POST" else request.GET
    step_id = record_id(params.get("step") or request.GET.get("step", ""))
    artifact = str(params.get("artifact") or request.GET.get("artifact", ""))
    row = (
        CaseStep.objects.select_related("case", "case__version", "case__application")
        .filter(pk=step_id or 0, case__in=visible_cases(request.user))
        .first()
    )
    if row is None:
        raise Http404
    case = row.case
    spec = case.version.spec
    try:
        step = spec.step(row.step_key)
        art = spec.artifact(artifact)
    except (KeyError, LookupError, ValueError):
        raise Http404 from None
    kind = runs.KIND_OF_TYPE.get(art.type)
    if artifact not in step.produces or kind is None:
        raise Http404
    return person, case, row, artifact, str(kind)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The form that starts a run for a step's minutes or report (the step form links here)."""
    person, case, row, artifact, kind = _start_target(request)
    decision = authority.may_work(person, case, row)
    if not decision.allowed:
        messages.error(
            request,
            decision.explain(_("You may not work this step, so you cannot start its test.")),
        )
        return redirect("cases:detail", case.reference)
    sets = ScenarioSet.objects.filter(
        agency_id=case.agency_id, application_id=case.application_id or 0, archived=False
    ).order_by("name", "pk")
    environments = Environment.objects.filter(application_id=case.application_id or 0)
    earlier = case.test_runs.filter(artifact_key=artifact).exclude(status=RunStatus.OPEN)
    open_runs = list(
        case.test_runs.filter(
            step=row, artifact_key=artifact, status__in=(RunStatus.OPEN, RunStatus.CLOSED)
        )
    )
    form = StartForm(
        request.POST if request.method == "POST" else None,
        sets=sets,
        environments=environments,
        earlier=earlier,
        initial=_start_initial(case, artifact),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = runs.start_run(
                    person,
                    row.pk,
                    artifact,
                    scenario_set_id=data["scenario_set"].pk,
                    app_version=data["app_version"],
                    environment_id=data["environment"].pk if data["environment"] else None,
                    url=data["url"],
                    place=data["place"],
                    retest_of_id=data["retest_of"].pk if data["retest_of"] else None,
                )
            except ServiceError as exc:
                _refuse(form, exc)
            else:
                messages.success(request, _("The test has started."))
                first = _next_pending(run)
                return redirect(_item_url(run, first.position) if first else _run_url(run))
        status = 422
    return render(
        request,
        "quality/runs/start.html",
        {
            "case": case,
            "step": row,
            "artifact": artifact,
            "kind": kind,
            "form": form,
            "has_sets": sets.exists(),
            "open_runs": open_runs,
        },
        status=status,
    )


def _start_initial(case: Case, artifact: str) -> dict[str, Any]:
    """The last run of the case for the artifact suggests version, environment and place."""
    last = case.test_runs.filter(artifact_key=artifact).order_by("-opened_at", "-pk").first()
    if last is None:
        return {}
    return {
        "app_version": last.app_version,
        "environment": last.environment_id,
        "url": last.url,
        "place": last.place,
        "scenario_set": last.scenario_set_id,
    }


# --- the run ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def run_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: what is tested, how far, the result the verdicts give so far and why, the
    scenarios with their verdicts, the findings; closing and reopening it."""
    person, run = _run(request, pk)
    close_form = CloseForm(initial={"place": run.place, "notes": run.notes})
    rows = participant_rows(run.participants if isinstance(run.participants, list) else [])
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reopen":
            try:
                runs.reopen_run(person, run.pk)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The test is open again."))
            return redirect(_run_url(run))
        if action != "close":
            messages.error(request, _("Choose what to do."))
            return redirect(_run_url(run))
        close_form = CloseForm(request.POST)
        rows = participant_rows(participants_of(request.POST))
        if close_form.is_valid():
            try:
                runs.close_run(
                    person,
                    run.pk,
                    place=close_form.cleaned_data["place"],
                    participants=participants_of(request.POST),
                    notes=close_form.cleaned_data["notes"],
                )
            except ServiceError as exc:
                if not queries.may_test(person, run):
                    return _refused(request, exc, _run_url(run))
                _refuse(close_form, exc)
            else:
                messages.success(request, _("The test is closed and its minutes are drafted."))
                return redirect(_run_url(run))
        status = 422
    items = list(run.items.order_by("position"))
    done = sum(1 for i in items if i.verdict)
    first = next((i for i in items if not i.verdict), None)
    can_test = queries.may_test(person, run)
    return render(
        request,
        "quality/runs/run.html",
        {
            "run": run,
            "items": items,
            "done": done,
            "total": len(items),
            "first_pending": first,
            "outcome": runs.preview(run),
            "findings": list(run.findings.select_related("owner", "item").order_by("number")),
            "can_test": can_test,
            "can_reopen": run.status == RunStatus.CLOSED and _works_step(person, run),
            "close_form": close_form,
            "participants": rows,
            "document": run.document,
        },
        status=status,
    )


def _works_step(person: Person, run: TestRun) -> bool:
    """Whether the person may work the run's step now (who may reopen a closed run)."""
    return bool(authority.may_work(person, run.case, run.step).allowed)


# --- one scenario at a time -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def item_view(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """One scenario of a run: its text, and the verdict buttons. A verdict button submits the
    form with the photo taken; then the next scenario without a verdict opens (after a Gagal,
    the offer to record a finding first)."""
    person, run = _run(request, pk)
    item = run.items.filter(position=position if position <= MAX_ID else 0).first()
    if item is None:
        raise Http404
    can_test = queries.may_test(person, run)
    form = VerdictForm(initial={"actual": item.actual})
    status = 200
    if request.method == "POST":
        remove = record_id(request.POST.get("remove_evidence", ""))
        if remove is not None:
            try:
                runs.remove_evidence(person, remove)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The file was removed."))
            return redirect(_item_url(run, item.position))
        form = VerdictForm(request.POST)
        if form.is_valid():
            verdict = form.cleaned_data["verdict"]
            try:
                runs.record_verdict(
                    person,
                    item.pk,
                    verdict,
                    actual=form.cleaned_data["actual"],
                    files=request.FILES.getlist("photo"),
                )
            except ServiceError as exc:
                if not can_test:
                    return _refused(request, exc, _item_url(run, item.position))
                _refuse(form, exc)
            else:
                label = dict(VERDICT_BUTTONS)[verdict]
                messages.success(
                    request,
                    _("%(number)s: %(verdict)s recorded.")
                    % {"number": item.number, "verdict": label},
                )
                if verdict == Verdict.FAILED:
                    return redirect(_item_url(run, item.position) + "?gagal=1")
                following = _next_pending(run, item.position)
                if following is None:
                    messages.info(request, _("Every scenario has a verdict."))
                    return redirect(_run_url(run))
                return redirect(_item_url(run, following.position))
        status = 422
    positions = list(run.items.order_by("position").values_list("position", flat=True))
    at = positions.index(item.position)
    following = _next_pending(run, item.position)
    return render(
        request,
        "quality/runs/item.html",
        {
            "run": run,
            "item": item,
            "form": form,
            "can_test": can_test,
            "index": at + 1,
            "total": len(positions),
            "previous": positions[at - 1] if at > 0 else None,
            "next": positions[at + 1] if at + 1 < len(positions) else None,
            "next_pending": following if following and following.pk != item.pk else None,
            "evidence": list(item.evidence.order_by("pk")),
            "findings": list(item.findings.order_by("number")),
            "failed_now": request.GET.get("gagal") == "1" and item.verdict == Verdict.FAILED,
            "verdicts": VERDICT_BUTTONS,
        },
        status=status,
    )


# --- findings ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def finding_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a finding on a run (``?item=<id>``: on one of its scenarios, as after a Gagal)."""
    person, run = _run(request, pk)
    item_id = record_id(request.POST.get("item") or request.GET.get("item", ""))
    item = run.items.filter(pk=item_id).first() if item_id else None
    initial: dict[str, Any] = {}
    if item is not None:
        initial = {"title": f"{item.number} {item.title}"[:300], "description": item.actual}
    form = FindingForm(
        request.POST if request.method == "POST" else None, people=_people(run), initial=initial
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                found = findings.add_finding(
                    person,
                    run.pk,
                    severity=data["severity"],
                    title=data["title"],
                    description=data["description"],
                    item_id=item.pk if item else None,
                    owner_id=data["owner"].pk if data["owner"] else None,
                    due=data["due"],
                )
            except ServiceError as exc:
                if not queries.may_test(person, run):
                    return _refused(request, exc, _run_url(run))
                _refuse(form, exc)
            else:
                messages.success(
                    request, _("Finding T-%(number)s recorded.") % {"number": found.number}
                )
                following = _next_pending(run, item.position) if item else None
                return redirect(_item_url(run, following.position) if following else _run_url(run))
        status = 422
    return render(
        request,
        "quality/runs/finding_new.html",
        {"run": run, "item": item, "form": form, "can_test": queries.may_test(person, run)},
        status=status,
    )


FINDING_ACTIONS = ("update", "fixed", "retest", "accept", "problem")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def finding_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding: its facts (edited), marked fixed, its retest, a risk accepted, or a problem
    case opened for it."""
    person = _person(request)
    found = (
        Finding.objects.select_related("run", "item", "owner", "problem_case")
        .filter(pk=pk if pk <= MAX_ID else 0, agency_id=person.agency_id)
        .first()
    )
    if found is None:
        raise Http404
    person, run = _run(request, found.run_id)
    can_test = queries.may_test(person, run)
    initial = {
        "severity": found.severity,
        "title": found.title,
        "description": found.description,
        "owner": found.owner_id,
        "due": found.due,
    }
    forms: dict[str, Any] = {
        "update": FindingForm(initial=initial, people=_people(run), facts=can_test, prefix="edit"),
        "fixed": NoteForm(prefix="fixed"),
        "retest": RetestForm(prefix="retest"),
        "accept": NoteForm(prefix="accept"),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in FINDING_ACTIONS:
            messages.error(request, _("Choose what to do."))
            return redirect("quality:finding", found.pk)
        if action == "problem":
            try:
                case = findings.open_problem_case(person, found.pk)
            except ServiceError as exc:
                messages.error(request, exc.message)
                return redirect("quality:finding", found.pk)
            messages.success(request, _("A problem case was opened for the finding."))
            return redirect("cases:detail", case.reference)
        form = _bound(action, request, run, initial, facts=can_test)
        forms[action] = form
        if form.is_valid():
            try:
                _act(action, person, found, form.cleaned_data, facts=can_test)
            except ServiceError as exc:
                if not findings.may_follow_up(person, run, found):
                    return _refused(request, exc, reverse("quality:finding", args=[found.pk]))
                _refuse(form, exc)
            else:
                messages.success(request, _("The finding was saved."))
                return redirect("quality:finding", found.pk)
        status = 422
    return render(
        request,
        "quality/runs/finding.html",
        {
            "run": run,
            "finding": found,
            "forms": forms,
            "may_act": findings.may_follow_up(person, run, found),
            "can_test": can_test,
            "can_fix": found.status == FindingStatus.OPEN,
            "can_retest": found.status == FindingStatus.FIXED,
            "is_open": found.is_open,
        },
        status=status,
    )


def _bound(
    action: str, request: HttpRequest, run: TestRun, initial: dict[str, Any], *, facts: bool
) -> Any:
    if action == "update":
        return FindingForm(
            request.POST, people=_people(run), facts=facts, initial=initial, prefix="edit"
        )
    if action == "retest":
        return RetestForm(request.POST, prefix="retest")
    return NoteForm(request.POST, prefix=action)


def _act(action: str, person: Person, found: Finding, data: dict[str, Any], *, facts: bool) -> None:
    """Carry out a finding's action. ``facts``: the person may test the run, so severity,
    title and description are sent too (others change only the owner and the date)."""
    if action == "update":
        owner_id = data["owner"].pk if data["owner"] else None
        if facts:
            findings.update_finding(
                person,
                found.pk,
                severity=data["severity"],
                title=data["title"],
                description=data["description"],
                owner_id=owner_id,
                due=data["due"],
            )
        else:
            findings.update_finding(person, found.pk, owner_id=owner_id, due=data["due"])
    elif action == "fixed":
        findings.mark_fixed(person, found.pk, note=data["note"])
    elif action == "retest":
        findings.record_retest(person, found.pk, data["result"], note=data["note"])
    else:
        findings.accept_risk(person, found.pk, note=data["note"])


# --- evidence ---------------------------------------------------------------------------------


@login_required
@require_safe
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, only for those who may see its run. Photos open in the browser; any
    other file is downloaded; either way it may run nothing."""
    person = _person(request)
    found = (
        Evidence.objects.select_related("item__run")
        .filter(pk=pk if pk <= MAX_ID else 0, item__run__agency_id=person.agency_id)
        .first()
    )
    if found is None or not queries.may_see_run(person, found.item.run):
        raise Http404
    inline = found.content_type in INLINE_TYPES
    return _serve(found.file, found.content_type, found.original_name, inline=inline)


# --- the case page's panel ----------------------------------------------------------------------


def case_panel(person: Person | None, case: Case) -> tuple[str, dict[str, Any]] | None:
    """The case's test runs on its page (registered with :mod:`laksana.cases.panels`): each
    with its status and result, for whoever may see it. Nothing when there is none."""
    if person is None:
        return None
    shown = list(_with_progress(case.test_runs.all()).order_by("opened_at", "pk"))
    # Every run of the case is seen as its case is (queries.may_see_run): asked once.
    if not shown or not queries.may_see_run(person, shown[0]):
        return None
    return ("quality/runs/_case_panel.html", {"case": case, "runs": shown})


urlpatterns: list[URLPattern] = [
    path("", my_runs, name="runs"),
    path("mulai/", start, name="start"),
    path("uji/<int:pk>/", run_view, name="run"),
    path("uji/<int:pk>/skenario/<int:position>/", item_view, name="item"),
    path("uji/<int:pk>/temuan/baru/", finding_new, name="finding_new"),
    path("temuan/<int:pk>/", finding_view, name="finding"),
    path("bukti/<int:pk>/", evidence_file, name="evidence"),
]
