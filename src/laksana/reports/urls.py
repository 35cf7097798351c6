"""URLs of the reports, under /laporan/."""

from __future__ import annotations

from django.urls import path

from laksana.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.compliance_view, name="compliance"),
    path("kepatuhan.xlsx", views.compliance_xlsx, name="compliance_xlsx"),
    path("kepatuhan.pdf", views.compliance_pdf, name="compliance_pdf"),
    path("terlambat/", views.overdue_view, name="overdue"),
]
