"""URLs of the agency administrator's screens (home, vendors, disposition presets, change
history), under /organisasi/<agency>/."""

from __future__ import annotations

from django.urls import URLPattern, path

from laksana.org import views_more

urlpatterns: list[URLPattern] = [
    path("<slug:agency>/", views_more.admin_home, name="admin_home"),
    path("<slug:agency>/vendor/", views_more.admin_vendors, name="admin_vendors"),
    path("<slug:agency>/vendor/<int:pk>/", views_more.admin_vendor, name="admin_vendor"),
    path("<slug:agency>/disposisi/", views_more.admin_instructions, name="admin_instructions"),
    path("<slug:agency>/riwayat/", views_more.admin_history, name="admin_history"),
]
