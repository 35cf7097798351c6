"""The respondents' screens (no sign-in) and the staff's QR poster.

- ``survey:public`` /survei/isi/<code>/: the public form of an open survey whose public link
  is on (walk-in respondents, the QR code). Each form carries a single-use token; the answer
  goes through :func:`laksana.survey.guard.submit` (honeypot, hourly limit per address, token,
  minimum fill time, then :func:`laksana.survey.answers.record`). A survey that is closed, a
  draft, past its period or with its link off answers the "not taking answers" page (404).
- ``survey:invitation`` /survei/undangan/<secret>/: the form of one invitation
  (:func:`laksana.survey.invitations.find` / :func:`~laksana.survey.invitations.answer`).
- ``survey:thanks`` /survei/terima-kasih/: where both forms land.
- ``survey:qr`` /survei/<pk>/qr/ (signed in, the survey's readers): a printable A4 poster
  with the QR code of the public link; ``survey:qr_svg`` the code alone as SVG.

Every refusal is a page that says what happened and what to do, and nothing is written.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from laksana.errors import NotAllowed, ServiceError
from laksana.org.models import Person
from laksana.survey import answers, forms_answer, guard, invitations, services
from laksana.survey.models import Survey
from laksana.web.middleware import current_person
from laksana.web.proxies import client_address
from laksana.web.servicecalls import call

COOKIE_DAYS = 180

# Refusals of the public form shown as a page of their own (code → HTTP status).
_REFUSAL_STATUS = {
    "honeypot": 400,
    "token_missing": 400,
    "token_invalid": 400,
    "token_used": 409,
}
# Refusals of an invitation link (code → template, status).
_INVITATION_PAGES = {
    "not_found": ("survey/respond/invitation_gone.html", 404),
    "expired": ("survey/respond/invitation_gone.html", 410),
    "answered": ("survey/respond/invitation_gone.html", 409),
}


def _closed(request: HttpRequest, survey: Survey | None = None) -> HttpResponse:
    return render(request, "survey/respond/closed.html", {"survey": survey}, status=404)


def _open_public(code: str) -> Survey | None:
    survey = Survey.objects.filter(public_code=code).first()
    if survey is None or not survey.public_enabled:
        return None
    if not answers.open_on(survey, timezone.localdate()):
        return None
    return survey


def _limited(request: HttpRequest, survey: Survey, exc: ServiceError) -> HttpResponse:
    wait = guard.seconds_to_next_hour()
    response = render(
        request,
        "survey/respond/refused.html",
        {"survey": survey, "message": exc.message, "code": exc.code, "again": False},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _form(
    request: HttpRequest,
    survey: Survey,
    *,
    action: str,
    token: str = "",
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
    invitation: bool = False,
) -> HttpResponse:
    context: dict[str, Any] = {
        "survey": survey,
        "action": action,
        "token": token,
        "token_field": guard.TOKEN_FIELD,
        "honeypot": guard.HONEYPOT,
        "already": not invitation and request.COOKIES.get(guard.COOKIE) == "1",
        "notice": notice,
        "invitation": invitation,
        **forms_answer.questionnaire(survey, values, problems),
    }
    return render(request, "survey/respond/form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def public(request: HttpRequest, code: str) -> HttpResponse:
    """The public form of a survey (GET), and its answer (POST)."""
    survey = _open_public(code)
    if survey is None:
        return _closed(request)
    action = reverse("survey:public", args=[code])
    address = client_address(request)
    if request.method != "POST":
        try:
            guard.check_rate(survey, address)
        except ServiceError as exc:
            return _limited(request, survey, exc)
        return _form(request, survey, action=action, token=guard.issue(survey))
    values = forms_answer.posted(request.POST)
    token = str(request.POST.get(guard.TOKEN_FIELD) or "")
    try:
        guard.submit(survey, request.POST, address=address)
    except ServiceError as exc:
        if exc.code == "rate_limited":
            return _limited(request, survey, exc)
        if exc.code == "survey_closed":
            return _closed(request, survey)
        if exc.code in _REFUSAL_STATUS:
            return render(
                request,
                "survey/respond/refused.html",
                {"survey": survey, "message": exc.message, "code": exc.code, "again": True},
                status=_REFUSAL_STATUS[exc.code],
            )
        if exc.code in ("token_expired", "too_fast"):
            fresh = guard.issue(survey) if exc.code == "token_expired" else token
            return _form(
                request,
                survey,
                action=action,
                token=fresh,
                values=values,
                notice=exc.message,
                status=400,
            )
        return _form(
            request,
            survey,
            action=action,
            token=token,
            values=values,
            problems=forms_answer.problems_of(exc),
            notice=_("Your answer was not recorded yet: please check the questions marked below."),
            status=422,
        )
    response = redirect("survey:thanks")
    response.set_cookie(
        guard.COOKIE,
        "1",
        max_age=COOKIE_DAYS * 24 * 3600,
        path=action,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def _invitation_refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    template, status = _INVITATION_PAGES.get(exc.code, _INVITATION_PAGES["not_found"])
    return render(request, template, {"code": exc.code, "message": exc.message}, status=status)


def _worker_refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "survey/respond/refused.html",
        {"message": message, "code": "not_allowed", "again": False},
        status=403,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, secret: str) -> HttpResponse:
    """The form of one invitation (GET), and its answer (POST)."""
    try:
        found = invitations.find(secret)
    except ServiceError as exc:
        return _invitation_refused(request, exc)
    survey = found.survey
    if not answers.open_on(survey, timezone.localdate()):
        return _closed(request, survey)
    action = reverse("survey:invitation", args=[secret])
    person = current_person(request)
    if request.method != "POST":
        if person is not None and person.pk in invitations.workers_of(found.case):
            return _worker_refused(
                request, _("You worked on this case, so you may not answer its survey.")
            )
        return _form(request, survey, action=action, invitation=True)
    values = forms_answer.posted(request.POST)
    try:
        invitations.answer(secret, values, person=person)
    except NotAllowed as exc:
        return _worker_refused(request, exc.message)
    except ServiceError as exc:
        if exc.code in _INVITATION_PAGES:
            return _invitation_refused(request, exc)
        if exc.code == "survey_closed":
            return _closed(request, survey)
        return _form(
            request,
            survey,
            action=action,
            values=values,
            problems=forms_answer.problems_of(exc),
            notice=_("Your answer was not recorded yet: please check the questions marked below."),
            status=422,
            invitation=True,
        )
    return redirect("survey:thanks")


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    """Where an answer lands."""
    return render(request, "survey/respond/thanks.html")


def public_link(survey: Survey) -> str:
    """The absolute address of the survey's public form (the site's address, not the
    request's: the poster is printed and read outside)."""
    site = str(getattr(settings, "LAKSANA_SITE_URL", "") or "").rstrip("/")
    return site + reverse("survey:public", args=[survey.public_code])


