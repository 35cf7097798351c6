"""The journal's daily seals: each agency's day of entries under a keyed digest.

A seal is HMAC-SHA-256, with the journal key (``LAKSANA_JOURNAL_KEY``, kept outside the
database), over a canonical text of the agency, the day, and one line per entry of the agency's
cases dated on that day in the agency's time zone (entry id, case id, sequence number and the
entry's own hash, in id order), ending with the count and the previous day's seal digest::

    laksana-journal-seal-1
    agency <id>
    day <YYYY-MM-DD>
    <entry id> <case id> <seq> <entry hash>        (one line per entry)
    count <n>
    prev <previous seal's digest, or nothing for the agency's first seal>

Every day from the agency's first case on is sealed, days without entries too, so the chain has
no gaps. A day is sealed once it is over and a grace period (:data:`GRACE`) has passed, for the
actions that began before midnight to commit. Without the key nobody can make a seal that
verifies, so rewriting entries, even with their hash chain recomputed, shows; a seal's value
printed and kept elsewhere (``laksana journal seals``) also catches someone who holds the key
and rewrote the seals. The entry hashes themselves are checked by
:func:`laksana.cases.journal.verify_case`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from laksana.cases.models import Case, JournalEntry, JournalSeal
from laksana.org.models import Agency

FORMAT = "laksana-journal-seal-1"
# How long after midnight a day is left open for the actions that began before it to commit.
GRACE = dt.timedelta(minutes=5)


class SealError(Exception):
    """A seal that cannot be made (the day is not over yet)."""


def key() -> bytes:
    return str(settings.LAKSANA_JOURNAL_KEY).encode("utf-8")


def key_id() -> str:
    """A name of the configured key that reveals nothing of it (stored with each seal)."""
    return hmac.new(key(), b"laksana journal key id", hashlib.sha256).hexdigest()[:16]


def derived_key(purpose: str) -> bytes:
    """A key of its own for another use of the journal key (the backup manifest)."""
    return hmac.new(key(), f"laksana {purpose}".encode(), hashlib.sha256).digest()


class _Day:
    """The digest of one agency's day, fed entry by entry."""

    def __init__(self, agency_id: int, day: dt.date) -> None:
        head = f"{FORMAT}\nagency {agency_id}\nday {day.isoformat()}\n"
        self.mac = hmac.new(key(), head.encode(), hashlib.sha256)
        self.count = 0
        self.first: int | None = None
        self.last: int | None = None

    def add(self, entry_id: int, case_id: int, seq: int, entry_hash: str) -> None:
        self.mac.update(f"{entry_id} {case_id} {seq} {entry_hash}\n".encode())
        self.count += 1
        if self.first is None:
            self.first = entry_id
        self.last = entry_id

    def digest(self, prev: str) -> str:
        mac = self.mac.copy()
        mac.update(f"count {self.count}\nprev {prev}\n".encode())
        return mac.hexdigest()


def _zones() -> dict[int, tuple[str, ZoneInfo]]:
    return {
        pk: (slug, ZoneInfo(tz))
        for pk, slug, tz in Agency.objects.values_list("pk", "slug", "time_zone")
    }


def _bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def _entries(
    start: dt.datetime | None = None, end: dt.datetime | None = None
) -> Iterator[tuple[int, int, int, str, dt.datetime, int]]:
    """(id, case id, seq, hash, at, agency id) of every entry in [start, end), in id order."""
    rows = JournalEntry.objects.all()
    if start is not None:
        rows = rows.filter(at__gte=start)
    if end is not None:
        rows = rows.filter(at__lt=end)
    yield from (
        rows.order_by("id")
        .values_list("id", "case_id", "seq", "hash", "at", "case__agency_id")
        .iterator(chunk_size=5000)
    )


def last_complete_day(zone: ZoneInfo, now: dt.datetime) -> dt.date:
    """The last day (in ``zone``) that is over, grace period included, at ``now``."""
    return (now - GRACE).astimezone(zone).date() - dt.timedelta(days=1)


