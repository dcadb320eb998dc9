"""Life tables, the parametric mortality fit and the cohort-component projection.

Identities checked: the population balances each year by age and sex; with no deaths, births
or migration it only ages; a stationary population stays as it is; the fitted life table has
the life expectancy (and infant mortality) it was fitted to.
"""

from __future__ import annotations

import numpy as np
import pytest

from pakan.actuarial.axes import OPEN_AGE
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.mortality import (
    LifeTable,
    MortalityAssumption,
    life_table_columns,
    standard_survivors,
)
from pakan.actuarial.population import (
    BasePopulation,
    DemographicAssumptions,
    FertilityAssumption,
    MigrationAssumption,
    fertility_schedule,
    project_population,
    stationary_population,
)
from tests.actuarial_factories import stationary_demography


@pytest.mark.parametrize("target", [[45.0, 48.0], [67.6, 70.9], [82.0, 86.5]])
def test_the_brass_fit_reaches_the_life_expectancy_it_is_given(target):
    table = LifeTable.from_life_expectancy(target)
    np.testing.assert_allclose(table.life_expectancy(), target, atol=1e-8)


def test_the_two_parameter_fit_reaches_life_expectancy_and_infant_mortality():
    table = LifeTable.from_life_expectancy([67.6, 70.9], [0.0383, 0.0319])
    np.testing.assert_allclose(table.life_expectancy(), [67.6, 70.9], atol=1e-8)
    np.testing.assert_allclose(table.death_probabilities()[:, 0], [0.0383, 0.0319], atol=1e-12)


def test_life_expectancy_is_the_sum_of_person_years_by_hand():
    # constant rate m = 0.1 at every age: q = 0.1 / 1.05 (a = 1/2) from age 1, Coale-Demeny
    # a(0) for m(0) = 0.1 < 0.107: 0.045 + 2.684 x 0.1 (males)
    rates = np.full((2, 101), 0.1)
    columns = life_table_columns(rates)
    separation = 0.045 + 2.684 * 0.1
    q0 = 0.1 / (1 + (1 - separation) * 0.1)
    assert columns.death_probability[0, 0] == pytest.approx(q0)
    assert columns.death_probability[0, 5] == pytest.approx(0.1 / 1.05)
    lived_first_year = 1 - (1 - separation) * q0
    survivors = np.concatenate([[1.0], (1 - q0) * (1 - 0.1 / 1.05) ** np.arange(100)])
    person_years = survivors[:100] * (1 - 0.5 * 0.1 / 1.05)
    person_years[0] = lived_first_year
    expected = person_years.sum() + survivors[100] / 0.1
    assert columns.life_expectancy[0, 0] == pytest.approx(expected, rel=1e-12)


