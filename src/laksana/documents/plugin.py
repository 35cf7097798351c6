"""The documents module on the registry of artifact types (:mod:`laksana.cases.artifacts`).

Each document kind's artifact types take, as a step's value, the reference of a *final*
document of the same case and kind (``{"ref": "document:<id>"}``); as a step's output, the
document made for that step and artifact: the step is complete when its document is signed,
not when a file is uploaded. (A scanned, signed file is still accepted: the engine's check of
a named type takes a file value, for kinds a unit signs outside Laksana.)

The resolved value is ``{"ref": "document:<id>", "number": ..., "fields": {...}}``: the
document's number and the fields its author gave, so a module that follows completed steps
(the catalogue's data-deletion records) reads them from the case without reading documents.

The producer tells the step's page where the document of an artifact stands (none yet, a
draft, waiting for whom, returned, final) and links to the document's screen.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from laksana.cases import artifacts
from laksana.cases.artifacts import Context, Produced, Unresolved
from laksana.cases.models import Case, CaseStep
from laksana.documents.kinds import BY_ARTIFACT_TYPE, DocumentKind
from laksana.documents.models import Document, DocumentStatus, SignatoryStatus
from laksana.engine.spec import ArtifactSpec

PREFIX = "document:"


def _id(ref: object) -> int | None:
    text = str(ref).strip() if isinstance(ref, str | int) and not isinstance(ref, bool) else ""
    text = text.removeprefix(PREFIX)
    if not text.isdigit() or len(text) > 19:
        return None
    pk = int(text)
    return pk if 0 < pk <= artifacts.MAX_ID else None


def waiting_names(document: Document) -> list[str]:
    """Who the document waits for now (the signatories whose turn it is)."""
    pending = [
        s
        for s in document.signatories.select_related("person").order_by("order", "pk")
        if s.status == SignatoryStatus.PENDING
    ]
    if not pending:
        return []
    first = pending[0].order
    return [s.person.name for s in pending if s.order == first]


def _not_final(document: Document) -> str:
    if document.status == DocumentStatus.RETURNED:
        return _("document %(id)s was returned to its author and is not final") % {
            "id": document.pk
        }
    if document.status == DocumentStatus.DRAFT:
        return _("document %(id)s is a draft, not submitted for signatures yet") % {
            "id": document.pk
        }
    return _("document %(id)s is not final yet: waiting for %(names)s") % {
        "id": document.pk,
        "names": ", ".join(waiting_names(document)) or "?",
    }


def value_of(document: Document) -> dict[str, Any]:
    """What the case keeps of a final document."""
    return {
        "ref": f"{PREFIX}{document.pk}",
        "number": document.number,
        "fields": dict(document.fields),
    }


def _resolver(kind: DocumentKind) -> artifacts.Resolver:
    def resolve(ctx: Context, ref: object) -> dict[str, Any]:
        pk = _id(ref)
        if pk is None:
            raise Unresolved(
                _('"%(ref)s" names no document; give {"ref": "document:<id>"}')
                % {"ref": str(ref)[:40]}
            )
        # Another case's document is answered as one that does not exist: a reference does
        # not tell whether an id is in use elsewhere.
        document = Document.objects.filter(pk=pk, case_id=ctx.case.pk).first()
        if document is None:
            raise Unresolved(_("this case has no document %(id)s") % {"id": pk})
        if document.kind != kind.code:
            raise Unresolved(
                _("document %(id)s is not a %(kind)s") % {"id": pk, "kind": kind.label}
            )
        if ctx.produced and (
            document.step_id != ctx.row.pk or document.artifact_key != ctx.spec.id
        ):
            raise Unresolved(
                _("the output of this step is the document made for it, not document %(id)s")
                % {"id": pk}
            )
        if document.status != DocumentStatus.FINAL:
            raise Unresolved(_not_final(document))
        return value_of(document)

    return resolve


def _url(name: str, args: list[Any] | None = None, query: dict[str, Any] | None = None) -> str:
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{path}?{urlencode(query)}" if query else path


def produced(case: Case, row: CaseStep, spec: ArtifactSpec) -> Produced:
    """Where the document of a step's artifact stands: for an output, the document made on
    this step; for a requirement, the one an earlier step made."""
    found = Document.objects.filter(case_id=case.pk, artifact_key=spec.id)
    if spec.id in case.version.spec.step(row.step_key).produces:
        found = found.filter(step_id=row.pk)  # an output: the document made on this step
    else:
        # A requirement: the document an earlier step made, the final one if there is one.
        final = found.filter(status=DocumentStatus.FINAL)
        found = final if final.exists() else found
    document = found.order_by("-created_at", "-pk").first()
    if document is None:
        return Produced(
            None,
            _("No document yet"),
            _url(
                "documents:new",
                query={"case": case.reference, "step": row.pk, "artifact": spec.id},
            ),
            _("Make the document"),
        )
    url = _url("documents:detail", args=[document.pk])
    if document.status == DocumentStatus.FINAL:
        return Produced(
            value_of(document),
            _("Final: %(number)s") % {"number": document.number},
            url,
            _("Open the document"),
        )
    if document.status == DocumentStatus.RETURNED:
        status = _("Returned to its author: %(note)s") % {"note": document.return_note}
    elif document.status == DocumentStatus.DRAFT:
        status = _("Draft %(number)s, not submitted yet") % {"number": document.draft_number}
    else:
        status = _("Waiting for %(names)s") % {"names": ", ".join(waiting_names(document))}
    return Produced(None, status, url, _("Open the document"))


def register() -> None:
    """Called from DocumentsConfig.ready()."""
    for type_name, kind in BY_ARTIFACT_TYPE.items():
        artifacts.register(type_name, resolver=_resolver(kind), producer=produced)
