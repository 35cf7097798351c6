"""The staff's screens of the public desk, under /organisasi/<agency>/layanan-publik/."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
