"""Bad actuarial inputs are refused with one exception type, in English and Lao, naming the
input, before anything runs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pakan.actuarial import scenarios as scenarios_module
from pakan.actuarial.economy import EconomicAssumptions
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.fund import FundAssumptions, PensionersInPayment
from pakan.actuarial.labour import InitialMembers, LabourAssumptions, WageAssumptions
from pakan.actuarial.model import Assumptions
from pakan.actuarial.mortality import LifeTable, MortalityAssumption
from pakan.actuarial.pension_formula import PensionFormula
from pakan.actuarial.population import (
    BasePopulation,
    FertilityAssumption,
    MigrationAssumption,
    project_population,
)
from pakan.actuarial.scenarios import Scenario, apply_scenario, compare_scenarios
from pakan.actuarial.stochastic import StochasticAssumptions
from tests.actuarial_factories import life_table, replace, stationary, stationary_demography


def refused(make, field: str, words: str = "") -> ActuarialInputError:
    with pytest.raises(ActuarialInputError) as caught:
        make()
    error = caught.value
    assert error.field == field, error
    assert error.english and error.lao and error.lao != error.english
    assert any("\u0e80" <= character <= "\u0eff" for character in error.lao)  # Lao script
    assert words in error.english, error.english
    assert field in str(error)
    return error


def _by_sex_and_age(age: int, value: float, elsewhere: float) -> np.ndarray:
    return np.where(np.arange(101) == age, value, elsewhere)[None].repeat(2, 0)


def _increasing_survivors():
    survivors = life_table().columns().survivors * 100_000
    survivors[1, 41] = survivors[1, 40] + 5
    return survivors


BAD_INPUTS = [
    ("contribution rate above 100%",
     lambda: FundAssumptions(contribution_rates={"all": 1.2}),
     "fund.contribution_rates.all", "between 0 and 100%"),
    ("negative contribution rate",
     lambda: FundAssumptions(contribution_rates={"all": -0.01}),
     "fund.contribution_rates.all", "-0.01"),
    ("coverage above 100% in one cell",
     lambda: LabourAssumptions(participation=0.5, unemployment=0.02,
                               coverage={"all": _by_sex_and_age(37, 1.5, 0.2)},
                               contribution_density={"all": 1.0}),
     "labour.coverage.all", "age 37"),
    ("coverage of two categories summing above 100%",
     lambda: LabourAssumptions(participation=0.5, unemployment=0.02,
                               coverage={"a": 0.7, "b": 0.6},
                               contribution_density={"a": 1.0, "b": 1.0}),
     "labour.coverage (sum over categories)", "1.3"),
    ("participation as a percentage instead of a share",
     lambda: LabourAssumptions(participation=45, unemployment=0.02, coverage={"all": 0.1},
                               contribution_density={"all": 1.0}),
     "labour.participation", "45"),
    ("unemployment path with a bad year",
     lambda: LabourAssumptions(participation=0.5, unemployment={2025: 0.02, 2030: -0.3},
                               coverage={"all": 0.1}, contribution_density={"all": 1.0}),
     "labour.unemployment", "year 2026"),  # it crosses 0 in 2026
    ("negative population",
     lambda: BasePopulation(2025, _by_sex_and_age(3, -10.0, 1000.0)),
     "base_population.counts", "age 3"),
    ("life table whose survivors increase",
     lambda: LifeTable.from_lx(_increasing_survivors()),
     "life_table.lx", "increase from age 40 to 41"),
    ("probability of dying above 1",
     lambda: LifeTable.from_qx(_by_sex_and_age(50, 1.3, 0.01)),
     "life_table.qx", "age 50"),
    ("negative probability of dying",
     lambda: LifeTable.from_qx(_by_sex_and_age(5, -0.1, 0.01)),
     "life_table.qx", "age 5"),
    ("death rate meaning q above 1",
     lambda: LifeTable.from_mx(np.full((2, 101), 2.5)),
     "life_table.mx", "above 1"),
    ("unreachable life expectancy",
     lambda: LifeTable.from_life_expectancy([120.0, 70.0]),
     "life_expectancy_at_birth", "120"),
    ("fertility rate above 1 birth per woman a year",
     lambda: FertilityAssumption(age_specific_rates=np.where(np.arange(101) == 25, 1.4, 0.0)),
     "fertility.age_specific_rates", "age 25"),
    ("fertility outside childbearing ages",
     lambda: FertilityAssumption(age_specific_rates=np.where(np.arange(101) == 70, 0.1, 0.0)),
     "fertility.age_specific_rates", "outside ages"),
    ("a schedule that does not sum to 1",
     lambda: FertilityAssumption(total_fertility_rate=2.4,
                                 schedule=np.where((np.arange(101) > 20) & (np.arange(101) < 30),
                                                   0.2, 0.0)),
     "fertility.schedule", "sum to 1"),
    ("migration of the wrong shape",
     lambda: MigrationAssumption(np.zeros((3, 101))),
     "migration.net_migrants", "shape"),
    ("mortality improvement of 30% a year",
     lambda: MortalityAssumption(life_table(), 0.3),
     "mortality.annual_improvement", "0.3"),
    ("pension age of 90",
     lambda: PensionFormula.linear(0.01, [90, 60], 5),
     "pension.pension_age", "90"),
    ("accrual above 100%",
     lambda: PensionFormula.linear(1.5, [60, 60], 5),
     "pension.rate_per_year_above", "1.5"),
    ("ceiling below the floor",
     lambda: WageAssumptions(average_monthly_wage={"all": 1e6}, ceiling_monthly={"all": 1e5},
                             floor_monthly={"all": 2e5}),
     "wages.ceiling_monthly.all", "above the floor"),
    ("investment return of 300%",
     lambda: EconomicAssumptions(wage_growth=0.03, inflation=0.02, investment_return=3.0),
     "economy.investment_return", "3"),
    ("text instead of a number",
     lambda: EconomicAssumptions(wage_growth="fast", inflation=0.02, investment_return=0.03),
     "economy.wage_growth", "number"),
    ("missing number",
     lambda: EconomicAssumptions(wage_growth=float("nan"), inflation=0.02,
                                 investment_return=0.03),
     "economy.wage_growth", "missing"),
    ("pension awarded after the base year",
     lambda: PensionersInPayment.from_records(["M"], [61], [2030], [1e6]).award_ages(2025),
     "initial_pensioners.award_years", "2030"),
    ("insured younger than 15",
     lambda: InitialMembers.from_records(["all"], ["M"], [12], [0], [True]),
     "initial_members.active", "15"),
    ("a thousand million stochastic runs",
     lambda: StochasticAssumptions(runs=10**9), "stochastic.runs", "between"),
]


@pytest.mark.parametrize("case, make, field, words", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_inputs_are_refused_in_english_and_lao(case, make, field, words):
    refused(make, field, words)


def test_a_horizon_beyond_100_years_is_refused():
    error = refused(lambda: stationary(horizon_years=101), "horizon_years", "100-year limit")
    assert "101" in error.english
    refused(lambda: project_population(stationary_demography(), 150), "horizon_years")
    refused(lambda: stationary(horizon_years=0), "horizon_years", "between 1 and 100")


def test_a_path_shorter_than_the_horizon_is_refused_before_running():
    refused(lambda: replace(stationary(horizon_years=30), "economy",
                            investment_return=np.full(20, 0.03)),
            "economy.investment_return", "gives 20 years but the projection needs 30")


def test_mismatched_categories_are_refused():
    base = stationary(horizon_years=5)
    refused(lambda: replace(base, "fund", contribution_rates={"all": 0.1, "other": 0.1}),
            "fund.contribution_rates", "unknown ['other']")


def test_an_unknown_scenario_parameter_is_refused_and_nothing_runs(monkeypatch):
    ran = []
    monkeypatch.setattr(scenarios_module, "project", lambda *a, **k: ran.append(a))
    base = stationary(horizon_years=5)
    good = Scenario("higher rate", {"contribution_rate": 0.25})
    bad = Scenario("typo", {"contribution_rate": 0.25, "pension_agee": 65})
    error = refused(lambda: compare_scenarios(base, [good, bad]),
                    "scenario.typo.pension_agee", "does not exist")
    assert "pension_age" in error.english  # the known names are listed
    assert ran == []
    refused(lambda: apply_scenario(base, Scenario("x", {"contribution_rate.nobody": 0.1})),
            "scenario.x.contribution_rate.nobody", "does not exist")


def test_a_scenario_value_out_of_range_names_the_scenario():
    base = stationary(horizon_years=5)
    error = refused(lambda: apply_scenario(base, Scenario("hike", {"contribution_rate": 1.5})),
                    "scenario.hike.contribution_rate", "between 0 and 100%")
    assert "hike" in error.english


def test_assumptions_refuse_parts_of_the_wrong_kind():
    base = stationary(horizon_years=5)
    refused(lambda: dataclasses.replace(base, fund={"contribution_rates": {"all": 0.1}}),
            "fund", "FundAssumptions")
    assert isinstance(base, Assumptions)


def test_run_paths_of_the_wrong_shape_are_refused():
    from pakan.actuarial.engine import RunPaths, project

    assumptions = stationary(horizon_years=5)
    refused(lambda: project(assumptions, RunPaths(None, np.zeros((2, 5)), np.zeros((2, 5)))),
            "paths.wage_growth", "(2, 6)")
