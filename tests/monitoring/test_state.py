"""What the checks' outcomes do to the monitors: streaks, thresholds, state changes, one
transaction per batch, a bounded number of statements, certificate notices, pruning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laksana.monitoring import incidents, state
from laksana.monitoring.models import CheckResult, Monitor, State, StateChange
from laksana.outbox.models import Message
from tests.monitoring.factories import T0, monitor, outcome

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


@pytest.fixture
def ipas(djki):
    return djki.applications["ipas"]


def test_fail_after_failures_in_a_row_make_a_down_change_dated_by_the_streak(ipas):
    m = monitor(ipas, fail_after=3, recover_after=2)
    first = state.record([outcome(m, T0, False), outcome(m, T0 + MIN, False)], now=T0 + MIN)
    m.refresh_from_db()
    assert (first.results, first.changes, m.state, m.fails_in_row) == (2, 0, State.UNKNOWN, 2)
    third = outcome(m, T0 + 2 * MIN, False, detail="503", status_code=503, latency_ms=40)
    summary = state.record([third], now=T0 + 2 * MIN)
    m.refresh_from_db()
    assert (summary.changes, m.state, m.state_since) == (1, State.DOWN, T0)
    change = StateChange.objects.get(monitor=m)
    assert (change.at, change.detected_at) == (T0, T0 + 2 * MIN)
    assert (change.old_state, change.new_state) == (State.UNKNOWN, State.DOWN)
    assert (change.error, change.reason, change.status_code, change.latency_ms) == (
        "status",
        "503",
        503,
        40,
    )
    assert change.application_id == ipas.pk
    # More failures change nothing more.
    state.record([outcome(m, T0 + 3 * MIN, False)], now=T0 + 3 * MIN)
    assert StateChange.objects.filter(monitor=m).count() == 1


def test_recover_after_successes_in_a_row_and_a_failure_breaks_the_streak(ipas):
    m = monitor(ipas, fail_after=1, recover_after=2)
    state.record([outcome(m, T0, False)], now=T0)
    # ok, fail, ok, ok: the up change is dated by the third check (the streak that made it).
    batch = [
        outcome(m, T0 + MIN, True),
        outcome(m, T0 + 2 * MIN, False),
        outcome(m, T0 + 3 * MIN, True, latency_ms=80),
        outcome(m, T0 + 4 * MIN, True, latency_ms=90),
    ]
    summary = state.record(batch, now=T0 + 4 * MIN)
    assert summary.changes == 1
    up = StateChange.objects.get(monitor=m, new_state=State.UP)
    assert (up.at, up.detected_at, up.old_state, up.latency_ms) == (
        T0 + 3 * MIN,
        T0 + 4 * MIN,
        State.DOWN,
        90,
    )
    m.refresh_from_db()
    assert (m.state, m.oks_in_row, m.fails_in_row, m.last_latency_ms) == (State.UP, 2, 0, 90)


def test_from_unknown_up_needs_recover_after_successes(ipas):
    m = monitor(ipas, fail_after=3, recover_after=2)
    state.record([outcome(m, T0, True)], now=T0)
    m.refresh_from_db()
    assert m.state == State.UNKNOWN
    state.record([outcome(m, T0 + MIN, True)], now=T0 + MIN)
    m.refresh_from_db()
    assert (m.state, m.state_since) == (State.UP, T0)
    change = StateChange.objects.get(monitor=m)
    assert (change.old_state, change.new_state, change.at) == (State.UNKNOWN, State.UP, T0)


def test_inactive_deleted_and_stale_outcomes_are_dropped(ipas):
    live = monitor(ipas, name="live")
    off = monitor(ipas, name="off", active=False)
    gone = monitor(ipas, name="gone")
    gone_id = gone.pk
    gone.delete()
    state.record([outcome(live, T0 + MIN, True)], now=T0 + MIN)
    summary = state.record(
        [
            outcome(off, T0, False),
            outcome(gone_id, T0, False),
            outcome(live, T0, False),  # older than the last counted check
            outcome(live, T0 + MIN, False),  # the same time again
        ],
        now=T0 + 2 * MIN,
    )
    assert summary.results == 0
    assert CheckResult.objects.filter(monitor__in=[live, off]).count() == 1
    live.refresh_from_db()
    assert (live.oks_in_row, live.fails_in_row) == (1, 0)


def test_a_failing_batch_writes_nothing(ipas, monkeypatch):
    m = monitor(ipas, fail_after=1)
    other = monitor(ipas, name="other", fail_after=5)

    def boom(*args, **kwargs):
        raise RuntimeError("forced")

    monkeypatch.setattr(incidents, "on_application_change", boom)
    with pytest.raises(RuntimeError, match="forced"):
        state.record([outcome(m, T0, False), outcome(other, T0, False)], now=T0)
    assert CheckResult.objects.count() == 0
    assert StateChange.objects.count() == 0
    m.refresh_from_db()
    other.refresh_from_db()
    assert (m.state, m.fails_in_row, m.last_checked_at) == (State.UNKNOWN, 0, None)
    assert other.fails_in_row == 0


def test_a_batch_without_changes_costs_a_fixed_number_of_statements(ipas):
    small = [monitor(ipas, name=f"s{i}", counts_for_application=False) for i in range(5)]
    large = [monitor(ipas, name=f"l{i}", counts_for_application=False) for i in range(200)]

    def statements(monitors, at):
        with CaptureQueriesContext(connection) as ctx:
            summary = state.record([outcome(m, at, True) for m in monitors], now=at)
        assert summary.results == len(monitors) and summary.changes == 0
        return len(ctx.captured_queries)

    few = statements(small, T0)
    many = statements(large, T0)
    assert many <= 8
    # bulk_update may split a large batch, never per row.
    assert many - few <= 3


def test_application_state_is_the_union_of_its_active_counted_monitors(ipas):
    web = monitor(ipas, name="web", fail_after=1, recover_after=1)
    staging = monitor(ipas, name="staging", fail_after=1, counts_for_application=False)
    assert state.application_state(ipas.pk) == State.UNKNOWN
    state.record([outcome(staging, T0, False)], now=T0)
    assert state.application_state(ipas.pk) == State.UNKNOWN
    state.record([outcome(web, T0, True)], now=T0)
    assert state.application_state(ipas.pk) == State.UP
    state.record([outcome(web, T0 + MIN, False)], now=T0 + MIN)
    assert state.application_state(ipas.pk) == State.DOWN
    Monitor.objects.filter(pk=web.pk).update(active=False)
    assert state.application_state(ipas.pk) == State.UNKNOWN


def test_prune_results_keeps_the_recent_days(ipas, settings):
    settings.LAKSANA_MONITOR_RESULT_DAYS = 7
    m = monitor(ipas)
    old = T0 - dt.timedelta(days=8)
    state.record([outcome(m, old, True), outcome(m, T0 - dt.timedelta(days=6), True)], now=T0)
    assert state.prune_results(now=T0) == 1
    assert list(CheckResult.objects.values_list("at", flat=True)) == [T0 - dt.timedelta(days=6)]


# Certificate notices -----------------------------------------------------------------------


def test_one_notice_per_certificate_and_a_renewed_one_is_announced_again(djki, ipas):
    djki["kasie_app"].email = "agus@djki.example"
    djki["kasie_app"].save()
    djki["ipasdev"].email = "rizky@vendor.example"  # a vendor's employee: not a keeper
    djki["ipasdev"].save()
    djki["merek"].email = "hendra@djki.example"  # a requesting unit: not a keeper
    djki["merek"].save()
    m = monitor(ipas, kind="tls", target="ipas.example:443")
    far = T0 + dt.timedelta(days=90)
    soon = T0 + dt.timedelta(days=20)
    # Far from expiry (the default notice is 30 days): no notice.
    assert state.record([outcome(m, T0, True, cert_expires_at=far)], now=T0).cert_notices == 0
    # Within 30 days: one notice, then none for the same certificate.
    first = state.record([outcome(m, T0 + MIN, True, cert_expires_at=soon)], now=T0 + MIN)
    again = state.record([outcome(m, T0 + 2 * MIN, True, cert_expires_at=soon)], now=T0 + 2 * MIN)
    assert (first.cert_notices, again.cert_notices) == (1, 0)
    mails = list(Message.objects.order_by("pk"))
    assert {mail.to for mail in mails} >= {"agus@djki.example"}
    assert not {mail.to for mail in mails} & {"rizky@vendor.example", "hendra@djki.example"}
    assert "Sertifikat ipas.example:443 berakhir pada 2026-03-22" in mails[0].subject
    assert "19 hari lagi" in mails[0].body  # 19 days 23:59 left
    count = len(mails)
    # A renewed certificate that is again near its expiry: a new notice.
    renewed = T0 + dt.timedelta(days=25)
    summary = state.record(
        [outcome(m, T0 + 3 * MIN, True, cert_expires_at=renewed)], now=T0 + 3 * MIN
    )
    assert summary.cert_notices == 1
    assert Message.objects.count() == 2 * count
    m.refresh_from_db()
    assert (m.cert_expires_at, m.cert_noticed_for) == (renewed, renewed)


def test_an_expired_certificate_is_announced_as_expired(djki, ipas):
    djki["kasie_app"].email = "agus@djki.example"
    djki["kasie_app"].save()
    m = monitor(ipas, kind="tls", target="ipas.example:443", fail_after=1)
    expired = T0 - dt.timedelta(days=1)
    failed = outcome(
        m, T0, False, error="tls_expired", detail="2026-03-01", cert_expires_at=expired
    )
    assert state.record([failed], now=T0).cert_notices == 1
    mail = Message.objects.get(to="agus@djki.example")
    assert "sudah kedaluwarsa" in mail.subject