def _readable(request: HttpRequest, pk: int) -> Survey:
    person: Person | None = current_person(request)
    if person is None and not request.user.is_superuser:
        raise PermissionDenied(_("Your account is not linked to a person of an agency."))
    # Another agency's survey reads as a missing one (404).
    return call(lambda: services.get_survey(person, pk))


def _code(survey: Survey) -> segno.QRCode:
    return segno.make(public_link(survey), error="m")


@login_required
@require_safe
def qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable poster of the survey's public link."""
    survey = _readable(request, pk)
    context = {
        "survey": survey,
        "service": services.service_label(survey),
        "link": public_link(survey),
        "qr_uri": _code(survey).svg_data_uri(scale=10, border=2),
        "taking_answers": survey.public_enabled and answers.open_on(survey, timezone.localdate()),
    }
    return render(request, "survey/respond/poster.html", context)


@login_required
@require_safe
def qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code of the survey's public link alone, as an SVG file."""
    survey = _readable(request, pk)
    svg = _code(survey).svg_inline(scale=10, border=2)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="survei-{survey.pk}-qr.svg"'
    return response


urlpatterns: list[URLPattern] = [
    path("isi/<str:code>/", public, name="public"),
    path("undangan/<str:secret>/", invitation, name="invitation"),
    path("terima-kasih/", thanks, name="thanks"),
    path("<int:pk>/qr/", qr, name="qr"),
    path("<int:pk>/qr.svg", qr_svg, name="qr_svg"),
]
