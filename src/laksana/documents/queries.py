"""What documents a person may see, and which wait for them.

A document is seen by whoever may see its case (:mod:`laksana.cases.queries`, the one gate),
and by its author and its signatories (a signer such as the head of a requesting unit may be
asked to sign a document of a case they would not otherwise see).
"""

from __future__ import annotations

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery

from laksana.cases.models import Case
from laksana.cases.queries import visible_cases
from laksana.documents.models import Document, DocumentStatus, Signatory, SignatoryStatus
from laksana.org.models import Person


def visible_documents(person: Person) -> QuerySet[Document]:
    """The documents ``person`` may see."""
    cases = visible_cases(person.user) if person.user is not None else Case.objects.none()
    return Document.objects.filter(
        Q(case__in=cases.values("pk"))
        | Q(author=person)
        | Q(pk__in=Signatory.objects.filter(person=person).values("document_id"))
    )


def may_see(person: Person, document: Document) -> bool:
    return visible_documents(person).filter(pk=document.pk).exists()


def waiting_for(person: Person) -> QuerySet[Document]:
    """The circulating documents whose turn is this person's (to initial or to sign)."""
    first_pending = (
        Signatory.objects.filter(document=OuterRef("document"), status=SignatoryStatus.PENDING)
        .values("document")
        .annotate(first=Min("order"))
        .values("first")
    )
    mine = Signatory.objects.filter(
        document=OuterRef("pk"), person=person, status=SignatoryStatus.PENDING
    ).filter(order=Subquery(first_pending))
    return Document.objects.filter(status=DocumentStatus.CIRCULATING).filter(Exists(mine))


def documents_of_case(case: Case) -> QuerySet[Document]:
    """The documents of a case, newest first."""
    return Document.objects.filter(case_id=case.pk).order_by("-created_at", "-pk")
