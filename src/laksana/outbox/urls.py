"""URLs of the outbox screen, under /kotak-keluar/."""

from __future__ import annotations

from django.urls import path

from laksana.outbox import views

app_name = "outbox"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:message_id>/kirim-ulang/", views.retry, name="retry"),
]
