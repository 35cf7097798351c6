"""The catalogue's contracts and risks after they are recorded (records_services): only the
agency's keepers change them, another agency's are not found, a retired application's are
read-only, bad input names its field and writes nothing; and the agency's risk register with
its heat map."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from laksana.catalog import records_services as rs
from laksana.catalog.inputs import ContractInput, InvalidInput, RiskInput
from laksana.catalog.models import Application, Contract, Risk, RiskStatus, Stage, Vendor
from laksana.errors import NotAllowed, ServiceError

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def contract_data(**changes) -> ContractInput:
    base = {
        "vendor_name": "PT Kesehatan Digital",
        "number": "027/KONTRAK/2026",
        "value": Decimal("150000000"),
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "support_kind": "maintenance",
        "support_ends_on": dt.date(2027, 6, 30),
    }
    return ContractInput(**{**base, **changes})


def state() -> list:
    return [
        sorted(Contract.objects.values_list()),
        sorted(Risk.objects.values_list()),
        sorted(Vendor.objects.values_list()),
        sorted(Application.objects.values_list("pk", "updated_at")),
    ]


@pytest.fixture
def sikesda(bali):
    return bali.applications["sikesda"]


@pytest.fixture
def contract(bali, sikesda):
    return rs.create_contract(bali["kabid"], sikesda.pk, contract_data(), now=NOW)


@pytest.fixture
def risk(bali, sikesda):
    data = RiskInput("Server tunggal tanpa cadangan", 4, 5, owner="Kabid IAI")
    return rs.create_risk(bali["kabid"], sikesda.pk, data, now=NOW)


def test_a_keeper_changes_and_ends_a_contract(bali, sikesda, contract):
    later = NOW + dt.timedelta(days=1)
    changed = rs.change_contract(
        bali["kabid"], contract.pk, contract_data(value=Decimal("175000000")), now=later
    )
    assert changed.value == Decimal("175000000")
    sikesda.refresh_from_db()
    assert sikesda.updated_at == later
    ended = rs.end_contract(bali["kabid"], contract.pk, dt.date(2026, 9, 30), now=later)
    assert (ended.ends_on, ended.support_ends_on) == (dt.date(2026, 9, 30), dt.date(2026, 9, 30))
    assert not ended.is_current(dt.date(2026, 10, 1))


def test_a_contract_by_vendor_id_must_be_the_agencys_vendor(bali, djki, sikesda, contract):
    own = Vendor.objects.create(agency=bali.agency, name="CV Bali Data")
    changed = rs.change_contract(bali["kabid"], contract.pk, contract_data(), vendor_id=own.pk)
    assert changed.vendor == own
    foreign = Vendor.objects.get(agency=djki.agency)
    before = state()
    with pytest.raises(InvalidInput) as refused:
        rs.change_contract(bali["kabid"], contract.pk, contract_data(), vendor_id=foreign.pk)
    assert list(refused.value.errors) == ["vendor_id"]
    with pytest.raises(InvalidInput):
        rs.create_contract(bali["kabid"], sikesda.pk, contract_data(), vendor_id=foreign.pk)
    assert state() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": dt.date(2025, 1, 1)}, "ends_on"),
        ({"value": Decimal("-1")}, "value"),
        ({"value": Decimal(10) ** 17}, "value"),
        ({"support_ends_on": dt.date(2026, 6, 1)}, "support_ends_on"),
        ({"number": ""}, "number"),
        ({"vendor_name": " "}, "vendor"),
        ({"support_kind": "rental"}, "support_kind"),
    ],
)
def test_a_bad_contract_names_its_field_and_writes_nothing(bali, contract, changes, field):
    before = state()
    with pytest.raises(InvalidInput) as refused:
        rs.change_contract(bali["kabid"], contract.pk, contract_data(**changes))
    assert field in refused.value.errors
    assert state() == before


def test_ending_a_contract_before_it_starts_is_refused(bali, contract):
    before = state()
    with pytest.raises(InvalidInput) as refused:
        rs.end_contract(bali["kabid"], contract.pk, dt.date(2025, 12, 31))
    assert list(refused.value.errors) == ["ends_on"]
    assert state() == before


def test_only_the_agencys_keepers_change_records(bali, djki, contract, risk):
    before = state()
    # A requesting unit's staff member of the same agency: refused.
    for act in (
        lambda p: rs.change_contract(p, contract.pk, contract_data()),
        lambda p: rs.end_contract(p, contract.pk, dt.date(2026, 6, 1)),
        lambda p: rs.change_risk(p, risk.pk, RiskInput("x", 1, 1)),
        lambda p: rs.close_risk(p, risk.pk),
        lambda p: rs.create_risk(p, risk.application_id, RiskInput("x", 1, 1)),
        lambda p: rs.create_contract(p, risk.application_id, contract_data()),
    ):
        with pytest.raises(NotAllowed):
            act(bali["dinkes"])
        # Another agency's keeper and vendor: as if it did not exist.
        for outsider in (djki["kasie_app"], djki["ipasdev"]):
            with pytest.raises(ServiceError) as refused:
                act(outsider)
            assert refused.value.code == "not_found"
    assert state() == before


def test_missing_ids_are_not_found(bali):
    for act in (
        lambda: rs.change_contract(bali["kabid"], 999_999, contract_data()),
        lambda: rs.end_contract(bali["kabid"], 999_999, dt.date(2026, 1, 1)),
        lambda: rs.change_risk(bali["kabid"], 999_999, RiskInput("x", 1, 1)),
        lambda: rs.close_risk(bali["kabid"], 999_999),
        lambda: rs.create_risk(bali["kabid"], 999_999, RiskInput("x", 1, 1)),
    ):
        with pytest.raises(ServiceError) as refused:
            act()
        assert refused.value.code == "not_found"


def test_a_retired_applications_records_are_read_only(bali, sikesda, contract, risk):
    Application.objects.filter(pk=sikesda.pk).update(stage=Stage.RETIRED)
    before = state()
    for act in (
        lambda: rs.change_contract(bali["kabid"], contract.pk, contract_data()),
        lambda: rs.end_contract(bali["kabid"], contract.pk, dt.date(2026, 6, 1)),
        lambda: rs.change_risk(bali["kabid"], risk.pk, RiskInput("x", 1, 1)),
        lambda: rs.close_risk(bali["kabid"], risk.pk),
        lambda: rs.create_risk(bali["kabid"], sikesda.pk, RiskInput("x", 1, 1)),
    ):
        with pytest.raises(ServiceError) as refused:
            act()
        assert refused.value.code == "retired"
    assert state() == before


def test_a_keeper_reassesses_and_closes_a_risk(bali, risk):
    later = NOW + dt.timedelta(hours=2)
    changed = rs.change_risk(
        bali["kabid"],
        risk.pk,
        RiskInput("Server tunggal", 2, 5, mitigation="Replika", status=RiskStatus.MITIGATING),
        now=later,
    )
    assert (changed.likelihood, changed.impact, changed.status) == (2, 5, "mitigating")
    assert changed.updated_at == later and changed.created_at == NOW
    closed = rs.close_risk(bali["kabid"], risk.pk, now=later + dt.timedelta(hours=1))
    assert closed.status == RiskStatus.CLOSED
    assert Risk.objects.get(pk=risk.pk).updated_at == later + dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (RiskInput("x", 0, 3), {"likelihood"}),
        (RiskInput("x", 3, 6), {"impact"}),
        (RiskInput("x", 6, -1), {"likelihood", "impact"}),
        (RiskInput(" ", 3, 3), {"description"}),
        (RiskInput("x", 3, 3, status="gone"), {"status"}),
        (RiskInput("x", 3, 3, owner="o" * 201), {"owner"}),
    ],
)
def test_a_bad_risk_names_its_fields_and_writes_nothing(bali, risk, data, fields):
    before = state()
    with pytest.raises(InvalidInput) as refused:
        rs.change_risk(bali["kabid"], risk.pk, data)
    assert set(refused.value.errors) == fields
    assert state() == before


# --- the register ------------------------------------------------------------------------------


@pytest.fixture
def register_data(bali, djki, sikesda):
    simpeg = bali.applications["simpeg"]
    k = bali["kabid"]
    made = {
        "a": rs.create_risk(k, sikesda.pk, RiskInput("A", 5, 5), now=NOW),
        "b": rs.create_risk(k, sikesda.pk, RiskInput("B", 2, 3), now=NOW),
        "c": rs.create_risk(k, simpeg.pk, RiskInput("C", 4, 2, status="mitigating"), now=NOW),
        "d": rs.create_risk(k, simpeg.pk, RiskInput("D", 5, 5, status="closed"), now=NOW),
        "e": rs.create_risk(k, simpeg.pk, RiskInput("E", 2, 3, status="accepted"), now=NOW),
    }
    rs.create_risk(None, djki.applications["ipas"].pk, RiskInput("DJKI", 5, 5), now=NOW)
    return made


def test_the_register_lists_the_agencys_open_risks_by_score(bali, register_data):
    rows = list(rs.register(bali["dinkes"], rs.RegisterFilters()))
    assert [r.description for r in rows] == ["A", "C", "E", "B"]  # ties by application name
    lowest = rs.register(bali["kabid"], rs.RegisterFilters(order="-score"))
    assert [r.description for r in lowest] == ["E", "B", "C", "A"]
    closed = rs.register(bali["kabid"], rs.RegisterFilters(status="closed"))
    assert [r.description for r in closed] == ["D"]
    assert rs.register(bali["kabid"], rs.RegisterFilters(status="all")).count() == 5
    simpeg = bali.applications["simpeg"].pk
    by_app = rs.register(bali["kabid"], rs.RegisterFilters(application=simpeg))
    assert [r.description for r in by_app] == ["C", "E"]


def test_the_heat_map_counts_equal_the_registers_rows(bali, register_data):
    for f in (
        rs.RegisterFilters(),
        rs.RegisterFilters(status="all"),
        rs.RegisterFilters(application=bali.applications["sikesda"].pk),
    ):
        counts = rs.heat_map(bali["kabid"], f)
        assert len(counts) == 25
        assert sum(counts.values()) == rs.register(bali["kabid"], f).count()
        for (li, im), n in counts.items():
            cell = rs.RegisterFilters(**{**f.__dict__, "likelihood": li, "impact": im})
            assert rs.register(bali["kabid"], cell).count() == n
    assert rs.heat_map(bali["kabid"], rs.RegisterFilters())[(2, 3)] == 2


def test_the_register_holds_no_other_agencys_or_retired_risks(bali, djki, register_data):
    assert "DJKI" not in {r.description for r in rs.register(bali["kabid"], rs.RegisterFilters())}
    djki_rows = rs.register(djki["kasie_app"], rs.RegisterFilters(status="all"))
    assert [r.description for r in djki_rows] == ["DJKI"]
    other = bali.applications["sikesda"].pk
    assert not rs.register(djki["kasie_app"], rs.RegisterFilters(application=other)).exists()
    Application.objects.filter(pk=other).update(stage=Stage.RETIRED)
    assert [r.description for r in rs.register(bali["kabid"], rs.RegisterFilters())] == ["C", "E"]


def test_a_vendor_reads_no_register(djki):
    with pytest.raises(NotAllowed):
        rs.register(djki["ipasdev"], rs.RegisterFilters())
    with pytest.raises(NotAllowed):
        rs.heat_map(djki["ipasdev"], rs.RegisterFilters())


@pytest.mark.parametrize(
    ("f", "field"),
    [
        (rs.RegisterFilters(status="gone"), "status"),
        (rs.RegisterFilters(likelihood=6), "likelihood"),
        (rs.RegisterFilters(impact=0), "impact"),
        (rs.RegisterFilters(order="name"), "order"),
    ],
)
def test_bad_register_filters_name_their_field(bali, f, field):
    with pytest.raises(InvalidInput) as refused:
        rs.register(bali["kabid"], f)
    assert list(refused.value.errors) == [field]
