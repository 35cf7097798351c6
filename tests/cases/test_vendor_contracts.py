"""Vendors' access follows their contracts' dates (laksana.cases.vendors).

While a contract of the vendor for an application is in its period (from ``starts_on``
through the later of ``ends_on`` and ``support_ends_on``, in the agency's time zone), the
vendor's employees see the application's cases, open cases on it and work its steps. Before
the period, nothing; after it, only the cases the vendor's people worked on, read-only. Each
door is tried: the services, the API and the web; and every form of the visibility gate must
give the same answer."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from laksana.accounts.services import issue_token
from laksana.cases import inbox, queries, services
from laksana.cases.holders import holder_contacts, holders, holds
from laksana.cases.models import Case, CaseStep, JournalEntry, StepStatus
from laksana.catalog.models import Contract
from laksana.catalog.queries import visible_applications
from laksana.demo.orgs import SOP_000, SOP_004, build_university
from laksana.org.models import Agency

from .helpers import active, pdf, work

pytestmark = pytest.mark.django_db


def today(agency_id: int) -> dt.date:
    """Today in the agency's time zone."""
    zone = Agency.objects.get(pk=agency_id).time_zone
    return timezone.localtime(timezone.now(), ZoneInfo(zone)).date()


def set_period(contract: Contract, **dates: dt.date | None) -> None:
    """Give the contract these dates (the rest unset)."""
    fields = {"starts_on": None, "ends_on": None, "support_ends_on": None, **dates}
    Contract.objects.filter(pk=contract.pk).update(**fields)


def ended_yesterday(contract: Contract) -> None:
    on = today(contract.application.agency_id)
    set_period(contract, starts_on=on - dt.timedelta(days=400), ends_on=on - dt.timedelta(days=1))


def gate_agrees(user, expected: set[int]) -> None:
    """Every form of the visibility gate gives ``expected`` (of the cases there are)."""
    every = list(Case.objects.all())
    assert set(queries.visible_cases(user).values_list("pk", flat=True)) == expected
    assert set(queries.visible_case_ids(user) or []) == expected
    check = queries.visible_filter(user)
    assert check is not None
    assert set(Case.objects.filter(check).values_list("pk", flat=True)) == expected
    first = queries.first_visible(user, Case.objects.all(), 50)
    assert set(first.values_list("pk", flat=True)[:50]) == expected
    for case in every:
        assert queries.can_view(user, case) == (case.pk in expected), case.reference
        found = queries.visible_case(user, case.reference)
        assert (found is not None) == (case.pk in expected), case.reference


# --- DJKI: the IPAS vendor --------------------------------------------------------------------


@pytest.fixture
def ipas(djki, sop004):
    """Two IPAS cases: the vendor commented on the first while its contract ran; the second
    it never touched."""
    vendor = djki["ipasdev"]
    app = djki.applications["ipas"]
    worked = services.open_case(djki["merek_staf"], sop004, "IPAS lambat", application=app)
    services.add_comment(vendor, worked.pk, "Kami periksa modul notifikasi.")
    untouched = services.open_case(djki["merek_staf"], sop004, "IPAS galat", application=app)
    return worked, untouched, app.contracts.get(vendor=vendor.vendor)


def test_after_its_contract_a_vendor_sees_only_the_cases_it_worked_on(djki, ipas):
    worked, untouched, contract = ipas
    user = djki["ipasdev"].user
    gate_agrees(user, {worked.pk, untouched.pk})  # while the contract is open-ended
    ended_yesterday(contract)
    gate_agrees(user, {worked.pk})


def test_a_contract_that_ends_today_still_counts(djki, ipas):
    worked, untouched, contract = ipas
    set_period(contract, ends_on=today(djki.agency.pk))
    gate_agrees(djki["ipasdev"].user, {worked.pk, untouched.pk})


def test_before_its_contract_starts_a_vendor_sees_nothing_new(djki, ipas):
    worked, untouched, contract = ipas
    on = today(djki.agency.pk)
    set_period(contract, starts_on=on + dt.timedelta(days=1), ends_on=on + dt.timedelta(days=300))
    vendor = djki["ipasdev"]
    # Only what it worked on under an earlier period (here: the comment above), read-only.
    gate_agrees(vendor.user, {worked.pk})
    with pytest.raises(services.NotAllowed):
        services.add_comment(vendor, worked.pk, "Belum mulai.")
    assert list(visible_applications(vendor.user)) == []
    with pytest.raises(services.NotAllowed):
        services.open_case(vendor, untouched.version, "Baru", application=djki.applications["ipas"])


