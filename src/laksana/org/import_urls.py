"""URLs of the agency administrator's staff import, under /organisasi/<agency>/."""

from __future__ import annotations

from django.urls import URLPattern, path

from laksana.org import import_views

urlpatterns: list[URLPattern] = [
    path("<slug:agency>/impor-pegawai/", import_views.admin_import, name="admin_import"),
]
