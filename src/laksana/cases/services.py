"""The only code that writes cases. Views, the API and commands call these functions.

Every function is one transaction: it locks the case row (on PostgreSQL ``FOR NO KEY UPDATE``:
other actions wait, references to the case made by others do not; see ``store``), checks who
is acting, asks the engine, writes the new state, the step rows and the journal entries, and
the notifications (their e-mails into the outbox, sent by the worker once it has committed).
Two people completing the same step at once queue on the lock; the second finds the step
completed and is told by whom.

Opening a case, completing a step and the notifications are here; the other actions are in
their own modules, and every one is also reachable here (``services.dispose``, ...):
working a step short of completing it in :mod:`laksana.cases.claims`, dispositions in
:mod:`laksana.cases.dispositions`, comments, remarks and files in
:mod:`laksana.cases.comments`. What they share (the transaction, the refusals, the locks) is
:mod:`laksana.cases.servicebase`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import artifacts as case_artifacts
from laksana.cases import (
    authority,
    chosen_actors,
    jointsteps,
    journal,
    participation,
    store,
    vendors,
)
from laksana.cases.chosen_actors import unbound_for_automatic as unbound_for_automatic
from laksana.cases.claims import claim_step as claim_step
from laksana.cases.claims import hold_step as hold_step
from laksana.cases.claims import may_work as may_work
from laksana.cases.claims import release_step as release_step
from laksana.cases.claims import resume_step as resume_step
from laksana.cases.claims import take_over_step as take_over_step
from laksana.cases.comments import add_attachment as add_attachment
from laksana.cases.comments import add_comment as add_comment
from laksana.cases.comments import add_remark as add_remark
from laksana.cases.dispositions import dispose as dispose
from laksana.cases.dispositions import mark_read as mark_read
from laksana.cases.dispositions import withdraw as withdraw
from laksana.cases.jointsteps import confirm_part as confirm_part
from laksana.cases.limits import check_length
from laksana.cases.models import (
    OPEN_DISPOSITION,
    Case,
    CaseStatus,
    CaseStep,
    Counter,
    Disposition,
    DispositionStatus,
    JournalKind,
    Notification,
    StepStatus,
)
from laksana.cases.reassign import reassign_step as reassign_step
from laksana.cases.servicebase import NotAllowed as NotAllowed
from laksana.cases.servicebase import ServiceError as ServiceError
from laksana.cases.servicebase import (
    _atomic,
    _calendar,
    _locked_step,
    _notify_on_commit,
    _now,
    _store,
)
from laksana.cases.uploads import UploadRejected, check_upload
from laksana.catalog.models import Application
from laksana.engine import interpreter as engine
from laksana.engine.messages import joined as joined_messages
from laksana.engine.spec import Step as ProcStep
from laksana.org.models import Agency, Person, Unit
from laksana.outbox import services as outbox
from laksana.procedures.models import ProcedureVersion


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
    opened: Mapping[str, Any] | None = None,
) -> list[ProcStep]:
    """Write the engine's events: step rows and journal entries (into ``batch`` when given,
    for the caller to write); ``opened`` is more for the OPENED entry (the chosen actors).
    Returns the activated steps (of the procedure)."""
    spec = case.version.spec
    activated: list[ProcStep] = []
    for event in events:
        data: dict[str, Any] = {"event": event.to_dict()}
        if isinstance(event, engine.CaseOpened):
            if case.due_at is not None:  # the journal covers the case's own due time
                data["due_at"] = case.due_at.isoformat()
            data.update(opened or {})
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


def case_due(case: Case, at: dt.datetime) -> dt.datetime | None:
    """The case's own due time: its procedure's overall service time (the service-level
    block's ``service_time``) from ``at`` in the agency's working time, counted as a step's
    time standard is; None when the procedure states none. Holds of steps do not move it."""
    standard = case.version.spec.identity.service_time
    return _calendar(case).due(at, standard) if standard is not None else None


def _announce(case: Case, steps: Sequence[ProcStep], at: dt.datetime) -> None:
    for step in steps:
        message = _("Step %(no)s is waiting for you: %(activity)s") % {
            "no": step.number,
            "activity": outbox.shorten(step.activity, 120),
        }
        _notify_on_commit(jointsteps.step_contacts(case, step), case, message, at)


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
    automatic: bool = False,
    chosen: Mapping[str, Person] | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open a case on a published version; the engine activates the first step.

    ``chosen``: the person of each actor of the version chosen when a case opens (actor key ->
    person; :mod:`laksana.cases.chosen_actors`): every one must be given, by the agency's own
    staff who can sign in; a case opened automatically falls back to the actor's binding.

    ``automatic``: opened by a system account of the agency (a person without a sign-in, such
    as the monitoring module's) for any unit of its agency; refused for a person who can sign
    in, so no screen or API call can use it."""
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
    if automatic and person.user_id is not None:
        raise NotAllowed(_("Only a system account opens cases automatically."))
    if (
        requesting_unit is not None
        and requesting_unit.pk != person.unit_id
        and not automatic
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
    picked = chosen_actors.check(version, chosen or {}, automatic=automatic)
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
    case.due_at = case_due(case, at)
    case.save()
    chosen_actors.record(case, picked, person, at)
    participation.record(case, [person.pk, *(p.pk for p in picked.values())])
    opened = {"chosen": chosen_actors.journal_data(picked)} if picked else None
    activated = _apply_events(case, transition.events, person, at, opened=opened)
    case.save(update_fields=["journal_seq", "journal_hash", "status", "end_key", "finished_at"])
    _announce(case, activated, at)
    return case


# Working a step -----------------------------------------------------------------------------


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
    jointsteps.check_complete(person, case, row)
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
    # A decision read from an output (SOP 002 row 9: the UAT's result) is not chosen.
    outcome = case_artifacts.read_outcome(case, row.step_key, artifacts, outcome or None)
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
        jointsteps.complete_parts(person, case, row, at, entries)
        activated = _apply_events(case, events, person, at, entries)
        jointsteps.send_copies(person, case, row, at, entries)
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
        effects = case_artifacts.effects_for(case)
        if not effects:
            _announce(case, activated, at)
    if effects:
        # Domain modules that follow the case (the catalogue's lifecycle: stages, proker,
        # risks, ...) act in this transaction, after the step's writes; then the notices.
        for effect in effects:
            effect(case, row.step_key, outcome or "", case.state["artifacts"], by=person, at=at)
        _announce(case, activated, at)
    return case


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
    read (:func:`~laksana.cases.dispositions.mark_read`) and the step being worked, not the
    inbox being tidied.
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
