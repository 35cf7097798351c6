"""The documents' screens: /dokumen/... (signed in), the case dossier beside the case page,
and the public verification page /verifikasi/... (no sign-in, rate limited as every anonymous
request is)."""

from __future__ import annotations

from django.urls import URLPattern, path

from laksana.documents import dossier_views, draft_views, settings_views, verify_views, views

app_name = "documents"

urlpatterns: list[URLPattern] = [
    path("dokumen/", views.mine, name="mine"),
    path("dokumen/baru", draft_views.new, name="new"),
    path("dokumen/pratinjau", draft_views.preview, name="preview"),
    path("dokumen/<int:pk>/", views.detail, name="detail"),
    path("dokumen/<int:pk>/ubah", draft_views.edit, name="edit"),
    path("dokumen/<int:pk>/pratinjau", draft_views.html, name="html"),
    path("dokumen/<int:pk>/kirim", views.submit, name="submit"),
    path("dokumen/<int:pk>/paraf", views.initial, name="initial"),
    path("dokumen/<int:pk>/tanda-tangan", views.sign, name="sign"),
    path("dokumen/<int:pk>/kembalikan", views.refuse, name="refuse"),
    path("dokumen/<int:pk>/dokumen.pdf", views.pdf, name="pdf"),
    path("dokumen/<int:pk>/dokumen.docx", views.docx, name="docx"),
    path(
        "kasus/<str:reference>/disposisi/<int:disposition_id>/lembar",
        views.disposition_sheet,
        name="disposition_sheet",
    ),
    # Settings of the agency: templates, letterheads, numbering.
    path("dokumen/pengaturan/", settings_views.overview, name="settings"),
    path("dokumen/pengaturan/templat/<str:kind>/", settings_views.template, name="template"),
    path("dokumen/pengaturan/kop/", settings_views.letterhead, name="letterhead"),
    path(
        "dokumen/pengaturan/kop/<int:unit_id>/",
        settings_views.letterhead,
        name="unit_letterhead",
    ),
    path(
        "dokumen/pengaturan/penomoran/<str:kind>/",
        settings_views.numbering_pattern,
        name="numbering",
    ),
    # Public: is a document genuine?
    path("verifikasi/", verify_views.check_file, name="verify_file"),
    path("verifikasi/<str:code>", verify_views.by_code, name="verify"),
    # The case dossier, beside the case page's /kasus/<reference>/ routes.
    path("kasus/<str:reference>/berkas.zip", dossier_views.download, name="dossier"),
]
