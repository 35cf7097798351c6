"""Case screens: inbox, opening a case, the case page with its step form and disposition
form, files, lists and notifications.

Reads go through the visibility gate (:mod:`laksana.cases.queries`): a case the user may not
see is a 404, the same as a missing one. Writes call :mod:`laksana.cases.services` and show a
refusal's message next to the input it concerns, with everything entered kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.cases import (
    assign_views,
    authority,
    chosen_actors,
    display,
    inbox,
    jointsteps,
    services,
    stepform,
    vendors,
)
from laksana.cases.models import (
    OPEN_DISPOSITION,
    Attachment,
    Case,
    CaseStatus,
    CaseStep,
    Disposition,
    DispositionStatus,
    Notification,
    StepStatus,
    Urgency,
)
from laksana.cases.panels import panels_for
from laksana.cases.queries import ListScope, first_visible, of_procedure, visible_cases
from laksana.catalog.queries import applications_of, visible_applications
from laksana.engine.spec import FieldType, ProcedureSpec, Step
from laksana.org.models import ActorBinding, DispositionInstruction, Person, Unit
from laksana.procedures.models import ProcedureVersion, kept_version
from laksana.procedures.services import latest_versions
from laksana.web.middleware import current_person
from laksana.web.params import record_id
from laksana.worktime.services import calendar_for

PAGE_SIZE = 25
NOTIFICATIONS_SHOWN = 50


def _person(request: HttpRequest) -> Person:
    """The signed-in person; an account without a person record cannot act on cases."""
    person = current_person(request)
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    return person


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _visible_case(request: HttpRequest, reference: str) -> Case:
    case = (
        visible_cases(request.user)
        .select_related("agency", "version", "requesting_unit", "application", "opened_by")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        # The same answer whether the case does not exist or may not be seen.
        raise Http404
    return case


def _detail_url(case: Case, anchor: str = "") -> str:
    url = reverse("cases:detail", args=[case.reference])
    return f"{url}#{anchor}" if anchor else url


# --- inbox -----------------------------------------------------------------------------------


@login_required
@require_safe
def inbox_view(request: HttpRequest) -> HttpResponse:
    """My inbox: steps offered to me, steps I claimed, dispositions to me, notifications."""
    person = current_person(request)
    if person is None:
        return render(request, "cases/inbox.html", {"no_person": True})
    offered = inbox.step_items(inbox.offered_steps(person, request.user))
    claimed = inbox.step_items(inbox.claimed_steps(person))
    dispositions = inbox.disposition_items(inbox.open_dispositions(person))
    notifications = list(Notification.objects.filter(person=person).select_related("case")[:10])
    return render(
        request,
        "cases/inbox.html",
        {
            "offered": offered,
            "claimed": claimed,
            "dispositions": dispositions,
            "notifications": notifications,
            "now": timezone.now(),
        },
    )


# --- opening a case -------------------------------------------------------------------------


def _openable_versions(person: Person) -> list[ProcedureVersion]:
    """The newest version of each procedure the person's agency has published and set up
    (bound actors); every one it has published when it has bound none yet."""
    versions = latest_versions(person.agency_id)
    bound = set(
        ActorBinding.objects.filter(agency_id=person.agency_id).values_list(
            "procedure_key", flat=True
        )
    )
    return [v for v in versions if v.procedure_key in bound] or versions


def _procedure_choices(user: Any, person: Person | None) -> list[ProcedureVersion]:
    """The procedures the case list's filter offers: the person's agency's (every agency's
    for the superuser, one entry per key)."""
    if person is None and getattr(user, "is_superuser", False):
        newest = {
            v.procedure_key: v
            for v in ProcedureVersion.objects.only("procedure_key", "title").order_by(
                "procedure_key", "number"
            )
        }
        return list(newest.values())
    return latest_versions(person.agency_id if person is not None else None, "title")


@login_required
def open_view(request: HttpRequest) -> HttpResponse:
    """Open a case: procedure, title, description and optionally the application."""
    person = _person(request)
    versions = _openable_versions(person)
    # A vendor's employee is offered only the applications under the vendor's contracts.
    applications = list(applications_of(person).filter(agency_id=person.agency_id))
    values: dict[str, str] = {
        "version": str(versions[0].pk) if len(versions) == 1 else "",
        "title": "",
        "description": "",
        "application": "",
    }
    errors: dict[str, str] = {}
    # The people who may be chosen for an actor chosen when a case opens (kind "chosen").
    with_chosen = any(chosen_actors.chosen_actors(v) for v in versions)
    candidates = chosen_actors.candidates(person.agency_id) if with_chosen else []
    chosen: dict[str, Person] = {}
    chosen_values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: str(request.POST.get(k, "")).strip() for k in values}
        version = next((v for v in versions if str(v.pk) == values["version"]), None)
        if version is not None:
            chosen, chosen_values, chosen_errors = assign_views.read_chosen(
                request, version, candidates
            )
            errors.update(chosen_errors)
        application = next((a for a in applications if str(a.pk) == values["application"]), None)
        if version is None:
            errors["version"] = _("Choose a procedure.")
        if values["application"] and application is None:
            errors["application"] = _("Choose an application from the list.")
        if not errors and version is not None:
            try:
                case = services.open_case(
                    person,
                    version,
                    values["title"],
                    values["description"],
                    application=application,
                    chosen=chosen,
                )
            except services.ServiceError as exc:
                errors[assign_views.error_field(version, exc.field)] = exc.message
            else:
                messages.success(
                    request,
                    _("Case %(reference)s is open.") % {"reference": case.reference},
                )
                return redirect(_detail_url(case))
    return render(
        request,
        "cases/open.html",
        {
            "versions": versions,
            "applications": applications,
            "values": values,
            "errors": errors,
            "unit": person.unit,
            "chosen_fields": assign_views.chosen_fields(versions, chosen_values, errors),
            "candidates": candidates,
        },
        status=422 if errors else 200,
    )


# --- the case page ----------------------------------------------------------------------------


@dataclass
class StepPanel:
    """An active step on the case page: who holds it, and its form when the user may work it."""

    row: CaseStep
    step: Step
    actor_name: str
    holder_names: Sequence[str]
    can_work: bool
    can_claim: bool
    can_release: bool = False
    can_take_over: bool = False
    can_reassign: bool = False  # a superior of its holder (Alihkan)
    reassign_to: list[Person] = field(default_factory=list)
    inputs: list[stepform.ArtifactInput] = field(default_factory=list)
    provided: list[tuple[str, list[Attachment]]] = field(default_factory=list)
    sent: list[Disposition] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    note: str = ""
    clock: display.StepClock | None = None
    hold_reason: str = ""  # what was entered in a refused hold form
    hold_error: str = ""
    # A joint step: each actor's part, with who confirmed it ("" while not), and whether the
    # user may confirm a part of theirs now.
    parts: list[tuple[str, str]] = field(default_factory=list)
    can_confirm: bool = False


@dataclass
class FormState:
    """What was entered in a refused form, and the messages per input."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str | None, message: str) -> None:
        self.errors.setdefault(name or "general", []).append(message)