def seal_due(
    now: dt.datetime | None = None, *, until: dt.date | None = None, agency: Agency | None = None
) -> list[JournalSeal]:
    """Seal every complete day not sealed yet, of every agency (or one), up to yesterday or
    ``until``; the new seals, in agency and day order. Idempotent: a day is sealed once, and a
    second sealer running at the same time seals nothing."""
    now = now or timezone.now()
    zones = _zones()
    plans: dict[int, tuple[dt.date, dt.date, str]] = {}  # agency -> (first, last, prev)
    agencies = [agency.pk] if agency is not None else sorted(zones)
    for agency_id in agencies:
        _slug, zone = zones[agency_id]
        target = last_complete_day(zone, now)
        if until is not None:
            if until > target:
                raise SealError(
                    f"{until} is not over yet for {zones[agency_id][0]}: a day is sealed once "
                    f"it has ended and {int(GRACE.total_seconds() // 60)} minutes have passed"
                )
            target = until
        last = JournalSeal.objects.filter(agency_id=agency_id).order_by("-day").first()
        if last is not None:
            first, prev = last.day + dt.timedelta(days=1), last.digest
        else:
            opened = Case.objects.filter(agency_id=agency_id).aggregate(m=Min("opened_at"))["m"]
            if opened is None:
                continue
            first, prev = opened.astimezone(zone).date(), ""
        if first <= target:
            plans[agency_id] = (first, target, prev)
    if not plans:
        return []
    start = min(_bounds(f, zones[a][1])[0] for a, (f, _t, _p) in plans.items())
    end = max(_bounds(t, zones[a][1])[1] for a, (_f, t, _p) in plans.items())
    days: dict[tuple[int, dt.date], _Day] = {}
    for entry_id, case_id, seq, digest, at, agency_id in _entries(start, end):
        plan = plans.get(agency_id)
        if plan is None:
            continue
        day = at.astimezone(zones[agency_id][1]).date()
        if plan[0] <= day <= plan[1]:
            bucket = days.get((agency_id, day))
            if bucket is None:
                bucket = days[agency_id, day] = _Day(agency_id, day)
            bucket.add(entry_id, case_id, seq, digest)
    made: list[JournalSeal] = []
    kid = key_id()
    sealed_at = timezone.now()
    try:
        with transaction.atomic():
            for agency_id, (first, target, prev) in sorted(plans.items()):
                day = first
                while day <= target:
                    bucket = days.get((agency_id, day)) or _Day(agency_id, day)
                    seal = JournalSeal.objects.create(
                        agency_id=agency_id,
                        day=day,
                        count=bucket.count,
                        first_entry_id=bucket.first,
                        last_entry_id=bucket.last,
                        digest=bucket.digest(prev),
                        prev_digest=prev,
                        key_id=kid,
                        sealed_at=sealed_at,
                    )
                    made.append(seal)
                    prev = seal.digest
                    day += dt.timedelta(days=1)
    except IntegrityError:
        return []  # sealed meanwhile by another run
    return made


@dataclass
class SealCheck:
    """What checking the seals found."""

    problems: list[str] = field(default_factory=list)
    seals: int = 0
    sealed_entries: int = 0
    unsealed_entries: int = 0
    # Unsealed entries of days that ended more than a day ago: the daily seal is not running,
    # or the newest seals were removed (a warning: a fresh or test installation has them too).
    overdue_entries: int = 0


