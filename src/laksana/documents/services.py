"""The only code that writes documents. Views, the API and commands call these functions.

Every action is one transaction (the cases' :func:`~laksana.cases.servicebase._atomic`: a
failed action leaves no file behind) whose first argument is the acting person. It locks the
document's case (the journal is the case's hash chain), checks who acts, writes the document
and the journal entry, and the notices.

A document's life: a **draft** made by its author from a step's artifact (or on the case
alone), edited while a draft or returned; **submitted**, it is rendered to PDF and
**circulates**: the verifiers initial it, then the signers sign it, in order (equal orders are
a joint group acting in any order among themselves); each acts on the exact PDF, whose SHA-256
the journal keeps. A refusal **returns** it to its author with a note. When the last signer
signs, the document takes its final number (:mod:`laksana.documents.numbering`), is rendered
again with the number, the signatures and its verification QR code, and is **final**.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases import authority, journal
from laksana.cases.holders import holder_contacts
from laksana.cases.models import Case, CaseStatus, CaseStep, Disposition, JournalKind, StepStatus
from laksana.cases.queries import can_view
from laksana.cases.servicebase import (
    NotAllowed,
    ServiceError,
    _atomic,
    _lock,
    _notify_on_commit,
    _now,
    _visible_or_refuse,
)
from laksana.dates import given_date
from laksana.documents import drafting, made, numbering, pdfstore, signing
from laksana.documents.configure import _kind_or_refuse, template_for
from laksana.documents.configure import save_letterhead as save_letterhead
from laksana.documents.configure import save_numbering_pattern as save_numbering_pattern
from laksana.documents.configure import save_template as save_template
from laksana.documents.kinds import BY_ARTIFACT_TYPE, KINDS
from laksana.documents.models import (
    Document,
    DocumentStatus,
    Signatory,
    SignatoryRole,
    SignatoryStatus,
)
from laksana.documents.pdfstore import verify_url as verify_url
from laksana.org.models import Agency, Person, Unit

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
CODE_LENGTH = 12
DISPOSITION_SHEET = "lembar_disposisi"
OPEN = (DocumentStatus.DRAFT, DocumentStatus.CIRCULATING, DocumentStatus.RETURNED)


# --- drafts -------------------------------------------------------------------------------


def _code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Document.objects.filter(code=code).exists():
            return code


def _step_of(case: Case, step: CaseStep | int | None) -> CaseStep | None:
    if step is None:
        return None
    pk = step.pk if isinstance(step, CaseStep) else step
    row = CaseStep.objects.filter(pk=pk, case=case).first() if isinstance(pk, int) else None
    if row is None:
        raise ServiceError("not_found", _("This case has no such step."), field="step")
    row.case = case
    return row


def _lock_case(case: Case | int) -> Case:
    try:
        return _lock(case.pk if isinstance(case, Case) else case)
    except Case.DoesNotExist:
        raise ServiceError("not_found", _("No such case."), field="case") from None


@_atomic
def make_draft(
    person: Person,
    case: Case | int,
    *,
    kind: str = "",
    step: CaseStep | int | None = None,
    artifact_key: str = "",
    fields: Mapping[str, Any] | None = None,
    signatories: Sequence[Mapping[str, Any]] | None = None,
    date: dt.date | str | None = None,
    source: str = "",
    at: dt.datetime | None = None,
) -> Document:
    """A new draft of ``kind`` on ``case``: for a step's artifact (``step`` and
    ``artifact_key``: by someone who may work the step), or on the case alone. A kind made
    by a module (``made_by``: the minutes of a test run) is drafted only by that module,
    which names the record it is made from (``source``, "quality.run:12")."""
    now = _now(at)
    locked = _lock_case(case)
    _visible_or_refuse(person, locked)
    if locked.status == CaseStatus.FINISHED:
        raise ServiceError("case_finished", _("The case is already finished."))
    row = _step_of(locked, step)
    art = None
    if row is not None:
        spec = locked.version.spec
        produced = spec.step(row.step_key)
        if artifact_key not in (*produced.requires, *produced.produces):
            raise ServiceError(
                "invalid",
                _("This step neither needs nor makes the artifact %(key)s.")
                % {"key": str(artifact_key)[:100]},
                field="artifact",
            )
        art = spec.artifact(artifact_key)
        of_type = BY_ARTIFACT_TYPE.get(art.type)
        if of_type is None:
            raise ServiceError(
                "invalid",
                _("%(name)s is not a document Laksana makes.") % {"name": art.name},
                field="artifact",
            )
        kind = kind or of_type.code
        if kind != of_type.code:
            raise ServiceError(
                "invalid",
                _("%(name)s is a %(kind)s.") % {"name": art.name, "kind": of_type.label},
                field="kind",
            )
        if row.status != StepStatus.ACTIVE:
            raise ServiceError("not_active", _("This step is not active now."), field="step")
        decision = authority.may_work(person, locked, row)
        if not decision:
            raise NotAllowed(
                decision.explain(_("Only someone who may work this step can make its document."))
            )
        existing = Document.objects.filter(
            case=locked, step=row, artifact_key=artifact_key, status__in=OPEN
        ).first()
        if existing is not None:
            raise ServiceError(
                "exists",
                _("This step's %(name)s is already being made: %(number)s.")
                % {"name": art.name, "number": existing.draft_number},
                field="artifact",
            )
    elif artifact_key:
        raise ServiceError("invalid", _("Name the step the artifact is of."), field="step")
    document_kind = _kind_or_refuse(kind)
    if document_kind.made_by and not source:
        raise ServiceError(
            "made_by_module",
            _(
                "%(kind)s is made by closing its test run: open the step's test run "
                "(Testing) and close it, and its minutes are drafted from it."
            )
            % {"kind": document_kind.label},
            field="kind",
        )
    if document_kind.code == DISPOSITION_SHEET:
        raise ServiceError(
            "invalid",
            _("A disposition sheet is made from its disposition."),
            field="kind",
        )
    clean = drafting.clean_fields(document_kind, fields)
    chosen = (
        drafting.given_signatories(locked, signatories)
        if signatories is not None
        else drafting.default_signatories(locked, row, art, document_kind, person)
    )
    count = Document.objects.filter(case=locked).count()
    document = Document.objects.create(
        agency_id=locked.agency_id,
        case=locked,
        step=row,
        artifact_key=artifact_key if row is not None else "",
        kind=document_kind.code,
        source=str(source)[:60],
        title=document_kind.label,
        template=template_for(locked.agency_id, document_kind.code, now),
        author=person,
        fields=clean,
        date=_date(date) if date is not None else timezone.localdate(now, _zone(locked)),
        place=str(clean.get("place", ""))[:100],
        draft_number=f"DRAF-{locked.reference}-{count + 1}",
        code=_code(),
        created_at=now,
    )
    _write_signatories(document, chosen)
    journal.append(
        locked,
        JournalKind.DOCUMENT_DRAFTED,
        person,
        now,
        {
            "document": document.pk,
            "kind": document.kind,
            "title": document.title,
            "number": document.draft_number,
            "draft_number": document.draft_number,
            "step": row.step_key if row else None,
            "artifact": document.artifact_key or None,
        },
    )
    locked.save(update_fields=["journal_seq", "journal_hash"])
    return document


def _date(value: object) -> dt.date:
    """The document's date as given (a date or YYYY-MM-DD), or a refusal naming ``date``."""
    return given_date(
        value, field="date", message=_("The date is a date as YYYY-MM-DD (2000 to 2100).")
    )


