"""Requests filed on the public form and confirmed into cases, beside the bare inserts of the
same requests and cases, in the same run.

The database: the Bali demo agency (SOP 002 adopted), its public service on SOP 002 and its
public desk (made before the rounds). Laksana's path, per request: the form's token issued
(:func:`laksana.intake.guard.issue`, 30 seconds before the filing: the minimum fill time
passed), :func:`laksana.intake.filing.file_request` (honeypot, hourly limits, the fields
checked, the token redeemed, the request written with its hashes, the counters, the
confirmation e-mail queued) and :func:`laksana.intake.filing.confirm` with the e-mailed secret
(the request found by its hash and locked, the case opened by
:func:`laksana.intake.desk.open_case`, the follow link's hash kept and its e-mail queued).
Reading the secret out of the queued e-mail is not timed. Every request has its own client
address and e-mail (as many citizens do), so no hourly limit is reached; no files.

The bare path, per request: :func:`laksana.cases.services.open_case` called directly with the
desk's account and unit (the version looked up once) and the
:class:`~laksana.intake.models.OutsideRequest` row written opened with its case, by one
``objects.create``. The ratio is thus the intake's own overhead over the inserts it must do:
the guard, the token, the hashing, the two e-mails rendered and queued. Target: at most 6
(the first measurement, 100 requests a round on SQLite on the 2-core reference machine shared
with a test run, was 4.3: 11.9 ms a request against 2.3 ms; a citizen's request is three
actions, the form's token, the filing and the confirmation, each its own transaction (a
savepoint here), reading and locking what the one before wrote, where the bare path is one; and
two e-mails are rendered from templates and queued. The margin is the rounds' noise on a
loaded machine). The two run in turns; the figure is the median of the rounds' ratios. Every
row is rolled back.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from laksana.benchmarks.common import Figure

Log = Callable[[str], None]
_CONFIRM = re.compile(r"/layanan/konfirmasi/([^/\s]+)/")


class _Rollback(Exception):
    pass


def generate() -> dict[str, Any]:
    """The Bali demo agency, its public service on SOP 002 and its desk."""
    from django.utils import timezone

    from laksana.demo.orgs import SOP_002, build_bali
    from laksana.intake import desk
    from laksana.intake.models import PublicService
    from laksana.org.services import latest_version

    bali = build_bali()
    service = PublicService.objects.create(
        agency=bali.agency,
        procedure_key=SOP_002,
        slug="bench-bantuan-aplikasi",
        title="Bantuan masalah aplikasi",
        intro="Laporkan masalah aplikasi pemerintah daerah.",
        is_open=True,
        opened_at=timezone.now(),
    )
    version = latest_version(bali.agency, SOP_002)
    assert version is not None
    return {"service": service, "desk": desk.desk_for(bali.agency), "version": version}


def form(n: int) -> dict[str, str]:
    """The ``n``-th citizen's form (without its token)."""
    return {
        "name": f"Warga Bench {n}",
        "email": f"warga{n}@contoh.id",
        "phone": f"+62 812 {n:08d}",
        "title": f"Aplikasi perizinan tidak bisa dibuka ({n})",
        "description": "Sejak pagi halaman masuk menampilkan galat 500.",
    }


def address(n: int) -> str:
    return f"198.51.{n // 250 % 250}.{n % 250 + 1}"


def secret_of(request_id: int) -> str:
    """The confirmation secret e-mailed for the request (from the queued message)."""
    from laksana.intake.models import OutsideRequest
    from laksana.outbox.models import Message

    email = OutsideRequest.objects.values_list("email", flat=True).get(pk=request_id)
    body = Message.objects.filter(to=email).order_by("-id").values_list("body", flat=True)[0]
    found = _CONFIRM.search(body)
    assert found, body
    return found.group(1)


