"""The "Pemohon luar" panel of the case page (registered with :mod:`laksana.cases.panels`):
for a case opened from a request from outside, the requester's name, e-mail and phone, for
the staff who see the case; the agency's administrators also get the spam button."""

from __future__ import annotations

from typing import Any

from laksana.cases.models import Case
from laksana.intake.models import OutsideRequest, RequestStatus
from laksana.intake.services_admin import may_manage
from laksana.intake.views_staff import SpamForm
from laksana.org.models import Person


def case_panel(person: Person | None, case: Case) -> tuple[str, dict[str, Any]] | None:
    """The requester from outside of ``case``, or None (not such a case, or no person)."""
    if person is None:
        return None
    found = (
        OutsideRequest.objects.filter(case_id=case.pk, agency_id=case.agency_id)
        .select_related("agency")
        .first()
    )
    if found is None:
        return None
    admin = may_manage(person, found.agency) and found.status != RequestStatus.SPAM
    return (
        "intake/_case_panel.html",
        {"request": found, "may_mark_spam": admin, "form": SpamForm() if admin else None},
    )
