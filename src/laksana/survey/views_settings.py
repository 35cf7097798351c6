"""The agency's survey settings under /survei/pengaturan/ (signed in, the keepers): the
questionnaire (the order of the nine unsur, their names, questions and four answer labels)
and the invitation rules (whether the requesters of closed cases are invited, after what
delay, which share of cases, when an invitation expires) and the public link's limit per
address. New surveys copy the questionnaire; existing ones keep what they asked.

Everything is written by :func:`laksana.survey.services.update_settings`; its refusals are
shown on the form (422).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from laksana.errors import ServiceError
from laksana.survey import forms, services
from laksana.survey.elements import default_elements
from laksana.survey.models import SurveySettings
from laksana.survey.views import person_of, refuse_keeper
from laksana.web.servicecalls import call


@login_required
def survey_settings(request: HttpRequest) -> HttpResponse:
    """The questionnaire and the invitation rules of the person's agency (keepers)."""
    person = person_of(request)
    if not services.may_keep(person, person.agency_id):
        raise refuse_keeper()
    # Read without writing: the regulation's questionnaire until the agency saves its own.
    found = SurveySettings.objects.filter(agency_id=person.agency_id).first() or SurveySettings(
        agency_id=person.agency_id, elements=default_elements()
    )
    data = request.POST if request.method == "POST" else None
    elements = forms.ElementFormSet(
        data, initial=forms.element_initial(found.elements or default_elements()), prefix="unsur"
    )
    rules = forms.InvitationForm(
        data,
        initial={
            "invite_requesters": found.invite_requesters,
            "invite_delay_hours": found.invite_delay_hours,
            "invite_share": found.invite_share,
            "invite_expiry_days": found.invite_expiry_days,
            "public_per_hour": found.public_per_hour,
        },
    )
    if request.method == "POST" and elements.is_valid() and rules.is_valid():
        payload = {"elements": forms.elements_of(elements), **rules.cleaned_data}
        try:
            call(lambda: services.update_settings(person, person.agency_id, payload))
        except ServiceError as exc:
            forms.add_service_errors(rules, exc)
        else:
            messages.success(request, _("The survey settings were saved."))
            return redirect("survey:settings")
    return render(
        request,
        "survey/settings.html",
        {"elements": elements, "rules": rules},
        status=422 if request.method == "POST" else 200,
    )


urlpatterns: list[URLPattern] = [
    path("pengaturan/", survey_settings, name="settings"),
]
