"""The survey report's screens: /survei/<pk>/laporan.pdf (a preview of the report as it would
print now, for anyone who may read the survey: marked as a draft, not numbered, nothing
written) and /survei/<pk>/laporan/buat/ (POST, the survey's keepers: the official document
drafted on the case's step, :func:`laksana.survey.report_plugin.make_report`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from laksana.errors import ServiceError
from laksana.survey import report, report_plugin
from laksana.survey.models import Survey
from laksana.web.middleware import current_person
from laksana.web.servicecalls import call


def _survey(request: HttpRequest, pk: int) -> Survey:
    """The survey if the user reads it; 404 otherwise (another agency's too)."""
    from laksana.survey import services

    person = current_person(request)
    if person is None and not request.user.is_superuser:
        raise Http404
    return call(lambda: services.get_survey(person, pk))


@login_required
@require_safe
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of the survey as it would print now (a preview)."""
    survey = _survey(request, pk)
    data = report.preview_pdf(survey, now=timezone.now())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pratinjau-laporan-skm-{pk}.pdf"'
    return response


@login_required
@require_POST
def make_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft the official report on the case's step; its document opens."""
    person = current_person(request)
    if person is None:
        messages.error(request, _("Only a member of an agency makes a survey report."))
        return redirect("survey:detail", pk)
    _survey(request, pk)
    try:
        document = call(lambda: report_plugin.make_report(person, pk))
    except ServiceError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("survey:detail", pk)
    messages.success(
        request, _("The survey report was drafted: %(number)s.") % {"number": document.draft_number}
    )
    return redirect("documents:detail", document.pk)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/laporan.pdf", report_pdf, name="report_pdf"),
    path("<int:pk>/laporan/buat/", make_report, name="make_report"),
]