def _people_choices(case: Case) -> list[tuple[str, str]]:
    return [
        (str(pk), name)
        for pk, name in Person.objects.filter(agency_id=case.agency_id)
        .order_by("name")
        .values_list("pk", "name")
    ]


def _needs_people(spec: ProcedureSpec, step: Step) -> bool:
    return any(
        f.type is FieldType.PERSON
        for key in (*step.requires, *step.produces)
        for f in spec.artifact(key).fields
    )


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    step_states: Mapping[int, tuple[dict[str, str], dict[str, list[str]], list[str]]] | None = None,
    hold_states: Mapping[int, tuple[str, str]] | None = None,
    dispose_state: FormState | None = None,
    comment_state: FormState | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the case page; a refused form's state is passed in to be shown again."""
    person = current_person(request)
    spec = case.version.spec
    on_case: dict[str, Any] = case.state.get("artifacts", {})
    rows = list(case.steps.select_related("claimed_by", "completed_by", "assigned_to"))
    dispositions = list(
        case.dispositions.select_related("sender", "recipient", "step").order_by("created_at", "pk")
    )
    attachments = list(case.attachments.select_related("uploaded_by", "step"))
    running = case.status == CaseStatus.RUNNING
    calendar = calendar_for(case.agency)
    now = timezone.now()
    # A vendor's employee outside its contracts' periods reads the case and works nothing.
    read_only = person is not None and not vendors.may_act(person, case)

    panels: list[StepPanel] = []
    holder_names: dict[int, list[str]] = {}
    below: set[int] | None = None  # the person's subordinates, read once when needed
    for row in rows:
        if row.status != StepStatus.ACTIVE:
            continue
        step = spec.step(row.step_key)
        if row.assigned_to is not None:
            # Reassigned by a superior: that person only.
            people = [(row.assigned_to.pk, row.assigned_to.name)]
        else:
            people = [(p.pk, p.name) for p in jointsteps.step_holders(case, row)]
        holder_names[row.pk] = [name for _pk, name in people]
        panel = StepPanel(
            row=row,
            step=step,
            actor_name=spec.actor(step.actor).name,
            holder_names=holder_names[row.pk],
            can_work=False,
            can_claim=False,
            clock=display.step_clock(calendar, row, step, now),
        )
        panel.hold_reason, panel.hold_error = (hold_states or {}).get(row.pk, ("", ""))
        if person is not None and running and not read_only:
            # The buttons and the form follow the one rule the services enforce.
            actions = authority.step_actions(
                person,
                case,
                row,
                dispositions=dispositions,
                holder=any(pk == person.pk for pk, _name in people),
            )
            panel.can_work = bool(actions.work)
            panel.can_claim = bool(actions.claim)
            panel.can_release = bool(actions.release)
            panel.can_take_over = bool(actions.take_over)
            if below is None:
                below = person.subordinates_tree()
            if below and assign_views.may_reassign(person, case, row, below):
                panel.can_reassign = True
                panel.reassign_to = assign_views.reassign_choices(person, case, below)
        if step.joint:
            panel.parts, panel.can_confirm = jointsteps.panel_parts(person, case, row, running)
        if panel.can_work:
            entered, per_key, general = (step_states or {}).get(row.pk, ({}, {}, []))
            people_choices = _people_choices(case) if _needs_people(spec, step) else []
            panel.inputs = stepform.build_inputs(
                spec, step, on_case, people_choices, entered, per_key, case=case, row=row
            )
            panel.errors = general
            panel.note = entered.get("note", "")
            panel.provided = display.provided(case, step, attachments, dispositions)
            assert person is not None
            panel.sent = [
                d
                for d in dispositions
                if d.step_id == row.pk
                and d.sender_id == person.pk
                and d.status != DispositionStatus.WITHDRAWN
            ]
        panels.append(panel)

    context: dict[str, Any] = {
        "case": case,
        "spec": spec,
        "running": running,
        "case_clock": display.case_clock(calendar, case, now),
        "steps": display.step_lines(spec, rows, holder_names, calendar, now),
        "panels": panels,
        "chain": display.disposition_chain(spec, dispositions),
        "timeline": display.timeline(
            spec,
            list(case.journal.order_by("seq")),
            {d.pk: d for d in dispositions},
            {a.pk: a for a in attachments},
        ),
        "attachments": attachments,
        "comment_state": comment_state or FormState(),
        "urgencies": Urgency.choices,
        "end_label": spec.end(case.end_key).label if spec.is_end(case.end_key) else "",
        "read_only": read_only,
        # What domain modules (documents, ...) show of the case.
        "domain_panels": panels_for(person, case),
    }
    if person is not None and not read_only:
        context.update(_dispose_context(request, case, person, panels, dispositions, dispose_state))
        context["received"] = [
            d for d in dispositions if d.recipient_id == person.pk and d.status in OPEN_DISPOSITION
        ]
        context["can_remark"] = (
            person.vendor_id is not None
            or person.unit_id != case.requesting_unit_id
            or any(person.pk in (r.completed_by_id, r.claimed_by_id) for r in rows)
        )
    return render(request, "cases/detail.html", context, status=status)


