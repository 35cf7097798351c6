"""The only code that writes cases. Views, the API and commands call these functions.

Every function is one transaction: it locks the case row (on PostgreSQL ``FOR NO KEY UPDATE``:
other actions wait, references to the case made by others do not; see ``store``), checks who
is acting, asks the engine, writes the new state, the step rows and the journal entries, and
the notifications (their e-mails into the outbox, sent by the worker once it has committed).
Two people completing the same step at once queue on the lock; the second finds the step
completed and is told by whom.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import artifacts as case_artifacts
from laksana.cases import authority, journal, participation, store, vendors
from laksana.cases.holders import holder_contacts
from laksana.cases.limits import check_length
from laksana.cases.models import (
    OPEN_DISPOSITION,
    Attachment,
    Case,
    CaseStatus,
    CaseStep,
    Counter,
    Disposition,
    DispositionStatus,
    JournalKind,
    Notification,
    StepStatus,
    Urgency,
)
from laksana.cases.uploads import UploadRejected, check_upload
from laksana.catalog.models import Application
from laksana.engine import interpreter as engine
from laksana.engine.messages import joined as joined_messages
from laksana.engine.spec import Step as ProcStep
from laksana.engine.worktime import Calendar
from laksana.org.models import Agency, Person, Unit
from laksana.outbox import services as outbox
from laksana.procedures.models import ProcedureVersion, kept_version
from laksana.worktime.services import calendar_for, calendar_from_row, calendar_of

# Files written during the current service call, removed again if its transaction fails, so a
# refused or failed action leaves no file behind.
_WRITTEN: contextvars.ContextVar[list[tuple[Storage, str]] | None] = contextvars.ContextVar(
    "laksana_written_files", default=None
)

_refusals = logging.getLogger("laksana.refused")

P = ParamSpec("P")
R = TypeVar("R")


def _atomic(fn: Callable[P, R]) -> Callable[P, R]:
    """One transaction per action; files written by a failed action are deleted."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        written: list[tuple[Storage, str]] = []
        token = _WRITTEN.set(written)
        try:
            with store.transaction():
                return fn(*args, **kwargs)
        except BaseException as exc:
            for storage, name in written:
                storage.delete(name)
            if isinstance(exc, ServiceError):
                _log_refusal(fn.__name__, args, exc)
            raise
        finally:
            _WRITTEN.reset(token)

    return wrapper


def _log_refusal(action: str, args: tuple[Any, ...], exc: ServiceError) -> None:
    """A refused action, for the operators: who (the acting person, the first argument of
    every action), what, and the refusal's code (at warning for ``not_allowed``)."""
    who = args[0] if args and isinstance(args[0], Person) else None
    _refusals.log(
        logging.WARNING if exc.code == "not_allowed" else logging.INFO,
        "refused %s by person %s: %s",
        action,
        who.pk if who else None,
        exc.code,
        extra={
            "event": "refused",
            "action": action,
            "person": who.pk if who else None,
            "code": exc.code,
            "field": exc.field,
        },
    )