def _zone(case: Case) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(Agency.objects.values_list("time_zone", flat=True).get(pk=case.agency_id))


def _write_signatories(document: Document, chosen: Sequence[drafting.SignatoryInput]) -> None:
    Signatory.objects.filter(document=document).delete()
    Signatory.objects.bulk_create(
        [
            Signatory(
                document=document,
                order=s.order,
                role=s.role,
                person=s.person,
                label=s.label,
                position_title=drafting.position_title(s.person)[:200],
            )
            for s in chosen
        ]
    )


def _locked_document(person: Person, document: Document | int) -> tuple[Case, Document]:
    """The document's case locked, then the document read again (what another action did
    to it is seen)."""
    pk = document.pk if isinstance(document, Document) else document
    case_id = Document.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise ServiceError("not_found", _("No such document."))
    case = _lock(case_id)
    found = Document.objects.select_related("template").get(pk=pk)
    found.case = case
    return case, found


def _author_or_refuse(person: Person, document: Document) -> None:
    if document.author_id != person.pk:
        raise NotAllowed(_("Only the author of the document can change or submit it."))


@_atomic
def update_draft(
    person: Person,
    document: Document | int,
    *,
    fields: Mapping[str, Any] | None = None,
    signatories: Sequence[Mapping[str, Any]] | None = None,
    date: dt.date | str | None = None,
) -> Document:
    """Change a draft or a returned document: its fields, signatories, date (only what is
    given). Of a document a module made (``made_by``), only the fields of
    :data:`~laksana.documents.kinds.MADE_EDITABLE` (place, notes) may change: the rest are
    its record's (a test run's verdicts), changed there (reopen the run)."""
    case, doc = _locked_document(person, document)
    _author_or_refuse(person, doc)
    if doc.status not in (DocumentStatus.DRAFT, DocumentStatus.RETURNED):
        raise ServiceError("not_editable", _("Only a draft or a returned document can be changed."))
    kind = _kind_or_refuse(doc.kind)
    if fields is not None and kind.made_by:
        fields = made.merged_fields(kind, doc, fields)
    if fields is not None:
        doc.fields = drafting.clean_fields(kind, fields)
        doc.place = str(doc.fields.get("place", ""))[:100]
    if signatories is not None:
        _write_signatories(doc, drafting.given_signatories(case, signatories))
    if date is not None:
        doc.date = _date(date)
    doc.save(update_fields=["fields", "place", "date"])
    return doc


