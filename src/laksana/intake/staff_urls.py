"""The staff's screens of the public desk, under /organisasi/<agency>/layanan-publik/."""

from __future__ import annotations

from django.urls import path

from laksana.intake import views_staff

urlpatterns = [
    path("", views_staff.public_services, name="public_services"),
    path("<int:pk>/", views_staff.public_service, name="public_service"),
    path("permohonan/", views_staff.outside_requests, name="outside_requests"),
    path("permohonan/<int:pk>/", views_staff.outside_request, name="outside_request"),
]
