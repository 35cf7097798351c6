"""The risk register's level: likelihood × impact, read off documented bands."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from laksana.catalog import services
from laksana.catalog.models import Risk
from laksana.catalog.risk import BANDS, RiskLevel, risk_level, risk_score

EXPECTED = {
    # score: level, for every product of two values from 1 to 5
    1: RiskLevel.LOW,
    2: RiskLevel.LOW,
    3: RiskLevel.LOW,
    4: RiskLevel.LOW,
    5: RiskLevel.MEDIUM,
    6: RiskLevel.MEDIUM,
    8: RiskLevel.MEDIUM,
    9: RiskLevel.MEDIUM,
    10: RiskLevel.HIGH,
    12: RiskLevel.HIGH,
    15: RiskLevel.HIGH,
    16: RiskLevel.HIGH,
    20: RiskLevel.VERY_HIGH,
    25: RiskLevel.VERY_HIGH,
}


@pytest.mark.parametrize("likelihood", range(1, 6))
@pytest.mark.parametrize("impact", range(1, 6))
def test_the_level_follows_from_likelihood_times_impact(likelihood, impact):
    score = risk_score(likelihood, impact)
    assert score == likelihood * impact
    assert risk_level(likelihood, impact) is EXPECTED[score]
    assert risk_level(impact, likelihood) is risk_level(likelihood, impact)


def test_the_bands_cover_every_score_from_1_without_gaps():
    lows = [low for low, _level in BANDS]
    assert lows == sorted(lows, reverse=True) and lows[-1] == 1
    assert len({level for _low, level in BANDS}) == len(BANDS)


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 1), (3, -1)])
def test_values_off_the_scale_are_refused(likelihood, impact):
    with pytest.raises(ValueError):
        risk_level(likelihood, impact)


@pytest.mark.django_db
def test_a_recorded_risk_shows_its_level_and_refuses_values_off_the_scale(bali):
    app = bali.applications["sikesda"]
    risk = services.add_risk(
        None, app.pk, services.RiskInput("Server tunggal", 3, 4, "Replikasi", "Kabid IAI")
    )
    assert (risk.score, risk.level, risk.level_label) == (12, RiskLevel.HIGH, "High")
    with pytest.raises(services.InvalidInput) as refused:
        services.add_risk(None, app.pk, services.RiskInput("Salah", 0, 6))
    assert set(refused.value.errors) == {"likelihood", "impact"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Risk.objects.filter(pk=risk.pk).update(likelihood=9)
