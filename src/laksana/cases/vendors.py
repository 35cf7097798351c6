"""Vendors' access follows their contracts' dates: the one place that says what a vendor's
employee may see and do on cases, asked by the visibility gate, the holders of steps, the
services and the catalogue's gate.

A contract's *period* runs from its ``starts_on`` (none: from always) through the later of its
``ends_on`` and ``support_ends_on`` (the warranty or maintenance after the work; neither date:
open-ended, until the agency records an end), both days included, in days of the agency's
time zone (:func:`today`). The rule itself is :meth:`laksana.catalog.models.Contract.in_period`.

While one of its contracts for an application is in its period, a vendor's employees see every
case about that application and may open cases on it and work its steps (as holders of the
vendor actor, or of an actor bound to them). Outside every period (before it starts, after it
ends) they see only the cases about the vendor's applications (any contract, any dates) that
the vendor's people worked on, i.e. that have a journal entry by one of them (opened, claimed,
completed, commented, added a file ...), and those read-only: no claim, completion, hold,
disposition, comment, remark or file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laksana.cases.models import Case, JournalEntry
from laksana.catalog.models import Contract
from laksana.org.models import Agency, Person


def today(agency_id: int, now: dt.datetime | None = None) -> dt.date:
    """The date in the agency's time zone at ``now`` (the present by default)."""
    zone = Agency.objects.filter(pk=agency_id).values_list("time_zone", flat=True).first()
    return timezone.localtime(now or timezone.now(), ZoneInfo(zone or "Asia/Jakarta")).date()


def current_contracts(vendor_id: int, on: dt.date) -> QuerySet[Contract]:
    """The vendor's contracts whose period covers the date."""
    return Contract.objects.filter(Contract.in_period(on), vendor_id=vendor_id)


def covers(vendor_id: int, application_id: int | None, on: dt.date) -> bool:
    """Whether a contract of the vendor for the application is in its period on the date."""
    if application_id is None:
        return False
    return current_contracts(vendor_id, on).filter(application_id=application_id).exists()


def case_day(case: Case, now: dt.datetime | None = None) -> dt.date:
    """:func:`today` for the case's agency (its time zone read from the case's agency when
    that is loaded already)."""
    if Case.agency.is_cached(case):
        zone = case.agency.time_zone
        return timezone.localtime(now or timezone.now(), ZoneInfo(zone)).date()
    return today(case.agency_id, now)


def may_act(person: Person, case: Case, now: dt.datetime | None = None) -> bool:
    """Whether ``person`` may do anything on ``case`` beyond reading it, as far as contracts
    go: always for the agency's own people; for a vendor's employee only while a contract of
    the vendor for the case's application is in its period (at ``now``)."""
    if person.vendor_id is None:
        return True
    if case.application_id is None:
        return False
    return covers(person.vendor_id, case.application_id, case_day(case, now))


def out_of_contract() -> str:
    """Why a vendor's employee outside its contracts' periods is refused anything but
    reading (one text for the services and the authority rule)."""
    return _(
        "No contract of yours for this application is in force today: you can read "
        "this case but not add to it."
    )


def case_filter(vendor_id: int, on: dt.date) -> Q:
    """A filter on cases: those a vendor's employee may see on the date (as one filter for
    the gate's querysets)."""
    contracts = Contract.objects.filter(vendor_id=vendor_id)
    current = current_contracts(vendor_id, on).values("application_id")
    worked = JournalEntry.objects.filter(actor__vendor_id=vendor_id).values("case_id")
    return Q(application_id__in=current) | Q(
        application_id__in=contracts.values("application_id"), pk__in=worked
    )


def case_row_filter(vendor_id: int, on: dt.date) -> Q:
    """:func:`case_filter` as EXISTS lookups checked per case row (the case's application's
    contracts, the case's own journal)."""
    contracts = Contract.objects.filter(
        application_id=OuterRef("application_id"), vendor_id=vendor_id
    )
    return Q(Exists(contracts.filter(Contract.in_period(on)))) | (
        Q(Exists(contracts))
        & Q(Exists(JournalEntry.objects.filter(case_id=OuterRef("pk"), actor__vendor_id=vendor_id)))
    )


_PERIOD = (
    "({k}.starts_on IS NULL OR {k}.starts_on <= %s) AND (({k}.ends_on IS NULL AND "
    "{k}.support_ends_on IS NULL) OR {k}.ends_on >= %s OR {k}.support_ends_on >= %s)"
)


def period_sql(alias: str, on: dt.date) -> tuple[str, list[Any]]:
    """:meth:`Contract.in_period` as SQL on the contract row named ``alias``. The date is
    given as ISO text on SQLite (how it stores dates; its driver is handed the parameters
    as they are by :func:`laksana.cases.store.fetch`)."""
    value: Any = on if connection.vendor == "postgresql" else on.isoformat()
    return _PERIOD.format(k=alias), [value, value, value]


def case_row_sql(alias: str, vendor_id: int, on: dt.date, fence: str = "") -> tuple[str, list[Any]]:
    """:func:`case_filter` as SQL on one case row named ``alias`` (with ``id`` and
    ``application_id``); ``fence`` ends each lookup (``" OFFSET 0"`` on PostgreSQL)."""
    contracts = Contract._meta.db_table
    journal, people = JournalEntry._meta.db_table, Person._meta.db_table
    period, params = period_sql("k", on)
    sql = (
        f"(EXISTS (SELECT 1 FROM {contracts} k WHERE k.application_id = {alias}.application_id "
        f"AND k.vendor_id = %s AND {period}{fence}) "
        f"OR (EXISTS (SELECT 1 FROM {contracts} k WHERE k.application_id = "
        f"{alias}.application_id AND k.vendor_id = %s{fence}) "
        f"AND EXISTS (SELECT 1 FROM {journal} j JOIN {people} p ON p.id = j.actor_id "
        f"WHERE j.case_id = {alias}.id AND p.vendor_id = %s{fence})))"
    )
    return sql, [vendor_id, *params, vendor_id, vendor_id]


def acting_people(case: Case) -> Q:
    """A filter on people: those who may act on the case today as far as contracts go (the
    agency's own, and the employees of a vendor with a contract for the case's application in
    its period)."""
    if case.application_id is None:
        return Q(vendor__isnull=True)
    vendors = Contract.objects.filter(
        Contract.in_period(case_day(case)), application_id=case.application_id
    ).values("vendor_id")
    return Q(vendor__isnull=True) | Q(vendor_id__in=vendors)


def acting_people_sql(alias: str, case: Case) -> tuple[str, list[Any]]:
    """:func:`acting_people` as SQL on the person row named ``alias``."""
    if case.application_id is None:
        return f"{alias}.vendor_id IS NULL", []
    period, params = period_sql("k", case_day(case))
    return (
        f"({alias}.vendor_id IS NULL OR {alias}.vendor_id IN (SELECT k.vendor_id FROM "
        f"{Contract._meta.db_table} k WHERE k.application_id = %s AND {period}))",
        [case.application_id, *params],
    )
