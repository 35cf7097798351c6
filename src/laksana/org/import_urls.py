"""URLs of the agency administrator's screens (part), under /organisasi/<agency>/."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
