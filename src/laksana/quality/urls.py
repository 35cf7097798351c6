"""The testing module's screens: /pengujian/... (signed in)."""

from __future__ import annotations

from django.urls import URLPattern

from laksana.quality import views_reports, views_runs, views_sets

app_name = "quality"

urlpatterns: list[URLPattern] = [
    *views_sets.urlpatterns,
    *views_runs.urlpatterns,
    *views_reports.urlpatterns,
]
