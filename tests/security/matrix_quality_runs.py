"""The permission matrix's rows for the testing module's runs routes (see
test_permission_matrix's docstring for the personas, outcomes and checks)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tests.cases.helpers import active, png, work

# --- web routes of runs and findings (laksana.quality.views_runs) ----------------------------
#
# The Bali case of the scenario is driven on from step 3 to step 9 (the UAT, worked by the
# requesting unit: the requester), and a UAT run is started on it with a verdict, a photo and
# a finding. The requester tests; the step holder (the Kepala Dinas, who worked step 3) sees
# the run but may not test it (refused); the other unit and the vendors get 404, as for a run
# that does not exist. The quality tables are not in the matrix's fingerprint: the refused
# cells check them themselves (``quality_unchanged``).

# Who works steps 3 to 8 of SOP 002 in the Bali demo.
TO_UAT = ("kadis", "kabid", "ketuatim", "dev1", "qa1", "dev1")


def _at_uat(s: Any) -> None:
    """Drive the scenario's case to step 9 and give SIKESDA a UAT scenario set."""
    from laksana.quality import scenarios
    from laksana.quality.models import Priority
    from laksana.quality.scenarios import ScenarioInput

    case = s.case
    for login in TO_UAT:
        case = work(s.bali[login], case)
    assert active(case).step_key == "s9"
    s.built.case = case
    rows = [
        ScenarioInput(
            number=f"UAT-{n}",
            title=f"Simpan data {n}",
            steps="Isi dan simpan",
            expected="Tersimpan",
            priority=Priority.HIGH if n == 1 else Priority.MEDIUM,
        )
        for n in (1, 2)
    ]
    s.__dict__["quality_set"] = scenarios.create_set(
        s.bali["kadis"], s.bali.applications["sikesda"].pk, name="UAT SIKESDA", scenarios=rows
    )
    s.__dict__["quality_state"] = _quality_state()


def _with_run(s: Any) -> None:
    """The case at step 9 with an open UAT run: a Gagal with a photo on its first scenario
    and a finding."""
    from laksana.quality import findings, runs

    _at_uat(s)
    tester = s.bali["dinkes_staf"]
    run = runs.start_run(
        tester,
        active(s.case).pk,
        "ba_uat",
        scenario_set_id=s.__dict__["quality_set"].pk,
        app_version="2.4",
    )
    first = run.items.get(position=1)
    runs.record_verdict(tester, first.pk, "gagal", files=[png("bukti.png")])
    s.__dict__["quality_run"] = run
    s.__dict__["quality_finding"] = findings.add_finding(
        tester, run.pk, severity="sedang", title="Tombol simpan tidak aktif", item_id=first.pk
    )
    s.__dict__["quality_evidence"] = first.evidence.get()
    s.__dict__["quality_state"] = _quality_state()


def _quality_state() -> tuple[Any, ...]:
    from laksana.quality.models import Evidence, Finding, RunItem, TestRun

    return (
        sorted(TestRun.objects.values_list("pk", "status", "result", "place")),
        sorted(RunItem.objects.values_list("pk", "verdict", "actual", "tested_by_id")),
        sorted(Evidence.objects.values_list("pk", "item_id")),
        sorted(Finding.objects.values_list("pk", "status", "title", "owner_id")),
    )


def _run(s: Any) -> Any:
    return s.__dict__["quality_run"]


def quality_unchanged(c: Any) -> None:
    """A cell that is not "ok" wrote nothing of the testing module either."""
    from tests.security.test_permission_matrix import outcome

    if outcome(c.response, web=True) != "ok":
        assert _quality_state() == c.s.__dict__["quality_state"], (
            f"{c.route} as {c.persona} changed the testing module's records"
        )


def run_started(c: Any) -> None:
    from laksana.quality.models import TestRun
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal")
    assert TestRun.objects.get().opened_by_id == c.person.pk


def verdict_recorded(c: Any) -> None:
    from tests.security.test_permission_matrix import unchanged

    unchanged(c)  # verdicts are the testing module's own records
    item = _run(c.s).items.get(position=2)
    assert item.verdict == "lulus" and item.tested_by_id == c.person.pk
    assert item.evidence.count() == 1


def finding_added(c: Any) -> None:
    from laksana.quality.models import Finding
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal")
    assert Finding.objects.filter(run=_run(c.s)).count() == 2


def finding_fixed(c: Any) -> None:
    from laksana.quality.models import FindingStatus
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal")
    found = c.s.__dict__["quality_finding"]
    found.refresh_from_db()
    assert found.status == FindingStatus.FIXED


