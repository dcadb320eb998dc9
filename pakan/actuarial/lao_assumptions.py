"""A base scenario for Lao PDR: published figures where `shared/domain/lao-facts.md` gives them,
provisional values (marked, with why) where it does not.

Each figure cites its source as in lao-facts.md ([n] = source n of that file). `FIGURES` lists
every one with its flag, so a page can show which are provisional. The published checks (total
population 2024 and 2050, age structure, median age, life expectancy, infant mortality, TFR,
number of insured) are in tests/test_actuarial_lao.py.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial.axes import AGE_COUNT, FEMALE, MALE, SEXES
from pakan.actuarial.economy import EconomicAssumptions
from pakan.actuarial.fund import (
    FundAssumptions,
    PensionersInPayment,
    contribution_rates_from_rules,
)
from pakan.actuarial.labour import LabourAssumptions, WageAssumptions, insurable_bounds_from_rules
from pakan.actuarial.model import Assumptions
from pakan.actuarial.mortality import LifeTable, MortalityAssumption, survival_factors
from pakan.actuarial.paths import over_years
from pakan.actuarial.pension_formula import PensionAssumptions
from pakan.actuarial.population import (
    BasePopulation,
    DemographicAssumptions,
    FertilityAssumption,
    MigrationAssumption,
    fertility_schedule,
)

CATEGORIES = ("enterprise_employee", "civil_servant", "police_military", "voluntary")


@dataclass(frozen=True)
class Figure:
    value: object
    source: str
    provisional: str = ""  # why the value is provisional; "" when it is published as used


BASE_YEAR = 2024
RULES_DATE = datetime.date(2025, 7, 1)  # the law in force at the valuation date

FIGURES: dict[str, Figure] = {
    "population_2024": Figure(7_800_000, "[65] UN WPP 2024 (secondary): 7.8M in 2024"),
    "population_2050": Figure(9_800_000, "[65] UN WPP 2024 projection: 9.8M in 2050"),
    "total_fertility_rate_2024": Figure(2.40, "[65] UN WPP 2024: TFR 2.40"),
    "life_expectancy_2024": Figure(69.2, "[65] UN WPP 2024: life expectancy 69.2"),
    "life_expectancy_by_sex": Figure(
        (67.6, 70.9), "[64][66] men ~66, women ~69-70; [65] both sexes 69.2",
        "the split by sex is chosen so that the both-sexes e0 is 69.2 [65] with the female "
        "advantage of about 3.3 years that [64][66] show"),
    "infant_mortality_2024": Figure(0.0352, "[65] UN WPP 2024: IMR 35.2 per 1,000"),
    "infant_mortality_by_sex": Figure(
        (0.0383, 0.0319), "[65] IMR 35.2 both sexes",
        "NOT FOUND by sex: boys' rate set 1.2 times girls', averaging 35.2"),
    "median_age_2024": Figure(24.3, "[65] UN WPP 2024: median age 24.3"),
    "sex_ratio_at_birth": Figure(1.04, "[64][66] sex ratio at birth 1.04"),
    "share_aged_0_14": Figure(0.31, "[64][66] 2022 age structure: 0-14 about 31%"),
    "share_aged_65_plus": Figure(0.046, "[64][66] 2022 age structure: 65+ about 4.6%"),
    "age_structure": Figure(
        "stable population", "[64][66] shares by broad age group",
        "NOT FOUND by single year: the stable population of the 2024 life table, older ages "
        "thinned, with growth and thinning solved to give 31% aged 0-14 and 4.6% aged 65+"),
    "fertility_path": Figure(
        {2024: 2.40, 2040: 1.90, 2050: 1.80}, "[65] 2.40 in 2024",
        "NOT FOUND after 2024: a decline calibrated so the 2050 population is near 9.8M [65]"),
    "fertility_schedule": Figure(
        (27.5, 6.5), "none", "NOT FOUND: beta-shaped schedule, mean age 27.5, sd 6.5"),
    "mortality_improvement": Figure(0.01, "none", "NOT FOUND: 1% decline of death rates a year"),
    "net_migration": Figure(0.0, "none", "NOT FOUND: net migration 0"),
    "labour_force_participation_15_plus": Figure(
        0.40, "[67] LFS 2022: working-age population >5M, labour force >2M",
        "the age pattern is NOT FOUND: a plain hump, scaled to 40% of everyone 15+"),
    "unemployment": Figure(0.024, "[67] LFS 2022: unemployment 2.4%"),
    "insured": Figure(353_962, "[29] ILO country profile: 353,962 insured",
                      "the year of the figure is not stated; taken as 2024"),
    "voluntary_members": Figure(26_793, "[29] 26,793 self-employed members"),
    "enterprise_share_of_employed_insured": Figure(
        0.6, "none", "NOT FOUND: the split of the other 327,169 insured between enterprise "
        "employees and civil servants; 60/40 chosen; police and military 0 (separate)"),
    "contribution_density": Figure(
        {"enterprise_employee": 0.9, "civil_servant": 1.0, "police_military": 1.0,
         "voluntary": 0.6}, "none", "NOT FOUND: share of the year an active member pays"),
    "average_monthly_wage_2024": Figure(
        {"enterprise_employee": 3_000_000, "civil_servant": 2_500_000,
         "police_military": 2_500_000, "voluntary": 1_500_000},
        "none", "NOT FOUND (lao-facts §7: average wage NOT FOUND); minimum wage 2,500,000 "
        "from Oct 2024 [10][11]; voluntary incomes declared 1.2M-2.7M [5][7]"),
    "wage_dispersion": Figure(
        {"enterprise_employee": 0.5, "civil_servant": 0.3, "police_military": 0.3,
         "voluntary": 0.2}, "none", "NOT FOUND: log standard deviation of wages within an age"),
    "inflation": Figure(
        {2024: 0.25, 2025: 0.215, 2027: 0.10, 2030: 0.05}, "[69] ~25% Jan-Sep 2024; [70] ADB "
        "forecast 21.5% for 2025", "after 2025 NOT FOUND: falling to 5% by 2030"),
    "real_wage_growth": Figure(0.015, "none", "NOT FOUND: 1.5% a year above prices"),
    "real_investment_return": Figure(0.01, "none", "NOT FOUND: 1% a year above prices"),
    "initial_reserve": Figure(4.0e12, "lao-facts §7: NSSF reserve NOT FOUND",
                              "NOT FOUND: 4,000 billion kip, about three years of contributions"),
    "initial_pensioners": Figure(
        (40_000, 1_800_000), "lao-facts §7: pensioner numbers NOT FOUND",
        "NOT FOUND: 40,000 pensions of 1,800,000 kip a month, by age as the life table gives"),
    "short_term_cost_rates": Figure(
        {"sickness": 0.003, "maternity": 0.003, "employment_injury": 0.002,
         "unemployment": 0.001, "funeral": 0.001, "invalidity_and_survivors": 0.01},
        "lao-facts §9: branch costs NOT FOUND",
        "NOT FOUND: cost rates of the insurable wage bill"),
    "administrative_cost_rate": Figure(0.05, "none", "NOT FOUND: 5% of benefit expenditure"),
    "indexation": Figure(
        "prices", "social_security.benefits.pension_indexation is 0 (provisional, NOT FOUND)",
        "pensions are assumed raised with prices each year"),
    "scheme_start_year": Figure(2001, "[9] enterprise scheme started mid-2001",
                                "credits of today's insured assumed counted from 2001"),
}


def _value(name: str):
    return FIGURES[name].value


def life_table() -> LifeTable:
    """The 2024 life table: Brass logit fit to e0 and infant mortality by sex."""
    return LifeTable.from_life_expectancy(
        _value("life_expectancy_by_sex"), _value("infant_mortality_by_sex"),
        source="Brass fit to [65] e0 69.2 and IMR 35.2 (split by sex provisional)",
    )


def _stable_shape(rates: NDArray, growth: float) -> NDArray:
    """Stable population `[sex, age]` with births growing at `growth` a year."""
    newborn, survival = survival_factors(rates)
    boys = _value("sex_ratio_at_birth") / (1.0 + _value("sex_ratio_at_birth"))
    births = np.array([boys, 1.0 - boys])
    shape = np.empty((len(SEXES), AGE_COUNT))
    shape[:, 0] = births * newborn
    for age in range(1, AGE_COUNT - 1):
        shape[:, age] = shape[:, age - 1] * survival[:, age - 1] / (1.0 + growth)
    shape[:, -1] = shape[:, -2] * survival[:, -1] / (1.0 + growth - survival[:, -1])
    return shape


def _older_ages_factor(factor_at_65: float) -> NDArray:
    """1 below 50, falling linearly to `factor_at_65` at 65 and staying there `[age]`."""
    ages = np.arange(AGE_COUNT)
    return np.interp(ages, [50, 65], [1.0, factor_at_65])


def _shares(shape: NDArray) -> tuple[float, float]:
    return shape[:, :15].sum() / shape.sum(), shape[:, 65:].sum() / shape.sum()


@functools.cache
def _base_counts() -> NDArray:
    """The stable population of the 2024 life table with births growing at a rate r, older
    ages thinned by a factor (today's older people lived through higher mortality and were
    born into smaller cohorts than the stable model supposes); r and the factor are solved so
    that 0-14 and 65+ have the published shares."""
    rates = life_table().rates
    factor_at_65 = 1.0
    for _ in range(8):  # alternate the two one-dimensional solves; they converge fast
        low, high = -0.02, 0.08
        for _ in range(50):
            growth = 0.5 * (low + high)
            shape = _stable_shape(rates, growth) * _older_ages_factor(factor_at_65)
            low, high = (growth, high) if _shares(shape)[0] < _value("share_aged_0_14") else (
                low, growth)
        low, high = 0.0, 1.0
        for _ in range(50):
            factor_at_65 = 0.5 * (low + high)
            shape = _stable_shape(rates, growth) * _older_ages_factor(factor_at_65)
            low, high = (factor_at_65, high) if _shares(shape)[1] < _value(
                "share_aged_65_plus") else (low, factor_at_65)
    return shape * _value("population_2024") / shape.sum()


def base_population() -> BasePopulation:
    return BasePopulation(BASE_YEAR, _base_counts(), source=FIGURES["age_structure"].provisional)


def demography() -> DemographicAssumptions:
    mean_age, spread = _value("fertility_schedule")
    return DemographicAssumptions(
        base_population=base_population(),
        mortality=MortalityAssumption(life_table(), _value("mortality_improvement")),
        fertility=FertilityAssumption(
            total_fertility_rate=_value("fertility_path"),
            schedule=fertility_schedule(mean_age, spread),
            sex_ratio_at_birth=_value("sex_ratio_at_birth"),
        ),
        migration=MigrationAssumption(_value("net_migration")),
    )


def participation_shape() -> NDArray:
    """A plain participation hump by age `[sex, age]` (women 85 % of men), before scaling."""
    anchors = [15, 20, 25, 50, 55, 60, 65, 75, 100]
    male = [0.15, 0.45, 0.60, 0.60, 0.50, 0.35, 0.20, 0.05, 0.0]
    ages = np.arange(AGE_COUNT)
    shape = np.zeros((len(SEXES), AGE_COUNT))
    shape[MALE] = np.where(ages >= 15, np.interp(ages, anchors, male), 0.0)
    shape[FEMALE] = 0.85 * shape[MALE]
    return shape


COVERED_AGES = slice(15, 55)  # below every pension age, so all base-year insured contribute


def labour(population: BasePopulation) -> LabourAssumptions:
    """Participation scaled to the published 40 % of people 15+; one coverage rate per
    category over ages 15-54 (provisional shape) giving the published number of insured."""
    shape = participation_shape()
    counts = population.counts
    scale = _value("labour_force_participation_15_plus") * counts[:, 15:].sum() / (
        shape * counts).sum()
    participation = shape * scale
    unemployment = _value("unemployment")
    employed = (counts * participation * (1.0 - unemployment))[:, COVERED_AGES].sum()
    employed_insured = _value("insured") - _value("voluntary_members")
    enterprise = _value("enterprise_share_of_employed_insured")
    insured = {
        "enterprise_employee": employed_insured * enterprise,
        "civil_servant": employed_insured * (1.0 - enterprise),
        "police_military": 0.0,
        "voluntary": _value("voluntary_members"),
    }
    covered = np.zeros((len(SEXES), AGE_COUNT))
    covered[:, COVERED_AGES] = 1.0
    return LabourAssumptions(
        participation=participation,
        unemployment=unemployment,
        coverage={category: covered * insured[category] / employed for category in CATEGORIES},
        contribution_density=_value("contribution_density"),
    )


def _yearly(anchors: dict[int, float]) -> NDArray:
    return over_years("lao.path", anchors, BASE_YEAR, 101)


def economy() -> EconomicAssumptions:
    inflation = _yearly(_value("inflation"))
    return EconomicAssumptions(
        wage_growth=(1.0 + inflation) * (1.0 + _value("real_wage_growth")) - 1.0,
        inflation=inflation,
        investment_return=(1.0 + inflation) * (1.0 + _value("real_investment_return")) - 1.0,
    )


def initial_pensioners(rates: NDArray, pension_age: NDArray) -> PensionersInPayment:
    """Provisional: a total spread by age as the life table's survivors from the pension age."""
    number, monthly = _value("initial_pensioners")
    _, survival = survival_factors(rates)
    sexes, ages, award_years, counts = [], [], [], []
    for sex in (MALE, FEMALE):
        start = int(pension_age[sex])
        alive = np.cumprod(np.concatenate([[1.0], survival[sex, start:AGE_COUNT - 1]]))
        for offset, weight in enumerate(alive[: 90 - start]):
            sexes.append(sex)
            ages.append(start + offset)
            award_years.append(BASE_YEAR - offset)
            counts.append(weight)
    share = np.array(counts) / np.sum(counts)
    return PensionersInPayment.from_records(
        sexes, ages, award_years, share * number * monthly * 12.0, share * number,
        source=FIGURES["initial_pensioners"].provisional,
    )


