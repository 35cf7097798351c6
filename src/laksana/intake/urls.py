"""The public desk's routes, under /layanan/ (no sign-in needed)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "intake"

urlpatterns: list[URLPattern] = []
