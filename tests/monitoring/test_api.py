"""The monitoring API: another agency's and a vendor's calls answered 404 with nothing
written, readers read, keepers write, refusals as 422 naming the field, pages, incidents that
name their case only to those who may see it, maintenance windows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from laksana.accounts.services import issue_token
from laksana.monitoring import services
from laksana.monitoring.models import Incident, MaintenanceWindow, Monitor, State, StateChange
from laksana.monitoring.services import MonitorInput

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client: Client, person: Any = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if person is not None:
            _token, secret = issue_token(person, "tests")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api{path}", params or {}, **self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        call = getattr(self.client, method.lower())
        return call(
            f"/api{path}", json.dumps(body or {}), content_type="application/json", **self.headers
        )


@pytest.fixture
def as_(client):
    return lambda person=None: Api(client, person)


@pytest.fixture
def sikesda(bali):
    return bali.applications["sikesda"]


@pytest.fixture
def bali_monitor(bali, sikesda):
    return services.add_monitor(None, sikesda.pk, MonitorInput(target="http://10.0.0.5/"))


def test_anonymous_is_401(as_, bali_monitor):
    anonymous = as_()
    assert anonymous.get("/monitors").status_code == 401
    assert anonymous.get(f"/monitors/{bali_monitor.pk}").status_code == 401
    assert anonymous.send("DELETE", f"/monitors/{bali_monitor.pk}").status_code == 401
    assert Monitor.objects.count() == 1


def test_other_agency_and_vendor_get_404_and_write_nothing(as_, bali, djki, sikesda, bali_monitor):
    for person in (djki["direktur"], djki["ipasdev"]):
        api = as_(person)
        assert api.get("/monitors").json()["items"] == []
        assert api.get(f"/monitors/{bali_monitor.pk}").status_code == 404
        assert api.get(f"/monitors/{bali_monitor.pk}/changes").status_code == 404
        assert api.send("PATCH", f"/monitors/{bali_monitor.pk}", {"name": "x"}).status_code == 404
        assert api.send("DELETE", f"/monitors/{bali_monitor.pk}").status_code == 404
        answer = api.send(
            "POST", "/monitors", {"application_id": sikesda.pk, "target": "http://10.0.0.9/"}
        )
        assert answer.status_code == 404, answer.content
        assert api.get(f"/applications/{sikesda.pk}/maintenance-windows").status_code == 404
        assert (
            api.send(
                "POST",
                f"/applications/{sikesda.pk}/maintenance-windows",
                {
                    "starts_at": "2030-01-01T00:00:00+07:00",
                    "ends_at": "2030-01-01T02:00:00+07:00",
                    "reason": "x",
                },
            ).status_code
            == 404
        )
    bali_monitor.refresh_from_db()
    assert Monitor.objects.count() == 1 and bali_monitor.name != "x"
    assert not MaintenanceWindow.objects.exists()


def test_a_reader_reads_and_may_not_write(as_, bali, sikesda, bali_monitor):
    api = as_(bali["dinkes"])
    listed = api.get("/monitors", {"application": sikesda.pk}).json()
    assert [m["id"] for m in listed["items"]] == [bali_monitor.pk]
    assert api.get(f"/monitors/{bali_monitor.pk}").json()["state"] == "unknown"
    assert api.send("PATCH", f"/monitors/{bali_monitor.pk}", {"name": "x"}).status_code == 403
    assert api.send("DELETE", f"/monitors/{bali_monitor.pk}").status_code == 403
    answer = api.send("POST", "/monitors", {"application_id": sikesda.pk, "target": "10.0.0.9"})
    assert answer.status_code == 403
    assert Monitor.objects.count() == 1


def test_a_keeper_writes(as_, bali, sikesda):
    api = as_(bali["kadis"])
    made = api.send(
        "POST",
        "/monitors",
        {
            "application_id": sikesda.pk,
            "kind": "tcp",
            "target": "10.0.0.5:5432",
            "interval_seconds": 30,
            "timeout_seconds": 5,
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kind"] == "tcp" and body["state"] == "unknown" and body["interval_seconds"] == 30
    changed = api.send("PATCH", f"/monitors/{body['id']}", {"fail_after": 5})
    assert changed.status_code == 200 and changed.json()["fail_after"] == 5
    assert changed.json()["target"] == "10.0.0.5:5432"
    assert api.send("DELETE", f"/monitors/{body['id']}").status_code == 204
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "tcp", "target": "10.0.0.5"}, "target"),
        ({"target": "ftp://10.0.0.5/"}, "target"),
        ({"target": "http://169.254.169.254/"}, "target"),
        ({"target": "http://10.0.0.5/", "headers": {"X-A": "a\r\nb"}}, "headers"),
        ({"target": "http://10.0.0.5/", "headers": {"Connection": "close"}}, "headers"),
        ({"target": "http://10.0.0.5/", "interval_seconds": 5}, "interval_seconds"),
        (
            {"target": "http://10.0.0.5/", "interval_seconds": 20, "timeout_seconds": 20},
            "timeout_seconds",
        ),
        ({"target": "http://10.0.0.5/", "fail_after": 0}, "fail_after"),
        ({"target": "http://10.0.0.5/", "kind": "icmp"}, "kind"),
    ],
)
def test_bad_input_is_422_naming_the_field(as_, bali, sikesda, body, field):
    answer = as_(bali["kadis"]).send("POST", "/monitors", {"application_id": sikesda.pk, **body})
    assert answer.status_code == 422, answer.content
    error = answer.json()
    assert error["field"] == field and set(error) == {"code", "message", "field", "items"}
    assert not Monitor.objects.exists()


def test_another_applications_environment_is_404(as_, bali, sikesda):
    from laksana.catalog.models import Environment, EnvironmentKind

    env = Environment.objects.create(
        application=bali.applications["simpeg"],
        kind=EnvironmentKind.PRODUCTION,
        updated_at=timezone.now(),
    )
    answer = as_(bali["kadis"]).send(
        "POST",
        "/monitors",
        {"application_id": sikesda.pk, "target": "http://10.0.0.5/", "environment_id": env.pk},
    )
    assert answer.status_code == 404 and not Monitor.objects.exists()


def test_pages_of_monitors_and_changes(as_, bali, sikesda):
    made = [
        services.add_monitor(None, sikesda.pk, MonitorInput(target=f"http://10.0.0.{i}/"))
        for i in range(1, 4)
    ]
    api = as_(bali["bkd"])
    first = api.get("/monitors", {"limit": 2}).json()
    second = api.get("/monitors", {"limit": 2, "after": first["next"]}).json()
    assert [m["id"] for m in first["items"] + second["items"]] == [m.pk for m in made]
    assert second["next"] is None
    assert api.get("/monitors", {"after": "x"}).json()["field"] == "after"
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(3):
        StateChange.objects.create(
            monitor=made[0],
            application=sikesda,
            at=start + dt.timedelta(hours=i),
            detected_at=start + dt.timedelta(hours=i, minutes=3),
            old_state=State.UP if i % 2 else State.DOWN,
            new_state=State.DOWN if i % 2 else State.UP,
            error="status" if i % 2 else "",
            reason="500" if i % 2 else "",
        )
    page = api.get(f"/monitors/{made[0].pk}/changes", {"limit": 2}).json()
    rest = api.get(f"/monitors/{made[0].pk}/changes", {"after": page["next"]}).json()
    ats = [c["at"] for c in page["items"] + rest["items"]]
    assert len(ats) == 3 and ats == sorted(ats, reverse=True)
    assert api.get(f"/monitors/{made[0].pk}/changes", {"after": "@@"}).status_code == 422


def test_incidents_name_the_case_only_to_who_may_see_it(as_, bali, djki, sikesda, sop002):
    from laksana.cases import services as case_services

    case = case_services.open_case(
        bali["dinkes"], sop002, title="SIKESDA tidak bisa dibuka", description="Galat 500"
    )
    at = timezone.now() - dt.timedelta(hours=1)
    Incident.objects.create(
        agency=bali.agency,
        application=sikesda,
        started_at=at,
        detected_at=at,
        error="status",
        reason="500",
        case=case,
    )
    seen = as_(bali["dinkes"]).get("/incidents").json()["items"]
    assert [i["case"] for i in seen] == [case.reference]
    unseen = as_(bali["bkd"]).get("/incidents").json()["items"]
    assert len(unseen) == 1 and unseen[0]["case"] is None and unseen[0]["case_url"] is None
    assert as_(djki["direktur"]).get("/incidents").json()["items"] == []
    assert as_(djki["ipasdev"]).get("/incidents").json()["items"] == []


def test_maintenance_windows(as_, bali, sikesda):
    keeper, reader = as_(bali["kadis"]), as_(bali["bkd"])
    start = timezone.now() + dt.timedelta(hours=1)
    body = {
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "reason": "Pembaruan server",
    }
    path = f"/applications/{sikesda.pk}/maintenance-windows"
    assert reader.send("POST", path, body).status_code == 403
    too_long = {**body, "ends_at": (start + dt.timedelta(days=8)).isoformat()}
    refused = keeper.send("POST", path, too_long)
    assert refused.status_code == 422 and refused.json()["field"] == "ends_at"
    made = keeper.send("POST", path, body)
    assert made.status_code == 201, made.content
    assert [w["id"] for w in reader.get(path).json()] == [made.json()["id"]]
    gone = f"/maintenance-windows/{made.json()['id']}"
    assert reader.send("DELETE", gone).status_code == 403
    assert keeper.send("DELETE", gone).status_code == 204
    assert not MaintenanceWindow.objects.exists()


def test_uptime(as_, bali, djki, sikesda, bali_monitor):
    pytest.importorskip("laksana.monitoring.uptime")
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for minutes, old, new in (
        (0, State.UNKNOWN, State.UP),
        (60, State.UP, State.DOWN),
        (90, State.DOWN, State.UP),
    ):
        StateChange.objects.create(
            monitor=bali_monitor,
            application=sikesda,
            at=start + dt.timedelta(minutes=minutes),
            detected_at=start + dt.timedelta(minutes=minutes),
            old_state=old,
            new_state=new,
        )
    api = as_(bali["bkd"])
    period = {"start": start.isoformat(), "end": (start + dt.timedelta(hours=2)).isoformat()}
    figures = api.get(f"/monitors/{bali_monitor.pk}/uptime", period).json()
    assert figures["down_seconds"] == 1800 and figures["known_seconds"] == 7200
    assert figures["downtime_minutes"] in ("30", 30, "30.0", 30.0)
    app = api.get(f"/applications/{sikesda.pk}/uptime", period).json()
    assert app["down_seconds"] == 1800
    assert (
        as_(djki["direktur"]).get(f"/monitors/{bali_monitor.pk}/uptime", period).status_code == 404
    )
    assert as_(djki["ipasdev"]).get(f"/applications/{sikesda.pk}/uptime", period).status_code == 404
    backwards = {"start": period["end"], "end": period["start"]}
    assert api.get(f"/monitors/{bali_monitor.pk}/uptime", backwards).json()["field"] == "end"


def monitoring_ids(bali: Any) -> dict[str, int]:
    """The ids of a monitor of SIKESDA and of a maintenance window of it not yet begun: the
    path parameters of the monitoring API's operations for the API's fuzzing
    (tests/security/test_api_fuzz.py, whose ``application_id`` is SIKESDA's)."""
    app = bali.applications["sikesda"]
    monitor = services.add_monitor(None, app.pk, MonitorInput(target="http://10.0.0.5/"))
    start = timezone.now() + dt.timedelta(days=1)
    window = services.add_window(None, app.pk, start, start + dt.timedelta(hours=1), "Fuzz")
    return {"monitor_id": monitor.pk, "window_id": window.pk}
