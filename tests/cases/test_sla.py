"""The SLA sweep: almost-due, overdue and escalation notices, with the clock passed in.

Bali works in WITA; the week of 8 June 2026 has no holiday, so Monday to Thursday run
07:30–12:00 and 13:00–16:00, Friday 07:30–11:30 and 13:00–16:30.
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from laksana.cases import services, sla
from laksana.cases.models import CaseStep, Notification
from laksana.cases.tasks import sweep_due_steps
from laksana.config import settings as settings_module
from laksana.engine.worktime import national_calendar

from .helpers import active, work

WITA = ZoneInfo("Asia/Makassar")
CALENDAR = national_calendar("Asia/Makassar")
MONDAY = dt.date(2026, 6, 8)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment of the week of 8 June 2026 (day 0 is Monday), WITA."""
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, minute), WITA)


def told() -> list[tuple[str, str]]:
    """(login, message) of every notification, oldest first."""
    return list(
        Notification.objects.order_by("pk").values_list("person__user__username", "message")
    )


def s2_case(bali, sop002, *, activated: dt.datetime, claimed_by=None, held: float = 0):
    """A case at step 2 ("±1-2 Jam": 120 working minutes, the requesting unit's), placed in
    time: activated at ``activated``, due 120 working minutes later (plus ``held``)."""
    case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA tidak bisa login")
    case = work(bali["dinkes_staf"], case)
    step = active(case)
    assert step.step_key == "s2"
    due = CALENDAR.add_working_minutes(activated, 120 + held)
    CaseStep.objects.filter(pk=step.pk).update(
        activated_at=activated, due_at=due, claimed_by=claimed_by, held_minutes=held
    )
    Notification.objects.all().delete()
    step.refresh_from_db()
    return case, step


@pytest.fixture(autouse=True)
def _english(settings):
    # Notices are written in the site's language; these tests read them in English.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _week_without_holidays():
    for day in range(5):
        assert CALENDAR.is_working_day(MONDAY + dt.timedelta(days=day))


@pytest.mark.django_db
class TestNearDue:
    def test_it_tells_the_holders_once_75_percent_of_the_working_time_has_passed(
        self, bali, sop002
    ):
        _case, step = s2_case(bali, sop002, activated=at(2, 8))  # due Wednesday 10:00
        assert step.due_at == at(2, 10)
        assert sla.sweep(at(2, 9, 29)).near_due == 0  # 89 of 120 minutes
        result = sla.sweep(at(2, 9, 30))  # 90 of 120: 75%
        assert (result.near_due, result.overdue, result.escalated) == (1, 0, 0)
        # Nobody has claimed it: everyone of the requesting unit holds it.
        assert sorted(login for login, _m in told()) == ["dinkes", "dinkes_staf"]
        assert all("almost due" in message for _l, message in told())
        assert "10-06-2026 10:00 WITA" in told()[0][1]
        step.refresh_from_db()
        assert step.near_due_notified_at == at(2, 9, 30)

    def test_the_share_is_working_time_so_the_break_does_not_count(self, bali, sop002):
        _case, step = s2_case(bali, sop002, activated=at(1, 11))  # due Tuesday 14:00
        assert step.due_at == at(1, 14)
        # 12:50 is 110 minutes after the start but only 60 working minutes: 50%.
        assert sla.sweep(at(1, 12, 50)).near_due == 0
        assert sla.sweep(at(1, 13, 29)).near_due == 0  # 89 working minutes
        assert sla.sweep(at(1, 13, 30)).near_due == 1

    def test_a_claimed_step_tells_only_its_claimant(self, bali, sop002):
        s2_case(bali, sop002, activated=at(2, 8), claimed_by=bali["dinkes_staf"])
        assert sla.sweep(at(2, 9, 45)).near_due == 1
        assert [login for login, _m in told()] == ["dinkes_staf"]

    def test_a_day_standard_is_almost_due_after_75_percent_of_its_working_days(self, bali, sop002):
        case = services.open_case(bali["dinkes_staf"], sop002, "Gangguan")
        step = active(case)  # step 1, "±3 Hari"
        activated = at(0, 8)
        due = CALENDAR.add_working_days(activated, 3)  # Thursday 08:00
        assert due == at(3, 8)
        CaseStep.objects.filter(pk=step.pk).update(activated_at=activated, due_at=due)
        allowed = CALENDAR.working_minutes_between(activated, due)  # 3 x 450
        assert sla.sweep(CALENDAR.add_working_minutes(activated, 0.75 * allowed - 1)).near_due == 0
        assert sla.sweep(CALENDAR.add_working_minutes(activated, 0.75 * allowed)).near_due == 1

    def test_the_share_is_a_setting(self, bali, sop002, settings):
        settings.LAKSANA_NEAR_DUE_SHARE = 0.5
        s2_case(bali, sop002, activated=at(2, 8))
        assert sla.sweep(at(2, 8, 59)).near_due == 0
        assert sla.sweep(at(2, 9)).near_due == 1

    def test_a_step_without_a_due_time_is_never_almost_due_nor_overdue(self, bali, sop002):
        _case, step = s2_case(bali, sop002, activated=at(2, 8))
        CaseStep.objects.filter(pk=step.pk).update(due_at=None)
        assert sla.sweep(at(4, 16)).as_dict() == {
            "near_due": 0,
            "overdue": 0,
            "escalated": 0,
            "dispositions_overdue": 0,
            "notifications": 0,
        }


