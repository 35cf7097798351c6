"""URLs of the organisation screens, under /organisasi/."""

from __future__ import annotations

from django.urls import path

from laksana.org import views

app_name = "org"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:agency>/<slug:procedure>/", views.bindings, name="bindings"),
]
