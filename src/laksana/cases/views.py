"""Case screens. Reads go through the visibility gate; writes through the services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from laksana.cases.models import Case
from laksana.cases.queries import visible_cases


def _visible_case(request: HttpRequest, reference: str) -> Case:
    case = (
        visible_cases(request.user)
        .select_related("version", "requesting_unit", "application", "opened_by")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        # The same answer whether the case does not exist or may not be seen.
        raise Http404
    return case


@login_required
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page: steps, timeline, files and the disposition chain."""
    case = _visible_case(request, reference)
    return render(
        request, "cases/detail.html", {"case": case, "journal": case.journal.order_by("seq")}
    )
