"""The result rule on every combination (issue 18, item 8): each verdict (none yet, Lulus,
Gagal, Diblokir, Tidak dijalankan) and priority of one and of two scenarios, with every set
of open findings' severities. The expected results are written here from the rule's text in
docs/testing.md, not computed by the rule's code."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from django.utils import translation

from laksana.quality import rule
from laksana.quality.models import RunResult

VERDICTS = ("", "lulus", "gagal", "diblokir", "tidak_dijalankan")
PRIORITIES = ("tinggi", "sedang", "rendah")
SEVERITIES = ("kritis", "tinggi", "sedang", "rendah", "info")

A = "diterima"
N = "diterima_dengan_catatan"
R = "ditolak"

# One scenario, no open finding: the result for (verdict, priority), by hand.
ONE_SCENARIO = {
    ("", "tinggi"): R,  # nothing passed
    ("", "sedang"): R,
    ("", "rendah"): R,
    ("lulus", "tinggi"): A,
    ("lulus", "sedang"): A,
    ("lulus", "rendah"): A,
    ("gagal", "tinggi"): R,
    ("gagal", "sedang"): R,  # nothing passed
    ("gagal", "rendah"): R,
    ("diblokir", "tinggi"): R,
    ("diblokir", "sedang"): R,
    ("diblokir", "rendah"): R,
    ("tidak_dijalankan", "tinggi"): R,
    ("tidak_dijalankan", "sedang"): R,
    ("tidak_dijalankan", "rendah"): R,
}

# Two scenarios, the first Lulus, no open finding: the result for the second's (verdict,
# priority), by hand.
AFTER_A_PASS = {
    ("", "tinggi"): A,  # not yet tested: only a preview counts it as pending
    ("", "sedang"): A,
    ("", "rendah"): A,
    ("lulus", "tinggi"): A,
    ("lulus", "sedang"): A,
    ("lulus", "rendah"): A,
    ("gagal", "tinggi"): R,
    ("gagal", "sedang"): N,
    ("gagal", "rendah"): N,
    ("diblokir", "tinggi"): R,
    ("diblokir", "sedang"): N,
    ("diblokir", "rendah"): N,
    ("tidak_dijalankan", "tinggi"): N,
    ("tidak_dijalankan", "sedang"): N,
    ("tidak_dijalankan", "rendah"): N,
}

# What open findings alone make of a run that would be accepted: the worst severity decides.
FINDINGS_ALONE = {"kritis": R, "tinggi": R, "sedang": N, "rendah": N, "info": A}

WORSE = {A: 0, N: 1, R: 2}


def expected(items: tuple[tuple[str, str], ...], open_findings: tuple[str, ...]) -> str:
    """The rule as docs/testing.md states it, item by item."""
    passed = any(v == "lulus" for v, _p in items)
    high_failed = any(p == "tinggi" and v in ("gagal", "diblokir") for v, p in items)
    blocking = any(s in ("kritis", "tinggi") for s in open_findings)
    if blocking or high_failed or not passed:
        return R
    others = any(v in ("gagal", "diblokir", "tidak_dijalankan") for v, _p in items)
    minor = any(s in ("sedang", "rendah") for s in open_findings)
    return N if others or minor else A


def subsets() -> list[tuple[str, ...]]:
    return [
        combo for n in range(len(SEVERITIES) + 1) for combo in itertools.combinations(SEVERITIES, n)
    ]


def scenario_lists() -> list[tuple[tuple[str, str], ...]]:
    cells = list(itertools.product(VERDICTS, PRIORITIES))
    return [(c,) for c in cells] + list(itertools.product(cells, cells))


def run_rule(items: tuple[tuple[str, str], ...], open_findings: tuple[str, ...]) -> rule.Outcome:
    numbered = [(f"S-{i}", p, v) for i, (v, p) in enumerate(items, 1)]
    return rule.result_of(numbered, open_findings)


def test_the_hand_written_tables_agree_with_the_stated_rule() -> None:
    for (v, p), result in ONE_SCENARIO.items():
        assert expected(((v, p),), ()) == result
    for (v, p), result in AFTER_A_PASS.items():
        assert expected((("lulus", "sedang"), (v, p)), ()) == result
    for severity, result in FINDINGS_ALONE.items():
        assert expected((("lulus", "tinggi"),), (severity,)) == result


@pytest.mark.parametrize("cell", sorted(ONE_SCENARIO))
def test_one_scenario(cell: tuple[str, str]) -> None:
    assert run_rule((cell,), ()).result == ONE_SCENARIO[cell]


@pytest.mark.parametrize("cell", sorted(AFTER_A_PASS))
def test_a_second_scenario_after_a_pass(cell: tuple[str, str]) -> None:
    assert run_rule((("lulus", "sedang"), cell), ()).result == AFTER_A_PASS[cell]


@pytest.mark.parametrize("severity", SEVERITIES)
def test_one_open_finding_on_a_passed_run(severity: str) -> None:
    assert run_rule((("lulus", "tinggi"),), (severity,)).result == FINDINGS_ALONE[severity]


def test_every_combination_of_verdicts_priorities_and_open_findings() -> None:
    lists = scenario_lists()
    assert len(lists) == 15 + 15 * 15
    checked = 0
    for items in lists:
        for found in subsets():
            outcome = run_rule(items, found)
            want = expected(items, found)
            assert outcome.result == want, (items, found)
            assert outcome.result in RunResult.values
            assert outcome.reasons, (items, found)
            assert outcome.pending == sum(1 for v, _p in items if not v)
            # Adding an open finding never makes the result better.
            for extra in SEVERITIES:
                worse = run_rule(items, (*found, extra)).result
                assert WORSE[worse] >= WORSE[outcome.result]
            checked += 1
    assert checked == 240 * 32


def test_the_reasons_name_what_decided() -> None:
    with translation.override("en"):
        outcome = run_rule((("gagal", "tinggi"), ("lulus", "sedang")), ("kritis", "info"))
        assert outcome.result == R
        assert outcome.reasons == (
            "1 open finding(s) of severity Critical or High",
            "high-priority scenario(s) failed or blocked: S-1",
        )
        outcome = run_rule((("lulus", "tinggi"), ("tidak_dijalankan", "rendah")), ("rendah",))
        assert outcome.reasons == (
            "scenario(s) failed, blocked or not run: S-2",
            "1 open finding(s) of severity Medium or Low",
        )
        assert run_rule((("gagal", "rendah"),), ()).reasons == ("no scenario passed",)


def test_the_docs_state_the_same_rule_as_the_code() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "testing.md").read_text(encoding="utf-8")
    text = " ".join(docs.split())
    for phrase in (
        "**Ditolak** (rejected) when any of these holds",
        "a finding of severity *Kritis* or *Tinggi* is still open",
        "a scenario of priority *Tinggi* is *Gagal* or *Diblokir*",
        "no scenario *Lulus*",
        "**Diterima dengan catatan** (accepted with notes) when any of these holds",
        "a scenario is *Gagal*, *Diblokir* or *Tidak dijalankan*",
        "a finding of severity *Sedang* or *Rendah* is still open",
        "**Diterima** (accepted): every scenario *Lulus* and no open finding other than "
        "informational ones",
    ):
        assert phrase in text, phrase
        assert phrase in " ".join((rule.__doc__ or "").split()), phrase
