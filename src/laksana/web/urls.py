"""URLs of the web shell: the home page."""

from __future__ import annotations

from django.urls import path

from laksana.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
]