def test_the_support_period_extends_access(djki, ipas):
    worked, untouched, contract = ipas
    on = today(djki.agency.pk)
    set_period(
        contract,
        starts_on=on - dt.timedelta(days=400),
        ends_on=on - dt.timedelta(days=30),
        support_ends_on=on + dt.timedelta(days=30),
    )
    vendor = djki["ipasdev"]
    gate_agrees(vendor.user, {worked.pk, untouched.pk})
    assert [a.pk for a in visible_applications(vendor.user)] == [contract.application_id]
    services.add_comment(vendor, untouched.pk, "Masih dalam masa pemeliharaan.")
    set_period(
        contract,
        starts_on=on - dt.timedelta(days=400),
        ends_on=on - dt.timedelta(days=30),
        support_ends_on=on - dt.timedelta(days=1),
    )
    gate_agrees(vendor.user, {worked.pk, untouched.pk})  # it commented on both now
    assert list(visible_applications(vendor.user)) == []


def test_the_period_is_counted_in_the_agencys_time_zone(djki):
    from laksana.cases import vendors

    # 18:30 UTC on 31 December is already 1 January in Jakarta (UTC+7) and Jayapura (UTC+9).
    at = dt.datetime(2026, 12, 31, 18, 30, tzinfo=ZoneInfo("UTC"))
    assert vendors.today(djki.agency.pk, at) == dt.date(2027, 1, 1)
    djki.agency.time_zone = "Asia/Jayapura"
    djki.agency.save(update_fields=["time_zone"])
    assert vendors.today(djki.agency.pk, at - dt.timedelta(hours=3)) == dt.date(2027, 1, 1)
    contract = djki.applications["ipas"].contracts.get()
    set_period(contract, ends_on=dt.date(2026, 12, 31))
    case = Case(agency_id=djki.agency.pk, application_id=contract.application_id)
    assert not vendors.may_act(djki["ipasdev"], case, at)
    assert vendors.may_act(djki["ipasdev"], case, at - dt.timedelta(hours=10))


