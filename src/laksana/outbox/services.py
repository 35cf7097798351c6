"""Queueing and sending e-mails.

:func:`queue` writes one :class:`~laksana.outbox.models.Message` per recipient in the caller's
transaction, so a notice exists exactly when the action it tells about was committed, and
asks the task worker (``laksana db_worker``) to send once that transaction has committed —
unless a send task is already waiting and due (checked at most once a second per process; the
SLA ticker's :func:`wake_if_waiting` is the safety net). No request waits for the mail server.

:func:`send_due` sends the messages that are due. Each is first *claimed* in a short
transaction (its attempt counted and its due time moved past a lease, with ``SKIP LOCKED`` on
PostgreSQL so two workers never take the same row), then sent outside any transaction, then
marked sent; a failure keeps it waiting with the reason in ``last_error`` and a later due time
(:func:`backoff`: 1, 2, 4 ... minutes, at most an hour), and after :data:`MAX_ATTEMPTS` it is
marked failed. Every failure is logged (``laksana.outbox``) with the message, the attempt and
the reason; a worker that dies while sending leaves the row to be sent again once the lease
has passed (a message is sent at least once, not exactly once). After a pass with messages
still waiting the worker is asked to run again when the first of them is due.

Texts: :func:`shorten` cuts at a word boundary with an ellipsis; :func:`absolute` makes a
site path into a link with ``LAKSANA_SITE_URL``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Min
from django.utils import timezone

from laksana.outbox.models import Message, MessageStatus

log = logging.getLogger("laksana.outbox")

MAX_ATTEMPTS = 10
# How long a claimed message is left to its worker before another may try it again.
LEASE = dt.timedelta(minutes=5)
BATCH = 50
ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters; when longer, cut after the last
    whole word that fits and ended with an ellipsis (a single word longer than the limit is
    cut inside it, as nothing else fits)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS) + 1]
    cut = room.rfind(" ")
    kept = room[:cut] if cut > 0 else room[:-1]
    return kept.rstrip(" ,;:.-–—") + ELLIPSIS


def absolute(path: str) -> str:
    """A link to ``path`` (a path of this site) from outside it: ``LAKSANA_SITE_URL`` +
    path."""
    base = str(settings.LAKSANA_SITE_URL).rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def queue(
    recipients: Iterable[str],
    subject: str,
    body: str,
    *,
    agency_id: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Put one message per recipient (duplicates and blanks left out) in the outbox, in the
    current transaction; the worker is asked to send them once it commits. Returns how many.

    Written with one plain INSERT (most actions of a case queue a notice, so this is on the
    step's path), its values prepared as the model's fields prepare them."""
    at = now or timezone.now()
    subject = shorten(subject, Message._meta.get_field("subject").max_length or 200)
    addresses = list(dict.fromkeys(a.strip() for a in recipients if a and a.strip()))
    if not addresses:
        return 0
    stamp = Message._meta.get_field("created_at").get_db_prep_save(at, connection)
    names = ("agency_id", "to", "subject", "body", "status", "attempts", "last_error")
    columns = ", ".join(connection.ops.quote_name(n) for n in (*names, "created_at"))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Message._meta.db_table} ({columns}, next_attempt_at) "
            f"VALUES ({', '.join(['%s'] * (len(names) + 2))})",
            [
                (agency_id, a, subject, body, MessageStatus.PENDING.value, 0, "", stamp, stamp)
                for a in addresses
            ],
        )
    if not any(entry[1] is _wake_worker for entry in connection.run_on_commit):
        transaction.on_commit(_wake_worker)
    return len(addresses)


