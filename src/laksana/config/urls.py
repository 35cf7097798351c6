"""The URL map of the whole site."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("laksana.web.urls")),
    path("prosedur/", include("laksana.procedures.urls")),
    path("kasus/", include("laksana.cases.urls")),
    # Django's set_language view: POST language=id|en switches the interface language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
