"""URLs of the organisation screens, under /organisasi/."""

from __future__ import annotations

from django.urls import path

from laksana.org import views
from laksana.worktime import views as worktime_views

app_name = "org"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the bindings: "kalender" is not a procedure.
    path("<slug:agency>/kalender/", worktime_views.calendar, name="calendar"),
    path("<slug:agency>/<slug:procedure>/", views.bindings, name="bindings"),
]
