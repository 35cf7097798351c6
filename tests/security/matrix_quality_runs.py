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


def entries() -> dict[str, Any]:
    return {**web_entries()}
