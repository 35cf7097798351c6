"""The maintenance module's screens: /pemeliharaan/... (signed in)."""

from __future__ import annotations

from django.urls import URLPattern

from laksana.maintenance import views, views_dashboard, views_report, views_rows, views_work

app_name = "maintenance"

urlpatterns: list[URLPattern] = [
    *views_dashboard.urlpatterns,
    *views.urlpatterns,
    *views_rows.urlpatterns,
    *views_work.urlpatterns,
    *views_report.urlpatterns,
]
