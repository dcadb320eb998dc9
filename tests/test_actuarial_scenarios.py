"""Scenarios: overrides applied to a base and compared side by side; stochastic runs with
percentile bands."""

from __future__ import annotations

import numpy as np
import pytest

from pakan.actuarial import lao_assumptions
from pakan.actuarial.engine import project
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.scenarios import (
    Scenario,
    apply_scenario,
    compare_scenarios,
    known_parameters,
)
from pakan.actuarial.stochastic import StochasticAssumptions, random_paths, run_stochastic
from tests.actuarial_factories import PENSION_AGE, stationary


@pytest.fixture(scope="module")
def lao_short():
    return lao_assumptions.assumptions(horizon_years=30)


def test_a_higher_contribution_rate_raises_contributions_but_not_the_premium():
    base = stationary(horizon_years=30)
    higher = apply_scenario(base, Scenario("higher", {"contribution_rate": 0.3}))
    before, after = project(base), project(higher)
    np.testing.assert_allclose(after.series["contributions"][0],
                               1.5 * before.series["contributions"][0])
    np.testing.assert_allclose(after.general_average_premium(), before.general_average_premium())
    assert after.series["reserve_end"][0, -1] > before.series["reserve_end"][0, -1]
    assert higher.name == "higher" and base.name == "base"


def test_raising_the_pension_age_by_steps_lowers_the_cost():
    base = stationary(horizon_years=40)
    later = apply_scenario(base, Scenario("later", {
        "pension_age": {2030: [PENSION_AGE, PENSION_AGE], 2040: [65, 63]}}))
    before, after = project(base), project(later)
    np.testing.assert_allclose(after.series["payg_cost_rate"][0, :5],
                               before.series["payg_cost_rate"][0, :5])
    assert np.all(after.series["payg_cost_rate"][0, 20:] < before.series["payg_cost_rate"][0, 20:])
    assert after.series["pensioners"][0, -1] < before.series["pensioners"][0, -1]


def test_the_accrual_override_scales_the_new_pensions():
    base = stationary(horizon_years=5)
    higher = apply_scenario(base, Scenario("higher", {"accrual_rate": 0.02}))
    ratio = (project(higher).series["new_pension_amounts"][0]
             / project(base).series["new_pension_amounts"][0])
    np.testing.assert_allclose(ratio, 0.02 / 0.015)
    capped = apply_scenario(base, Scenario("capped", {"accrual_rate": 0.03,
                                                      "maximum_replacement_rate": 0.9}))
    ratio = (project(capped).series["new_pension_amounts"][0]
             / project(base).series["new_pension_amounts"][0])
    np.testing.assert_allclose(ratio, 0.9 / (0.015 * 45))  # 45 years at 3% is capped at 90%


def test_a_qualified_override_changes_only_its_scheme(lao_short):
    changed = apply_scenario(lao_short, Scenario("public later", {"pension_age.public": 62}))
    assert changed.pension.schemes["public"].pension_ages(2024, 1).tolist() == [[62, 62]]
    assert (changed.pension.schemes["enterprise"].pension_age
            is lao_short.pension.schemes["enterprise"].pension_age)
    voluntary = apply_scenario(lao_short, Scenario("v", {"contribution_rate.voluntary": 0.12}))
    rates = voluntary.fund.contribution_rates
    assert rates["voluntary"] == 0.12
    assert rates["enterprise_employee"] == lao_short.fund.contribution_rates["enterprise_employee"]


def test_coverage_can_be_scaled_by_a_path():
    base = stationary(horizon_years=10)
    wider = apply_scenario(base, Scenario("half", {"coverage_scale": {2025: 1.0, 2030: 0.5}}))
    insured = project(wider).series["active_insured"][0]
    reference = project(base).series["active_insured"][0]
    assert insured[0] == pytest.approx(reference[0])
    assert insured[5] == pytest.approx(0.5 * reference[5])


