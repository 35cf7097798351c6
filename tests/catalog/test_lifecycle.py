"""Stage changes driven by the lifecycle procedures' cases, worked through the case services:
SOP 003 (proposal to production), SOP 001 (a–g, to decommissioning and data deletion) and
SOP 000 (maintenance); each move journaled with its case and step."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from laksana.cases import services as case_services
from laksana.cases.models import CaseStatus
from laksana.catalog import lifecycle, record, services
from laksana.catalog.models import (
    Application,
    DataDeletion,
    Risk,
    Stage,
    StageChange,
    WorkProgrammeEntry,
)
from laksana.demo.orgs import SOP_000, SOP_001, SOP_003

from .helpers import step

pytestmark = pytest.mark.django_db

NEEDS = {
    "summary": "Alumni sulit dihubungi untuk tracer study.",
    "users": "Pusat karier dan fakultas",
    "requirements": ["Pendaftaran alumni", "Kuesioner tracer study", "Rekap per prodi"],
    "survey_summary": "Survei 120 alumni: 87% bersedia mengisi daring.",
}
PLAN = {
    "cost": "150000000",
    "cost_items": [
        {"item": "Pembangunan", "amount": "120000000"},
        {"item": "Pelatihan", "amount": "30000000"},
    ],
    "duration_days": 90,
    "resources": [{"role": "Pengembang", "count": 2}],
}
BUDGET = {
    "items": [{"item": "Pembangunan dan pelatihan", "amount": "150000000"}],
    "total": "150000000",
}
DEPLOYMENT = {
    "server": "VM-APP-11",
    "domain": "alumni.utn.ac.id",
    "database": "PostgreSQL 16",
    "hosting": "Data center DSTI",
    "url": "https://alumni.utn.ac.id",
}


def stages(app: Application) -> list[tuple[str, str, str]]:
    return list(
        StageChange.objects.filter(application=app)
        .order_by("at", "pk")
        .values_list("old_stage", "new_stage", "step_key")
    )


@pytest.fixture
def proposal(utn, versions):
    app = services.propose_application(
        utn["utn_ft_staf"],
        utn.agency,
        services.ApplicationInput(name="Sistem Informasi Alumni", owner_unit=utn.units["ft"]),
    )
    case = case_services.open_case(
        utn["utn_ft_staf"], versions[SOP_003], "Usulan sistem informasi alumni", application=app
    )
    return app, case


def test_sop_003_moves_a_proposal_to_production(utn, proposal):
    app, case = proposal
    assert app.stage == Stage.PROPOSED
    case = step(utn["utn_ft_staf"], case, values={"usulan_aplikasi": NEEDS})
    case = step(utn["utn_direktur"], case, "Ya")
    app.refresh_from_db()
    assert app.stage == Stage.APPROVED
    change = StageChange.objects.filter(application=app).latest("pk")
    assert (change.case, change.step_key, change.by) == (case, "s2a", utn["utn_direktur"])
    assert case.reference in change.reason and "Ya" in change.reason

    case = step(
        utn["utn_koord_app"],
        case,
        values={"proker": {"year": 2031, "budget": "150000000", "funding_source": "PNBP"}},
    )
    entry = WorkProgrammeEntry.objects.get(application=app)
    assert (entry.programme.year, entry.budget, entry.funding_source) == (
        2031,
        Decimal("150000000"),
        "PNBP",
    )
    assert entry.case == case
    case = step(utn["utn_direktur"], case, values={"rencana_pembangunan": PLAN})
    case = step(utn["utn_koord_app"], case, values={"rab": BUDGET})
    app.refresh_from_db()
    assert app.stage == Stage.IN_DEVELOPMENT
    # The proposal's documents, given as fields, are part of the application's record.
    parts = {p.kind: dict(p.facts) for p in record.build(utn["utn_direktur"].user, app).proposals}
    assert parts["proposal.needs_analysis"]["Need"] == NEEDS["summary"]
    assert parts["proposal.development_plan"]["Cost"] == "Rp 150.000.000"
    assert parts["proposal.development_plan"]["Time"] == "90 days"
    assert parts["proposal.budget_plan"]["Total"] == "Rp 150.000.000"
    case = step(utn["utn_kadiv_app"], case)
    app.refresh_from_db()
    assert app.stage == Stage.IN_TESTING
    case = step(utn["utn_dev1"], case)  # 6: the budget is distributed
    case = step(utn["utn_dev1"], case, values={"instalasi": DEPLOYMENT})
    app.refresh_from_db()
    assert app.stage == Stage.IN_PRODUCTION
    env = app.environments.get(kind="production")
    assert (env.server, env.domain, env.database) == (
        "VM-APP-11",
        "alumni.utn.ac.id",
        "PostgreSQL 16",
    )
    assert app.urls == ["https://alumni.utn.ac.id"]
    for _i in range(3):  # 8 security test, 9 trouble log, 10 evaluation
        case = step(utn["utn_dev1"], case)
    case = step(utn["utn_dev1"], case, "Tidak")
    assert (case.status, case.end_key) == (CaseStatus.FINISHED, "selesai")
    app.refresh_from_db()
    assert app.stage == Stage.IN_PRODUCTION
    assert stages(app) == [
        ("", Stage.PROPOSED, ""),
        (Stage.PROPOSED, Stage.APPROVED, "s2a"),
        (Stage.APPROVED, Stage.IN_DEVELOPMENT, "s4"),
        (Stage.IN_DEVELOPMENT, Stage.IN_TESTING, "s5"),
        (Stage.IN_TESTING, Stage.IN_PRODUCTION, "s7"),
    ]


def test_a_rejected_proposal_stays_proposed(utn, proposal):
    app, case = proposal
    case = step(utn["utn_ft_staf"], case)
    case = step(utn["utn_direktur"], case, "Tidak")
    assert case.end_key == "tidak_disetujui"
    app.refresh_from_db()
    assert app.stage == Stage.PROPOSED and len(stages(app)) == 1


def test_a_scanned_proker_puts_the_application_into_next_years_programme(utn, proposal):
    app, case = proposal
    case = step(utn["utn_ft_staf"], case)
    case = step(utn["utn_direktur"], case, "Ya")
    case = step(utn["utn_koord_app"], case)  # the proker as a scanned document, no fields
    entry = WorkProgrammeEntry.objects.get(application=app)
    assert entry.programme.year == case.steps.get(step_key="s2b").completed_at.year + 1
    assert entry.activity == case.title and entry.budget is None


def test_a_development_cycle_does_not_pull_a_running_application_back(utn, versions):
    app = utn.applications["web_ft"]
    assert app.stage == Stage.IN_PRODUCTION
    case = case_services.open_case(
        utn["utn_ft_staf"], versions[SOP_003], "Pengembangan portal FT", application=app
    )
    for person, outcome in (
        ("utn_ft_staf", None),
        ("utn_direktur", "Ya"),
        ("utn_koord_app", None),
        ("utn_direktur", None),
        ("utn_koord_app", None),
        ("utn_kadiv_app", None),
        ("utn_dev1", None),
        ("utn_dev1", None),
    ):
        case = step(utn[person], case, outcome)
    app.refresh_from_db()
    assert app.stage == Stage.IN_PRODUCTION
    assert not StageChange.objects.filter(application=app).exists()
    assert WorkProgrammeEntry.objects.filter(application=app).count() == 1


def test_sop_001_runs_an_application_from_needs_to_decommissioning(skm, versions):
    app = skm.applications["retribusi"]
    assert app.stage == Stage.PROPOSED
    case = case_services.open_case(
        skm["skm_bpkad_staf"], versions[SOP_001], "Pengelolaan e-Retribusi", application=app
    )
    case = step(skm["skm_bpkad_staf"], case, values={"analisis_kebutuhan": NEEDS})
    case = step(skm["skm_ti1"], case)
    case = step(skm["skm_ketua_ti"], case, values={"rencana_pengembangan": PLAN})
    risks = {
        "risks": [
            {
                "risk": "Transaksi gagal karena sinyal lemah",
                "likelihood": 4,
                "impact": 5,
                "mitigation": "Mode luring",
                "owner": "Kepala BPKAD",
            },
            {
                "risk": "Petugas belum terbiasa",
                "likelihood": 2,
                "impact": 2,
                "mitigation": "Pelatihan",
                "owner": "Tim TI",
                "status": "mitigating",
                "level": "low",
            },
        ]
    }
    case = step(skm["skm_ketua_ti"], case, values={"analisis_risiko": risks})
    app.refresh_from_db()
    assert app.stage == Stage.IN_DEVELOPMENT
    levels = sorted(
        (r.score, r.level.value, r.status) for r in Risk.objects.filter(application=app)
    )
    assert levels == [(4, "low", "mitigating"), (20, "very_high", "open")]
    assert all(r.case == case for r in Risk.objects.filter(application=app))
    case = step(skm["skm_dev1"], case)
    app.refresh_from_db()
    assert app.stage == Stage.IN_TESTING
    case = step(skm["skm_dev2"], case)
    case = step(
        skm["skm_ti1"],
        case,
        values={"instalasi": {**DEPLOYMENT, "domain": "eretribusi.sukamajukab.go.id"}},
    )
    app.refresh_from_db()
    assert app.stage == Stage.IN_PRODUCTION
    case = step(skm["skm_ti1"], case, "Tidak")  # d.2: no migration
    for person in ("skm_ti1", "skm_ti1", "skm_ti1", "skm_dev1", "skm_ti1", "skm_ti1"):
        case = step(skm[person], case)  # d.4, e.1–e.3, f.1, f.2
    case = step(skm["skm_ti1"], case, "Tidak")  # f.3: no longer relevant
    row = case.steps.get(step_key="g1", status="active")
    case = case_services.complete_step(
        skm["skm_kadis"],
        row.pk,
        values={},
        outcome="Aplikasi diputus",
        note="Diganti modul retribusi pada SIPD.",
    )
    app.refresh_from_db()
    assert app.stage == Stage.RETIRED
    retired = StageChange.objects.filter(application=app).latest("pk")
    assert retired.step_key == "g1" and "Diganti modul retribusi pada SIPD." in retired.reason
    minutes = {
        "number": "BA/001/2026",
        "date": "2026-03-02",
        "executed_by": "Dian Permata",
        "witness": "Arif Budiman",
        "items": [
            {"data": "Basis data transaksi", "location": "VM-APP-02", "method": "DROP dan shred"},
            {"data": "Cadangan", "location": "NAS", "method": "Penghapusan aman"},
        ],
    }
    case = step(skm["skm_ti1"], case, values={"ba_penghapusan_data": minutes})
    assert (case.status, case.end_key) == (CaseStatus.FINISHED, "diputus")
    deletions = DataDeletion.objects.filter(application=app).order_by("pk")
    assert [(d.data, d.witness, d.executed_on) for d in deletions] == [
        ("Basis data transaksi", "Arif Budiman", dt.date(2026, 3, 2)),
        ("Cadangan", "Arif Budiman", dt.date(2026, 3, 2)),
    ]
    assert {d.case for d in deletions} == {case}
    assert [s[1] for s in stages(app)] == [
        Stage.IN_DEVELOPMENT,
        Stage.IN_TESTING,
        Stage.IN_PRODUCTION,
        Stage.RETIRED,
    ]
    # Retired: visible, read-only.
    with pytest.raises(services.ServiceError) as refused:
        services.update_application(
            None, app.pk, services.ApplicationInput(name="e-Retribusi baru")
        )
    assert refused.value.code == "retired"


def test_sop_000_puts_an_application_under_maintenance_for_the_cycle(utn, versions):
    app = Application.objects.get(agency=utn.agency, short_name="SIAKAD")
    case = case_services.open_case(
        utn["utn_kasi_ops"], versions[SOP_000], "Pemeliharaan SIAKAD", application=app
    )
    case = step(utn["utn_kasi_ops"], case)
    case = step(utn["utn_kasi_ops"], case)
    app.refresh_from_db()
    assert app.stage == Stage.UNDER_MAINTENANCE
    case = step(utn["utn_kasi_ops"], case, "Tidak")  # by the internal team
    case = step(utn["utn_ops1"], case)
    case = step(utn["utn_ops1"], case)
    case = step(utn["utn_kasi_ops"], case, "Ya")
    case = step(utn["utn_kasi_ops"], case)
    assert case.status == CaseStatus.FINISHED
    app.refresh_from_db()
    assert app.stage == Stage.IN_PRODUCTION
    assert stages(app)[-1] == (Stage.UNDER_MAINTENANCE, Stage.IN_PRODUCTION, "")
    assert "ended" in StageChange.objects.filter(application=app).latest("pk").reason


def test_cases_without_an_application_change_no_catalogue(utn, versions):
    case = case_services.open_case(utn["utn_ft_staf"], versions[SOP_003], "Usulan tanpa aplikasi")
    step(utn["utn_ft_staf"], case)
    assert not StageChange.objects.exists()


def test_every_rule_names_a_step_outcome_or_end_of_its_procedure(versions):
    for key, rules in lifecycle.STAGE_RULES.items():
        spec = versions[key].spec
        for rule in rules:
            if rule.step.startswith(lifecycle.END):
                assert spec.is_end(rule.step.removeprefix(lifecycle.END)), rule
                continue
            assert spec.has_step(rule.step), rule
            if rule.outcome is not None:
                decision = spec.step(rule.step).decision
                assert decision is not None and decision.outcome(rule.outcome), rule
    for kind in lifecycle.EFFECTS:
        assert any(a.type == kind for v in versions.values() for a in v.spec.artifacts), kind