def lists_the_run_to_its_viewers(c: Any) -> None:
    if c.response.status_code == 200:
        shown = reverse("quality:run", args=[_run(c.s).pk]) in c.text()
        assert shown == (c.persona in ("requester", "step_holder")), c.persona


def is_the_evidence(c: Any) -> None:
    if c.response.status_code == 200:
        body = b"".join(c.response.streaming_content)
        assert body.startswith(b"\x89PNG")
        assert c.response["X-Content-Type-Options"] == "nosniff"


def shows_the_verdict_buttons_to_the_tester(c: Any) -> None:
    if c.response.status_code == 200:
        assert ('name="verdict"' in c.text()) == (c.persona == "requester"), c.persona


def _start_url(s: Any) -> str:
    return reverse("quality:start") + f"?step={active(s.case).pk}&artifact=ba_uat"


def web_entries() -> dict[str, Any]:
    """The rows of the run and finding screens."""
    from tests.security.test_permission_matrix import SIGNED_IN, Entry, row

    # Read by who sees the case; the other unit and the vendors get "not found".
    run_read = row("login", "404", "ok", "ok", "404")
    # Tested by the requesting unit only: the Kepala Dinas sees it and is refused.
    run_write = row("login", "404", "ok", "refused", "404")
    return {
        "quality:runs": Entry(
            lambda s: reverse("quality:runs"),
            SIGNED_IN,
            prepare=_with_run,
            check=lists_the_run_to_its_viewers,
        ),
        "quality:start": Entry(_start_url, run_write, prepare=_at_uat, check=quality_unchanged),
        "POST quality:start": Entry(
            _start_url,
            run_write,
            method="POST",
            data=lambda s: {"scenario_set": s.__dict__["quality_set"].pk, "app_version": "2.4"},
            prepare=_at_uat,
            effect=run_started,
            check=quality_unchanged,
        ),
        "quality:run": Entry(
            lambda s: reverse("quality:run", args=[_run(s).pk]), run_read, prepare=_with_run
        ),
        # Closing with a scenario still without a verdict: the tester gets the form again
        # with the refusal; nobody changes anything.
        "POST quality:run": Entry(
            lambda s: reverse("quality:run", args=[_run(s).pk]),
            row("login", "404", "422", "refused", "404"),
            method="POST",
            data=lambda s: {"action": "close", "place": "Ruang Rapat"},
            prepare=_with_run,
            check=quality_unchanged,
        ),
        "quality:item": Entry(
            lambda s: reverse("quality:item", args=[_run(s).pk, 1]),
            run_read,
            prepare=_with_run,
            check=shows_the_verdict_buttons_to_the_tester,
        ),
        "POST quality:item": Entry(
            lambda s: reverse("quality:item", args=[_run(s).pk, 2]),
            run_write,
            method="POST",
            data=lambda s: {"verdict": "lulus", "photo": png("layar.png")},
            prepare=_with_run,
            effect=verdict_recorded,
            check=quality_unchanged,
        ),
        "quality:finding_new": Entry(
            lambda s: reverse("quality:finding_new", args=[_run(s).pk]),
            run_read,
            prepare=_with_run,
        ),
        "POST quality:finding_new": Entry(
            lambda s: reverse("quality:finding_new", args=[_run(s).pk]),
            run_write,
            method="POST",
            data=lambda s: {"severity": "tinggi", "title": "Data hilang setelah simpan"},
            prepare=_with_run,
            effect=finding_added,
            check=quality_unchanged,
        ),
        "quality:finding": Entry(
            lambda s: reverse("quality:finding", args=[s.__dict__["quality_finding"].pk]),
            run_read,
            prepare=_with_run,
        ),
        # The Kepala Dinas keeps the agency's catalogue: he may follow a finding up too.
        "POST quality:finding": Entry(
            lambda s: reverse("quality:finding", args=[s.__dict__["quality_finding"].pk]),
            run_read,
            method="POST",
            data=lambda s: {"action": "fixed", "fixed-note": "Diperbaiki di 2.4.1"},
            prepare=_with_run,
            effect=finding_fixed,
            check=quality_unchanged,
        ),
        "quality:evidence": Entry(
            lambda s: reverse("quality:evidence", args=[s.__dict__["quality_evidence"].pk]),
            run_read,
            prepare=_with_run,
            check=is_the_evidence,
        ),
    }


# --- end of the web routes of runs and findings ----------------------------------------------


# --- API operations of runs and findings (laksana.quality.api_runs) --------------------------
#
# On the same run as the screens (``_with_run``): the requester tests it; the Kepala Dinas
# reads it, may not test it (403) and, keeping the agency's catalogue, follows findings up;
# the other unit and the vendors get 404, nobody signed in 401.