def _dispose_context(
    request: HttpRequest,
    case: Case,
    person: Person,
    panels: Sequence[StepPanel],
    dispositions: Sequence[Disposition],
    state: FormState | None,
) -> dict[str, Any]:
    """The disposition form: recipients below the person, instructions, what it is about."""
    below = person.subordinates_tree()
    if not below or case.status != CaseStatus.RUNNING:
        return {"can_dispose": False}
    # Direct subordinates first: most dispositions go one level down.
    recipients = sorted(
        Person.objects.filter(pk__in=below).select_related("unit").prefetch_related("positions"),
        key=lambda p: (p.superior_id != person.pk, p.name),
    )
    targets: list[tuple[str, str]] = []
    preferred = ""
    for panel in panels:
        if panel.can_work:
            value = f"step:{panel.row.pk}"
            targets.append(
                (
                    value,
                    _("Step %(no)s: %(activity)s")
                    % {"no": panel.step.number, "activity": panel.step.activity[:80]},
                )
            )
            wants_disposition = any(
                case.version.spec.artifact(k).type == "disposition" for k in panel.step.produces
            )
            if wants_disposition and not preferred:
                preferred = value
    # A disposition of a step is forwarded only by someone who may work the step.
    workable = {panel.row.pk for panel in panels if panel.can_work}
    for d in dispositions:
        if (
            d.recipient_id == person.pk
            and d.status in OPEN_DISPOSITION
            and (d.step_id is None or d.step_id in workable)
        ):
            value = f"parent:{d.pk}"
            targets.append(
                (
                    value,
                    _("Forward the disposition of %(name)s: %(instruction)s")
                    % {"name": d.sender.name, "instruction": d.instruction[:80]},
                )
            )
            # What a recipient usually does with a disposition is pass it down.
            held = any(p.row.pk == d.step_id and p.row.claimed_by_id == person.pk for p in panels)
            if not held and not preferred.startswith("parent:"):
                preferred = value
    targets.append(("case", _("The whole case")))
    forward = request.GET.get("teruskan", "")
    if forward and any(t == f"parent:{forward}" for t, _label in targets):
        preferred = f"parent:{forward}"
    state = state or FormState()
    values: dict[str, Any] = {
        "target": preferred or targets[0][0],
        "recipients": [],
        "instruction": "",
        "instruction_text": "",
        "urgency": Urgency.BIASA,
        "deadline": "",
        "note": "",
    }
    values.update(state.values)
    return {
        "can_dispose": True,
        "dispose": {
            "recipients": recipients,
            "targets": targets,
            "instructions": list(
                DispositionInstruction.objects.filter(agency_id=case.agency_id).values_list(
                    "text", flat=True
                )
            ),
            "values": values,
            "errors": state.errors,
        },
    }


