from __future__ import annotations

from django.urls import URLPattern, path

from laksana.documents import dossier_views

app_name = "documents"

urlpatterns: list[URLPattern] = [
    # The case dossier, beside the case page's /kasus/<reference>/ routes.
    path("kasus/<str:reference>/berkas.zip", dossier_views.download, name="dossier"),
]