ZAP_REPORT = "tests/quality/data/zap-sikesda.json"


def _api_run(tail: str = "") -> Any:
    return lambda s: f"/api/test-runs/{_run(s).pk}{tail}"


def _api_item(tail: str) -> Any:
    return lambda s: f"/api/test-runs/{_run(s).pk}/items/{_run(s).items.get(position=2).pk}{tail}"


def _api_evidence(s: Any) -> str:
    return f"/api/test-runs/{_run(s).pk}/evidence/{s.__dict__['quality_evidence'].pk}"


def _api_finding(tail: str = "") -> Any:
    return lambda s: (
        f"/api/test-runs/{_run(s).pk}/findings/{s.__dict__['quality_finding'].pk}{tail}"
    )


def _all_tested(s: Any) -> None:
    """The run with every scenario given a verdict: it may be closed."""
    from laksana.quality import runs

    _with_run(s)
    runs.record_verdict(s.bali["dinkes_staf"], _run(s).items.get(position=2).pk, "lulus")
    s.__dict__["quality_state"] = _quality_state()


def _closed(s: Any) -> None:
    """The run closed by its tester: its minutes drafted, nobody has signed."""
    from laksana.quality import runs

    _all_tested(s)
    runs.close_run(s.bali["dinkes_staf"], _run(s).pk, place="Ruang Rapat")
    s.__dict__["quality_state"] = _quality_state()


def _fixed(s: Any) -> None:
    """The finding marked fixed: it waits for its retest."""
    from laksana.quality import findings

    _with_run(s)
    findings.mark_fixed(s.bali["kadis"], s.__dict__["quality_finding"].pk, note="Diperbaiki")
    s.__dict__["quality_state"] = _quality_state()


def api_run_started(c: Any) -> None:
    run_started(c)
    assert c.json()["status"] == "terbuka" and len(c.json()["items"]) == 2


def api_lists_the_run_to_its_viewers(c: Any) -> None:
    if c.response.status_code == 200:
        shown = [r["id"] for r in c.json()["items"]]
        assert (shown == [_run(c.s).pk]) == (c.persona in ("requester", "step_holder")), shown
        assert shown in ([], [_run(c.s).pk]), shown


def api_verdict_recorded(c: Any) -> None:
    from tests.security.test_permission_matrix import unchanged

    unchanged(c)
    item = _run(c.s).items.get(position=2)
    assert item.verdict == "lulus" and item.tested_by_id == c.person.pk


def api_evidence_added(c: Any) -> None:
    from tests.security.test_permission_matrix import unchanged

    unchanged(c)
    assert _run(c.s).items.get(position=2).evidence.count() == 1


def api_run_closed(c: Any) -> None:
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal", "official_documents", "signatories")
    run = _run(c.s)
    run.refresh_from_db()
    assert run.status == "ditutup" and run.result and run.document_id


def api_run_reopened(c: Any) -> None:
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal", "official_documents", "signatories")
    run = _run(c.s)
    run.refresh_from_db()
    assert run.status == "terbuka" and not run.result


def api_finding_changed(c: Any) -> None:
    from tests.security.test_permission_matrix import unchanged

    unchanged(c)
    found = c.s.__dict__["quality_finding"]
    found.refresh_from_db()
    assert found.owner_id == c.s.bali["dev1"].pk


def api_finding_retested(c: Any) -> None:
    from laksana.quality.models import FindingStatus
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal")
    found = c.s.__dict__["quality_finding"]
    found.refresh_from_db()
    assert found.status == FindingStatus.CLOSED and found.retest_result == "lulus"


def api_risk_accepted(c: Any) -> None:
    from laksana.quality.models import FindingStatus
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal")
    found = c.s.__dict__["quality_finding"]
    found.refresh_from_db()
    assert found.status == FindingStatus.ACCEPTED


def api_problem_case_opened(c: Any) -> None:
    from laksana.cases.models import Case

    found = c.s.__dict__["quality_finding"]
    found.refresh_from_db()
    assert found.problem_case is not None
    assert found.problem_case.reference == c.json()["case"]
    assert Case.objects.filter(pk=found.problem_case_id, opened_by=c.person).exists()


def api_report_imported(c: Any) -> None:
    from laksana.quality.models import Finding
    from tests.security.test_permission_matrix import only_changed

    only_changed(c, "cases", "journal")
    assert Finding.objects.filter(run=_run(c.s), source="zap").count() == len(c.json()["created"])
    assert c.json()["created"]