class ServiceError(Exception):
    """An action that was not carried out. ``code`` is stable, ``message`` is for people,
    ``field`` names the input concerned (for forms and API errors)."""

    def __init__(
        self, code: str, message: str, field: str | None = None, items: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.items = tuple(items)


class NotAllowed(ServiceError):
    """The person may not do this."""

    def __init__(self, message: str) -> None:
        super().__init__("not_allowed", message)


# Messages for the engine's refusals, in the user's language.
def _refusal_message(refusal: engine.Refusal, case: Case) -> str:
    items = joined_messages(refusal.items, _)  # the engine's items, translated
    code = engine.RefusalCode
    messages = {
        code.CASE_FINISHED: _("The case is already finished."),
        code.UNKNOWN_STEP: _("The procedure has no such step."),
        code.STEP_NOT_ACTIVE: _("This step is not active now."),
        code.MISSING_REQUIREMENTS: _("Still missing before this step can be done: %(items)s")
        % {"items": items},
        code.MISSING_OUTPUTS: _("This step must produce: %(items)s") % {"items": items},
        code.INVALID_ARTIFACT: _("Please correct: %(items)s") % {"items": items},
        code.UNEXPECTED_ARTIFACT: _("This step does not take: %(items)s") % {"items": items},
        code.ARTIFACT_ON_CASE: _(
            "The case already holds %(items)s; this step does not revise it (the procedure "
            "names the steps that may)."
        )
        % {"items": items},
        code.OUTCOME_REQUIRED: _("Choose a decision: %(items)s") % {"items": items},
        code.OUTCOME_NOT_ALLOWED: _("Choose one of: %(items)s") % {"items": items},
        code.OUTCOME_NOT_EXPECTED: _("This step is not a decision."),
    }
    return messages[refusal.code]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _lock(case_id: int | None = None, *, step_id: int | None = None) -> Case:
    """The case row (by its id, or by one of its steps), locked for this transaction, with
    its version and its agency's working calendar attached, in one statement."""
    where = (
        "cases_case.id = %s"
        if step_id is None
        else "cases_case.id = (SELECT case_id FROM cases_casestep WHERE id = %s)"
    )
    found = store.load_with(
        Case,
        where,
        [case_id if step_id is None else step_id],
        extra="v.checksum, v.number, v.procedure_key, a.time_zone, w.version, w.updated_at",
        joins="JOIN procedures_procedureversion v ON v.id = cases_case.version_id "
        "JOIN org_agency a ON a.id = cases_case.agency_id "
        "LEFT JOIN worktime_workcalendar w ON w.agency_id = a.id",
        for_update=True,
    )
    if found is None:
        raise Case.DoesNotExist(f"no case {case_id}")
    case, (checksum, number, key, time_zone, cal_version, cal_stamp) = found
    case.version = kept_version(case.version_id, checksum, number, key)
    # Kept on the instance for the due times of the steps this action activates.
    case._calendar = calendar_from_row(  # type: ignore[attr-defined]
        case.agency_id, time_zone, cal_version, cal_stamp
    )
    return case


def _calendar(case: Case) -> Calendar:
    found: Calendar | None = getattr(case, "_calendar", None)
    return found if found is not None else calendar_of(case.agency_id)


def _notify_on_commit(
    people: Iterable[Person | tuple[int, str]], case: Case, message: str, at: dt.datetime
) -> None:
    """In-app notices and e-mails (the outbox's rows) inside the transaction; the worker sends
    the e-mails once it has committed. People are given as Person objects or as (id, e-mail)
    pairs."""
    contacts = [(p.pk, p.email) if isinstance(p, Person) else p for p in people]
    url = _case_url(case.reference)
    store.insert(
        Notification,
        ("person", "case", "message", "url", "created_at"),
        [(pk, case.pk, outbox.shorten(message, 300), url, at) for pk, _email in contacts],
    )
    recipients = [email for _pk, email in contacts if email]
    if recipients:
        # E-mails go through the outbox: written in this transaction, sent (and retried) by
        # the task worker once it has committed, with an absolute link to the case.
        subject = outbox.shorten(f"[Laksana] {case.reference}: {message}", 200)
        body = f"{message}\n\n{case.reference} — {case.title}\n{outbox.absolute(url)}\n"
        outbox.queue(recipients, subject, body, agency_id=case.agency_id, now=at)


def _case_url(reference: str) -> str:
    # reverse() resolves the pattern each time; the case page's prefix is fixed per process.
    prefix = _case_url_prefix()
    return f"{prefix}{reference}/"


@functools.cache
def _case_url_prefix() -> str:
    return reverse("cases:detail", args=["REF"]).removesuffix("REF/")


def notify(people: Iterable[Person], case: Case, message: str, at: dt.datetime) -> None:
    """Tell people about a case outside an action of theirs (the SLA sweep's almost-due,
    overdue and escalation notices): in-app notifications and the outbox's e-mails in the
    caller's transaction (sent by the worker once it has committed). Call it inside that
    transaction."""
    _notify_on_commit(people, case, message, at)


def _apply_events(
    case: Case,
    events: Sequence[engine.Event],
    actor: Person | None,
    at: dt.datetime,
    batch: list[tuple[Any, ...]] | None = None,
) -> list[ProcStep]:
    """Write the engine's events: step rows and journal entries (into ``batch`` when given,
    for the caller to write). Returns the activated steps (of the procedure)."""
    spec = case.version.spec
    activated: list[ProcStep] = []
    for event in events:
        data: dict[str, Any] = {"event": event.to_dict()}
        if isinstance(event, engine.CaseOpened):
            journal.append(case, JournalKind.OPENED, actor, at, data, batch=batch)
        elif isinstance(event, engine.StepActivated):
            step = spec.step(event.step)
            # The step's clock starts now: its due time under the agency's calendar. It is
            # stored once; only a resume after a hold moves it.
            due_at = _calendar(case).due(at, step.time) if step.time else None
            store.insert(
                CaseStep,
                _NEW_STEP_COLUMNS,
                [(case.pk, step.id, event.visit, step.actor, at, due_at, *_new_step_defaults())],
            )
            activated.append(step)
            # The due time is in the entry: the journal covers the step row's deadline.
            data["due_at"] = due_at.isoformat() if due_at else None
            journal.append(case, JournalKind.STEP_ACTIVATED, None, at, data, batch=batch)
        elif isinstance(event, engine.StepCompleted):
            journal.append(case, JournalKind.COMPLETED, actor, at, data, batch=batch)
        elif isinstance(event, engine.CaseEnded):
            case.status = CaseStatus.FINISHED
            case.end_key = event.end
            case.finished_at = at
            journal.append(case, JournalKind.CLOSED, actor, at, data, batch=batch)
    return activated


# A new step row: these columns from the event, the rest (status, outcome, hold) at their
# model defaults.
_NEW_STEP_COLUMNS = (
    "case",
    "step_key",
    "visit",
    "actor_key",
    "activated_at",
    "due_at",
    "status",
    "outcome",
    "hold_reason",
    "held_minutes",
)


@functools.cache
def _new_step_defaults() -> tuple[Any, ...]:
    fields = {f.name: f for f in CaseStep._meta.concrete_fields}
    return tuple(fields[n].get_default() for n in _NEW_STEP_COLUMNS[6:])


def _announce(case: Case, steps: Sequence[ProcStep], at: dt.datetime) -> None:
    for step in steps:
        message = _("Step %(no)s is waiting for you: %(activity)s") % {
            "no": step.number,
            "activity": outbox.shorten(step.activity, 120),
        }
        _notify_on_commit(holder_contacts(case, step.actor), case, message, at)


def _next_reference(case: Case, at: dt.datetime) -> str:
    year = timezone.localtime(at).year
    counter, _created = Counter.objects.select_for_update().get_or_create(
        agency_id=case.agency_id, year=year
    )
    counter.value += 1
    counter.save(update_fields=["value"])
    # The agency's slug keeps references unique across agencies and readable: a reference is
    # quoted in letters and on the phone ("djki-2026-000042").
    slug = Agency.objects.values_list("slug", flat=True).get(pk=case.agency_id)
    return f"{slug}-{year}-{counter.value:06d}"


def _search_text(case: Case) -> str:
    parts = [
        case.reference,
        case.title,
        case.description,
        case.requesting_unit.name,
        case.requesting_unit.short_name,
        case.application.name if case.application else "",
        case.application.short_name if case.application else "",
    ]
    return " ".join(p for p in parts if p).lower()


# Opening ------------------------------------------------------------------------------------


@_atomic
def open_case(
    person: Person,
    version: ProcedureVersion,
    title: str,
    description: str = "",
    *,
    requesting_unit: Unit | None = None,
    application: Application | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open a case on a published version; the engine activates the first step."""
    at = _now(now)
    title = title.strip()
    if not title:
        raise ServiceError("required", _("Give the case a title."), field="title")
    check_length("title", title, "title")
    check_length("description", description.strip(), "description")
    if version.agency_id != person.agency_id:
        # A case runs only a version its agency published (procedures belong to an agency).
        raise NotAllowed(_("That procedure version is not one of your agency's."))
    unit = requesting_unit or person.unit
    if unit.agency_id != person.agency_id:
        raise NotAllowed(_("You can only open cases for units of your own agency."))
    if (
        requesting_unit is not None
        and requesting_unit.pk != person.unit_id
        and not (person.user is not None and person.user.is_superuser)
    ):
        raise NotAllowed(_("You can only open cases for your own unit."))
    if application is not None and application.agency_id != person.agency_id:
        raise ServiceError(
            "invalid", _("That application is not in your agency's catalogue."), field="application"
        )
    if person.vendor_id is not None and (
        application is None
        or not vendors.covers(person.vendor_id, application.pk, vendors.today(person.agency_id, at))
    ):
        # A vendor works only on applications under one of its contracts that is in its period
        # (laksana.cases.vendors): a case opened on anything else would be work outside them.
        raise NotAllowed(
            _("Vendor staff can only open cases on an application under their contract.")
        )
    transition = engine.open_case(version.spec)
    case = Case(
        agency_id=person.agency_id,
        version=version,
        title=title[:300],
        description=description.strip(),
        requesting_unit=unit,
        application=application,
        opened_by=person,
        state=transition.state.to_dict(),
        opened_at=at,
    )
    case.reference = _next_reference(case, at)
    case.search_text = _search_text(case)
    case.save()
    participation.record(case, [person.pk])
    activated = _apply_events(case, transition.events, person, at)
    case.save(update_fields=["journal_seq", "journal_hash", "status", "end_key", "finished_at"])
    _announce(case, activated, at)
    return case


# Working a step -----------------------------------------------------------------------------


def may_work(person: Person, case: Case, row: CaseStep) -> bool:
    """Whether ``person`` may work the step now: the one rule of
    :func:`laksana.cases.authority.may_work` (the claimant; a holder of its actor while it is
    not claimed; the recipient of an open disposition of it from someone entitled; a vendor's
    employee only within its contracts' periods)."""
    return bool(authority.may_work(person, case, row))


def _locked_step(person: Person, case_step_id: int) -> tuple[Case, CaseStep]:
    try:
        case = _lock(step_id=case_step_id)
    except Case.DoesNotExist:
        raise ServiceError("not_found", _("No such step.")) from None
    # Read after the case is locked: what another action did to the step is seen.
    row = store.load(CaseStep, "id = %s", [case_step_id])
    assert row is not None  # steps are never deleted while their case exists
    row.case = case
    if row.status == StepStatus.COMPLETED:
        who = row.completed_by.name if row.completed_by else "?"
        raise ServiceError(
            "already_completed", _("This step was already completed by %(name)s.") % {"name": who}
        )
    if row.status != StepStatus.ACTIVE:
        raise ServiceError("not_active", _("This step is not active now."))
    return case, row


@_atomic
def claim_step(person: Person, case_step_id: int, *, now: dt.datetime | None = None) -> CaseStep:
    """Take an offered step: it is then in the claimant's inbox and no longer offered."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_claim(person, case, row)
    if decision.code in ("already_claimed", "already_yours"):
        raise ServiceError("already_claimed", decision.message)
    if not decision:
        raise NotAllowed(decision.explain(_("This step is not yours to take.")))
    row.claimed_by = person
    row.claimed_at = at
    row.save(update_fields=["claimed_by", "claimed_at"])
    participation.record(case, [person.pk])
    journal.append(
        case, JournalKind.CLAIMED, person, at, {"step": row.step_key, "visit": row.visit}
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    return row


# Holding a step ----------------------------------------------------------------------------


@_atomic
def hold_step(
    person: Person, case_step_id: int, reason: str, *, now: dt.datetime | None = None
) -> CaseStep:
    """Put an active step on hold, with a reason (waiting on the requester for missing
    evidence, say): its clock stops until :func:`resume_step`. Only the step's workers may."""
    at = _now(now)
    reason = reason.strip()
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(decision.explain(_("This step is not yours to put on hold.")))
    if row.on_hold_since is not None:
        raise ServiceError("on_hold", _("This step is already on hold."))
    if not reason:
        raise ServiceError(
            "required", _("Say why the step is put on hold (what it waits for)."), field="reason"
        )
    check_length("hold_reason", reason, "reason")
    data: dict[str, Any] = {"step": row.step_key, "visit": row.visit, "reason": reason[:300]}
    if row.due_at is not None:
        # For the record: the working minutes left (negative: overdue) when the clock stopped.
        data["due_at"] = row.due_at.isoformat()
        data["remaining_minutes"] = calendar_for(case.agency).working_minutes_between(
            at, row.due_at
        )
    row.on_hold_since = at
    row.hold_reason = reason[:300]
    row.save(update_fields=["on_hold_since", "hold_reason"])
    journal.append(case, JournalKind.HELD, person, at, data)
    case.save(update_fields=["journal_seq", "journal_hash"])
    return row


@_atomic
def resume_step(person: Person, case_step_id: int, *, now: dt.datetime | None = None) -> CaseStep:
    """Restart the clock of a step on hold. The working minutes on hold are added to
    ``held_minutes``, and the due time moves later by exactly that much working time: the
    working time that was left when the step was put on hold is left again now (a step that
    was overdue by some working time when it was held is overdue by the same amount)."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(decision.explain(_("This step is not yours to resume.")))
    since = row.on_hold_since
    if since is None:
        raise ServiceError("not_on_hold", _("This step is not on hold."))
    at = max(at, since)
    calendar = calendar_for(case.agency)
    held = calendar.working_minutes_between(since, at)
    data: dict[str, Any] = {
        "step": row.step_key,
        "visit": row.visit,
        "since": since.isoformat(),
        "held_minutes": held,
    }
    if row.due_at is not None and held > 0:
        remaining = calendar.working_minutes_between(since, row.due_at)
        if remaining > 0:
            # The clock continues where it stopped: what was left is left again.
            due = calendar.add_working_minutes(at, remaining)
        else:
            # Overdue when held: as overdue now, by working time (the hold does not count).
            due = calendar.add_working_minutes(row.due_at, held)
        data["due_before"] = row.due_at.isoformat()
        data["due_after"] = due.isoformat()
        row.due_at = due
    row.held_minutes += held
    row.on_hold_since = None
    row.hold_reason = ""
    row.save(update_fields=["due_at", "held_minutes", "on_hold_since", "hold_reason"])
    journal.append(case, JournalKind.RESUMED, person, at, data)
    case.save(update_fields=["journal_seq", "journal_hash"])
    return row


@_atomic
def release_step(person: Person, case_step_id: int, *, now: dt.datetime | None = None) -> CaseStep:
    """The claimant gives the claim up: the step is offered to its holders again."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_release(person, case, row)
    if not decision:
        if decision.code == "not_claimed":
            raise ServiceError("not_claimed", decision.message)
        raise NotAllowed(decision.message)
    row.claimed_by = None
    row.claimed_at = None
    row.save(update_fields=["claimed_by", "claimed_at"])
    journal.append(
        case, JournalKind.RELEASED, person, at, {"step": row.step_key, "visit": row.visit}
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    step = case.version.spec.step(row.step_key)
    message = _("Step %(no)s was released by %(name)s and is waiting for you: %(activity)s") % {
        "no": step.number,
        "name": person.name,
        "activity": outbox.shorten(step.activity, 120),
    }
    others = [c for c in holder_contacts(case, row.actor_key) if c[0] != person.pk]
    _notify_on_commit(others, case, message, at)
    return row


@_atomic
def take_over_step(
    person: Person, case_step_id: int, *, now: dt.datetime | None = None
) -> CaseStep:
    """A superior of the claimant (directly or further up the ``superior`` chain) takes the
    claimed step over: the claim becomes theirs, the journal records from whom, and the former
    claimant is told. Dispositions the former claimant sent on the step grant nothing any more
    (:mod:`laksana.cases.authority`)."""
    at = _now(now)
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_take_over(person, case, row)
    if not decision:
        if decision.code == "not_claimed":
            raise ServiceError("not_claimed", decision.message)
        if decision.code == "already_yours":
            raise ServiceError("already_claimed", decision.message)
        raise NotAllowed(decision.message)
    former = row.claimed_by
    assert former is not None
    row.claimed_by = person
    row.claimed_at = at
    row.save(update_fields=["claimed_by", "claimed_at"])
    participation.record(case, [person.pk])
    journal.append(
        case,
        JournalKind.TAKEN_OVER,
        person,
        at,
        {"step": row.step_key, "visit": row.visit, "from": former.pk, "from_name": former.name},
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    step = case.version.spec.step(row.step_key)
    message = _("%(name)s took step %(no)s over from you: %(activity)s") % {
        "name": person.name,
        "no": step.number,
        "activity": outbox.shorten(step.activity, 120),
    }
    _notify_on_commit([former], case, message, at)
    return row


@dataclass(frozen=True)
class FileInput:
    """Uploaded files for one artifact of a step."""

    artifact: str
    files: Sequence[UploadedFile[bytes]]


@_atomic
def complete_step(
    person: Person,
    case_step_id: int,
    *,
    values: Mapping[str, Any] | None = None,
    files: Sequence[FileInput] = (),
    outcome: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Complete an active step with its outputs (form values, files, record references) and,
    for a decision, its outcome. Refused, with every missing requirement named, unless the
    engine accepts it; nothing is written when it is refused."""
    at = _now(now)
    check_length("step_note", note.strip(), "note")
    case, row = _locked_step(person, case_step_id)
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(decision.explain(_("This step is not yours to complete.")))
    if row.on_hold_since is not None:
        raise ServiceError("on_hold", _("This step is on hold: resume it first, then complete it."))
    spec = case.version.spec
    step = spec.step(row.step_key)
    artifacts: dict[str, Any] = dict(values or {})
    # A disposition output is the disposition this person sent on this step (SOP 002 steps
    # 3 and 4: the head's disposition is the step's output).
    for key in step.produces:
        if key not in artifacts and spec.artifact(key).type == "disposition":
            sent = (
                Disposition.objects.filter(step=row, sender=person)
                .exclude(status=DispositionStatus.WITHDRAWN)
                .order_by("-pk")
                .first()
            )
            if sent is not None:
                artifacts[key] = {"ref": f"disposition:{sent.pk}"}
    # Files and references must name what this case really holds (see cases.artifacts).
    artifacts = case_artifacts.resolve(
        case, row, person, artifacts, uploaded=[g.artifact for g in files if g.files]
    )
    stored: list[tuple[str, Any]] = []
    for group in files:
        if group.artifact not in (*step.requires, *step.produces):
            raise ServiceError(
                "invalid",
                _("This step does not take %(name)s.") % {"name": group.artifact},
                field=group.artifact,
            )
        if not group.files:
            continue
        refs = []
        for upload in group.files:
            try:
                checked = check_upload(upload)
            except UploadRejected as exc:
                raise ServiceError("upload_rejected", str(exc), field=group.artifact) from exc
            stored.append((group.artifact, checked))
            refs.append(
                {
                    "name": checked.name,
                    "content_type": checked.content_type,
                    "size": len(checked.content),
                    "id": checked.sha256[:16],
                }
            )
        artifacts[group.artifact] = {"files": refs}
    result = engine.execute(
        spec,
        engine.CaseState.from_dict(case.state),
        engine.CompleteStep(row.step_key, artifacts, outcome or None, by=str(person.pk)),
    )
    if isinstance(result, engine.Refusal):
        raise ServiceError(result.code.value, _refusal_message(result, case), items=result.items)
    # Accepted: store the files (their ids become the attachment ids), then the state.
    attachments: dict[str, list[dict[str, Any]]] = {}
    checksums: dict[str, str] = {}  # attachment id -> SHA-256, for the journal
    for artifact_key, checked in stored:
        attachment = _store(case, row, artifact_key, person, checked, at)
        attachments.setdefault(artifact_key, []).append(attachment.as_artifact_file())
        checksums[str(attachment.pk)] = attachment.sha256
    if attachments:
        # The engine accepted the same files; record their attachment ids in the state.
        state = result.state.to_dict()
        for key, refs in attachments.items():
            state["artifacts"][key] = {"files": refs}
        events = list(result.events)
        first = events[0]
        assert isinstance(first, engine.StepCompleted)
        merged = dict(first.artifacts)
        merged.update({k: {"files": v} for k, v in attachments.items()})
        events[0] = engine.StepCompleted(
            seq=first.seq, step=first.step, outcome=first.outcome, artifacts=merged, by=first.by
        )
        case.state = state
    else:
        events = list(result.events)
        case.state = result.state.to_dict()
    row.status = StepStatus.COMPLETED
    row.completed_by = person
    row.completed_at = at
    row.outcome = outcome or ""
    # The writes of the action go together (one round trip on PostgreSQL): nothing below
    # reads the rows they change.
    with store.deferred():
        store.update(
            CaseStep,
            row.pk,
            {
                "status": row.status,
                "completed_by": person.pk,
                "completed_at": at,
                "outcome": row.outcome,
            },
        )
        participation.record(case, [person.pk])
        store.write(
            "UPDATE cases_disposition SET status = %s, closed_at = %s "
            "WHERE step_id = %s AND status IN (%s, %s)",
            [
                DispositionStatus.DONE.value,
                store.prep(Disposition, "closed_at", at),
                row.pk,
                *[str(s) for s in OPEN_DISPOSITION],
            ],
        )
        entries: list[tuple[Any, ...]] = []
        for artifact_key, refs in attachments.items():
            for ref in refs:
                journal.append(
                    case,
                    JournalKind.FILE_ADDED,
                    person,
                    at,
                    {
                        "attachment": int(str(ref["id"])),
                        "name": ref["name"],
                        "artifact": artifact_key,
                        "step": row.step_key,
                        "size": ref["size"],
                        "sha256": checksums[str(ref["id"])],
                    },
                    batch=entries,
                )
        activated = _apply_events(case, events, person, at, entries)
        if note.strip():
            journal.append(
                case,
                JournalKind.COMMENT,
                person,
                at,
                {"text": note.strip(), "step": row.step_key},
                batch=entries,
            )
        journal.write(entries)
        changed: dict[str, Any] = {
            "state": case.state,
            "journal_seq": case.journal_seq,
            "journal_hash": case.journal_hash,
        }
        if case.status == CaseStatus.FINISHED:
            # The case ended with this action (a finished case takes no more): only then are
            # the status columns written:
            # SQLite rewrites the entries of every index on a column the UPDATE names, even
            # to the same value (three case-list indexes lead with the status).
            changed.update(status=case.status, end_key=case.end_key, finished_at=case.finished_at)
        store.update(Case, case.pk, changed)
        if case.application_id is None:
            _announce(case, activated, at)
    if case.application_id is not None:
        # The catalogue follows its lifecycle cases (stage changes, proker, risks, ...);
        # imported here because the catalogue's services import this module.
        from laksana.catalog import lifecycle

        lifecycle.on_step_completed(
            case, row.step_key, outcome or "", case.state["artifacts"], by=person, at=at
        )
        _announce(case, activated, at)
    return case


def _store(
    case: Case,
    row: CaseStep | None,
    artifact_key: str,
    person: Person,
    checked: Any,
    at: dt.datetime,
) -> Attachment:
    attachment = Attachment(
        case=case,
        step=row,
        artifact_key=artifact_key,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=person,
        uploaded_at=at,
    )
    attachment.file.save(checked.name, ContentFile(checked.content), save=False)
    if checked.thumbnail:
        attachment.thumbnail.save("thumb.jpg", ContentFile(checked.thumbnail), save=False)
    attachment.save()
    written = _WRITTEN.get()
    if written is not None:
        written.extend(
            (attachment.file.storage, n)
            for n in (attachment.file.name, attachment.thumbnail.name)
            if n
        )
    return attachment


# Disposition --------------------------------------------------------------------------------


@_atomic
def dispose(
    person: Person,
    case_id: int,
    recipients: Sequence[Person],
    instruction: str,
    *,
    step_id: int | None = None,
    urgency: str = Urgency.BIASA,
    deadline: dt.datetime | None = None,
    note: str = "",
    parent_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Disposition]:
    """Forward a case, or one of its active steps, to subordinates with an instruction.

    A disposition never grants more than its sender holds: a step only by someone who may work
    it (:mod:`laksana.cases.authority`), a forward only about what its parent was about (the
    web and the API let only those who see the case send one about all of it). Recipients
    must be the sender's subordinates (directly or further down)."""
    at = _now(now)
    case = _lock(case_id)
    _vendor_may_act_or_refuse(person, case)
    instruction = instruction.strip()
    if not instruction:
        raise ServiceError("required", _("Choose or write an instruction."), field="instruction")
    check_length("instruction", instruction, "instruction")
    check_length("disposition_note", note.strip(), "note")
    if urgency not in Urgency.values:
        raise ServiceError(
            "invalid",
            _("Urgency must be one of: %(items)s")
            % {"items": ", ".join(str(u.label) for u in Urgency)},
            field="urgency",
        )
    if not recipients:
        raise ServiceError("required", _("Choose at least one recipient."), field="recipients")
    if deadline is not None and deadline <= at:
        raise ServiceError("invalid", _("The deadline must be in the future."), field="deadline")
    if case.status == CaseStatus.FINISHED:
        raise ServiceError("case_finished", _("The case is already finished."))
    parent = None
    if parent_id is not None:
        parent = Disposition.objects.filter(pk=parent_id, case=case).first()
        if (
            parent is None
            or parent.recipient_id != person.pk
            or parent.status not in OPEN_DISPOSITION
        ):
            raise NotAllowed(
                _("You can only forward a disposition you received and have not finished.")
            )
    row = _disposition_step(person, case, step_id, parent)
    below = person.subordinates_tree()
    for r in recipients:
        if r.pk not in below:
            raise ServiceError(
                "invalid",
                _("%(name)s is not one of your subordinates.") % {"name": r.name},
                field="recipients",
            )
    participation.record(case, [person.pk, *(r.pk for r in recipients)])
    created = []
    for r in recipients:
        d = Disposition.objects.create(
            case=case,
            step=row,
            parent=parent,
            sender=person,
            recipient=r,
            instruction=instruction[:300],
            urgency=urgency,
            deadline=deadline,
            note=note.strip(),
            created_at=at,
        )
        created.append(d)
        journal.append(
            case,
            JournalKind.DISPOSITIONED,
            person,
            at,
            {
                "disposition": d.pk,
                "to": r.pk,
                "to_name": r.name,
                "instruction": d.instruction,
                "urgency": urgency,
                "deadline": deadline.isoformat() if deadline else None,
                "note": d.note,
                "step": row.step_key if row else None,
                "parent": parent.pk if parent else None,
            },
        )
        _notify_on_commit(
            [r],
            case,
            _("Disposition from %(name)s: %(instruction)s")
            % {"name": person.name, "instruction": d.instruction},
            at,
        )
    if parent is not None:
        parent.status = DispositionStatus.FORWARDED
        parent.closed_at = at
        if parent.read_at is None:
            parent.read_at = at
        parent.save(update_fields=["status", "closed_at", "read_at"])
    case.save(update_fields=["journal_seq", "journal_hash"])
    return created


def _disposition_step(
    person: Person, case: Case, step_id: int | None, parent: Disposition | None
) -> CaseStep | None:
    """The step a disposition is about, checked: a forward keeps its parent's step (a parent
    about the whole case reaches no step), and only someone who may work a step can
    disposition it (:mod:`laksana.cases.authority`). None: the whole case."""
    if parent is not None:
        if step_id is not None and step_id != parent.step_id:
            raise ServiceError(
                "invalid",
                _(
                    "A forwarded disposition stays about what it was about: it cannot name "
                    "another step."
                ),
                field="step",
            )
        row = parent.step
    elif step_id is not None:
        row = CaseStep.objects.filter(pk=step_id, case=case).first()
        if row is None:
            raise ServiceError("not_active", _("This step is not active now."), field="step")
    else:
        return None
    if row is None:
        return None
    if row.status != StepStatus.ACTIVE:
        raise ServiceError("not_active", _("This step is not active now."), field="step")
    row.case = case
    decision = authority.may_work(person, case, row)
    if not decision:
        raise NotAllowed(
            decision.explain(_("Only someone who may work this step can disposition it."))
        )
    return row


@_atomic
def mark_read(person: Person, disposition_id: int, *, now: dt.datetime | None = None) -> None:
    """The recipient has opened the disposition (unread -> read)."""
    at = _now(now)
    d = Disposition.objects.filter(pk=disposition_id).first()
    if d is None or d.recipient_id != person.pk:
        raise NotAllowed(_("This disposition is not addressed to you."))
    case = _lock(d.case_id)
    updated = Disposition.objects.filter(pk=d.pk, status=DispositionStatus.UNREAD).update(
        status=DispositionStatus.READ, read_at=at
    )
    if updated:
        journal.append(case, JournalKind.READ, person, at, {"disposition": d.pk})
        case.save(update_fields=["journal_seq", "journal_hash"])


@_atomic
def withdraw(person: Person, disposition_id: int, *, now: dt.datetime | None = None) -> None:
    """The sender takes a disposition back, which is only possible while it is unread."""
    at = _now(now)
    d = Disposition.objects.filter(pk=disposition_id).first()
    if d is None or d.sender_id != person.pk:
        raise NotAllowed(_("Only the sender can withdraw a disposition."))
    case = _lock(d.case_id)
    updated = Disposition.objects.filter(pk=d.pk, status=DispositionStatus.UNREAD).update(
        status=DispositionStatus.WITHDRAWN, closed_at=at
    )
    if not updated:
        raise ServiceError(
            "already_read", _("The disposition has been read; it can no longer be withdrawn.")
        )
    journal.append(case, JournalKind.WITHDRAWN, person, at, {"disposition": d.pk})
    if d.parent_id is not None:
        # The forwarded disposition is the sender's again.
        Disposition.objects.filter(pk=d.parent_id, status=DispositionStatus.FORWARDED).exclude(
            children__status__in=OPEN_DISPOSITION
        ).update(status=DispositionStatus.READ, closed_at=None)
    case.save(update_fields=["journal_seq", "journal_hash"])


# Comments, remarks and files ----------------------------------------------------------------


def _visible_or_refuse(person: Person, case: Case) -> None:
    from laksana.cases.queries import can_view

    if person.user is None or not can_view(person.user, case):
        raise NotAllowed(_("You cannot see this case."))
    _vendor_may_act_or_refuse(person, case)


def _vendor_may_act_or_refuse(person: Person, case: Case) -> None:
    """A vendor's employee outside its contracts' periods reads the cases it worked on, and
    adds nothing to them."""
    if not vendors.may_act(person, case):
        raise NotAllowed(
            _(
                "No contract of yours for this application is in force today: you can read "
                "this case but not add to it."
            )
        )


@_atomic
def add_comment(person: Person, case_id: int, text: str, *, now: dt.datetime | None = None) -> None:
    """A comment on the case, by anyone who can see it."""
    at = _now(now)
    case = _lock(case_id)
    _visible_or_refuse(person, case)
    if not text.strip():
        raise ServiceError("required", _("Write a comment."), field="text")
    check_length("comment", text.strip(), "text")
    journal.append(case, JournalKind.COMMENT, person, at, {"text": text.strip()})
    case.save(update_fields=["journal_seq", "journal_hash"])


@_atomic
def add_remark(person: Person, case_id: int, text: str, *, now: dt.datetime | None = None) -> None:
    """A daily journal remark (jurnal harian) by a staff member working the case."""
    at = _now(now)
    case = _lock(case_id)
    _visible_or_refuse(person, case)
    if (
        person.vendor_id is None
        and person.unit_id == case.requesting_unit_id
        and not case.steps.filter(completed_by=person).exists()
        and not case.steps.filter(claimed_by=person).exists()
    ):
        raise NotAllowed(_("Journal remarks are written by the staff working the case."))
    if not text.strip():
        raise ServiceError("required", _("Write the remark."), field="text")
    check_length("remark", text.strip(), "text")
    journal.append(case, JournalKind.REMARK, person, at, {"text": text.strip()})
    case.save(update_fields=["journal_seq", "journal_hash"])


@_atomic
def add_attachment(
    person: Person, case_id: int, upload: UploadedFile[bytes], *, now: dt.datetime | None = None
) -> Attachment:
    """A file added to the case outside a step (more evidence, a photo)."""
    at = _now(now)
    case = _lock(case_id)
    _visible_or_refuse(person, case)
    try:
        checked = check_upload(upload)
    except UploadRejected as exc:
        raise ServiceError("upload_rejected", str(exc), field="file") from exc
    attachment = _store(case, None, "", person, checked, at)
    journal.append(
        case,
        JournalKind.FILE_ADDED,
        person,
        at,
        {
            "attachment": attachment.pk,
            "name": attachment.original_name,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    return attachment


# Notifications ------------------------------------------------------------------------------


@_atomic
def read_notifications(
    person: Person,
    *,
    notification_id: int | None = None,
    case_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Mark the person's unread notifications read: one (when it is opened), those of one case
    (when its page is opened), or all of them. Returns how many changed.

    A notification is the person's own reminder, not an event of the case, so no journal entry
    is written and the case is not locked: what the journal records is the disposition being
    read (:func:`mark_read`) and the step being worked, not the inbox being tidied.
    """
    at = _now(now)
    unread = Notification.objects.filter(person=person, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(pk=notification_id, person=person).exists():
            raise NotAllowed(_("This notification is not addressed to you."))
        unread = unread.filter(pk=notification_id)
    if case_id is not None:
        unread = unread.filter(case_id=case_id)
    return unread.update(read_at=at)
