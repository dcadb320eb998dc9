"""The insured, the pensions and the fund: identities of the projection and worked cases.

Identities: in a stationary population with constant wages the PAYG cost rate is the
replacement rate times the pensioner/contributor ratio; reserves follow their recursion; the
general average premium, contributed every year, brings the reserve to the target at the end.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest

from pakan.actuarial.engine import project
from pakan.actuarial.fund import PensionersInPayment, contribution_rates_from_rules
from pakan.actuarial.labour import (
    InitialMembers,
    LabourAssumptions,
    expected_insurable_wage,
    insurable_bounds_from_rules,
)
from pakan.actuarial.members import credit_buckets
from pakan.actuarial.mortality import LifeTable, MortalityAssumption
from pakan.actuarial.pension_formula import PensionAssumptions, PensionFormula
from pakan.rules.legal_parameters import value_at
from tests.actuarial_factories import (
    ACCRUAL,
    BASE_YEAR,
    FULL_CAREER,
    MONTHLY_WAGE,
    PENSION_AGE,
    replace,
    stationary,
)

D = datetime.date


def test_in_a_stationary_population_the_cost_rate_is_replacement_times_dependency():
    assumptions = stationary(horizon_years=50)
    result = project(assumptions)
    population = assumptions.demography.base_population.counts
    ratio = population[:, PENSION_AGE:].sum() / population[:, 15:PENSION_AGE].sum()
    replacement = ACCRUAL * FULL_CAREER
    series = result.series
    np.testing.assert_allclose(series["demographic_ratio"][0], ratio, rtol=1e-9)
    np.testing.assert_allclose(series["payg_cost_rate"][0], replacement * ratio, rtol=1e-9)
    np.testing.assert_allclose(series["new_pensions"][0],
                               population[:, PENSION_AGE].sum(), rtol=1e-9)
    assert series["lump_sum_expenditure"].sum() == 0


def test_with_half_density_credits_and_cost_halve_with_the_wage_bill():
    # half of each year contributed and credited: a career earns 22.5 years on average (the
    # mean of a binomial(45, 1/2)); every credit count qualifies (minimum 0 years)
    assumptions = replace(stationary(horizon_years=70), "labour",
                          contribution_density={"all": 0.5})
    formula = PensionFormula.linear(ACCRUAL, [PENSION_AGE, PENSION_AGE], minimum_years=0)
    assumptions = _set(assumptions, pension=PensionAssumptions.single(formula, ("all",)))
    series = project(assumptions).series
    whole_careers = slice(46, 70)  # retirees who entered at 15 after the base year
    average_pension = series["new_pension_amounts"][0] / series["new_pensions"][0]
    np.testing.assert_allclose(average_pension[whole_careers],
                               12 * ACCRUAL * 22.5 * MONTHLY_WAGE, rtol=1e-9)
    # the cost rate is the average replacement rate x the ratio / the density, up to the
    # pensioners who started from the base year's rounded credits or full-career amounts
    cost = series["payg_cost_rate"][0, whole_careers]
    ratio = series["demographic_ratio"][0, whole_careers]
    np.testing.assert_allclose(cost, ACCRUAL * 22.5 * ratio / 0.5, rtol=2e-3)


def test_reserves_follow_their_recursion():
    returns = np.linspace(0.02, 0.09, 40)
    assumptions = replace(stationary(horizon_years=40, contribution_rate=0.3), "economy",
                          investment_return=returns, wage_growth=0.03, inflation=0.02)
    series = project(assumptions).series
    reserve = series["reserve"][0]
    flow = series["contributions"][0] - series["total_expenditure"][0]
    expected = reserve[:-1] * (1 + returns) + flow * np.sqrt(1 + returns)
    np.testing.assert_allclose(reserve[1:], expected, rtol=1e-12)
    np.testing.assert_allclose(series["investment_income"][0],
                               reserve[1:] - reserve[:-1] - flow, rtol=1e-9)


def test_expenditure_adds_up():
    assumptions = stationary(horizon_years=10, short_term_cost_rates={"sickness": 0.01,
                                                                      "maternity": 0.005},
                             administrative_cost_rate=0.04)
    series = project(assumptions).series
    short_term = 0.015 * series["insurable_wage_bill"][0]
    np.testing.assert_allclose(series["short_term_expenditure"][0], short_term)
    benefits = series["pension_expenditure"][0] + series["lump_sum_expenditure"][0] + short_term
    np.testing.assert_allclose(series["administrative_cost"][0], 0.04 * benefits)
    np.testing.assert_allclose(series["total_expenditure"][0], 1.04 * benefits)


@pytest.mark.parametrize("period, terminal", [((None, None), 0.0), ((2030, 2049), 2.0)])
def test_the_general_average_premium_brings_the_reserve_to_its_target(period, terminal):
    returns = np.linspace(0.06, 0.03, 60)
    assumptions = replace(stationary(horizon_years=60), "economy", investment_return=returns,
                          wage_growth=0.02, inflation=0.02)
    result = project(assumptions)
    first, last = period
    premium = float(result.general_average_premium(first, last, terminal)[0])
    assert 0 < premium < 1
    # contribute the premium in every year of the period (the same before it, as projected)
    before = result.series["average_contribution_rate"][0, 0]
    years = result.years
    rates = np.where((years >= (first or years[0])) & (years <= (last or years[-1])),
                     premium, before)
    rerun = _with_yearly_contribution_rates(assumptions, rates)
    last_index = (last or years[-1]) - years[0]
    reserve_at_end = rerun.series["reserve"][0, last_index + 1]
    wanted = terminal * rerun.series["total_expenditure"][0, last_index]
    scale = rerun.series["total_expenditure"][0].max()
    assert reserve_at_end == pytest.approx(wanted, abs=1e-9 * scale)


def _with_yearly_contribution_rates(assumptions, rates):
    """Rerun with year-dependent rates: the engine takes one rate per category, so run
    year by year through the reserve recursion using the projected wage bill and costs."""
    result = project(assumptions)
    series = result.series
    reserve = np.empty(rates.size + 1)
    reserve[0] = series["reserve"][0, 0]
    returns = series["investment_return"][0]
    for year, rate in enumerate(rates):
        flow = rate * series["insurable_wage_bill"][0, year] - series["total_expenditure"][0, year]
        reserve[year + 1] = reserve[year] * (1 + returns[year]) + flow * np.sqrt(1 + returns[year])
    series["reserve"] = reserve[None]
    return result


def test_the_premium_of_a_constant_rate_run_is_that_rate_when_it_ends_at_zero():
    probe = project(stationary(horizon_years=30))
    premium = float(probe.general_average_premium()[0])
    rerun = project(replace(stationary(horizon_years=30), "fund",
                            contribution_rates={"all": premium}))
    scale = rerun.series["total_expenditure"][0].max()
    assert rerun.series["reserve"][0, -1] == pytest.approx(0.0, abs=1e-9 * scale)


def test_the_reserve_runs_out_in_the_year_it_turns_negative():
    short = project(stationary(horizon_years=30, contribution_rate=0.1))
    depleted = short.depletion_year()[0]
    closing = short.series["reserve_end"][0]
    position = depleted - BASE_YEAR
    assert closing[position] < 0 and np.all(closing[:position] >= 0)
    assert project(stationary(horizon_years=30, contribution_rate=0.5)).depletion_year() == [None]


def _mortality_free(assumptions):
    table = LifeTable.from_mx(np.zeros((2, 101)))
    return replace(assumptions, "demography", mortality=MortalityAssumption(table))


def test_pensions_in_payment_are_indexed_each_january():
    assumptions = _mortality_free(stationary(horizon_years=5))
    assumptions = replace(assumptions, "economy", inflation=0.05, wage_growth=0.08)
    assumptions = replace(assumptions, "fund", indexation_wage_share=0.25,
                          indexation_pass_through=0.8)
    pensioners = PensionersInPayment.from_records(["F"], [70], [BASE_YEAR - 10], [12e6])
    assumptions = replace(assumptions, "labour", coverage={"all": 0.0})
    assumptions = _set(assumptions, initial_pensioners=pensioners)
    series = project(assumptions).series
    index = 0.8 * (0.25 * 0.08 + 0.75 * 0.05)
    # paid in year t: the amount after t's January raise (none in the base year)
    np.testing.assert_allclose(series["pension_expenditure"][0],
                               12e6 * (1 + index) ** np.arange(5), rtol=1e-12)
    np.testing.assert_allclose(series["pensioners"][0], 1.0)


def _set(assumptions, **changes):
    import dataclasses

    return dataclasses.replace(assumptions, **changes)


def test_pensioners_die_with_the_life_table_and_the_open_age_group_stays_open():
    assumptions = replace(stationary(horizon_years=3), "labour", coverage={"all": 0.0})
    pensioners = PensionersInPayment.from_records(["M", "M"], [80, 100], [2000, 1990],
                                                  [1e6, 2e6], [10.0, 20.0])
    assumptions = _set(assumptions, initial_pensioners=pensioners)
    result = project(assumptions)
    survival = result.population.survival[0, 0, 0]
    counts = result.series["pensioners"][0]
    expected_next = 10 * survival[80] + 20 * survival[100]
    assert counts[1] == pytest.approx(expected_next)
    cohorts = result.grids["pensioners_by_cohort"][0, 1, 0]  # year 1, men [age, award age]
    lowest = result.lowest_award_age
    assert cohorts[81 - lowest, 55 - lowest] == pytest.approx(10 * survival[80])
    assert cohorts[100 - lowest, 65 - lowest] == pytest.approx(20 * survival[100])
    rows = {(row["age"], row["award_year"]): row for row in result.pensions_in_payment(2026)}
    assert rows[(81, 2000)]["pensions"] == pytest.approx(10 * survival[80])
    assert rows[(81, 2000)]["yearly_amount"] == pytest.approx(1e6 * survival[80])
    assert rows[(100, None)]["award_age"] == 65 and rows[(100, None)]["sex"] == "male"


def _career_of_ten_years(minimum_years: int, lump_sum_months: float = 0.0):
    """Insured only from 30 to 39, no mortality: everyone retires at 60 with 10 credits."""
    assumptions = _mortality_free(stationary(horizon_years=40))
    coverage = np.zeros((2, 101))
    coverage[:, 30:40] = 1.0
    formula = PensionFormula(
        pension_age=[PENSION_AGE, PENSION_AGE], minimum_years=minimum_years,
        rate_at_full_years=0.0, rate_per_year_above=ACCRUAL,
        lump_sum_months_per_year=lump_sum_months,
    )
    assumptions = replace(assumptions, "labour", coverage={"all": coverage})
    return _set(assumptions, pension=PensionAssumptions.single(formula, ("all",)),
                initial_pensioners=None)


def test_members_enter_leave_and_retire_with_their_credits():
    assumptions = _career_of_ten_years(minimum_years=10)
    result = project(assumptions)
    series = result.series
    people = result.population.population[0].sum(axis=1)  # [year, age], nobody dies
    # each year the cohort turning 30 enters, the one turning 40 leaves (to inactive)
    np.testing.assert_allclose(series["new_entrants"][0, 1:], people[2:, 30], rtol=1e-9)
    np.testing.assert_allclose(series["exits"][0, 1:], people[2:, 40], rtol=1e-9)
    np.testing.assert_allclose(series["reentrants"][0], 0.0, atol=1e-6)
    # cohorts insured from 30 to 39 inside the projection retire at 60 with 10 credited years
    late = slice(31, 40)
    np.testing.assert_allclose(series["new_pensions"][0, late], people[32:41, 60], rtol=1e-9)
    monthly = ACCRUAL * 10 * MONTHLY_WAGE  # the reference wage: the members' wage at 59
    np.testing.assert_allclose(series["new_pension_amounts"][0, late],
                               12 * monthly * people[32:41, 60], rtol=1e-9)
    assert series["lump_sum_expenditure"][0].sum() == 0


def test_members_short_of_the_minimum_get_the_lump_sum():
    assumptions = _career_of_ten_years(minimum_years=11, lump_sum_months=1.5)
    result = project(assumptions)
    series = result.series
    people = result.population.population[0].sum(axis=1)
    late = slice(31, 40)
    assert series["new_pensions"][0, late].sum() == 0
    np.testing.assert_allclose(series["retirements_without_pension"][0, late],
                               people[32:41, 60], rtol=1e-9)
    np.testing.assert_allclose(series["lump_sum_expenditure"][0, late],
                               1.5 * 10 * MONTHLY_WAGE * people[32:41, 60], rtol=1e-9)


def test_the_fund_starts_from_the_members_it_is_given():
    assumptions = stationary(horizon_years=2)
    members = InitialMembers.from_records(
        ["all"] * 3, ["M", "F", "F"], [30, 45, 59], [10, 20, 44], [True, True, False],
        weights=[100.0, 50.0, 7.0],
    )
    result = project(_set(assumptions, initial_members=members))
    assert result.series["active_insured"][0, 0] == 150.0
    assert result.series["inactive_members"][0, 0] == 7.0
    # the inactive 59-year-old retires in the first year with 44 (+0) credited years
    assert result.series["new_pensions"][0, 0] == pytest.approx(7.0 * result.population.survival[
        0, 0, 1, 59])


def test_a_lower_ceiling_lowers_contributions_in_proportion_when_every_wage_is_above_it():
    wide = stationary(horizon_years=3)
    capped = replace(wide, "wages", ceiling_monthly={"all": 400_000.0})
    ratio = (project(capped).series["contributions"][0]
             / project(wide).series["contributions"][0])
    np.testing.assert_allclose(ratio, 0.4)


def test_the_expected_insurable_wage_of_a_lognormal_wage():
    mean, sigma, floor, ceiling = 3_000_000.0, 0.6, 1_250_000.0, 4_500_000.0
    exact = expected_insurable_wage(np.array(mean), np.array(sigma), np.array(floor),
                                    np.array(ceiling))
    draws = np.random.default_rng(7).lognormal(math.log(mean) - sigma**2 / 2, sigma, 2_000_000)
    assert float(exact) == pytest.approx(np.clip(draws, floor, ceiling).mean(), rel=2e-3)
    no_spread = expected_insurable_wage(np.array(mean), np.array(0.0), np.array(floor),
                                        np.array(ceiling))
    assert float(no_spread) == mean
    assert float(expected_insurable_wage(np.array(9e6), np.array(0.0), np.array(floor),
                                         np.array(ceiling))) == ceiling


def test_credit_buckets_stop_where_the_formula_stops_changing():
    credits = np.arange(46)
    formula = PensionFormula(pension_age=[57, 55], minimum_years=23, rate_at_full_years=0.75,
                             full_rate_years=25, rate_per_year_below=0.01, maximum_rate=0.75,
                             lump_sum_months_per_year=1.275)
    rates = formula.rate(credits)[None]
    qualified = (credits >= 23)[None]
    lumps = formula.lump_sum_months(credits)[None]
    assert credit_buckets(rates, qualified, lumps) == 26  # 0..24 differ, 25+ are alike
    linear = PensionFormula.linear(0.015, [60, 60], 5)
    assert credit_buckets(linear.rate(credits)[None], (credits >= 5)[None],
                          linear.lump_sum_months(credits)[None]) == 46


# (case, credited years, rate) worked from lao-facts §2 / §9.4 as the parameters encode them
LAO_2025_RATES = [
    ("22 years: too few, lump sum", 22, 0.0),
    ("23 years: 75% less 2 points", 23, 0.73),
    ("24 years: 75% less 1 point", 24, 0.74),
    ("25 years: full 75%", 25, 0.75),
    ("35 years: still 75%", 35, 0.75),
]


@pytest.mark.parametrize("case, years, rate", LAO_2025_RATES)
def test_the_enterprise_formula_from_the_2025_rules(case, years, rate):
    formula = PensionFormula.from_rules(D(2025, 7, 1), "enterprise")
    assert float(formula.rate(np.array(years))) == pytest.approx(rate), case


def test_the_formula_reads_the_dated_legal_parameters():
    when = D(2025, 7, 1)
    formula = PensionFormula.from_rules(when, "enterprise")
    prefix = "social_security.benefits.old_age.enterprise"
    assert list(formula.pension_age) == [value_at(f"{prefix}.normal_age.male", when),
                                         value_at(f"{prefix}.normal_age.female", when)]
    assert formula.minimum_years == value_at(f"{prefix}.reduced_pension.minimum_years", when)
    assert formula.lump_sum_months_per_year == pytest.approx(
        value_at(f"{prefix}.lump_sum.wage_share", when)
        * value_at(f"{prefix}.lump_sum.months_per_year", when))
    assert all(name.startswith(prefix) for name in formula.sources)
    before = PensionFormula.from_rules(D(2020, 1, 1), "enterprise")
    assert before.minimum_years != formula.minimum_years  # the 2025 decree changed it
    schemes = PensionAssumptions.from_rules(when, ("enterprise_employee", "civil_servant"))
    assert schemes.scheme_of_category == {"enterprise_employee": "enterprise",
                                          "civil_servant": "public"}


def test_contribution_rates_and_bounds_from_the_rules():
    # lao-facts §1: 6% + 5.5% enterprise, 8.5% + 8% civil servants, 9% voluntary;
    # ceiling 4,500,000; floor 50% of the 2,500,000 minimum wage
    rates = contribution_rates_from_rules(D(2025, 3, 1))
    assert rates["enterprise_employee"] == pytest.approx(0.115)
    assert rates["civil_servant"] == pytest.approx(0.165)
    assert rates["voluntary"] == pytest.approx(0.09)
    ceilings, floors = insurable_bounds_from_rules(D(2025, 3, 1))
    assert ceilings["enterprise_employee"] == 4_500_000
    assert floors["enterprise_employee"] == 1_250_000
    assert (floors["voluntary"], ceilings["voluntary"]) == (1_200_000, 2_700_000)


def test_unemployment_and_participation_scale_the_insured():
    base = stationary(horizon_years=2)
    fewer = replace(base, "labour", participation=0.8, unemployment=0.25)
    ratio = project(fewer).series["active_insured"][0, 1] / project(base).series[
        "active_insured"][0, 1]
    assert ratio == pytest.approx(0.8 * 0.75)


def test_labour_assumptions_keep_categories_together():
    labour = LabourAssumptions(participation=0.5, unemployment=0.0,
                               coverage={"a": 0.3, "b": 0.5},
                               contribution_density={"a": 1.0, "b": 0.5})
    assert labour.categories == ("a", "b")


@pytest.mark.parametrize("scheme, category", [("enterprise", "enterprise_employee"),
                                              ("public", "civil_servant")])
@pytest.mark.parametrize("years", [10, 22, 23, 24, 25, 31])
def test_the_model_pays_what_the_live_benefit_rules_pay(scheme, category, years):
    """The projection's pension (or lump sum) for k credited years at a constant wage is the
    amount pakan.rules.benefits awards a member with that record, to the kip's rounding."""
    from pakan.rules.benefits import ContributionHistory, assess

    when = D(2026, 7, 1)
    formula = PensionFormula.from_rules(when, scheme)
    wage = 3_000_000
    months = np.arange(np.datetime64("2026-06", "M") - 12 * years, np.datetime64("2026-06", "M"))
    history = ContributionHistory.single(birth_date="1960-01-01", sex="M", category=category,
                                         months=months, wages=[wage] * months.size)
    awarded = assess("old_age", history, np.array(["2026-07-01"], dtype="datetime64[D]"))
    rate = float(formula.rate(np.array(years)))
    if rate > 0:
        assert awarded.kind[0] == "periodic"
        assert awarded.monthly_amount[0] == pytest.approx(rate * wage, abs=1)
    else:
        assert awarded.kind[0] == "lump_sum"
        lump = float(formula.lump_sum_months(np.array(years))) * wage
        assert awarded.lump_sum[0] == pytest.approx(lump, abs=1)