def _worker_already_due() -> bool:
    """Whether a send task is waiting in the database queue, due now and not yet taken: it
    will run after this moment, so it sends what was committed before it (one read instead
    of one more write transaction per action)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    from laksana.outbox.tasks import send_outbox

    if not send_outbox.get_backend().__class__.__module__.startswith("django_tasks_db"):
        return False
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {DBTaskResult._meta.db_table} "
            "WHERE status = %s AND task_path = %s AND (run_after <= %s OR run_after = %s) "
            "LIMIT 1",
            [
                "READY",
                send_outbox.module_path,
                ops.adapt_datetimefield_value(timezone.now()),
                ops.adapt_datetimefield_value(get_date_max()),
            ],
        )
        return cursor.fetchone() is not None


# A process asks the database whether a send task is waiting at most once in this many
# seconds; in between, its actions' messages are left to the task it last saw or asked for. A
# message committed just after that task's pass is sent by the next action's task or by the
# SLA ticker's (:func:`wake_if_waiting`, every tick), so it waits at most one tick.
WAKE_CHECK_SECONDS = 1.0
_checked_at: float | None = None


def _wake_worker(run_after: dt.datetime | None = None) -> None:
    global _checked_at
    from laksana.outbox.tasks import send_outbox

    try:
        if run_after is None:
            now = time.monotonic()
            if _checked_at is not None and now - _checked_at < WAKE_CHECK_SECONDS:
                return
            _checked_at = now
            if _worker_already_due():
                return
        (send_outbox.using(run_after=run_after) if run_after else send_outbox).enqueue()
    except Exception:
        # The messages are kept: the next worker pass (or `laksana outbox send`) sends them.
        log.exception("could not queue the outbox task", extra={"event": "outbox_enqueue"})


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4 ... minutes, at most 1 h."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass
class Pass:
    """What one :func:`send_due` did."""

    sent: int = 0
    retry: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _claim(now: dt.datetime, limit: int) -> list[Message]:
    with transaction.atomic():
        due = Message.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        Message.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
    return list(Message.objects.filter(pk__in=ids).order_by("next_attempt_at", "pk"))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or repr(exc)
    return f"{type(exc).__name__}: {text}"[:1000]


def send_due(*, now: dt.datetime | None = None, limit: int = BATCH) -> Pass:
    """Send the messages that are due (at most ``limit``); see the module's description."""
    at = now or timezone.now()
    done = Pass()
    messages = _claim(at, limit)
    if not messages:
        return done
    mailer = get_connection(fail_silently=False)
    try:
        # One connection for the batch; if it cannot be opened, each message tries again
        # and records the reason.
        mailer.open()
    except Exception:
        log.debug("the mail connection did not open", exc_info=True)
    try:
        for message in messages:
            _send_one(mailer, message, at, done)
    finally:
        try:
            mailer.close()
        except Exception:
            log.warning("closing the mail connection failed", exc_info=True)
    return done


def _send_one(mailer: Any, message: Message, at: dt.datetime, done: Pass) -> None:
    """Send one claimed message; record the outcome in its row and in ``done``."""
    email = EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to])
    try:
        mailer.send_messages([email])
    except Exception as exc:  # every failure of the mail server or its connection
        reason = _reason(exc)
        gave_up = message.attempts >= MAX_ATTEMPTS
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED if gave_up else MessageStatus.PENDING,
            last_error=reason,
            next_attempt_at=at + backoff(message.attempts),
        )
        log.log(
            logging.ERROR if gave_up else logging.WARNING,
            "e-mail %s to %s failed (attempt %s of %s): %s",
            message.pk,
            message.to,
            message.attempts,
            MAX_ATTEMPTS,
            reason,
            extra={
                "event": "email_failed",
                "message_id": message.pk,
                "to": message.to,
                "attempts": message.attempts,
                "reason": reason,
                "gave_up": gave_up,
            },
        )
        if gave_up:
            done.failed += 1
        else:
            done.retry += 1
        return
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    done.sent += 1


def next_due() -> dt.datetime | None:
    """When the first waiting message is due, or None."""
    found: dt.datetime | None = Message.objects.filter(status=MessageStatus.PENDING).aggregate(
        first=Min("next_attempt_at")
    )["first"]
    return found


def wake_if_waiting(now: dt.datetime | None = None) -> bool:
    """For the SLA ticker: ask the worker for a pass when a message is due and no send task is
    waiting (the safety net of the per-process check above). Whether it asked."""
    waiting = next_due()
    if waiting is None or waiting > (now or timezone.now()) or _worker_already_due():
        return False
    from laksana.outbox.tasks import send_outbox

    send_outbox.enqueue()
    return True


def run(*, now: dt.datetime | None = None) -> Pass:
    """The worker's pass: send what is due, in batches, then ask for the next pass when a
    message is still waiting."""
    total = Pass()
    while True:
        done = send_due(now=now)
        total.sent += done.sent
        total.retry += done.retry
        total.failed += done.failed
        if done.sent + done.retry + done.failed < BATCH:
            break
    waiting = next_due()
    if waiting is not None:
        _wake_worker(run_after=max(waiting, timezone.now()))
    return total


def retry(message_id: int, *, now: dt.datetime | None = None) -> bool:
    """Make a failed (or waiting) message due again now, with its attempts counted afresh."""
    at = now or timezone.now()
    changed = Message.objects.filter(
        pk=message_id, status__in=[MessageStatus.FAILED, MessageStatus.PENDING]
    ).update(status=MessageStatus.PENDING, attempts=0, next_attempt_at=at)
    if changed:
        transaction.on_commit(_wake_worker)
    return bool(changed)
