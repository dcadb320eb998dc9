"""Small, hand-checkable actuarial assumptions for the tests of pakan.actuarial.

`stationary` builds a closed population that does not change: constant births, the stationary
population of a life table, fertility scaled so births stay constant, no migration. Everyone
aged 15 to the pension age works and is insured in one category, on one flat wage, so the
pension of a full career is accrual x 45 years x wage. Pensions already in payment are the
stationary stock, awarded at the pension age with the same amount.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from pakan.actuarial.economy import EconomicAssumptions
from pakan.actuarial.fund import FundAssumptions, PensionersInPayment
from pakan.actuarial.labour import LabourAssumptions, WageAssumptions
from pakan.actuarial.model import Assumptions
from pakan.actuarial.mortality import LifeTable, MortalityAssumption
from pakan.actuarial.pension_formula import PensionAssumptions, PensionFormula
from pakan.actuarial.population import (
    BasePopulation,
    DemographicAssumptions,
    FertilityAssumption,
    fertility_schedule,
    stationary_population,
)

BASE_YEAR = 2025
MONTHLY_WAGE = 1_000_000.0
PENSION_AGE = 60
ACCRUAL = 0.015
FULL_CAREER = PENSION_AGE - 15  # years from 15 to the pension age


def life_table() -> LifeTable:
    return LifeTable.from_life_expectancy([70.0, 74.0])


def stationary_demography(births=(51_000.0, 49_000.0)) -> DemographicAssumptions:
    table = life_table()
    population = stationary_population(table.rates, births)
    schedule = fertility_schedule()
    rates = schedule * sum(births) / (schedule * population[1]).sum()
    return DemographicAssumptions(
        BasePopulation(BASE_YEAR, population),
        MortalityAssumption(table),
        FertilityAssumption(age_specific_rates=rates, sex_ratio_at_birth=births[0] / births[1]),
    )


def stationary_pensioners(population: np.ndarray, monthly_pension: float) -> PensionersInPayment:
    ages = np.arange(PENSION_AGE, 101)
    sexes = np.repeat([0, 1], ages.size)
    all_ages = np.tile(ages, 2)
    counts = np.concatenate([population[0, PENSION_AGE:], population[1, PENSION_AGE:]])
    return PensionersInPayment.from_records(
        sexes, all_ages, BASE_YEAR - (all_ages - PENSION_AGE),
        counts * 12.0 * monthly_pension, counts,
    )


def stationary(
    horizon_years: int = 60,
    contribution_rate: float = 0.2,
    investment_return: float = 0.04,
    initial_reserve: float = 1e12,
    **fund_changes,
) -> Assumptions:
    demography = stationary_demography()
    pension = PensionFormula.linear(ACCRUAL, [PENSION_AGE, PENSION_AGE], minimum_years=10)
    return Assumptions(
        demography=demography,
        labour=LabourAssumptions(
            participation=1.0, unemployment=0.0, coverage={"all": 1.0},
            contribution_density={"all": 1.0},
        ),
        wages=WageAssumptions(
            average_monthly_wage={"all": MONTHLY_WAGE},
            ceiling_monthly={"all": math.inf},
            floor_monthly={"all": 0.0},
            age_profile={"all": np.ones((2, 101))},
        ),
        economy=EconomicAssumptions(wage_growth=0.0, inflation=0.0,
                                    investment_return=investment_return),
        pension=PensionAssumptions.single(pension, ("all",)),
        fund=FundAssumptions(
            contribution_rates={"all": contribution_rate},
            initial_reserve=initial_reserve,
            scheme_start_year=1900,
            **fund_changes,
        ),
        horizon_years=horizon_years,
        initial_pensioners=stationary_pensioners(
            demography.base_population.counts, ACCRUAL * FULL_CAREER * MONTHLY_WAGE),
    )


def replace(assumptions: Assumptions, part: str, **changes) -> Assumptions:
    """A copy with one part changed, e.g. replace(a, "fund", initial_reserve=0)."""
    return dataclasses.replace(
        assumptions, **{part: dataclasses.replace(getattr(assumptions, part), **changes)})
