"""The survey module's screens: /survei/... (signed in: surveys, results, report, settings) and
the respondents' forms (no sign-in: the public link and the invitation)."""

from __future__ import annotations

from django.urls import URLPattern

from laksana.survey import views, views_public, views_report, views_results, views_settings

app_name = "survey"

urlpatterns: list[URLPattern] = [
    *views_public.urlpatterns,
    *views_settings.urlpatterns,
    *views_results.urlpatterns,
    *views_report.urlpatterns,
    *views.urlpatterns,
]
