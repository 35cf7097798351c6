"""The demo's drafts: Bali's revision of SOP 002 in review, a new procedure being written."""

from __future__ import annotations

import pytest

from laksana.cases.models import Case
from laksana.demo.drafts import REVISION_PURPOSE, build_drafts
from laksana.procedures import drafts, drafttree
from laksana.procedures.models import DraftState

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_draft_in_review_and_one_being_written(bali):
    cases = Case.objects.count()
    revision, hosting = build_drafts({"bali": bali})
    assert revision.state == DraftState.IN_REVIEW and revision.base_version is not None
    assert revision.submitted_by == bali["ketuatim"]
    assert drafts.check(revision).ok
    assert drafttree.parse(revision.source)["identity"]["purpose"] == REVISION_PURPOSE
    assert hosting.state == DraftState.DRAFT and not drafts.check(hosting).ok
    kinds = [e.kind for e in drafts.journal(bali["kabid"], bali.agency)]
    assert kinds == ["created", "saved", "saved", "submitted", "created", "saved", "saved"]
    assert drafts.verify_journal(bali.agency) == []
    assert Case.objects.count() == cases
    version = drafts.approve(bali["kabid"], revision)  # the reviewer may publish it
    assert version.number == 2
