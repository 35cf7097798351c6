"""The evaluation module's screens: /evaluasi/... (signed in)."""

from __future__ import annotations

from django.urls import URLPattern

from laksana.evaluation import views

app_name = "evaluation"

urlpatterns: list[URLPattern] = [*views.urlpatterns]
