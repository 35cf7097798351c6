"""Placeholder: filled in by its builder."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
