"""The follow link's routes, under /layanan/ (no sign-in: the secret in the address is the
right to see one case)."""

from __future__ import annotations

from django.urls import path

from laksana.intake import views_follow

urlpatterns = [
    path("permohonan/<str:secret>/", views_follow.follow, name="follow"),
    path(
        "permohonan/<str:secret>/langkah/<int:step_id>/",
        views_follow.complete,
        name="follow_step",
    ),
    path(
        "permohonan/<str:secret>/balas/<int:step_id>/",
        views_follow.reply,
        name="follow_reply",
    ),
]
