"""Documents another module makes from its records (kinds with ``made_by``: the minutes of a
test run). That module drafts one with :func:`laksana.documents.services.make_draft`, naming
its ``source``; these functions serve it afterwards, inside its own transaction (the
document's case already locked by it):

* :func:`untouched`: nobody has initialled or signed the document yet (so its record may
  still change);
* :func:`withdraw`: a document sent round but not yet acted on comes back to a draft (its
  record is being changed);
* :func:`refill`: the draft's fields made again from the changed record (one document per
  record: re-closing a run updates its minutes rather than making a second one);
* :func:`merged_fields`: for :func:`laksana.documents.services.update_draft`, the author's
  change of such a draft, refused beyond its place and notes;
* :func:`draft_or_refill`: a report drafted on a step from the module's record, or the
  step's unsigned one made again (the maintenance report, the survey report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from laksana.cases.servicebase import ServiceError
from laksana.documents import drafting
from laksana.documents.configure import _kind_or_refuse
from laksana.documents.kinds import MADE_EDITABLE, DocumentKind
from laksana.documents.models import Document, DocumentStatus, SignatoryStatus

if TYPE_CHECKING:
    from laksana.cases.models import Case, CaseStep
    from laksana.org.models import Person


def untouched(document: Document) -> bool:
    """Not final, and no signatory has initialled or signed the PDF now circulating (a
    returned document is sent round again from the start)."""
    if document.status == DocumentStatus.FINAL:
        return False
    if document.status == DocumentStatus.CIRCULATING:
        return not document.signatories.filter(status=SignatoryStatus.DONE).exists()
    return True


def withdraw(document: Document) -> Document:
    """A circulating document nobody has acted on back to a draft (a draft or a returned
    document stays as it is); refused once someone has initialled or signed it."""
    if not untouched(document):
        raise ServiceError(
            "signed",
            _("%(title)s has already been initialled or signed: it cannot change any more.")
            % {"title": document.title},
        )
    if document.status == DocumentStatus.CIRCULATING:
        document.status = DocumentStatus.DRAFT
        document.save(update_fields=["status"])
        document.signatories.update(
            status=SignatoryStatus.PENDING, acted_at=None, pdf_sha256="", note=""
        )
    return document


def refill(
    document: Document,
    fields: Mapping[str, Any],
    *,
    place: str = "",
    date: dt.date | None = None,
) -> Document:
    """The draft's fields made again by its module (checked as any draft's fields), and its
    date when given (the day the record was closed again)."""
    if document.status not in (DocumentStatus.DRAFT, DocumentStatus.RETURNED):
        raise ServiceError("not_editable", _("Only a draft or a returned document can be changed."))
    kind = _kind_or_refuse(document.kind)
    document.fields = drafting.clean_fields(kind, fields)
    document.place = (place or str(document.fields.get("place", "")))[:100]
    if date is not None:
        document.date = date
    document.save(update_fields=["fields", "place", "date"])
    return document


def merged_fields(kind: DocumentKind, doc: Document, given: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a made document after its author's change of the editable ones (place,
    notes: :data:`~laksana.documents.kinds.MADE_EDITABLE`); a refusal naming
    the first other field given with another value than the record's."""
    if not isinstance(given, Mapping):
        raise ServiceError(
            "invalid_fields", _("Give the fields as a mapping of names to values."), field="fields"
        )
    current = dict(doc.fields)
    merged = {**current, **{k: v for k, v in given.items() if k in MADE_EDITABLE}}
    cleaned = drafting.clean_fields(kind, {**current, **given})
    for key in sorted({*cleaned, *current} - set(MADE_EDITABLE)):
        if cleaned.get(key) != current.get(key):
            raise ServiceError(
                "made_by_module",
                _(
                    "%(field)s comes from the record the document was made from (a test run, "
                    "a maintenance plan): change the record to change it."
                )
                % {"field": key},
                field=key,
            )
    return merged


def draft_or_refill(
    person: Person,
    case: Case,
    row: CaseStep,
    key: str,
    fields: Mapping[str, Any],
    *,
    source: str,
    at: dt.datetime,
) -> Document:
    """The document of artifact ``key`` on the step ``row`` made from a module's record
    (``source``): the step's document not yet final is withdrawn and refilled (refused once
    someone has initialled or signed it), else a new draft, signed by its author when the
    kind's signers are not bound. The caller holds the transaction and the case's lock."""
    from django.utils import timezone

    from laksana.documents import services

    existing = (
        Document.objects.filter(case_id=case.pk, step_id=row.pk, artifact_key=key)
        .exclude(status=DocumentStatus.FINAL)
        .order_by("-pk")
        .first()
    )
    if existing is not None:
        withdraw(existing)
        return refill(existing, fields, date=timezone.localdate(at))

    def draft(**more: Any) -> Document:
        return services.make_draft(
            person,
            case.pk,
            step=row.pk,
            artifact_key=key,
            fields=dict(fields),
            source=source,
            at=at,
            **more,
        )

    try:
        return draft()
    except ServiceError as exc:
        if exc.code != "no_signatory":
            raise
    return draft(signatories=[{"person": person.pk, "role": "sign", "label": "", "order": 1}])
