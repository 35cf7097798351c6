"""The URL map of the whole site."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from laksana.web.views import LoginView

urlpatterns = [
    # The API first: its clients call it far more often than people open pages, and the URL
    # resolver tries the patterns in order.
    path("api/", include("laksana.api.urls")),
    path("", include("laksana.web.urls")),
    path("prosedur/", include("laksana.procedures.urls")),
    path("kasus/", include("laksana.cases.urls")),
    path("katalog/", include("laksana.catalog.urls")),
    path("organisasi/", include("laksana.org.urls")),
    path("laporan/", include("laksana.reports.urls")),
    path("kotak-keluar/", include("laksana.outbox.urls")),
    # Documents: /dokumen/... and the public /verifikasi/<code> (no sign-in).
    path("", include("laksana.documents.urls")),
    path("pengujian/", include("laksana.quality.urls")),
    # Monitoring: /pemantauan/... (signed in) and each agency's status page /status/<agency>/
    # (public when the agency says so).
    path("", include("laksana.monitoring.urls")),
    path("pemeliharaan/", include("laksana.maintenance.urls")),
    # Satisfaction surveys: /survei/... (signed in), the public form /survei/isi/<code>/ and the
    # invitation /survei/undangan/<secret>/ (no sign-in).
    path("survei/", include("laksana.survey.urls")),
    path("evaluasi/", include("laksana.evaluation.urls")),
    path("layanan/", include("laksana.intake.urls")),
    # Signing in and out: Django's views, the page in the site's look (web/login.html);
    # django-axes locks a user name out on one address after repeated wrong passwords.
    path("akun/masuk/", LoginView.as_view(), name="login"),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on with the agency's OpenID Connect provider: 404 unless configured.
    path("akun/", include("laksana.accounts.urls")),
    # Django's set_language view: POST language=id|en switches the interface language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# A request whose body cannot be read (multipart without a boundary, too many files, form
# data over its size): the message page naming what was wrong.
handler400 = "laksana.web.errors.bad_request"