@pytest.mark.django_db
class TestOverdueAndEscalation:
    def test_it_tells_the_holder_when_the_step_is_overdue_and_not_before(self, bali, sop002):
        s2_case(bali, sop002, activated=at(2, 8), claimed_by=bali["dinkes_staf"])
        assert sla.sweep(at(2, 10)).overdue == 0  # due exactly now: not late yet
        result = sla.sweep(at(2, 10, 1))
        assert (result.near_due, result.overdue, result.escalated) == (0, 1, 0)
        assert told()[0][0] == "dinkes_staf"
        assert "overdue" in told()[0][1]

    def test_it_escalates_to_the_superior_after_one_working_day(self, bali, sop002):
        # Due Friday 15:00; one working day later is Monday 15:00 (the weekend is not counted).
        _case, step = s2_case(bali, sop002, activated=at(4, 13), claimed_by=bali["dinkes_staf"])
        assert step.due_at == at(4, 15)
        monday = at(7, 0)
        assert sla.sweep(monday + dt.timedelta(hours=14, minutes=59)).escalated == 0
        result = sla.sweep(monday + dt.timedelta(hours=15))
        assert result.escalated == 1
        escalation = told()[-1]
        assert escalation[0] == "dinkes"  # dinkes_staf's superior
        assert "still with Putu Eka Pratama" in escalation[1]

    def test_the_superiors_of_all_holders_are_told_when_nobody_claimed_it(self, bali, sop002):
        s2_case(bali, sop002, activated=at(0, 8))
        sla.sweep(at(2, 8))
        # The holders are dinkes (no superior) and dinkes_staf (superior: dinkes).
        escalations = [login for login, message in told() if "still with" in message]
        assert escalations == ["dinkes"]

    def test_the_grace_is_a_setting(self, bali, sop002, settings):
        settings.LAKSANA_ESCALATION_GRACE = "3 jam"
        s2_case(bali, sop002, activated=at(2, 8), claimed_by=bali["dinkes_staf"])
        # Due 10:00; three working hours later is 14:00, since the break does not count.
        assert sla.sweep(at(2, 13)).escalated == 0
        assert sla.sweep(at(2, 13, 59)).escalated == 0
        assert sla.sweep(at(2, 14)).escalated == 1


