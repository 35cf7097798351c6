"""URLs of the case screens, under /kasus/."""

from __future__ import annotations

from django.urls import path

from laksana.cases import views

app_name = "cases"

urlpatterns = [
    path("<str:reference>/", views.detail, name="detail"),
]
