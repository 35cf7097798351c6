"""The monitoring module's screens: /pemantauan/... (signed in) and /status/<agency>/."""

from __future__ import annotations

from django.urls import URLPattern

from laksana.monitoring import views, views_status

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    *views.urlpatterns,
    *views_status.urlpatterns,
]
