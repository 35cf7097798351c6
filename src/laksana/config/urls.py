"""The URL map of the whole site."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("", include("laksana.web.urls")),
    path("prosedur/", include("laksana.procedures.urls")),
    path("kasus/", include("laksana.cases.urls")),
    path("katalog/", include("laksana.catalog.urls")),
    path("organisasi/", include("laksana.org.urls")),
    path("laporan/", include("laksana.reports.urls")),
    path("api/", include("laksana.api.urls")),
    # Signing in and out: Django's views, the page in the site's look (web/login.html).
    path(
        "akun/masuk/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's set_language view: POST language=id|en switches the interface language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