def assumptions(horizon_years: int = 75) -> Assumptions:
    """The Lao base scenario (base year 2024, the law as of 1 July 2025)."""
    people = demography()
    ceilings, floors = insurable_bounds_from_rules(RULES_DATE)
    pension = PensionAssumptions.from_rules(RULES_DATE, CATEGORIES)
    lowest_age = np.min([f.pension_ages(BASE_YEAR, 1)[0] for f in pension.schemes.values()],
                        axis=0)
    return Assumptions(
        demography=people,
        labour=labour(people.base_population),
        wages=WageAssumptions(
            average_monthly_wage=_value("average_monthly_wage_2024"),
            ceiling_monthly=ceilings,
            floor_monthly=floors,
            dispersion=_value("wage_dispersion"),
        ),
        economy=economy(),
        pension=pension,
        fund=FundAssumptions(
            contribution_rates=contribution_rates_from_rules(RULES_DATE, CATEGORIES),
            initial_reserve=_value("initial_reserve"),
            short_term_cost_rates=_value("short_term_cost_rates"),
            administrative_cost_rate=_value("administrative_cost_rate"),
            indexation_wage_share=0.0,
            indexation_pass_through=1.0,
            scheme_start_year=_value("scheme_start_year"),
        ),
        horizon_years=horizon_years,
        initial_pensioners=initial_pensioners(people.mortality.base_table.rates, lowest_age),
        name="Lao base",
    )
