"""Views of the web shell."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponseRedirect:
    """The home page: a signed-in person's inbox; for visitors, the procedure library."""
    if request.user.is_authenticated:
        return redirect("cases:inbox")
    return redirect("procedures:list")
