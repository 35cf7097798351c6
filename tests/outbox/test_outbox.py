"""E-mails are never dropped silently: each is an outbox row written with the action, sent by
the task worker, kept waiting with the reason when the mail server refuses it and sent by a
later run; they link to the site with absolute addresses and cut no word in half.

Before the outbox the e-mails were sent after commit with ``fail_silently=True``: a refused
message left no trace anywhere."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from laksana.cases import services
from laksana.cases.models import Notification
from laksana.org.models import RoleKind
from laksana.org.roles import grant
from laksana.outbox import services as outbox
from laksana.outbox.models import Message, MessageStatus
from laksana.outbox.tasks import send_outbox

SITE = "https://sop.example.go.id"


class RefusingBackend(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


REFUSING = f"{__name__}.RefusingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def site(settings):
    settings.LAKSANA_SITE_URL = SITE
    settings.EMAIL_BACKEND = LOCMEM
    return settings


def open_case(bali, sop002, capture, title: str = "Gangguan SIMPEG"):
    with capture(execute=True):
        return services.open_case(bali["dinkes_staf"], sop002, title)


def test_a_refused_message_waits_with_its_reason_and_a_later_run_sends_it(
    bali, sop002, django_capture_on_commit_callbacks, site, caplog
) -> None:
    site.EMAIL_BACKEND = REFUSING
    case = open_case(bali, sop002, django_capture_on_commit_callbacks)
    # One row per recipient, written with the case; the worker was asked to send them.
    waiting = list(Message.objects.order_by("to"))
    assert [m.to for m in waiting] == [
        "dinkes@demo.laksana.local",
        "dinkes_staf@demo.laksana.local",
    ]
    assert all(m.status == MessageStatus.PENDING and m.agency_id == case.agency_id for m in waiting)
    assert DBTaskResult.objects.filter(task_path=send_outbox.module_path).exists()

    with caplog.at_level(logging.WARNING, logger="laksana.outbox"):
        assert send_outbox.call() == {"sent": 0, "retry": 2, "failed": 0}
    assert mail.outbox == []
    for message in Message.objects.all():
        assert message.status == MessageStatus.PENDING and message.attempts == 1
        assert message.last_error == ("SMTPServerDisconnected: Connection unexpectedly closed")
        assert message.next_attempt_at > timezone.now()
    failures = [r for r in caplog.records if getattr(r, "event", "") == "email_failed"]
    assert len(failures) == 2
    assert all("Connection unexpectedly closed" in r.getMessage() for r in failures)
    # The worker is asked to come back when the first message is due again.
    assert DBTaskResult.objects.filter(run_after__gt=timezone.now()).exists()

    # The mail server is back; a later run sends both.
    site.EMAIL_BACKEND = LOCMEM
    later = timezone.now() + dt.timedelta(minutes=2)
    assert outbox.run(now=later).as_dict() == {"sent": 2, "retry": 0, "failed": 0}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dinkes@demo.laksana.local",
        "dinkes_staf@demo.laksana.local",
    ]
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    # Sent messages are not sent again.
    assert outbox.run(now=later).sent == 0 and len(mail.outbox) == 2


def test_after_its_last_attempt_a_message_is_failed_and_logged_as_an_error(
    bali, sop002, django_capture_on_commit_callbacks, site, caplog
) -> None:
    site.EMAIL_BACKEND = REFUSING
    open_case(bali, sop002, django_capture_on_commit_callbacks)
    Message.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    with caplog.at_level(logging.WARNING, logger="laksana.outbox"):
        assert outbox.send_due().failed == 2
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.FAILED}
    assert [r.levelno for r in caplog.records if getattr(r, "gave_up", False)] == [
        logging.ERROR
    ] * 2
    # An administrator can have it sent again.
    message = Message.objects.first()
    assert message is not None and outbox.retry(message.pk)
    site.EMAIL_BACKEND = LOCMEM
    assert outbox.send_due().sent == 1


def test_the_backoff_grows_to_an_hour() -> None:
    waits = [outbox.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 8, 20)]
    assert waits == [1, 2, 4, 8, 60, 60, 60]


def test_a_refused_action_leaves_no_message(bali, sop002, django_capture_on_commit_callbacks):
    case = open_case(bali, sop002, django_capture_on_commit_callbacks)
    before = Message.objects.count()
    with pytest.raises(services.ServiceError):
        services.dispose(bali["dinkes_staf"], case.pk, [bali["kabid"]], "x")
    assert Message.objects.count() == before


def test_links_in_e_mails_are_absolute(bali, sop002, django_capture_on_commit_callbacks, site):
    site.LAKSANA_SITE_URL = "https://pemda.example.go.id/sop"
    case = open_case(bali, sop002, django_capture_on_commit_callbacks)
    outbox.run()
    link = f"https://pemda.example.go.id/sop/kasus/{case.reference}/"
    assert all(link in m.body.splitlines() for m in mail.outbox)
    # In-app notices keep the site's own path.
    assert Notification.objects.filter(url=f"/kasus/{case.reference}/").exists()


def test_long_texts_are_cut_at_a_word_boundary(
    bali, sop002, django_capture_on_commit_callbacks
) -> None:
    case = open_case(bali, sop002, django_capture_on_commit_callbacks)
    instruction = "Mohon segera ditindaklanjuti " + "pemeriksaan-menyeluruh " * 11
    with django_capture_on_commit_callbacks(execute=True):
        services.dispose(bali["kadis"], case.pk, [bali["kabid"]], instruction.strip())
    outbox.run()
    message = mail.outbox[-1]
    assert len(message.subject) <= 200 and message.subject.endswith("…")
    kept = message.subject.removesuffix("…")
    full = f"[Laksana] {case.reference}: Disposisi dari"
    assert kept.startswith(full[:20])
    assert kept.endswith("pemeriksaan-menyeluruh")  # whole words only
    # The body keeps the whole text.
    assert instruction.strip() in message.body
    # The step's activity in the notice of the case's first step: whole words too.
    step = sop002.spec.step("s1")
    first = Notification.objects.filter(case=case).earliest("pk").message
    assert len(step.activity) > 120 and first.endswith("…")
    shown = first.split(": ", 1)[1].removesuffix("…")
    assert step.activity.startswith(shown) and step.activity[len(shown)] == " "
    # An in-app notice longer than its 300 characters is cut the same way.
    notice_text = "Catatan " + "pemeriksaan-menyeluruh " * 20
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.notify([bali["kabid"]], case, notice_text, timezone.now())
    notice = Notification.objects.filter(person=bali["kabid"]).latest("pk")
    assert len(notice.message) <= 300 and notice.message.endswith("pemeriksaan-menyeluruh…")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("pendek", 20, "pendek"),
        ("satu dua tiga empat", 12, "satu dua…"),
        ("satu dua, tiga", 10, "satu dua…"),
        ("supercalifragilistik", 8, "superca…"),
        ("  spasi   ganda\nbaris ", 30, "spasi ganda baris"),
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    got = outbox.shorten(text, limit)
    assert got == expected and len(got) <= limit


# --- the outbox screen --------------------------------------------------------------------------


def test_administrators_see_their_agencys_messages(
    bali, djki, sop002, django_capture_on_commit_callbacks, client: Client
) -> None:
    open_case(bali, sop002, django_capture_on_commit_callbacks, title="Gangguan Bali")
    Message.objects.create(
        agency=djki.agency,
        to="x@djki.example",
        subject="DJKI only",
        body="-",
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    url = reverse("outbox:list")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(bali["dinkes_staf"].user)
    assert client.get(url).status_code == 403
    admin = bali["kadis"]
    grant(admin, RoleKind.AGENCY_ADMIN)
    client.force_login(admin.user)
    page = client.get(url).content.decode()
    assert "dinkes_staf@demo.laksana.local" in page and "DJKI only" not in page
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    page = client.get(url).content.decode()
    assert "dinkes_staf@demo.laksana.local" in page and "DJKI only" in page


def test_the_screen_shows_the_reason_and_sends_again(
    bali, sop002, django_capture_on_commit_callbacks, client: Client, site
) -> None:
    site.EMAIL_BACKEND = REFUSING
    open_case(bali, sop002, django_capture_on_commit_callbacks)
    Message.objects.update(attempts=outbox.MAX_ATTEMPTS - 1)
    outbox.send_due()
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(root)
    page = client.get(reverse("outbox:list"), {"status": "failed"}).content.decode()
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    message = Message.objects.first()
    assert message is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("outbox:retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 0


def test_the_command_sends_and_lists(
    bali, sop002, django_capture_on_commit_callbacks, site, capsys
) -> None:
    from django.core.management import call_command

    site.EMAIL_BACKEND = REFUSING
    open_case(bali, sop002, django_capture_on_commit_callbacks)
    call_command("outbox", "send")
    assert capsys.readouterr().out.strip() == "sent: 0, to try again: 2, given up: 0"
    call_command("outbox", "list", "--status", "waiting")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert all("[SMTPServerDisconnected: Connection unexpectedly closed]" in x for x in lines)
    call_command("outbox", "list", "--status", "sent")
    assert capsys.readouterr().out == ""


@pytest.mark.django_db(transaction=True)
def test_one_waiting_send_task_serves_every_action_until_the_worker_takes_it(
    bali, sop002, monkeypatch
) -> None:
    """Each action's e-mails are sent by a task of the worker; while a task that is due is
    still waiting, the next action's messages are left to it (a read, not another write).
    Real commits: the task is asked for once the action's transaction has committed."""
    monkeypatch.setattr(outbox, "WAKE_CHECK_SECONDS", 0.0)  # every action asks
    sends = DBTaskResult.objects.filter(task_path=send_outbox.module_path)
    staff = bali["dinkes_staf"]
    services.open_case(staff, sop002, "Gangguan SIMPEG")
    assert sends.filter(status="READY").count() == 1
    services.open_case(staff, sop002, "Gangguan SIKESDA")
    assert sends.filter(status="READY").count() == 1  # the waiting task sends both
    assert Message.objects.filter(status=MessageStatus.PENDING).count() == 4
    # The worker takes the task: the next action asks for a task of its own.
    sends.update(status="RUNNING")
    services.open_case(staff, sop002, "Gangguan SIMPEL")
    assert sends.filter(status="READY").count() == 1
    # A task waiting for a later time (a retry) is not one that is due now.
    sends.filter(status="READY").update(run_after=timezone.now() + dt.timedelta(hours=1))
    services.open_case(staff, sop002, "Gangguan e-Kinerja")
    assert sends.filter(status="READY").count() == 2
    assert outbox.run().as_dict() == {"sent": 8, "retry": 0, "failed": 0}


