"""The Lao base scenario stays consistent with the published figures it was built from
(shared/domain/lao-facts.md §7, UN WPP 2024 [65], LSB [64][66], LFS [67], ILO [29]).

Tolerances are stated with each check: some figures are built in exactly (they must come out
to rounding), others are only approached by the provisional assumptions (the age pattern is
not published by single year, the fertility path after 2024 is not published)."""

from __future__ import annotations

import numpy as np
import pytest

from pakan.actuarial import lao_assumptions as lao
from pakan.actuarial.engine import project


@pytest.fixture(scope="module")
def base():
    return lao.assumptions()


@pytest.fixture(scope="module")
def result(base):
    return project(base)


def test_the_2024_population_is_the_published_total_and_age_structure(base):
    counts = base.demography.base_population.counts
    assert counts.sum() == pytest.approx(7_800_000, rel=1e-9)  # [65]
    assert counts[:, :15].sum() / counts.sum() == pytest.approx(0.31, abs=0.001)  # [64][66]
    assert counts[:, 65:].sum() / counts.sum() == pytest.approx(0.046, abs=0.001)
    working = counts[:, 15:65].sum() / counts.sum()
    assert working == pytest.approx(0.64, abs=0.01)  # [64][66] about 64%


def test_the_median_age_is_within_two_years_of_the_published_one(base):
    # the single-year pattern is provisional (stable population), so only 2 years' tolerance
    by_age = base.demography.base_population.counts.sum(axis=0)
    cumulative = np.cumsum(by_age)
    age = int(np.searchsorted(cumulative, cumulative[-1] / 2))
    median = age + (cumulative[-1] / 2 - (cumulative[age - 1] if age else 0)) / by_age[age]
    assert abs(median - 24.3) < 2.0  # [65] median age 24.3


def test_life_expectancy_and_infant_mortality_are_the_published_ones(base):
    table = base.demography.mortality.base_table
    boys = 1.04 / 2.04
    both_sexes = boys * table.life_expectancy()[0] + (1 - boys) * table.life_expectancy()[1]
    assert both_sexes == pytest.approx(69.2, abs=0.05)  # [65] 69.2
    infant = table.death_probabilities()[:, 0]
    assert boys * infant[0] + (1 - boys) * infant[1] == pytest.approx(0.0352, abs=0.0002)


def test_the_2024_fertility_is_the_published_total_fertility_rate(base):
    rates = base.demography.fertility.rates(2024, 2)
    assert rates[0].sum() == pytest.approx(2.40)  # [65] TFR 2.40


def test_the_2050_population_is_within_three_percent_of_the_published_projection(result):
    population_2050 = result.series["population"][0, 2050 - 2024]
    assert population_2050 == pytest.approx(9_800_000, rel=0.03)  # [65] 9.8M in 2050


def test_the_labour_force_and_the_insured_match_the_published_counts(base, result):
    counts = base.demography.base_population.counts
    participation = base.labour.participation
    assert (counts * participation)[:, 15:].sum() / counts[:, 15:].sum() == pytest.approx(0.40)
    assert result.series["active_insured"][0, 0] == pytest.approx(353_962, rel=1e-9)  # [29]
    voluntary = base.labour.categories.index("voluntary")
    employed = counts * participation * (1 - 0.024)
    insured_voluntary = (employed * base.labour.coverage["voluntary"]).sum()
    assert insured_voluntary == pytest.approx(26_793, rel=1e-9)  # [29]
    assert voluntary == 3


def test_the_rates_are_the_legal_ones(base):
    assert base.fund.contribution_rates["enterprise_employee"] == pytest.approx(0.115)
    assert base.wages.ceiling_monthly["enterprise_employee"] == 4_500_000


def test_every_figure_has_a_source_or_a_reason():
    for name, figure in lao.FIGURES.items():
        assert figure.source, name
        if figure.source in ("none",) or "NOT FOUND" in figure.source:
            assert figure.provisional, f"{name} has no published source and no reason"


def test_the_base_valuation_runs_and_is_sensible(result):
    series = result.series
    for name in ("contributions", "pension_expenditure", "reserve", "payg_cost_rate"):
        assert np.all(np.isfinite(series[name])), name
    assert np.all(series["contributions"][0] > 0)
    assert 0.05 < series["payg_cost_rate"][0, 0] < 0.3
    assert 0 < result.general_average_premium()[0] < 1
    assert series["pensioners"][0, -1] > series["pensioners"][0, 0]  # the scheme matures