@pytest.mark.django_db
class TestIdempotence:
    def test_running_the_sweep_twice_sends_nothing_twice(self, bali, sop002):
        s2_case(bali, sop002, activated=at(2, 8), claimed_by=bali["dinkes_staf"])
        s2_case(bali, sop002, activated=at(0, 8), claimed_by=bali["dinkes_staf"])
        first = sla.sweep(at(2, 9, 45))
        assert (first.near_due, first.overdue, first.escalated) == (1, 1, 1)
        count = Notification.objects.count()
        again = sla.sweep(at(2, 9, 45))
        assert again.as_dict() == {
            "near_due": 0,
            "overdue": 0,
            "escalated": 0,
            "dispositions_overdue": 0,
            "notifications": 0,
        }
        later = sla.sweep(at(2, 10, 30))  # the first step is overdue now: that is new
        assert (later.near_due, later.overdue, later.escalated) == (0, 1, 0)
        assert Notification.objects.count() == count + 1

    def test_steps_on_hold_are_skipped_and_held_time_does_not_count(self, bali, sop002):
        _case, step = s2_case(bali, sop002, activated=at(2, 8), claimed_by=bali["dinkes_staf"])
        CaseStep.objects.filter(pk=step.pk).update(on_hold_since=at(2, 8, 30))
        assert sla.sweep(at(3, 15)).as_dict()["notifications"] == 0
        # Resumed after 30 working minutes on hold: the due time moved by them.
        _case, step = s2_case(
            bali, sop002, activated=at(2, 8), claimed_by=bali["dinkes_staf"], held=30
        )
        assert step.due_at == at(2, 10, 30)
        assert sla.sweep(at(2, 9, 59)).near_due == 0  # 119 - 30 = 89 of 120
        assert sla.sweep(at(2, 10)).near_due == 1  # 90 of 120

    def test_the_command_runs_the_sweep_and_prints_the_counts(self, bali, sop002, capsys):
        s2_case(bali, sop002, activated=at(2, 8), claimed_by=bali["dinkes_staf"])
        call_command("sla", "sweep", "--now", at(2, 10, 30).isoformat())
        assert capsys.readouterr().out.strip() == (
            "almost due: 0, overdue: 1, escalated: 0, dispositions past their deadline: 0, "
            "notifications: 1"
        )


@pytest.mark.django_db(transaction=True)
def test_the_task_is_queued_in_the_database_and_run_by_its_worker(bali, sop002):
    # A real transaction: the worker closes its database connection when it is done.
    a_month_ago = timezone.now() - dt.timedelta(days=30)
    s2_case(bali, sop002, activated=a_month_ago, claimed_by=bali["dinkes_staf"])
    call_command("sla", "enqueue-every", "0.01", "--times", "2")
    # (Beside the sweeps: the outbox's sending of the case's e-mails, the daily seal.)
    sweeps = DBTaskResult.objects.filter(task_path=sweep_due_steps.module_path)
    assert sweeps.count() == 2
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    results = list(sweeps.order_by("enqueued_at"))
    assert [r.status for r in results] == ["SUCCESSFUL", "SUCCESSFUL"]
    # The worker's clock is a month past the step's due time: overdue and escalated, once.
    assert sorted(r.return_value["overdue"] for r in results) == [0, 1]
    assert Notification.objects.count() == 2


def _sweep(now, results, barrier):
    try:
        barrier.wait(timeout=10)
        results.append(sla.sweep(now).as_dict())
    except Exception as exc:  # recorded, so the test fails naming it
        results.append({"error": repr(exc)})
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_once(bali, sop002):
    for day in range(3):
        s2_case(bali, sop002, activated=at(day, 8), claimed_by=bali["dinkes_staf"])
    results: list[dict[str, int]] = []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(target=_sweep, args=(at(2, 9, 45), results, barrier)) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all("error" not in r for r in results), results
    total = {k: sum(r[k] for r in results) for k in ("near_due", "overdue", "escalated")}
    assert total == {"near_due": 1, "overdue": 2, "escalated": 1}
    assert Notification.objects.count() == 4


