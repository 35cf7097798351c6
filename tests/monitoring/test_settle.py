"""A monitor that stops counting while its application is down (removed, made inactive, not
counted any more) ends the application's open incident, and the case hears of it: an incident
never stays open because nothing is left to close it."""

from __future__ import annotations

import datetime as dt

import pytest

from laksana.cases.models import JournalEntry, JournalKind
from laksana.monitoring import services, state
from laksana.monitoring.models import Incident
from tests.monitoring.factories import T0, monitor, outcome

pytestmark = pytest.mark.django_db

MIN = dt.timedelta(minutes=1)


def _down(m) -> Incident:
    state.record([outcome(m, T0 + i * MIN, False) for i in range(3)], now=T0 + 3 * MIN)
    return Incident.objects.get(application=m.application, ended_at__isnull=True)


def test_removing_the_down_monitor_ends_the_incident(djki):
    ipas = djki.applications["ipas"]
    m = monitor(ipas, fail_after=3)
    incident = _down(m)
    services.remove_monitor(None, m.pk)
    incident.refresh_from_db()
    assert incident.ended_at is not None
    assert JournalEntry.objects.filter(case=incident.case, kind=JournalKind.RECOVERED).count() == 1


def test_making_it_inactive_ends_the_incident_but_another_down_monitor_keeps_it(djki):
    ipas = djki.applications["ipas"]
    web = monitor(ipas, fail_after=3, name="web")
    port = monitor(ipas, fail_after=3, name="port", kind="tcp", target="127.0.0.1:5432")
    state.record(
        [outcome(x, T0 + i * MIN, False) for i in range(3) for x in (web, port)],
        now=T0 + 3 * MIN,
    )
    incident = Incident.objects.get(application=ipas, ended_at__isnull=True)
    data = services.MonitorInput.of(web)
    data.active = False
    services.change_monitor(None, web.pk, data)
    incident.refresh_from_db()
    assert incident.ended_at is None  # the port is still down
    data = services.MonitorInput.of(port)
    data.counts_for_application = False
    services.change_monitor(None, port.pk, data)
    incident.refresh_from_db()
    assert incident.ended_at is not None
    assert not Incident.objects.filter(application=ipas, ended_at__isnull=True).exists()