def test_after_its_contract_a_vendor_reads_but_adds_nothing(djki, ipas):
    worked, _untouched, contract = ipas
    vendor = djki["ipasdev"]
    ended_yesterday(contract)
    entries = JournalEntry.objects.count()
    with pytest.raises(services.NotAllowed):
        services.add_comment(vendor, worked.pk, "Satu lagi.")
    with pytest.raises(services.NotAllowed):
        services.add_remark(vendor, worked.pk, "Catatan harian.")
    with pytest.raises(services.NotAllowed):
        services.add_attachment(vendor, worked.pk, pdf("log.pdf"))
    assert JournalEntry.objects.count() == entries
    # The page shows the case, without the forms to add to it.
    client = Client()
    client.force_login(vendor.user)
    page = client.get(reverse("cases:detail", args=[worked.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert worked.reference in text
    assert reverse("cases:comment", args=[worked.reference]) not in text
    assert reverse("cases:upload", args=[worked.reference]) not in text
    # The web and the API refuse the writes too.
    response = client.post(reverse("cases:comment", args=[worked.reference]), {"text": "Lagi"})
    assert response.status_code == 422  # the page again, with the service's refusal
    _token, secret = issue_token(vendor, "tests")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = client.post(
        f"/api/cases/{worked.reference}/comments",
        json.dumps({"text": "Lagi"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 403
    assert client.get(f"/api/cases/{worked.reference}", **headers).status_code == 200
    assert JournalEntry.objects.count() == entries


def test_after_its_contract_a_vendor_opens_no_case_through_any_door(djki, ipas, sop004):
    _worked, _untouched, contract = ipas
    vendor, app = djki["ipasdev"], djki.applications["ipas"]
    ended_yesterday(contract)
    cases = Case.objects.count()
    with pytest.raises(services.NotAllowed):
        services.open_case(vendor, sop004, "IPAS mati", application=app)
    client = Client()
    client.force_login(vendor.user)
    form = {"version": sop004.pk, "title": "IPAS mati", "application": app.pk}
    response = client.post(reverse("cases:open"), form)
    assert response.status_code == 422
    _token, secret = issue_token(vendor, "tests")
    response = client.post(
        "/api/cases",
        json.dumps({"procedure": SOP_004, "title": "IPAS mati", "application": app.pk}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    assert Case.objects.count() == cases


def test_after_its_contract_the_catalogue_no_longer_shows_the_application(client, djki, ipas):
    _worked, _untouched, contract = ipas
    vendor, app = djki["ipasdev"], djki.applications["ipas"]
    client.force_login(vendor.user)
    assert client.get(reverse("catalog:detail", args=[app.pk])).status_code == 200
    assert app.name in client.get(reverse("catalog:list")).content.decode()
    assert app.name in client.get(reverse("cases:open")).content.decode()
    ended_yesterday(contract)
    assert list(visible_applications(vendor.user)) == []
    assert client.get(reverse("catalog:detail", args=[app.pk])).status_code == 404
    assert app.name not in client.get(reverse("catalog:list")).content.decode()
    export = client.get(reverse("catalog:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert app.name not in export
    _token, secret = issue_token(vendor, "tests")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(f"/api/applications/{app.pk}", **headers).status_code == 404
    assert client.get("/api/applications", **headers).json()["items"] == []
    # Nor is it offered on the new-case form.
    assert app.name not in client.get(reverse("cases:open")).content.decode()


def test_a_vendor_bound_to_an_actor_holds_it_only_during_its_contract(djki, ipas):
    # SOP 004's "Team IPAS Development" is bound to the vendor's team unit.
    worked, _untouched, contract = ipas
    vendor = djki["ipasdev"]
    assert holds(vendor, worked, "tim_ipas")
    assert vendor.pk in set(holders(worked, "tim_ipas").values_list("pk", flat=True))
    ended_yesterday(contract)
    assert not holds(vendor, worked, "tim_ipas")
    assert not holders(worked, "tim_ipas").filter(pk=vendor.pk).exists()
    assert vendor.pk not in {pk for pk, _email in holder_contacts(worked, "tim_ipas")}


# --- UTN: the SOP 000 vendor actor --------------------------------------------------------------


@pytest.fixture
def utn(db):
    return build_university()


@pytest.fixture
def at_vendor_step(utn, versions):
    """A SIAKAD maintenance case at step 4, the vendor's."""
    ops = utn["utn_kasi_ops"]
    case = services.open_case(
        ops, versions[SOP_000], "Pemeliharaan SIAKAD", application=utn.applications["siakad"]
    )
    case = work(ops, work(ops, case))
    case = work(ops, case, outcome="Ya")
    step = active(case)
    assert case.version.spec.actor(step.actor_key).kind.value == "vendor"
    return case, step, utn.applications["siakad"].contracts.get()


def test_after_its_contract_a_vendor_cannot_claim_or_complete_its_step(utn, at_vendor_step):
    case, step, contract = at_vendor_step
    vendor = utn["utn_vendor1"]
    assert services.may_work(vendor, case, step)
    ended_yesterday(contract)
    case.refresh_from_db()
    assert not services.may_work(vendor, case, step)
    assert not holders(case, step.actor_key).exists()
    with pytest.raises(services.NotAllowed):
        services.claim_step(vendor, step.pk)
    with pytest.raises(services.NotAllowed):
        work(vendor, case)
    assert CaseStep.objects.get(pk=step.pk).status == StepStatus.ACTIVE
    assert step.pk not in {s.pk for s in inbox.offered_steps(vendor, vendor.user)}
    # It claimed nothing, so it does not see the case.
    assert not queries.can_view(vendor.user, case)


def test_a_step_claimed_during_the_contract_cannot_be_worked_after_it(utn, at_vendor_step):
    case, step, contract = at_vendor_step
    vendor = utn["utn_vendor1"]
    services.claim_step(vendor, step.pk)
    ended_yesterday(contract)
    case.refresh_from_db()
    with pytest.raises(services.NotAllowed):
        services.hold_step(vendor, step.pk, "Menunggu akses server")
    with pytest.raises(services.NotAllowed):
        work(vendor, case)
    assert CaseStep.objects.get(pk=step.pk).completed_by_id is None
    # It worked on the case: it still reads it.
    assert queries.can_view(vendor.user, case)


def test_a_future_contract_gives_no_access_yet(utn, at_vendor_step):
    case, step, contract = at_vendor_step
    vendor = utn["utn_vendor1"]
    on = today(utn.agency.pk)
    set_period(contract, starts_on=on + dt.timedelta(days=1), ends_on=on + dt.timedelta(days=365))
    assert not queries.can_view(vendor.user, case)
    assert not services.may_work(vendor, case, step)
    with pytest.raises(services.NotAllowed):
        services.claim_step(vendor, step.pk)
    assert list(visible_applications(vendor.user)) == []


def test_the_support_period_lets_the_vendor_work_its_step(utn, at_vendor_step):
    case, step, contract = at_vendor_step
    vendor = utn["utn_vendor1"]
    on = today(utn.agency.pk)
    set_period(
        contract,
        starts_on=on - dt.timedelta(days=400),
        ends_on=on - dt.timedelta(days=10),
        support_ends_on=on,
    )
    assert vendor.pk in set(holders(case, step.actor_key).values_list("pk", flat=True))
    services.claim_step(vendor, step.pk)
    case = work(vendor, case)
    assert CaseStep.objects.get(pk=step.pk).completed_by_id == vendor.pk


def test_the_agencys_own_people_are_unaffected(utn, at_vendor_step):
    # The agency's own people see and work as before, whatever the contracts' dates.
    case, step, contract = at_vendor_step
    ended_yesterday(contract)
    ops = utn["utn_kasi_ops"]
    assert queries.can_view(ops.user, case)
    services.add_comment(ops, case.pk, "Vendor tidak lagi dikontrak; dikerjakan internal.")
    assert not queries.can_view(AnonymousUser(), case)
    for person in utn.people.values():
        if person.vendor_id is not None:
            assert not services.may_work(person, case, step)