@pytest.mark.parametrize(
    ("text", "expected"), [("0.75", 0.75), ("60%", 0.6), ("0,8", 0.8), (None, 0.75)]
)
def test_the_near_due_share_setting_is_read_strictly(monkeypatch, text, expected):
    if text is None:
        monkeypatch.delenv("LAKSANA_NEAR_DUE_SHARE", raising=False)
    else:
        monkeypatch.setenv("LAKSANA_NEAR_DUE_SHARE", text)
    assert settings_module.env_share("LAKSANA_NEAR_DUE_SHARE", 0.75) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1", "0", "150%", "tiga perempat"])
def test_a_share_outside_0_and_1_is_refused(monkeypatch, text):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("LAKSANA_NEAR_DUE_SHARE", text)
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_NEAR_DUE_SHARE"):
        settings_module.env_share("LAKSANA_NEAR_DUE_SHARE", 0.75)


def test_an_unreadable_grace_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("LAKSANA_ESCALATION_GRACE", "sebentar")
    with pytest.raises(ImproperlyConfigured, match="LAKSANA_ESCALATION_GRACE"):
        settings_module.env_time_standard("LAKSANA_ESCALATION_GRACE", "1 hari")


@pytest.mark.django_db
class TestDispositionDeadlines:
    """Open dispositions past their deadline: the recipient and the sender are told once."""

    def _at_step3(self, bali, sop002):
        case = services.open_case(bali["dinkes_staf"], sop002, "SIKESDA tidak bisa login")
        case = work(bali["dinkes_staf"], work(bali["dinkes_staf"], case))
        Notification.objects.all().delete()
        return case, active(case)

    def test_the_recipient_and_the_sender_are_told_once_when_the_deadline_passes(
        self, bali, sop002
    ):
        case, step3 = self._at_step3(bali, sop002)
        (d,) = services.dispose(
            bali["kadis"],
            case.pk,
            [bali["kabid"]],
            "Proses lebih lanjut",
            step_id=step3.pk,
            deadline=at(2, 10),
            now=at(0, 8),
        )
        Notification.objects.all().delete()
        assert sla.sweep(at(2, 9, 59)).dispositions_overdue == 0
        assert told() == []
        result = sla.sweep(at(2, 10, 1))
        assert (result.dispositions_overdue, result.notifications) == (1, 2)
        message = (
            "The disposition from Gede Pramana to Ni Luh Putu Ariani is past its deadline "
            "(10-06-2026 10:00 WITA): Proses lebih lanjut"
        )
        assert told() == [("kabid", message), ("kadis", message)]
        d.refresh_from_db()
        assert d.overdue_notified_at == at(2, 10, 1)
        # Once only.
        assert sla.sweep(at(3, 9)).dispositions_overdue == 0
        assert len(told()) == 2

    def test_a_disposition_finished_before_its_deadline_is_not_told_about(self, bali, sop002):
        case, step3 = self._at_step3(bali, sop002)
        services.dispose(
            bali["kadis"],
            case.pk,
            [bali["kabid"]],
            "Proses lebih lanjut",
            step_id=step3.pk,
            deadline=at(2, 10),
            now=at(0, 8),
        )
        (whole,) = services.dispose(
            bali["kadis"], case.pk, [bali["kabid"]], "Untuk diketahui", deadline=at(2, 10),
            now=at(0, 8),
        )  # fmt: skip
        services.withdraw(bali["kadis"], whole.pk, now=at(0, 9))
        work(bali["kadis"], case)  # step 3 done: its disposition is done
        Notification.objects.all().delete()
        assert sla.sweep(at(3, 9)).dispositions_overdue == 0
        assert told() == []

    def test_the_command_counts_them(self, bali, sop002, capsys):
        case, step3 = self._at_step3(bali, sop002)
        services.dispose(
            bali["kadis"],
            case.pk,
            [bali["kabid"]],
            "Proses lebih lanjut",
            step_id=step3.pk,
            deadline=at(2, 10),
            now=at(0, 8),
        )
        call_command("sla", "sweep", "--now", at(2, 10, 30).isoformat())
        assert "dispositions past their deadline: 1, notifications: 2" in capsys.readouterr().out