@pytest.mark.django_db(transaction=True)
def test_a_process_asks_once_a_second_and_the_ticker_wakes_what_is_left(bali, sop002) -> None:
    """Within a second a process asks the database once; a message committed after the
    worker took its task is sent by the SLA ticker's wake-up, not left waiting."""
    sends = DBTaskResult.objects.filter(task_path=send_outbox.module_path)
    staff = bali["dinkes_staf"]
    services.open_case(staff, sop002, "Gangguan SIMPEG")
    assert sends.filter(status="READY").count() == 1
    sends.update(status="SUCCESSFUL")  # the worker ran it, before the next action committed
    services.open_case(staff, sop002, "Gangguan SIKESDA")
    assert not sends.filter(status="READY").exists()  # within the second: not asked again
    assert Message.objects.filter(status=MessageStatus.PENDING).count() == 4
    call_command("sla", "enqueue-every", "0.01", "--times", "1")
    assert sends.filter(status="READY").count() == 1
    # A task already waiting: the ticker asks for nothing more.
    call_command("sla", "enqueue-every", "0.01", "--times", "1")
    assert sends.filter(status="READY").count() == 1
    assert outbox.run().as_dict() == {"sent": 4, "retry": 0, "failed": 0}
    assert outbox.wake_if_waiting() is False  # nothing waiting
