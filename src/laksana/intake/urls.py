"""The public desk's routes, under /layanan/ (no sign-in needed, except ``mine``). The fixed
words come before the agency's slug, so an agency cannot shadow them."""

from __future__ import annotations

from django.urls import path

from laksana.intake import follow_urls, views_public

app_name = "intake"

urlpatterns = [
    *follow_urls.urlpatterns,
    path("konfirmasi/<str:secret>/", views_public.confirm, name="confirm"),
    path("lacak/", views_public.track, name="track"),
    path("saya/", views_public.mine, name="mine"),
    path("terkirim/", views_public.filed, name="filed"),
    path("<slug:agency>/", views_public.agency, name="agency"),
    path("<slug:agency>/<slug:service>/", views_public.file, name="file"),
]
