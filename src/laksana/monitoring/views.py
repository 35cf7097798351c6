"""Monitor screens (placeholder until the web part lands)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