def test_scenarios_are_compared_side_by_side(lao_short):
    comparison = compare_scenarios(lao_short, [
        Scenario("rate 20%", {"contribution_rate": 0.20}),
        Scenario("ceiling frozen", {"ceiling_follows_wages": False}),
        Scenario("age 62", {"pension_age": 62, "indexation_pass_through": 0.5}),
    ])
    summary = comparison.summary(years=[2030, 2050])
    assert [row["scenario"] for row in summary] == ["Lao base", "rate 20%", "ceiling frozen",
                                                    "age 62"]
    by_name = {row["scenario"]: row for row in summary}
    assert by_name["age 62"]["payg_cost_rate_2050"] < by_name["Lao base"]["payg_cost_rate_2050"]
    assert by_name["ceiling frozen"]["general_average_premium"] > by_name["Lao base"][
        "general_average_premium"]  # a frozen ceiling shrinks the wage bill that pays
    base_depletion = by_name["Lao base"]["reserve_depletion_year"]
    higher_depletion = by_name["rate 20%"]["reserve_depletion_year"]
    assert higher_depletion is None or (base_depletion is not None
                                        and higher_depletion > base_depletion)
    table = comparison.table("payg_cost_rate")
    assert len(table) == 30 and set(table[0]) == {"year", "Lao base", "rate 20%",
                                                 "ceiling frozen", "age 62"}


def test_scenario_names_must_differ():
    base = stationary(horizon_years=3)
    with pytest.raises(ActuarialInputError) as refused:
        compare_scenarios(base, [Scenario("a"), Scenario("a")])
    assert refused.value.field == "scenario.name"


def test_every_known_parameter_is_listed_with_its_qualifiers(lao_short):
    names = known_parameters(lao_short)
    assert "contribution_rate.civil_servant" in names
    assert "pension_age.enterprise" in names and "short_term_cost_rate.sickness" in names


# ---------------------------------------------------------------------- stochastic runs
def test_stochastic_runs_with_no_volatility_are_the_deterministic_run():
    assumptions = stationary(horizon_years=25)
    deterministic = project(assumptions).series
    runs = run_stochastic(assumptions, StochasticAssumptions(runs=4, chunk_size=3)).result.series
    for name, values in deterministic.items():
        assert np.array_equal(runs[name], np.broadcast_to(values, runs[name].shape)), name


def test_no_volatility_equals_the_deterministic_lao_base(lao_short):
    deterministic = project(lao_short).series
    runs = run_stochastic(lao_short, StochasticAssumptions(runs=2)).result.series
    for name in ("reserve", "payg_cost_rate", "pensioners", "contributions",
                 "lump_sum_expenditure"):
        assert np.array_equal(runs[name][1], deterministic[name][0]), name


def test_a_seed_gives_the_same_runs_whatever_the_chunks_and_workers():
    assumptions = stationary(horizon_years=15)
    volatile = dict(seed=11, runs=6, investment_return_volatility=0.08,
                    wage_growth_volatility=0.02, wage_growth_persistence=0.6,
                    mortality_volatility=0.03)
    one = run_stochastic(assumptions, StochasticAssumptions(**volatile, chunk_size=6))
    split = run_stochastic(assumptions, StochasticAssumptions(**volatile, chunk_size=2, workers=2))
    for name in ("reserve", "payg_cost_rate", "pensioners"):
        np.testing.assert_array_equal(one.result.series[name], split.result.series[name])
    other = run_stochastic(assumptions, StochasticAssumptions(**{**volatile, "seed": 12}))
    assert not np.array_equal(other.result.series["reserve"], one.result.series["reserve"])


def test_random_paths_are_centred_on_the_deterministic_ones():
    assumptions = stationary(horizon_years=20)
    paths = random_paths(assumptions, StochasticAssumptions(
        runs=4000, seed=3, investment_return_volatility=0.1, mortality_volatility=0.05))
    median_return = np.median(paths.investment_return, axis=0)
    np.testing.assert_allclose(median_return, 0.04, atol=0.01)
    assert np.all(paths.mortality_shock[:, 0] == 1.0)
    spread = np.log(paths.mortality_shock[:, -1]).std()
    assert spread == pytest.approx(0.05 * np.sqrt(19), rel=0.05)  # a random walk's spread


def test_bands_are_ordered_and_depletion_probability_grows():
    assumptions = stationary(horizon_years=30, contribution_rate=0.27)
    result = run_stochastic(assumptions, StochasticAssumptions(
        runs=60, seed=5, investment_return_volatility=0.1, mortality_volatility=0.02,
        chunk_size=25))
    bands = result.bands("reserve_end")
    assert bands.shape == (5, 30)
    assert np.all(np.diff(bands, axis=0) >= 0)
    assert np.all(bands[-1, 5:] > bands[0, 5:])  # volatility spreads the reserves
    probability = result.depletion_probability()
    assert np.all(np.diff(probability) >= 0) and 0 <= probability[-1] <= 1
    rows = result.band_table("payg_cost_rate")
    assert rows[0]["year"] == 2025 and rows[0]["p5"] <= rows[0]["p50"] <= rows[0]["p95"]
    premium = result.general_average_premium()
    assert np.all(np.diff(premium) >= 0)
