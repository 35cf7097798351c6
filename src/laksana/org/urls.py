"""URLs of the organisation screens, under /organisasi/."""

from __future__ import annotations

from django.urls import include, path

from laksana.org import admin_urls_more, admin_urls_structure, import_urls, views
from laksana.worktime import views as worktime_views

app_name = "org"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the bindings: "kalender" and the administrator's screens are not procedures.
    path("<slug:agency>/kalender/", worktime_views.calendar, name="calendar"),
    *admin_urls_structure.urlpatterns,
    *admin_urls_more.urlpatterns,
    *import_urls.urlpatterns,
    path("<slug:agency>/layanan-publik/", include("laksana.intake.staff_urls")),
    path("<slug:agency>/<slug:procedure>/", views.bindings, name="bindings"),
]