@login_required
@require_safe
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page. Opening it as a recipient marks my unread dispositions of the case read
    (and my notifications of it)."""
    case = _visible_case(request, reference)
    person = current_person(request)
    if person is not None:
        unread = Disposition.objects.filter(
            case=case, recipient=person, status=DispositionStatus.UNREAD
        ).values_list("pk", flat=True)
        for disposition_id in list(unread):
            services.mark_read(person, disposition_id)
        services.read_notifications(person, case_id=case.pk)
    return _case_page(request, case)


def _step_row(case: Case, step_id: int) -> CaseStep:
    row = case.steps.filter(pk=step_id).first()
    if row is None:
        raise Http404
    return row


def _step_action(
    request: HttpRequest,
    reference: str,
    step_id: int,
    act: Callable[[Person, int], object],
    done: str,
) -> HttpResponse:
    """One of a step's plain actions (claim, resume, release, take over): the service decides,
    its refusal or ``done`` (with the step's number as ``no``) is the message."""
    case = _visible_case(request, reference)
    person = _person(request)
    row = _step_row(case, step_id)
    try:
        act(person, row.pk)
    except services.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        step = case.version.spec.step(row.step_key)
        messages.success(request, done % {"no": step.number})
    return redirect(_detail_url(case, f"step-{row.pk}"))


@login_required
@require_POST
def claim(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """Take an offered step."""
    return _step_action(
        request, reference, step_id, services.claim_step, _("You took step %(no)s.")
    )


@login_required
@require_POST
def confirm(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """Confirm one's own part of a joint step."""
    return _step_action(
        request,
        reference,
        step_id,
        services.confirm_part,
        _("You confirmed your part of step %(no)s."),
    )


@login_required
@require_POST
def hold(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """Put a step on hold with a reason: its clock stops until it is resumed."""
    case = _visible_case(request, reference)
    person = _person(request)
    row = _step_row(case, step_id)
    reason = request.POST.get("reason", "").strip()
    try:
        services.hold_step(person, row.pk, reason)
    except services.ServiceError as exc:
        if exc.field == "reason":
            return _case_page(
                request, case, hold_states={row.pk: (reason, exc.message)}, status=422
            )
        messages.error(request, exc.message)
    else:
        step = case.version.spec.step(row.step_key)
        messages.success(
            request, _("Step %(no)s is on hold: its clock is stopped.") % {"no": step.number}
        )
    return redirect(_detail_url(case, f"step-{row.pk}"))


@login_required
@require_POST
def resume(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """Resume a step on hold: its clock runs again from where it stopped."""
    return _step_action(
        request, reference, step_id, services.resume_step, _("Step %(no)s is resumed.")
    )


@login_required
@require_POST
def release(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """The claimant gives a step back: it is offered to its holders again."""
    return _step_action(
        request, reference, step_id, services.release_step, _("You released step %(no)s.")
    )


@login_required
@require_POST
def take_over(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """A superior of the claimant takes the claimed step over."""
    return _step_action(
        request, reference, step_id, services.take_over_step, _("You took step %(no)s over.")
    )


@login_required
@require_POST
def complete(request: HttpRequest, reference: str, step_id: int) -> HttpResponse:
    """Complete a step with what its form holds. A refusal names every missing requirement
    and the form comes back with what was entered (over htmx: only the messages change, so
    chosen files stay chosen)."""
    case = _visible_case(request, reference)
    person = _person(request)
    row = _step_row(case, step_id)
    spec = case.version.spec
    step = spec.step(row.step_key)
    on_case = case.state.get("artifacts", {})
    sub = stepform.read_submission(spec, step, on_case, request.POST, request.FILES)
    try:
        services.complete_step(
            person,
            row.pk,
            values=sub.values,
            files=sub.files,
            outcome=sub.outcome,
            note=sub.note,
        )
    except services.ServiceError as exc:
        keys = stepform.pending_artifacts(spec, step, on_case)
        per_key, general = stepform.map_errors(exc, spec, keys)
        if _is_htmx(request):
            return render(
                request,
                "cases/_step_errors.html",
                {
                    "row": row,
                    "errors": general,
                    "inputs": stepform.build_inputs(
                        spec, step, on_case, errors=per_key, case=case, row=row
                    ),
                },
            )
        if sub.has_files:
            general.append(_("Files are not kept when a step is refused: choose them again."))
        return _case_page(
            request, case, step_states={row.pk: (sub.entered, per_key, general)}, status=422
        )
    messages.success(request, _("Step %(no)s is done.") % {"no": step.number})
    if _is_htmx(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = _detail_url(case)
        return response
    return redirect(_detail_url(case))


def _parse_deadline(text: str) -> dt.datetime | None:
    """A datetime-local value (or a date, meaning the end of the working day) in the user's
    time zone."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(16, 0))
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(text) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@login_required
@require_POST
def dispose(request: HttpRequest, reference: str) -> HttpResponse:
    """Send a disposition on the case, on an active step, or forward one received."""
    case = _visible_case(request, reference)
    person = _person(request)
    post = request.POST
    state = FormState(
        values={
            "target": post.get("target", "case"),
            "recipients": post.getlist("recipients"),
            "instruction": post.get("instruction", "").strip(),
            "instruction_text": post.get("instruction_text", "").strip(),
            "urgency": post.get("urgency", Urgency.BIASA),
            "deadline": post.get("deadline", "").strip(),
            "note": post.get("note", "").strip(),
        }
    )
    values = state.values
    step_id = parent_id = None
    kind, _sep, ident = str(values["target"]).partition(":")
    if kind in ("step", "parent") and record_id(ident) is not None:
        if kind == "step":
            step_id = record_id(ident)
        else:
            parent_id = record_id(ident)
    elif kind != "case":
        state.add("target", _("Choose what the disposition is about."))
    ids = [i for i in map(record_id, values["recipients"]) if i is not None]
    recipients = list(Person.objects.filter(pk__in=ids, agency_id=case.agency_id))
    if len(recipients) != len(set(ids)):
        state.add("recipients", _("Choose recipients from the list."))
    deadline = None
    try:
        deadline = _parse_deadline(str(values["deadline"]))
    except ValueError:
        state.add("deadline", _("Give the deadline as a date and time."))
    if not state.errors:
        try:
            sent = services.dispose(
                person,
                case.pk,
                recipients,
                str(values["instruction_text"] or values["instruction"]),
                step_id=step_id,
                urgency=str(values["urgency"]),
                deadline=deadline,
                note=str(values["note"]),
                parent_id=parent_id,
            )
        except services.ServiceError as exc:
            state.add(exc.field, exc.message)
        else:
            messages.success(
                request,
                _("Disposition sent to %(names)s.")
                % {"names": ", ".join(d.recipient.name for d in sent)},
            )
            return redirect(_detail_url(case, "disposisi"))
    return _case_page(request, case, dispose_state=state, status=422)


@login_required
@require_POST
def withdraw(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The sender takes back a disposition that is still unread."""
    case = _visible_case(request, reference)
    person = _person(request)
    if not case.dispositions.filter(pk=pk).exists():
        raise Http404
    try:
        services.withdraw(person, pk)
    except services.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The disposition was withdrawn."))
    return redirect(_detail_url(case, "disposisi"))


@login_required
@require_POST
def comment(request: HttpRequest, reference: str) -> HttpResponse:
    """A comment on the case, or (kind=remark) a daily journal remark by the staff."""
    case = _visible_case(request, reference)
    person = _person(request)
    text = request.POST.get("text", "")
    is_remark = request.POST.get("kind") == "remark"
    try:
        if is_remark:
            services.add_remark(person, case.pk, text)
        else:
            services.add_comment(person, case.pk, text)
    except services.ServiceError as exc:
        state = FormState(values={"text": text, "kind": "remark" if is_remark else "comment"})
        state.add("text", exc.message)
        return _case_page(request, case, comment_state=state, status=422)
    messages.success(
        request, _("The remark was written.") if is_remark else _("The comment was added.")
    )
    return redirect(_detail_url(case, "riwayat"))


@login_required
@require_POST
def upload(request: HttpRequest, reference: str) -> HttpResponse:
    """A file added to the case outside a step (more evidence, a photo)."""
    case = _visible_case(request, reference)
    person = _person(request)
    chosen = request.FILES.get("file")
    if chosen is None:
        messages.error(request, _("Choose a file."))
        return redirect(_detail_url(case, "berkas"))
    try:
        attachment = services.add_attachment(person, case.pk, chosen)
    except services.ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s was added.") % {"name": attachment.original_name})
    return redirect(_detail_url(case, "berkas"))


# --- files ------------------------------------------------------------------------------------


def _attachment(request: HttpRequest, reference: str, pk: int) -> Attachment:
    case = _visible_case(request, reference)
    attachment = case.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


def _serve(stored: FieldFile, content_type: str, name: str, *, inline: bool) -> FileResponse:
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened directly, an uploaded file may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_safe
def file(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """An attachment, only for those who may see the case. Images open in the browser; any
    other file is downloaded."""
    a = _attachment(request, reference, pk)
    return _serve(a.file, a.content_type, a.original_name, inline=a.is_image)


@login_required
@require_safe
def thumbnail(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """The small JPEG of an image attachment."""
    a = _attachment(request, reference, pk)
    return _serve(a.thumbnail, "image/jpeg", f"thumb-{a.pk}.jpg", inline=True)


# --- lists ------------------------------------------------------------------------------------


def _after(value: str) -> tuple[dt.datetime, int] | None:
    """The keyset cursor ``<opened_at ISO>,<id>``; None when absent or unreadable."""
    moment, _sep, ident = value.rpartition(",")
    pk = record_id(ident)
    if not moment or pk is None:
        return None
    try:
        at = dt.datetime.fromisoformat(moment)
    except ValueError:
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at, dt.UTC)
    return at, pk


def _unit_param(params: Mapping[str, str]) -> int | None:
    """The list's requesting-unit filter: a unit id, or None (absent or not a number)."""
    return record_id(params.get("unit", ""))


def matching_cases(
    params: Mapping[str, str], after: tuple[dt.datetime, int] | None = None
) -> QuerySet[Case]:
    """The cases matching the list's filters (all of them, before the visibility gate),
    newest first, after the keyset cursor ``after`` if given."""
    qs = Case.objects.all()
    status = params.get("status", "")
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if params.get("procedure"):
        qs = of_procedure(qs, params["procedure"])
    if params.get("overdue"):  # running cases past their own due time
        qs = qs.filter(status=CaseStatus.RUNNING, due_at__lt=timezone.now())
    unit = _unit_param(params)
    if unit is not None:
        qs = qs.filter(requesting_unit_id=unit)
    application = record_id(params.get("application", ""))
    if application is not None:
        qs = qs.filter(application_id=application)
    # A NUL character cannot be stored or searched for in PostgreSQL text: it separates words.
    for word in params.get("q", "").replace("\x00", " ").lower().split():
        qs = qs.filter(search_text__contains=word)
    if after is not None:
        at, ident = after
        qs = qs.filter(Q(opened_at__lt=at) | Q(opened_at=at, id__lt=ident), opened_at__lte=at)
    return qs.order_by("-opened_at", "-id")


def filtered_cases(
    user: Any,
    params: Mapping[str, str],
    after: tuple[dt.datetime, int] | None = None,
    size: int = PAGE_SIZE + 1,
    person: Person | None = None,
) -> QuerySet[Case]:
    """The visible cases matching the list's filters, newest first: a queryset whose first
    ``size`` rows are the page (slice it; later rows may be missing).

    The gate is chosen per page by :func:`laksana.cases.queries.first_visible`: the list's
    index is walked with the visibility checked per row when the user sees many cases, and
    the few cases they see are read first when they see few. ``person`` is the user's
    Person when the caller has it already."""
    # A key with a NUL character names no procedure (matching_cases keeps no case for it);
    # PostgreSQL text cannot hold one, so it is not passed on to the scope's statement.
    procedure = params.get("procedure", "").replace("\x00", "") or None
    scope = ListScope(procedure, _unit_param(params))
    return first_visible(user, matching_cases(params, after), size, person, scope)


# What a row of the case list shows (cases/_list_rows.html) and needs for its version's spec.
_LIST_FIELDS = (
    "reference",
    "title",
    "status",
    "opened_at",
    "due_at",
    "finished_at",
    "version__title",
    "version__checksum",
    "version__number",
    "version__procedure_key",
    "requesting_unit__name",
    "requesting_unit__short_name",
    "application__name",
    "application__short_name",
)


@login_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, filtered, newest first, 25 at a time (keyset pages: no
    count of the whole list)."""
    person = current_person(request)
    params = {
        k: request.GET.get(k, "").strip()
        for k in ("status", "procedure", "unit", "application", "q", "overdue")
    }
    cursor = _after(request.GET.get("after", ""))
    now = timezone.now()
    qs = filtered_cases(request.user, params, cursor, PAGE_SIZE + 1, person)
    rows = list(
        qs.select_related("version", "requesting_unit", "application").only(*_LIST_FIELDS)[
            : PAGE_SIZE + 1
        ]
    )
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    # The page's current steps: all steps of its cases, read on the case's index, the active
    # ones kept here. (With the status as a condition PostgreSQL also reads the index of all
    # active steps, as large as the open work, to combine the two: 18,000 entries for one page
    # at 100,000 cases.)
    current: dict[int, list[tuple[dt.datetime, int, str]]] = {}
    for case_id, status, activated_at, pk, step_key in (
        CaseStep.objects.filter(case_id__in=[c.pk for c in rows])
        .order_by()
        .values_list("case_id", "status", "activated_at", "id", "step_key")
    ):
        if status == StepStatus.ACTIVE:
            current.setdefault(case_id, []).append((activated_at, pk, step_key))
    for c in rows:
        # The version was read with the case (its source deferred); its spec is kept.
        v = c.version
        spec = kept_version(v.pk, v.checksum, v.number, v.procedure_key).spec
        c.current_steps = [spec.step(key) for _at, _pk, key in sorted(current.get(c.pk, []))]  # type: ignore[attr-defined]
        c.overdue = display.is_overdue(c, now)  # type: ignore[attr-defined]
    query = {k: v for k, v in params.items() if v}
    next_url = ""
    if has_next:
        last = rows[-1]
        cursor_text = f"{last.opened_at.astimezone(dt.UTC).isoformat()},{last.pk}"
        next_url = "?" + urlencode({**query, "after": cursor_text})
    context: dict[str, Any] = {
        "cases": rows,
        "params": params,
        "next_url": next_url,
        "first_url": "?" + urlencode(query) if query else "?",
        "paged": cursor is not None,
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "case-rows":
        return render(request, "cases/_list_rows.html", context)
    # The filters name only what the user may see: a vendor's employee only the contracted
    # applications, an account that is no person of an agency (nor a superuser) nothing.
    agency_filter: dict[str, Any] = {"pk__in": []}
    if person is not None:
        agency_filter = {"agency_id": person.agency_id}
    elif request.user.is_superuser:
        agency_filter = {}
    context.update(
        {
            "statuses": CaseStatus.choices,
            "procedures": _procedure_choices(request.user, person),
            "units": list(Unit.objects.filter(**agency_filter).order_by("name")),
            "applications": list(
                visible_applications(request.user, person).filter(**agency_filter)
            ),
        }
    )
    unit = _unit_param(params)
    if unit is not None:
        context["unit"] = next((u for u in context["units"] if u.pk == unit), None)
    if _is_htmx(request) and request.headers.get("HX-Target") == "case-results":
        return render(request, "cases/_list_results.html", context)
    return render(request, "cases/list.html", context)


# --- notifications ----------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first; POST marks them all read."""
    person = _person(request)
    if request.method == "POST":
        services.read_notifications(person)
        return redirect("cases:notifications")
    rows = list(
        Notification.objects.filter(person=person).select_related("case")[:NOTIFICATIONS_SHOWN]
    )
    return render(request, "cases/notifications.html", {"notifications": rows})


@login_required
@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: it is marked read and its page is shown."""
    person = _person(request)
    row = Notification.objects.filter(pk=pk, person=person).first()
    if row is None:
        raise Http404
    services.read_notifications(person, notification_id=row.pk)
    if url_has_allowed_host_and_scheme(row.url, allowed_hosts=None):
        return redirect(row.url)
    return redirect("cases:notifications")


@require_safe
def badge(request: HttpRequest) -> HttpResponse:
    """The inbox badge alone, for htmx to refresh it now and then. Not behind the sign-in
    redirect: a session that ran out gets an empty badge, not the sign-in page in the nav."""
    return render(request, "cases/_badge.html")
