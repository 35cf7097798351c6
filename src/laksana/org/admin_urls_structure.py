"""URLs of the agency administrator's screens (part), under /organisasi/<agency>/: units,
positions, people and product roles (:mod:`laksana.org.views_admin`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from laksana.org import views_admin

urlpatterns: list[URLPattern] = [
    path("<slug:agency>/unit/", views_admin.units, name="admin_units"),
    path("<slug:agency>/unit/<int:pk>/", views_admin.unit, name="admin_unit"),
    path("<slug:agency>/jabatan/", views_admin.positions, name="admin_positions"),
    path("<slug:agency>/jabatan/<int:pk>/", views_admin.position, name="admin_position"),
    path("<slug:agency>/pegawai/", views_admin.people, name="admin_people"),
    path("<slug:agency>/pegawai/<int:pk>/", views_admin.person, name="admin_person"),
    path("<slug:agency>/peran/", views_admin.roles, name="admin_roles"),
]
