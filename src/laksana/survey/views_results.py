"""A survey's results under /survei/<pk>/hasil/ (signed in, the survey's readers): the table
of the unsur (NRR, converted value, grade), the IKM computed exactly and, labelled as such,
the figure with the weight rounded to 0,111 that many published reports give; the grade; the
respondents against the Krejcie–Morgan minimum (a plain warning when below); the
respondents' profile; the suggestions; the charts; and the follow-up plan.

All figures come from :mod:`laksana.survey.index` (database aggregates); nothing here writes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from laksana.survey import charts, index, services
from laksana.survey.models import Answer
from laksana.survey.views import person_of, shown, survey_of

SUGGESTIONS_PER_PAGE = 50


def _profile_tables(survey: Any) -> list[dict[str, Any]]:
    titles = {
        "sex": _("Sex"),
        "age": _("Age"),
        "education": _("Education"),
        "occupation": _("Occupation"),
    }
    found = index.profile(survey)
    tables = []
    for key in ("sex", "age", "education", "occupation"):
        rows = [(label if value else _("Not given"), count) for value, label, count in found[key]]
        total = sum(c for _l, c in rows)
        given = [(label, count) for label, count in rows if count]
        tables.append(
            {
                "key": key,
                "title": titles[key],
                "rows": [
                    (label, count, shown(Fraction(count * 100, total)) if total else "-")
                    for label, count in rows
                ],
                "chart": mark_safe(charts.pie(given)) if given else "",
            }
        )
    return tables


@login_required
@require_safe
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The survey's index, per unsur and in all, its respondents and their suggestions."""
    survey = survey_of(request, pk)
    person = person_of(request)
    result = index.of_survey(survey)
    respondents = result.respondents if result else 0
    rows = []
    bars_nrr = ""
    if result is not None:
        rows = [
            {
                "code": f"U{e.position}",
                "name": e.name,
                "total": e.total,
                "nrr": shown(e.nrr),
                "weighted": shown(e.nrr * index.WEIGHT),
                "converted": shown(e.converted),
                "grade": e.grade,
            }
            for e in result.elements
        ]
        bars_nrr = mark_safe(
            charts.bars(
                [(f"U{e.position} {e.name}", float(e.converted)) for e in result.elements],
                maximum=100,
            )
        )
    suggestions = (
        Answer.objects.filter(survey_id=survey.pk)
        .exclude(suggestion="")
        .order_by("-submitted_on", "-pk")
        .values_list("submitted_on", "suggestion")
    )
    page = Paginator(suggestions, SUGGESTIONS_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "survey/results.html",
        {
            "survey": survey,
            "service": services.service_label(survey),
            "result": result,
            "respondents": respondents,
            "rows": rows,
            "ikm": shown(result.ikm) if result else "-",
            "converted": shown(result.converted) if result else "-",
            "ikm_0111": shown(result.ikm_0111) if result else "-",
            "converted_0111": shown(result.converted_0111) if result else "-",
            "sample": index.sample(survey, respondents),
            "profile": _profile_tables(survey) if result else [],
            "bars": bars_nrr,
            "suggestions": page,
            "may_keep": services.may_keep(person, survey.agency_id),
        },
    )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/hasil/", results, name="results"),
]