def ours(world: dict[str, Any], n: int, at: dt.datetime) -> tuple[float, Any]:
    """File and confirm the ``n``-th request: the seconds it took (without reading the secret
    out of the e-mail) and the request."""
    from laksana.intake import filing, guard

    service = world["service"]
    t0 = time.perf_counter()
    data = {**form(n), guard.TOKEN_FIELD: guard.issue(service, now=at - dt.timedelta(seconds=30))}
    done = filing.file_request(service, data, [], address=address(n), now=at)
    spent = time.perf_counter() - t0
    secret = secret_of(done.request.pk)
    t1 = time.perf_counter()
    request = filing.confirm(secret, now=at + dt.timedelta(minutes=2))
    return spent + time.perf_counter() - t1, request


def bare(world: dict[str, Any], n: int, at: dt.datetime) -> Any:
    """The same request's inserts: its case opened directly, the request written opened."""
    from django.utils.translation import gettext as _

    from laksana.cases import services as case_services
    from laksana.intake.models import OutsideRequest, RequestStatus

    values = form(n)
    the_desk = world["desk"]
    contact = ", ".join((values["name"], values["email"], values["phone"]))
    case = case_services.open_case(
        the_desk.robot,
        world["version"],
        values["title"],
        f"{values['description']}\n\n{_('Requester')}: {contact}",
        requesting_unit=the_desk.unit,
        automatic=True,
    )
    return OutsideRequest.objects.create(
        agency_id=world["service"].agency_id,
        service=world["service"],
        created_at=at,
        confirmed_at=at + dt.timedelta(minutes=2),
        status=RequestStatus.OPENED,
        case=case,
        **values,
    )


def measure(quick: bool, log: Log, *, requests: int | None = None) -> list[Figure]:
    """The ratio of filing and confirming requests to the bare inserts of the same."""
    from django.db import connection, transaction
    from django.utils import timezone

    from laksana.intake.models import OutsideRequest, RequestStatus
    from laksana.outbox.models import Message

    count = requests or (20 if quick else 100)
    rounds = 3 if quick else 7
    numbers = itertools.count()
    mine: list[float] = []
    plain: list[float] = []
    found: dict[str, Any] = {}
    try:
        with transaction.atomic():
            world = generate()
            at = timezone.now()
            # Warm both paths, and check that the filing opened its case as the bare path does.
            _spent, request = ours(world, next(numbers), at)
            other = bare(world, next(numbers), at)
            if request.status != RequestStatus.OPENED or request.case is None:
                raise AssertionError("the filing did not open its case")
            if request.case.requesting_unit_id != other.case.requesting_unit_id:
                raise AssertionError("the two paths opened different cases")
            mails = Message.objects.count()
            for _ in range(rounds):
                spent = 0.0
                for _one in range(count):
                    seconds, _request = ours(world, next(numbers), at)
                    spent += seconds
                t0 = time.perf_counter()
                for _one in range(count):
                    bare(world, next(numbers), at)
                mine.append(spent)
                plain.append(time.perf_counter() - t0)
            opened = OutsideRequest.objects.filter(status=RequestStatus.OPENED).count()
            found = {
                "opened": opened,
                "mails_queued": Message.objects.count() - mails,
            }
            raise _Rollback
    except _Rollback:
        pass
    ours_ms = statistics.median(mine) / count * 1000
    bare_ms = statistics.median(plain) / count * 1000
    ratio = statistics.median(o / b for o, b in zip(mine, plain, strict=True))
    log(
        f"intake: a request filed and confirmed {ours_ms:.1f} ms, the bare inserts of its case "
        f"and request {bare_ms:.1f} ms: {ratio:.2f}x ({count} requests a round)"
    )
    return [
        Figure(
            "intake",
            "ratio: a public request filed and confirmed into a case / open_case and the "
            "request's insert called directly",
            ratio,
            "x",
            backend=connection.vendor,
            target=6.0,
            higher_is_better=False,
            extra={
                "requests": count,
                "rounds": rounds,
                "laksana_p50_ms_per_request": round(ours_ms, 2),
                "bare_p50_ms_per_request": round(bare_ms, 2),
                "ratio_of_medians": round(ours_ms / bare_ms, 3),
                **found,
            },
        )
    ]
