"""Views of the web shell."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponseRedirect:
    """The home page; until there are cases to show, it is the procedure library."""
    return redirect("procedures:list")
