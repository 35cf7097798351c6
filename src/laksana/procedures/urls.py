"""URLs of the procedure screens, under /prosedur/."""

from __future__ import annotations

from django.urls import path

from laksana.procedures import import_views, views, views_draft_forms, views_drafts

app_name = "procedures"

urlpatterns = [
    path("", views.library_list, name="list"),
    path("terbitkan/", views.publish_upload, name="publish"),
    # A Word (.docx) SOP imported: uploaded, reviewed, saved as a draft.
    path("impor/", import_views.upload, name="import"),
    path("impor/<int:pk>/", import_views.review, name="import_review"),
    # Drafts: written in the browser, reviewed, published as a new version.
    path("draf/", views_drafts.draft_list, name="drafts"),
    path("draf/baru/", views_drafts.draft_new, name="draft_new"),
    path("draf/buka/", views_drafts.draft_open, name="draft_open"),
    path("draf/<int:pk>/", views_draft_forms.draft_editor, name="draft"),
    path("draf/<int:pk>/bagian/<slug:section>/", views_draft_forms.draft_save, name="draft_save"),
    path("draf/<int:pk>/sumber/", views_draft_forms.draft_save_source, name="draft_source"),
    path(
        "draf/<int:pk>/pratinjau/<slug:section>/",
        views_draft_forms.draft_preview,
        name="draft_preview",
    ),
    path("draf/<int:pk>/yaml", views_drafts.draft_yaml, name="draft_yaml"),
    path("draf/<int:pk>/kirim/", views_drafts.draft_submit, name="draft_submit"),
    path("draf/<int:pk>/setujui/", views_drafts.draft_approve, name="draft_approve"),
    path("draf/<int:pk>/kembalikan/", views_drafts.draft_return, name="draft_return"),
    path("draf/<int:pk>/tarik/", views_drafts.draft_withdraw, name="draft_withdraw"),
    path("<slug:procedure_id>/", views.detail, name="detail"),
    path("<slug:procedure_id>/pdf", views.download_pdf, name="pdf"),
    path("<slug:procedure_id>/svg", views.download_svg, name="svg"),
    path("<slug:procedure_id>/bpmn", views.download_bpmn, name="bpmn"),
    path("<slug:procedure_id>/yaml", views.download_yaml, name="yaml"),
    # A published version belongs to its agency: /prosedur/instansi/<agency>/<key>/versi/<n>/.
    path(
        "instansi/<slug:agency>/<slug:procedure_id>/versi/<int:number>/",
        views.version_detail,
        name="version",
    ),
    path(
        "instansi/<slug:agency>/<slug:procedure_id>/versi/<int:number>/pdf",
        views.version_pdf,
        name="version_pdf",
    ),
    path(
        "instansi/<slug:agency>/<slug:procedure_id>/versi/<int:number>/yaml",
        views.version_yaml,
        name="version_yaml",
    ),
    path(
        "instansi/<slug:agency>/<slug:procedure_id>/versi/<int:number>/revisi",
        views_drafts.version_revise,
        name="revise",
    ),
]