def verify_seals(
    expected: Iterable[tuple[str, dt.date, str]] = (), now: dt.datetime | None = None
) -> SealCheck:
    """Recompute every seal from the entries with the key, and follow each agency's chain.
    ``expected`` are (agency slug, day, digest) values recorded out of band."""
    out = SealCheck()
    zones = _zones()
    now = now or timezone.now()
    overdue = {
        pk: last_complete_day(zone, now) - dt.timedelta(days=1) for pk, (_s, zone) in zones.items()
    }
    seals: dict[int, list[JournalSeal]] = {}
    for seal in JournalSeal.objects.order_by("agency_id", "day"):
        seals.setdefault(seal.agency_id, []).append(seal)
    out.seals = sum(len(s) for s in seals.values())
    span = {a: (s[0].day, s[-1].day) for a, s in seals.items()}
    days: dict[tuple[int, dt.date], _Day] = {}
    early: dict[tuple[int, dt.date], int] = {}
    for entry_id, case_id, seq, digest, at, agency_id in _entries():
        day = at.astimezone(zones[agency_id][1]).date()
        sealed = span.get(agency_id)
        if sealed is None or day > sealed[1]:
            out.unsealed_entries += 1
            if day <= overdue[agency_id]:
                out.overdue_entries += 1
        elif day < sealed[0]:
            early[agency_id, day] = early.get((agency_id, day), 0) + 1
        else:
            bucket = days.get((agency_id, day))
            if bucket is None:
                bucket = days[agency_id, day] = _Day(agency_id, day)
            bucket.add(entry_id, case_id, seq, digest)
    kid = key_id()
    for agency_id, chain in seals.items():
        slug = zones[agency_id][0]
        prev: JournalSeal | None = None
        for seal in chain:
            name = f"seal of {slug} {seal.day}"
            if prev is not None and seal.day != prev.day + dt.timedelta(days=1):
                out.problems.append(
                    f"{name}: no seal for {prev.day + dt.timedelta(days=1)} to "
                    f"{seal.day - dt.timedelta(days=1)} (seals were removed)"
                )
            if seal.prev_digest != (prev.digest if prev is not None else ""):
                out.problems.append(
                    f"{name}: does not follow the seal before it (a seal was removed, "
                    "replaced or inserted)"
                )
            bucket = days.pop((agency_id, seal.day), None) or _Day(agency_id, seal.day)
            out.sealed_entries += bucket.count
            if seal.key_id != kid:
                out.problems.append(
                    f"{name}: made with the journal key {seal.key_id}, but the configured key "
                    f"is {kid}; verify with the key that made it"
                )
            elif bucket.count != seal.count:
                out.problems.append(
                    f"{name}: sealed {seal.count} entries, {bucket.count} are there now "
                    "(entries were removed or added)"
                )
            elif not hmac.compare_digest(bucket.digest(seal.prev_digest), seal.digest):
                out.problems.append(
                    f"{name}: the day's entries do not match its seal (an entry was changed or "
                    "replaced, its chain recomputed, or the seal rewritten without the key)"
                )
            prev = seal
    for (agency_id, day), count in sorted(early.items()):
        out.problems.append(
            f"{count} entries of {zones[agency_id][0]} dated {day} are under no seal, although "
            "they are older than its first seal (added afterwards)"
        )
    for (agency_id, day), bucket in sorted(days.items()):
        out.problems.append(
            f"{bucket.count} entries of {zones[agency_id][0]} dated {day} are under no seal, "
            "although later days are sealed (the day's seal was removed)"
        )
    by_slug = {slug: pk for pk, (slug, _z) in zones.items()}
    for slug, day, digest in expected:
        found = next((s for s in seals.get(by_slug.get(slug, -1), []) if s.day == day), None)
        if found is None:
            out.problems.append(
                f"seal of {slug} {day}: there is none, but one was recorded out of band"
            )
        elif not hmac.compare_digest(found.digest, digest):
            out.problems.append(
                f"seal of {slug} {day}: its digest {found.digest} is not the value recorded "
                f"out of band ({digest})"
            )
    return out


def seal_line(seal: JournalSeal, slug: str) -> str:
    """One seal as printed for the out-of-band record (``laksana journal seals``)."""
    return (
        f"{slug} {seal.day} entries={seal.count} digest={seal.digest} "
        f"prev={seal.prev_digest or '-'} key={seal.key_id}"
    )
