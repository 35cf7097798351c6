"""The maintenance module's screens: /pemeliharaan/... (signed in)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "maintenance"

urlpatterns: list[URLPattern] = []
