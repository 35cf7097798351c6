"""The result of a test run, derived from its verdicts and its open findings.

The rule (docs/testing.md, and shown on the run's screen):

1. **Ditolak** (rejected) when any of these holds:
   a. a finding of severity *Kritis* or *Tinggi* is still open (not closed by a passed
      retest, not accepted as a risk);
   b. a scenario of priority *Tinggi* is *Gagal* or *Diblokir*;
   c. no scenario *Lulus* (nothing was shown to work).
2. Otherwise **Diterima dengan catatan** (accepted with notes) when any of these holds:
   a. a scenario is *Gagal*, *Diblokir* or *Tidak dijalankan*;
   b. a finding of severity *Sedang* or *Rendah* is still open.
3. Otherwise **Diterima** (accepted): every scenario *Lulus* and no open finding other than
   informational ones.

A run is closed only when every scenario has a verdict; before that the screen shows the
result the verdicts so far would give. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from laksana.quality.models import Priority, RunResult, Severity, Verdict

BLOCKING = (Severity.CRITICAL, Severity.HIGH)
NOTED = (Severity.MEDIUM, Severity.LOW)
NOT_PASSED = (Verdict.FAILED, Verdict.BLOCKED)


@dataclass(frozen=True)
class Outcome:
    """The result and the reasons for it, each a sentence naming what decided it."""

    result: RunResult
    reasons: tuple[str, ...]
    pending: int = 0  # scenarios without a verdict yet


def result_of(items: Iterable[tuple[str, str, str]], open_findings: Iterable[str]) -> Outcome:
    """``items``: (number, priority, verdict) of each scenario, verdict "" when none yet;
    ``open_findings``: the severities of the run's open findings."""
    items = list(items)
    severities = list(open_findings)
    pending = sum(1 for _n, _p, v in items if not v)
    rejected: list[str] = []
    blocking = [s for s in severities if s in BLOCKING]
    if blocking:
        rejected.append(
            _("%(count)s open finding(s) of severity Critical or High") % {"count": len(blocking)}
        )
    high_failed = [n for n, p, v in items if p == Priority.HIGH and v in NOT_PASSED]
    if high_failed:
        rejected.append(
            _("high-priority scenario(s) failed or blocked: %(numbers)s")
            % {"numbers": ", ".join(high_failed)}
        )
    if not any(v == Verdict.PASSED for _n, _p, v in items):
        rejected.append(_("no scenario passed"))
    if rejected:
        return Outcome(RunResult.REJECTED, tuple(rejected), pending)
    noted: list[str] = []
    not_passed = [n for n, _p, v in items if v in (*NOT_PASSED, Verdict.NOT_RUN)]
    if not_passed:
        noted.append(
            _("scenario(s) failed, blocked or not run: %(numbers)s")
            % {"numbers": ", ".join(not_passed)}
        )
    minor = [s for s in severities if s in NOTED]
    if minor:
        noted.append(
            _("%(count)s open finding(s) of severity Medium or Low") % {"count": len(minor)}
        )
    if noted:
        return Outcome(RunResult.ACCEPTED_WITH_NOTES, tuple(noted), pending)
    return Outcome(
        RunResult.ACCEPTED,
        (_("every scenario passed and no finding that matters is open"),),
        pending,
    )
