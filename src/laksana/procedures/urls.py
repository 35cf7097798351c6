"""URLs of the procedure screens, under /prosedur/."""

from __future__ import annotations

from django.urls import path

from laksana.procedures import import_views, views

app_name = "procedures"

urlpatterns = [
    path("", views.library_list, name="list"),
    path("terbitkan/", views.publish_upload, name="publish"),
    # A Word (.docx) SOP imported: uploaded, reviewed, saved as a draft.
    path("impor/", import_views.upload, name="import"),
    path("impor/<int:pk>/", import_views.review, name="import_review"),
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
]
