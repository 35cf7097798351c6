"""What the case services share: one transaction per action (:func:`_atomic`, which deletes
the files of a failed action and logs refusals), the refusals (:class:`ServiceError`,
:class:`NotAllowed`), the locked case and step, the notifications written with an action,
the stored files and the checks of who may add to a case."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import store, vendors
from laksana.cases.models import Attachment, Case, CaseStep, Notification, StepStatus
from laksana.engine.worktime import Calendar
from laksana.errors import NotAllowed as NotAllowed
from laksana.errors import ServiceError as ServiceError
from laksana.org.models import Person
from laksana.outbox import services as outbox
from laksana.procedures.models import kept_version
from laksana.worktime.services import calendar_from_row, calendar_of

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


def _visible_or_refuse(person: Person, case: Case) -> None:
    from laksana.cases.queries import can_view

    if person.user is None:
        # A system account (no sign-in: only code acts as it, such as the public desk's for an
        # outside requester) sees the cases its own unit requested.
        if person.agency_id != case.agency_id or person.unit_id != case.requesting_unit_id:
            raise NotAllowed(_("You cannot see this case."))
    elif not can_view(person.user, case):
        raise NotAllowed(_("You cannot see this case."))
    _vendor_may_act_or_refuse(person, case)


def _vendor_may_act_or_refuse(person: Person, case: Case) -> None:
    """A vendor's employee outside its contracts' periods reads the cases it worked on, and
    adds nothing to them."""
    if not vendors.may_act(person, case):
        raise NotAllowed(vendors.out_of_contract())
