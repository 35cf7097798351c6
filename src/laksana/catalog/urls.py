"""URLs of the catalogue screens, under /katalog/."""

from __future__ import annotations

from django.urls import path

from laksana.catalog import views, views_records

app_name = "catalog"

urlpatterns = [
    path("", views.catalogue, name="list"),
    path("baru/", views.create, name="create"),
    path("impor/", views.import_view, name="import"),
    path("ekspor/", views.export, name="export"),
    path("proker/", views.programme_index, name="programme_index"),
    path("proker/<int:year>/", views.programme, name="programme"),
    path("risiko/", views_records.risk_register, name="risk_register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/ubah/", views.edit, name="edit"),
    path("<int:pk>/tahap/", views.change_stage, name="stage"),
    path("<int:pk>/lingkungan/", views.environment, name="environment"),
    path("<int:pk>/kontrak/", views.contract, name="contract"),
    path("<int:pk>/dokumen/", views.document_upload, name="document_upload"),
    path("<int:pk>/dokumen/<int:document_id>/", views.document, name="document"),
    path("<int:pk>/risiko/", views.risk, name="risk"),
    path("<int:pk>/kontrak/<int:contract_id>/", views_records.contract_edit, name="contract_edit"),
    path(
        "<int:pk>/kontrak/<int:contract_id>/akhiri/",
        views_records.contract_end,
        name="contract_end",
    ),
    path("<int:pk>/risiko/<int:risk_id>/", views_records.risk_edit, name="risk_edit"),
    path("<int:pk>/risiko/<int:risk_id>/tutup/", views_records.risk_close, name="risk_close"),
    path("<int:pk>/proker/", views.programme_add, name="programme_add"),
    path("<int:pk>/putus/", views.decommission, name="decommission"),
]