def _zap_upload(s: Any) -> dict[str, Any]:
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("zap.json", Path(ZAP_REPORT).read_bytes())}


def api_entries() -> dict[str, Any]:
    """The rows of the runs' API operations."""
    from tests.security.test_permission_matrix import API_SIGNED_IN, Entry, row

    read = row("401", "404", "ok", "ok", "404")
    # Tested by the requesting unit only: the Kepala Dinas sees the run and is refused.
    write = row("401", "404", "ok", "403", "404")
    return {
        "GET /api/test-runs": Entry(
            lambda s: "/api/test-runs",
            API_SIGNED_IN,
            prepare=_with_run,
            check=api_lists_the_run_to_its_viewers,
        ),
        "POST /api/test-runs": Entry(
            lambda s: "/api/test-runs",
            write,
            method="POST",
            json=True,
            data=lambda s: {
                "step_id": active(s.case).pk,
                "artifact": "ba_uat",
                "scenario_set_id": s.__dict__["quality_set"].pk,
                "app_version": "2.4",
            },
            prepare=_at_uat,
            effect=api_run_started,
            check=quality_unchanged,
        ),
        "GET /api/test-runs/{run_id}": Entry(_api_run(), read, prepare=_with_run),
        "POST /api/test-runs/{run_id}/items/{item_id}/verdict": Entry(
            _api_item("/verdict"),
            write,
            method="POST",
            json=True,
            data=lambda s: {"verdict": "lulus", "actual": "Tersimpan"},
            prepare=_with_run,
            effect=api_verdict_recorded,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/items/{item_id}/evidence": Entry(
            _api_item("/evidence"),
            write,
            method="POST",
            data=lambda s: {"file": png("layar.png")},
            prepare=_with_run,
            effect=api_evidence_added,
            check=quality_unchanged,
        ),
        "GET /api/test-runs/{run_id}/evidence/{evidence_id}": Entry(
            _api_evidence, read, prepare=_with_run, check=is_the_evidence
        ),
        "POST /api/test-runs/{run_id}/close": Entry(
            _api_run("/close"),
            write,
            method="POST",
            json=True,
            data=lambda s: {"place": "Ruang Rapat", "notes": "Selesai"},
            prepare=_all_tested,
            effect=api_run_closed,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/reopen": Entry(
            _api_run("/reopen"),
            write,
            method="POST",
            json=True,
            prepare=_closed,
            effect=api_run_reopened,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/findings": Entry(
            _api_run("/findings"),
            write,
            method="POST",
            json=True,
            data=lambda s: {"severity": "tinggi", "title": "Data hilang setelah simpan"},
            prepare=_with_run,
            effect=finding_added,
            check=quality_unchanged,
        ),
        # The owner and the follow-up date: whoever follows the finding up (the tester, and
        # the Kepala Dinas, who keeps the agency's catalogue).
        "PATCH /api/test-runs/{run_id}/findings/{finding_id}": Entry(
            _api_finding(),
            read,
            method="PATCH",
            data=lambda s: {"owner_id": s.bali["dev1"].pk, "due": "2027-01-31"},
            prepare=_with_run,
            effect=api_finding_changed,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/findings/{finding_id}/fixed": Entry(
            _api_finding("/fixed"),
            read,
            method="POST",
            json=True,
            data=lambda s: {"note": "Diperbaiki di 2.4.1"},
            prepare=_with_run,
            effect=finding_fixed,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/findings/{finding_id}/retest": Entry(
            _api_finding("/retest"),
            read,
            method="POST",
            json=True,
            data=lambda s: {"result": "lulus", "note": "Sudah benar"},
            prepare=_fixed,
            effect=api_finding_retested,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/findings/{finding_id}/accept-risk": Entry(
            _api_finding("/accept-risk"),
            read,
            method="POST",
            json=True,
            data=lambda s: {"note": "Risiko kecil, diterima"},
            prepare=_with_run,
            effect=api_risk_accepted,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/findings/{finding_id}/problem-case": Entry(
            _api_finding("/problem-case"),
            read,
            method="POST",
            json=True,
            prepare=_with_run,
            effect=api_problem_case_opened,
            check=quality_unchanged,
        ),
        "POST /api/test-runs/{run_id}/zap": Entry(
            _api_run("/zap"),
            write,
            method="POST",
            data=_zap_upload,
            prepare=_with_run,
            effect=api_report_imported,
            check=quality_unchanged,
        ),
    }


# --- end of the API operations of runs and findings ------------------------------------------


def entries() -> dict[str, Any]:
    return {**web_entries(), **api_entries()}
