"""The public desk's routes, under /layanan/ (no sign-in needed)."""

from __future__ import annotations

from laksana.intake import follow_urls

app_name = "intake"

urlpatterns = [
    *follow_urls.urlpatterns,
]
