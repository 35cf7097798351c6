"""The follow link's routes, under /layanan/ (no sign-in: the secret in the address is the
right to see one case)."""

from __future__ import annotations

from django.urls import path

from laksana.intake import views_follow

urlpatterns = [
    path("permohonan/<str:secret>/", views_follow.follow, name="follow"),
]
