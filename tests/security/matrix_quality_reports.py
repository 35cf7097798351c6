"""The permission matrix's rows for the testing module's reports routes (see
test_permission_matrix's docstring for the personas, outcomes and checks).

Reports are read as the agency's other reports (the REPORTS row: the Kepala Dinas, not the
requesting units nor the vendors); one application's report of another agency is a 404 (the
DJKI vendors asking for SIKESDA). A ZAP report is imported by whoever may test the run (the
runs' scenario: a UAT at step 9 tested by the requester; the Kepala Dinas sees the run and is
refused). The ASVS checklist is installed by the agency's catalogue keepers (the Kepala Dinas).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

ZAP_JSON = (Path(__file__).parent.parent / "quality" / "data" / "zap-sikesda.json").read_bytes()


def _sikesda(s: Any) -> int:
    return int(s.bali.applications["sikesda"].pk)


def is_a_workbook(c: Any) -> None:
    if c.response.status_code == 200:
        assert c.response.content.startswith(b"PK")
        assert "spreadsheetml" in c.response["Content-Type"]


def lists_only_the_own_agency(c: Any) -> None:
    """Bali's staff see Bali's applications; DJKI's administrator DJKI's, nothing of Bali."""
    if c.response.status_code == 200:
        text = c.text()
        own, other = c.s.bali.applications["sikesda"].name, c.s.djki.applications["ipas"].name
        if c.persona in _matrix_personas().NOT_OF_BALI:
            own, other = other, own
        assert own in text and other not in text, c.persona


def _matrix_personas() -> Any:
    import sys

    return sys.modules["tests.security.test_permission_matrix"]


def zap_imported(c: Any) -> None:
    from laksana.quality.models import Finding, FindingSource
    from tests.security.matrix_quality_runs import _run
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal")
    assert Finding.objects.filter(run=_run(c.s), source=FindingSource.ZAP).count() == 6


def checklist_installed(c: Any) -> None:
    from laksana.quality.models import ScenarioSet, SetKind
    from tests.security.test_permission_matrix import unchanged

    unchanged(c)  # scenario sets are the testing module's own records
    made = ScenarioSet.objects.get(kind=SetKind.SECURITY)
    assert made.created_by_id == c.person.pk and made.application_id == _sikesda(c.s)


def no_checklist(c: Any) -> None:
    from laksana.quality.models import ScenarioSet, SetKind
    from tests.security.test_permission_matrix import outcome

    if outcome(c.response, web=True) != "ok":
        assert not ScenarioSet.objects.filter(kind=SetKind.SECURITY).exists()


def entries() -> dict[str, Any]:
    from tests.security.matrix_quality_runs import _run, _with_run, quality_unchanged
    from tests.security.test_permission_matrix import REPORTS, Entry, row

    one_report = row("login", "403", "403", "ok", "404")
    keeper = row("login", "403", "403", "ok", "403")
    zap_read = row("login", "404", "ok", "403", "404")
    return {
        "quality:reports": Entry(
            lambda s: reverse("quality:reports"),
            REPORTS,
            static=True,
            check=lists_only_the_own_agency,
        ),
        "quality:reports_xlsx": Entry(
            lambda s: reverse("quality:reports_xlsx"), REPORTS, static=True, check=is_a_workbook
        ),
        "quality:report": Entry(
            lambda s: reverse("quality:report", args=[_sikesda(s)]), one_report, static=True
        ),
        "quality:report_xlsx": Entry(
            lambda s: reverse("quality:report_xlsx", args=[_sikesda(s)]),
            one_report,
            static=True,
            check=is_a_workbook,
        ),
        "quality:zap_import": Entry(
            lambda s: reverse("quality:zap_import", args=[_run(s).pk]),
            zap_read,
            prepare=_with_run,
        ),
        "POST quality:zap_import": Entry(
            lambda s: reverse("quality:zap_import", args=[_run(s).pk]),
            zap_read,
            method="POST",
            data=lambda s: {"report": SimpleUploadedFile("zap.json", ZAP_JSON)},
            prepare=_with_run,
            effect=zap_imported,
            check=quality_unchanged,
        ),
        "quality:checklist_install": Entry(
            lambda s: reverse("quality:checklist_install"), keeper, static=True
        ),
        "POST quality:checklist_install": Entry(
            lambda s: reverse("quality:checklist_install"),
            {**keeper, "other_admin": "422"},
            method="POST",
            data=lambda s: {"application": _sikesda(s)},
            static=True,
            effect=checklist_installed,
            check=no_checklist,
        ),
        "GET /api/quality-reports": Entry(
            lambda s: "/api/quality-reports", row("401", "403", "403", "ok", "403"), static=True
        ),
        "GET /api/quality-reports/{application_id}": Entry(
            lambda s: f"/api/quality-reports/{_sikesda(s)}",
            row("401", "403", "403", "ok", "404"),
            static=True,
        ),
        "GET /api/security-checklist": Entry(
            lambda s: "/api/security-checklist", row("401", "ok", "ok", "ok", "ok"), static=True
        ),
        "POST /api/security-checklist": Entry(
            lambda s: "/api/security-checklist",
            row("401", "403", "403", "ok", "404"),
            method="POST",
            json=True,
            data=lambda s: {"application_id": _sikesda(s)},
            static=True,
            effect=checklist_installed,
            check=no_checklist,
        ),
    }
