"""The permission matrix's rows for the staff import (org:admin_import; laksana.org.staffimport):
Bali's agency administrator may preview a SIMPEG export (the preview writes nothing; applying
is tested in tests/org/test_staff_import_web.py); Bali's other members get 403; everyone of
another agency (DJKI's administrator, the vendors' staff) gets the 404 of an unknown agency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import laksana.org

SAMPLE = Path(laksana.org.__file__).parent / "samples" / "simpeg-contoh.csv"


def upload(s: Any) -> dict[str, Any]:
    return {
        "action": "upload",
        "file": SimpleUploadedFile("simpeg-contoh.csv", SAMPLE.read_bytes(), "text/csv"),
    }


def entries() -> dict[str, Any]:
    from tests.security.test_permission_matrix import Entry, row

    def url(s: Any) -> str:
        return reverse("org:admin_import", args=[s.bali.agency.slug])

    # Bali's members who do not administer it: 403; everyone of DJKI: 404.
    admin_only = row(
        "login",
        "403",
        "403",
        "403",
        "404",
        vendor_after="404",
        agency_admin="ok",
        other_admin="404",
    )
    return {
        "org:admin_import": Entry(url, admin_only, static=True),
        "POST org:admin_import": Entry(
            url,
            admin_only,
            method="POST",
            data=upload,
            static=True,
        ),
    }
