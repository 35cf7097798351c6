from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "documents"

urlpatterns: list[URLPattern] = []  # the web part (views.py) and the dossier (dossier_views.py)
