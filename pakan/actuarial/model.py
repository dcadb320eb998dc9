"""All the assumptions of a valuation in one object, checked as a whole and expanded over the
projection years before anything runs.

`Assumptions` bundles the parts (demography, labour, wages, economy, pension formulas, fund);
building it checks each part and that they fit together (the same categories everywhere, paths
long enough for the horizon). `prepare` turns it into plain arrays for `engine`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial import checks
from pakan.actuarial.economy import EconomicAssumptions
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.fund import FundAssumptions, PensionersInPayment
from pakan.actuarial.labour import (
    InitialMembers,
    LabourAssumptions,
    WageAssumptions,
    same_categories,
)
from pakan.actuarial.pension_formula import PensionAssumptions, PensionFormula
from pakan.actuarial.population import DemographicAssumptions


@dataclass(frozen=True)
class Assumptions:
    """Everything a valuation needs. `horizon_years` counts projection years (at most 100);
    `initial_members` and `initial_pensioners` come from the fund's data when there are any
    (without them the insured start at their target numbers with credits from the scheme's
    start, and no pensions are in payment)."""

    demography: DemographicAssumptions
    labour: LabourAssumptions
    wages: WageAssumptions
    economy: EconomicAssumptions
    pension: PensionAssumptions
    fund: FundAssumptions
    horizon_years: int = 75
    initial_members: InitialMembers | None = None
    initial_pensioners: PensionersInPayment | None = None
    name: str = "base"

    def __post_init__(self) -> None:
        for name, kind in (
            ("demography", DemographicAssumptions),
            ("labour", LabourAssumptions),
            ("wages", WageAssumptions),
            ("economy", EconomicAssumptions),
            ("pension", PensionAssumptions),
            ("fund", FundAssumptions),
        ):
            if not isinstance(getattr(self, name), kind):
                raise ActuarialInputError(
                    f"must be a {kind.__name__}", f"ຕ້ອງເປັນ {kind.__name__}", field=name
                )
        checks.horizon(self.horizon_years)
        categories = self.labour.categories
        same_categories("wages.average_monthly_wage", self.wages.average_monthly_wage,
                        categories)
        same_categories("fund.contribution_rates", self.fund.contribution_rates, categories)
        same_categories("pension.scheme_of_category", self.pension.scheme_of_category,
                        categories)
        if self.initial_members is not None and set(self.initial_members.categories) - set(
            categories
        ):
            raise ActuarialInputError(
                f"categories {sorted(set(self.initial_members.categories) - set(categories))} "
                "are not among labour.coverage's",
                "ປະເພດຜູ້ປະກັນຕົນບໍ່ກົງກັນ",  # own wording
                field="initial_members.categories",
            )
        prepare(self)  # every path over the horizon, so a bad one is refused now

    @property
    def first_year(self) -> int:
        return self.demography.base_population.year


@dataclass(frozen=True)
class Prepared:
    """The assumptions as arrays over the projection (year 0 = base year). Stock-dated arrays
    have T + 1 years (1 January of each year and of the year after the last), flows T."""

    first_year: int
    years: int
    categories: tuple[str, ...]
    schemes: tuple[str, ...]
    scheme_of_category: NDArray[np.int64]  # [category] -> scheme index
    formulas: tuple[PensionFormula, ...]
    participation: NDArray  # [T+1, sex, age]
    unemployment: NDArray  # [T+1, sex, age]
    coverage: NDArray  # [T+1, category, sex, age]
    density: NDArray  # [category]
    reentry_rate: float
    average_wage: NDArray  # [category] base-year monthly kip
    wage_profile: NDArray  # [category, sex, age]
    dispersion: NDArray  # [category]
    ceiling: NDArray  # [category] base-year monthly kip
    floor: NDArray  # [category]
    ceiling_follows_wages: bool
    wage_growth: NDArray  # [T+1], the last repeating year T-1
    inflation: NDArray  # [T+1], the last repeating year T-1
    investment_return: NDArray  # [T]
    pension_age: NDArray  # [T, scheme, sex]
    contribution_rates: NDArray  # [category]
    initial_reserve: float
    short_term_cost_rate: float
    administrative_cost_rate: float
    indexation_wage_share: float
    indexation_pass_through: float
    scheme_start_year: int
    top_member_age: int  # members are aged ENTRY_AGE .. top_member_age - 1 on 1 January
    lowest_award_age: int
    initial_members: InitialMembers | None
    initial_pensioners: PensionersInPayment | None


def prepare(assumptions: Assumptions) -> Prepared:
    first_year, years = assumptions.first_year, assumptions.horizon_years
    labour = assumptions.labour.expand(first_year, years + 1)
    economy = assumptions.economy.expand(first_year, years)
    demography = assumptions.demography
    demography.mortality.rates(first_year, years)
    demography.fertility.rates(first_year, years)
    demography.fertility.boys_share(first_year, years)
    demography.migration.migrants(first_year, years)

    categories = assumptions.labour.categories
    pension = assumptions.pension
    schemes = pension.scheme_names
    pension_age = np.stack(
        [pension.schemes[s].pension_ages(first_year, years) for s in schemes], axis=1
    )
    top_member_age = int(pension_age.max())
    wages = assumptions.wages
    lowest_award_age = int(pension_age.min())
    if assumptions.initial_pensioners is not None:
        award_ages = assumptions.initial_pensioners.award_ages(first_year)
        if award_ages.size:
            lowest_award_age = min(lowest_award_age, int(award_ages.min()))
    if assumptions.initial_members is not None:
        _check_member_ages(assumptions.initial_members, top_member_age)
    return Prepared(
        first_year=first_year,
        years=years,
        categories=categories,
        schemes=schemes,
        scheme_of_category=np.array(
            [schemes.index(pension.scheme_of_category[c]) for c in categories]
        ),
        formulas=tuple(pension.schemes[s] for s in schemes),
        participation=labour["participation"],
        unemployment=labour["unemployment"],
        coverage=labour["coverage"],
        density=labour["density"],
        reentry_rate=float(assumptions.labour.reentry_rate),
        average_wage=np.array([float(wages.average_monthly_wage[c]) for c in categories]),
        wage_profile=np.stack([wages.profile(c) for c in categories]),
        dispersion=np.array([float(wages.dispersion.get(c, 0.0)) for c in categories]),
        ceiling=np.array([float(wages.ceiling_monthly[c]) for c in categories]),
        floor=np.array([float(wages.floor_monthly[c]) for c in categories]),
        ceiling_follows_wages=bool(wages.ceiling_follows_wages),
        wage_growth=_one_more_year(economy["wage_growth"]),
        inflation=_one_more_year(economy["inflation"]),
        investment_return=economy["investment_return"],
        pension_age=pension_age,
        contribution_rates=np.array(
            [float(assumptions.fund.contribution_rates[c]) for c in categories]
        ),
        initial_reserve=float(assumptions.fund.initial_reserve),
        short_term_cost_rate=float(sum(assumptions.fund.short_term_cost_rates.values())),
        administrative_cost_rate=float(assumptions.fund.administrative_cost_rate),
        indexation_wage_share=float(assumptions.fund.indexation_wage_share),
        indexation_pass_through=float(assumptions.fund.indexation_pass_through),
        scheme_start_year=int(assumptions.fund.scheme_start_year),
        top_member_age=top_member_age,
        lowest_award_age=lowest_award_age,
        initial_members=assumptions.initial_members,
        initial_pensioners=assumptions.initial_pensioners,
    )


def _one_more_year(path: NDArray) -> NDArray:
    """A flow path of T years extended to the 1 January after the last year, repeating the
    last year's value (it only sets the index of pensions no longer paid in the horizon)."""
    return np.concatenate([path, path[-1:]])


def _check_member_ages(members: InitialMembers, top_member_age: int) -> None:
    by_age = members.active.sum(axis=(0, 1, 3)) + members.inactive.sum(axis=(0, 1, 3))
    too_old = by_age[top_member_age:] > 0
    if np.any(too_old):
        age = top_member_age + int(np.argmax(too_old))
        raise ActuarialInputError(
            f"insured members aged {age}, at or above the highest pension age "
            f"{top_member_age}: they should be pensioners",
            f"ມີຜູ້ປະກັນຕົນອາຍຸ {age} ເກີນກະສຽນອາຍຸ {top_member_age}",  # own wording
            field="initial_members",
        )