def test_the_constructors_agree():
    table = LifeTable.from_life_expectancy([60.0, 65.0])
    columns = table.columns()
    open_rate = table.rates[:, OPEN_AGE]
    from_q = LifeTable.from_qx(columns.death_probability, open_rate)
    from_l = LifeTable.from_lx(columns.survivors * 100_000, open_rate)
    np.testing.assert_allclose(from_q.rates, table.rates, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(from_l.rates, table.rates, rtol=1e-8, atol=1e-12)


def test_the_standard_table_declines_and_gives_human_mortality():
    survivors = standard_survivors()
    assert np.all(np.diff(survivors, axis=1) < 0)
    assert 0.02 < 1 - survivors[0, 1] < 0.06


def test_mortality_improvement_lowers_rates_by_the_given_yearly_share():
    table = LifeTable.from_life_expectancy([60.0, 65.0])
    rates = MortalityAssumption(table, 0.02).rates(2025, 11)
    np.testing.assert_allclose(rates[10], table.rates * np.exp(-0.2))
    np.testing.assert_allclose(rates[0], table.rates)


def _balanced(projection, year):
    population = projection.population[0]
    current, following = population[year], population[year + 1]
    deaths = projection.deaths[0, year]
    migration = projection.migration[year]
    remaining = current - deaths + migration
    expected = np.empty_like(following)
    expected[:, 1:OPEN_AGE] = remaining[:, : OPEN_AGE - 1]
    expected[:, OPEN_AGE] = remaining[:, OPEN_AGE - 1] + remaining[:, OPEN_AGE]
    expected[:, 0] = projection.births[0, year] - projection.newborn_deaths[0, year]
    return following, expected


def test_the_population_balances_each_year_by_age_and_sex():
    base = stationary_demography()
    migration = np.zeros((2, 101))
    migration[:, 20:30] = -150.0  # emigration of young adults
    migration[1, 0:5] = 40.0
    demography = DemographicAssumptions(
        base.base_population,
        MortalityAssumption(base.mortality.base_table, 0.015),
        FertilityAssumption(total_fertility_rate={2025: 3.0, 2060: 1.8}),
        MigrationAssumption(migration),
    )
    projection = project_population(demography, 40)
    for year in range(40):
        following, expected = _balanced(projection, year)
        np.testing.assert_allclose(following, expected, rtol=1e-12, atol=1e-6)
        total_change = (projection.population[0, year + 1].sum()
                        - projection.population[0, year].sum())
        flows = (projection.births[0, year].sum() - projection.deaths[0, year].sum()
                 - projection.newborn_deaths[0, year].sum() + migration.sum())
        assert total_change == pytest.approx(flows, rel=1e-9)
    assert projection.deaths[0].sum() > 0 and projection.births[0].sum() > 0


def test_births_follow_the_fertility_rates_and_the_sex_ratio():
    base = stationary_demography()
    schedule = fertility_schedule()
    demography = DemographicAssumptions(
        base.base_population, base.mortality,
        FertilityAssumption(total_fertility_rate=2.0, schedule=schedule, sex_ratio_at_birth=1.04),
    )
    projection = project_population(demography, 1)
    women = 0.5 * (projection.population[0, 0, 1] + projection.population[0, 1, 1])
    expected = (2.0 * schedule[1:] * women[1:]).sum()
    assert projection.births[0, 0].sum() == pytest.approx(expected, rel=1e-12)
    assert projection.births[0, 0, 0] / projection.births[0, 0, 1] == pytest.approx(1.04)


def test_with_no_deaths_births_or_migration_the_population_only_ages():
    counts = np.zeros((2, 101))
    counts[0] = np.arange(101) + 1.0
    counts[1] = 2.0 * (np.arange(101) + 1.0)
    demography = DemographicAssumptions(
        BasePopulation(2025, counts),
        MortalityAssumption(LifeTable.from_mx(np.zeros((2, 101)))),
        FertilityAssumption(total_fertility_rate=0.0),
    )
    projection = project_population(demography, 5)
    for years in range(1, 6):
        expected = np.zeros((2, 101))
        expected[:, years:OPEN_AGE] = counts[:, : OPEN_AGE - years]
        expected[:, OPEN_AGE] = counts[:, OPEN_AGE - years:].sum(axis=1)
        np.testing.assert_array_equal(projection.population[0, years], expected)
    assert projection.deaths.sum() == 0 and projection.births.sum() == 0


def test_a_stationary_population_stays_stationary():
    demography = stationary_demography()
    projection = project_population(demography, 30)
    np.testing.assert_allclose(
        projection.population[0, -1], demography.base_population.counts, rtol=1e-9)


def test_the_base_population_is_built_from_person_level_columns():
    population = BasePopulation.from_counts(
        2025, ["M", "F", "F", "M", "F"], [0, 30, 30, 104, 100], source="registry extract")
    assert population.counts[0, 0] == 1
    assert population.counts[1, 30] == 2
    assert population.counts[0, OPEN_AGE] == 1 and population.counts[1, OPEN_AGE] == 1
    assert population.total == 5


def test_the_stationary_population_of_a_table_has_its_life_expectancy():
    table = LifeTable.from_life_expectancy([62.0, 66.0])
    population = stationary_population(table.rates, [1.0, 1.0])
    np.testing.assert_allclose(population.sum(axis=1), [62.0, 66.0], rtol=1e-9)


def test_the_projection_runs_a_thousand_mortality_paths_at_once():
    demography = stationary_demography()
    shock = np.exp(np.linspace(-0.5, 0.5, 7))[:, None] * np.ones((7, 10))
    projection = project_population(demography, 10, shock)
    totals = projection.total()[:, -1]
    assert np.all(np.diff(totals) < 0)  # higher mortality, fewer people
    alone = project_population(demography, 10, shock[3:4])
    np.testing.assert_allclose(alone.population[0], projection.population[3])


def test_emigration_beyond_the_population_is_refused_with_the_year():
    base = stationary_demography()
    migration = np.zeros((2, 101))
    migration[0, 40] = -1e9
    demography = DemographicAssumptions(
        base.base_population, base.mortality, base.fertility, MigrationAssumption(migration))
    with pytest.raises(ActuarialInputError) as refused:
        project_population(demography, 3)
    assert refused.value.field == "migration.net_migrants"
    assert "2025" in refused.value.english and refused.value.lao