# Called in the transaction where a document becomes final, with the document, its locked
# case and the moment: a module that made it follows (a test run becomes signed).
ON_FINAL: list[Callable[[Document, Case, dt.datetime], None]] = []


# --- circulation --------------------------------------------------------------------------


@_atomic
def submit(person: Person, document: Document | int, *, at: dt.datetime | None = None) -> Document:
    """Send a draft (or a returned document) round for its initials and signatures."""
    now = _now(at)
    case, doc = _locked_document(person, document)
    _author_or_refuse(person, doc)
    if doc.status not in (DocumentStatus.DRAFT, DocumentStatus.RETURNED):
        raise ServiceError("not_editable", _("The document has already been submitted."))
    drafting.clean_fields(_kind_or_refuse(doc.kind), doc.fields)  # a shipped change since
    if not doc.signatories.filter(role=SignatoryRole.SIGN).exists():
        raise ServiceError(
            "invalid_signatories", _("Name at least one person who signs."), field="signatories"
        )
    doc.signatories.update(status=SignatoryStatus.PENDING, acted_at=None, pdf_sha256="", note="")
    doc.status = DocumentStatus.CIRCULATING
    pdf, data = pdfstore.render(doc)
    pdfstore.keep(doc, pdf, data)
    doc.save(update_fields=["status", "pdf", "pdf_sha256", "data"])
    journal.append(
        case,
        JournalKind.DOCUMENT_SUBMITTED,
        person,
        now,
        {
            "document": doc.pk,
            "title": doc.title,
            "number": doc.draft_number,
            "draft_number": doc.draft_number,
            "sha256": doc.pdf_sha256,
        },
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    _notify_turn(doc, case, now)
    return doc


def turn(document: Document) -> list[Signatory]:
    """The signatories whose turn it is: the pending ones of the lowest order."""
    pending = [s for s in document.signatories.all() if s.status == SignatoryStatus.PENDING]
    if not pending:
        return []
    first = min(s.order for s in pending)
    return [s for s in pending if s.order == first]


def _notify_turn(document: Document, case: Case, at: dt.datetime) -> None:
    people = [s.person for s in turn(document)]
    if people:
        _notify_on_commit(
            people,
            case,
            _("%(title)s %(number)s waits for your initial or signature.")
            % {"title": document.title, "number": document.draft_number},
            at,
        )


def _my_turn(person: Person, doc: Document, role: str, seen_sha256: str | None) -> Signatory:
    if doc.status == DocumentStatus.FINAL:
        raise ServiceError("final", _("The document is already final."))
    mine = [s for s in doc.signatories.all() if s.person_id == person.pk]
    if not mine:
        raise NotAllowed(_("You are not a signatory of this document."))
    if doc.status != DocumentStatus.CIRCULATING:
        raise ServiceError(
            "not_circulating",
            _("The document is not waiting for initials or signatures (it is %(status)s).")
            % {"status": doc.get_status_display()},
        )
    now_turn = turn(doc)
    found = next((s for s in now_turn if s.person_id == person.pk), None)
    if found is None:
        pending_mine = [s for s in mine if s.status == SignatoryStatus.PENDING]
        if not pending_mine:
            raise ServiceError("already_done", _("You have already acted on this document."))
        raise ServiceError(
            "not_your_turn",
            _("It is not your turn yet: %(names)s must act first.")
            % {"names": ", ".join(s.person.name for s in now_turn)},
        )
    if role and found.role != role:
        raise ServiceError(
            "wrong_role",
            _("You are asked to sign this document, not to initial it.")
            if found.role == SignatoryRole.SIGN
            else _("You are asked to initial this document, not to sign it."),
        )
    if seen_sha256 is not None and str(seen_sha256).strip().lower() != doc.pdf_sha256:
        raise ServiceError(
            "changed",
            _("The document changed since you looked at it; look at it again before acting."),
            field="seen_sha256",
        )
    return found


@_atomic
def initial(
    person: Person,
    document: Document | int,
    *,
    seen_sha256: str | None = None,
    at: dt.datetime | None = None,
) -> Document:
    """Initial (paraf) the document, when it is the person's turn."""
    return _act(person, document, SignatoryRole.INITIAL, seen_sha256, _now(at))


@_atomic
def sign(
    person: Person,
    document: Document | int,
    *,
    seen_sha256: str | None = None,
    at: dt.datetime | None = None,
) -> Document:
    """Sign the document, when it is the person's turn; the last signature makes it final."""
    return _act(person, document, SignatoryRole.SIGN, seen_sha256, _now(at))


def _act(
    person: Person, document: Document | int, role: str, seen: str | None, now: dt.datetime
) -> Document:
    case, doc = _locked_document(person, document)
    mine = _my_turn(person, doc, role, seen)
    acted_on = doc.pdf_sha256
    mine.status = SignatoryStatus.DONE
    mine.acted_at = now
    mine.save(update_fields=["status", "acted_at"])
    last = not doc.signatories.filter(status=SignatoryStatus.PENDING).exists()
    if last:
        _finalise(doc, case, now)
        for follow in ON_FINAL:
            follow(doc, case, now)
    pdf = pdfstore.read(doc)
    mark = (
        signing.provider().sign(doc, mine, pdf, now)
        if role == SignatoryRole.SIGN
        else signing.InProductSignature().sign(doc, mine, pdf, now)
    )
    if mark.signed_pdf is not None:
        pdfstore.keep(doc, mark.signed_pdf, doc.data)
        doc.save(update_fields=["pdf", "pdf_sha256"])
    mine.pdf_sha256 = doc.pdf_sha256
    mine.save(update_fields=["pdf_sha256"])
    data: dict[str, Any] = {
        "document": doc.pk,
        "title": doc.title,
        "person": person.pk,
        "label": mine.label,
        "sha256": doc.pdf_sha256,
        "provider": mark.provider,
    }
    if last:
        data["draft_sha256"] = acted_on
    kind = JournalKind.SIGNED if role == SignatoryRole.SIGN else JournalKind.INITIALLED
    journal.append(case, kind, person, now, data)
    if last:
        journal.append(
            case,
            JournalKind.DOCUMENT_FINAL,
            person,
            now,
            {
                "document": doc.pk,
                "title": doc.title,
                "number": doc.number,
                "sha256": doc.pdf_sha256,
            },
        )
    case.save(update_fields=["journal_seq", "journal_hash"])
    if last:
        _tell_step(doc, case, now)
    elif not [s for s in turn(doc) if s.order == mine.order]:
        _notify_turn(doc, case, now)
    return doc


def _finalise(doc: Document, case: Case, now: dt.datetime) -> None:
    """Take the final number, render the final PDF, keep it: the document is final."""
    author_unit = Unit.objects.filter(pk=doc.author.unit_id).first()
    year = doc.date.year
    seq, number = numbering.next_number(
        Agency.objects.get(pk=doc.agency_id), doc.kind, year, unit=author_unit, on=doc.date
    )
    doc.status = DocumentStatus.FINAL
    doc.year, doc.seq, doc.number = year, seq, number[:120]
    doc.finalised_at = now
    pdf, data = pdfstore.render(doc, final=True, number=doc.number)
    pdfstore.keep(doc, pdf, data)
    doc.save(
        update_fields=[
            "status",
            "year",
            "seq",
            "number",
            "finalised_at",
            "pdf",
            "pdf_sha256",
            "data",
        ]
    )


def _tell_step(doc: Document, case: Case, now: dt.datetime) -> None:
    """The document is the output of an active step: its holders may complete it now."""
    if doc.step_id is None:
        return
    row = CaseStep.objects.filter(pk=doc.step_id, status=StepStatus.ACTIVE).first()
    if row is None:
        return
    step = case.version.spec.step(row.step_key)
    if doc.artifact_key not in step.produces:
        return
    people: list[Any] = (
        [(row.claimed_by_id, row.claimed_by.email if row.claimed_by else "")]
        if row.claimed_by_id is not None
        else list(holder_contacts(case, row.actor_key))
    )
    if people:
        _notify_on_commit(
            people,
            case,
            _("%(title)s %(number)s is final: step %(no)s can be completed.")
            % {"title": doc.title, "number": doc.number, "no": step.number},
            now,
        )


@_atomic
def refuse(
    person: Person, document: Document | int, *, note: str, at: dt.datetime | None = None
) -> Document:
    """A signatory whose turn it is refuses: the document returns to its author."""
    now = _now(at)
    case, doc = _locked_document(person, document)
    mine = _my_turn(person, doc, "", None)
    note = (note or "").strip() if isinstance(note, str) else ""
    if not note:
        raise ServiceError("required", _("Say why you refuse the document."), field="note")
    if len(note) > 2000:
        raise ServiceError("too_long", _("The note has at most 2000 characters."), field="note")
    mine.status = SignatoryStatus.REFUSED
    mine.acted_at = now
    mine.note = note
    mine.pdf_sha256 = doc.pdf_sha256
    mine.save(update_fields=["status", "acted_at", "note", "pdf_sha256"])
    doc.status = DocumentStatus.RETURNED
    doc.return_note = note
    doc.save(update_fields=["status", "return_note"])
    journal.append(
        case,
        JournalKind.DOCUMENT_RETURNED,
        person,
        now,
        {
            "document": doc.pk,
            "title": doc.title,
            "number": doc.draft_number,
            "note": note,
            "sha256": doc.pdf_sha256,
            "role": mine.role,
        },
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    _notify_on_commit(
        [doc.author],
        case,
        _("%(name)s returned %(title)s %(number)s: %(note)s")
        % {"name": person.name, "title": doc.title, "number": doc.draft_number, "note": note},
        now,
    )
    return doc


# --- the disposition sheet ----------------------------------------------------------------


@_atomic
def make_disposition_sheet(
    person: Person, disposition: Disposition | int, *, at: dt.datetime | None = None
) -> Document:
    """The Lembar Disposisi of a disposition: final at once, numbered, signed by its sender
    (the disposition is the signature). Made once; asked again, the same document."""
    now = _now(at)
    pk = disposition.pk if isinstance(disposition, Disposition) else disposition
    d = Disposition.objects.filter(pk=pk).select_related("sender").first()
    if d is None:
        raise ServiceError("not_found", _("No such disposition."))
    case = _lock(d.case_id)
    if person.user is None or not can_view(person.user, case, person):
        raise NotAllowed(_("You cannot see this case."))
    made = Document.objects.filter(
        case=case, kind=DISPOSITION_SHEET, fields__disposition=d.pk
    ).first()
    if made is not None:
        return made
    doc = Document.objects.create(
        agency_id=case.agency_id,
        case=case,
        step_id=d.step_id,
        kind=DISPOSITION_SHEET,
        title=KINDS[DISPOSITION_SHEET].label,
        template=template_for(case.agency_id, DISPOSITION_SHEET, now),
        author=d.sender,
        fields={"disposition": d.pk},
        date=timezone.localdate(d.created_at, _zone(case)),
        draft_number=f"DRAF-{case.reference}-{Document.objects.filter(case=case).count() + 1}",
        code=_code(),
        created_at=now,
    )
    signer = Signatory.objects.create(
        document=doc,
        order=1,
        role=SignatoryRole.SIGN,
        person=d.sender,
        label="",
        position_title=drafting.position_title(d.sender)[:200],
        status=SignatoryStatus.DONE,
        acted_at=d.created_at,
    )
    _finalise(doc, case, now)
    signer.pdf_sha256 = doc.pdf_sha256
    signer.save(update_fields=["pdf_sha256"])
    journal.append(
        case,
        JournalKind.DOCUMENT_FINAL,
        person,
        now,
        {
            "document": doc.pk,
            "title": doc.title,
            "number": doc.number,
            "sha256": doc.pdf_sha256,
            "disposition": d.pk,
        },
    )
    case.save(update_fields=["journal_seq", "journal_hash"])
    return doc
