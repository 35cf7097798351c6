"""The permission matrix's rows for the agency administrator's home, vendors, disposition
presets and change history (laksana.org.views_more), on Bali's screens: only Bali's agency
administrator gets them; Bali's other members are refused (403); people of another agency,
DJKI's administrator included, get the answer of an agency that does not exist (404)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from laksana.catalog.models import Vendor
from laksana.org.models import DispositionInstruction


def _vendor(s: Any) -> int:
    vendor, _created = Vendor.objects.get_or_create(agency=s.bali.agency, name="PT Matriks Bali")
    return vendor.pk


def _written(model: type, **lookup: Any) -> Any:
    def check(c: Any) -> None:
        wanted = c.persona == "agency_admin"
        found = model.objects.filter(agency=c.s.bali.agency, **lookup).exists()  # type: ignore[attr-defined]
        assert found == wanted, f"{c.route} as {c.persona}: written {found}"

    return check


def entries() -> dict[str, Any]:
    from tests.security.test_permission_matrix import Entry, row

    admin_only = row("login", "403", "403", "403", "404", agency_admin="ok", other_admin="404")

    def bali(name: str) -> Any:
        return lambda s: reverse(name, args=[s.bali.agency.slug])

    def vendor_url(s: Any) -> str:
        return reverse("org:admin_vendor", args=[s.bali.agency.slug, _vendor(s)])

    return {
        "org:admin_home": Entry(bali("org:admin_home"), admin_only, static=True),
        "org:admin_vendors": Entry(bali("org:admin_vendors"), admin_only, static=True),
        "POST org:admin_vendors": Entry(
            bali("org:admin_vendors"),
            admin_only,
            method="POST",
            data=lambda s: {"action": "create", "name": "PT Matriks Baru"},
            check=_written(Vendor, name="PT Matriks Baru"),
            static=True,
        ),
        "org:admin_vendor": Entry(vendor_url, admin_only, static=True),
        "POST org:admin_vendor": Entry(
            vendor_url,
            admin_only,
            method="POST",
            data=lambda s: {"action": "rename", "name": "PT Matriks Dewata"},
            check=_written(Vendor, name="PT Matriks Dewata"),
            static=True,
        ),
        "org:admin_instructions": Entry(bali("org:admin_instructions"), admin_only, static=True),
        "POST org:admin_instructions": Entry(
            bali("org:admin_instructions"),
            admin_only,
            method="POST",
            data=lambda s: {"action": "add", "text": "Segera tindak lanjuti"},
            check=_written(DispositionInstruction, text="Segera tindak lanjuti"),
            static=True,
        ),
        "org:admin_history": Entry(bali("org:admin_history"), admin_only, static=True),
    }
