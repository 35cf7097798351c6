"""Views of the web shell: the home page, the sign-in page and the lockout page."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth import views as auth_views
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone

from laksana.accounts import oidc


def home(request: HttpRequest) -> HttpResponseRedirect:
    """The home page: a signed-in person's inbox; for visitors, the procedure library."""
    if request.user.is_authenticated:
        return redirect("cases:inbox")
    return redirect("procedures:list")


class LoginView(auth_views.LoginView):
    """Django's sign-in page in the site's look, with the single sign-on button when the
    agency's OpenID Connect provider is configured."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = oidc.provider_name() if oidc.configured() else None
        return context


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None,
    credentials: dict[str, Any] | None,
) -> HttpResponse:
    """The page of a locked-out sign-in (django-axes' AXES_LOCKOUT_CALLABLE), status 429.

    It names the time the user name can be tried again from this address: the cool-off counted
    from the last failure before the lock (trying while locked does not move it)."""
    cool_off = get_cool_off(request) or dt.timedelta(0)
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None)
    last = AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
        last=Max("attempt_time")
    )["last"] or getattr(request, "axes_attempt_time", None)
    now = timezone.now()
    until = (last or now) + cool_off
    wait = max(until - now, dt.timedelta(0))
    response = render(
        request,
        "web/locked_out.html",
        {
            "until": until,
            "minutes": max(1, math.ceil(wait.total_seconds() / 60)),
        },
        status=429,
    )
    response["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
    return response
