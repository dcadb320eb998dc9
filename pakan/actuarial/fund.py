"""The fund's own assumptions: contribution rates, reserves, short-term branches, administration,
indexation, and the pensions already in payment on the valuation date.

Contribution rates are total rates (insured + employer, or the voluntary member's rate) as a
share of the insurable wage; `contribution_rates_from_rules` reads them from the dated legal
parameters, and a scenario may override them. Short-term branches (sickness, maternity,
employment injury, unemployment, funeral, and any long-term branch not modelled one by one)
enter as cost rates of the insurable wage bill; administrative cost as a share of benefit
expenditure (so that it does not depend on the contribution rate, which keeps the general
average premium a linear solve).

Pensions in payment are raised each 1 January (from the second projection year) by

    indexation(t) = pass_through x (wage_share x wage growth(t) + (1 - wage_share) x inflation(t))
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pakan.actuarial import checks
from pakan.actuarial.axes import AGE_COUNT, OPEN_AGE, SEXES
from pakan.actuarial.errors import ActuarialInputError


def contribution_rates_from_rules(
    when: datetime.date, categories: tuple[str, ...] | None = None
) -> dict[str, float]:
    """Total contribution rate per category valid on `when` (insured + employer, or the
    voluntary rate), from `social_security.contribution_rates.*` and `.voluntary.rate`."""
    from pakan.rules import social_security as rules

    month_rules = rules.month_rules(when.replace(day=1))
    names = categories or rules.CATEGORIES
    rates = {}
    for category in names:
        code = rules.CATEGORIES.index(category)
        insured, employer = month_rules.insured_ppm[code], month_rules.employer_ppm[code]
        if insured < 0:
            raise ActuarialInputError(
                f"no contribution rate for {category} is valid on {when}",
                f"ບໍ່ມີອັດຕາເງິນສົມທົບສຳລັບ {category} ໃນວັນທີ {when}",  # own wording
                field=f"fund.contribution_rates.{category}",
            )
        rates[category] = (int(insured) + int(max(employer, 0))) / rules.RATE_SCALE
    return rates


@dataclass(frozen=True)
class PensionersInPayment:
    """Old-age pensions in payment on 1 January of the base year, as columns (one row per
    pension or group of pensions): sex code (0 male, 1 female), age, award year, number of
    pensions and their total yearly amount in kip. Build it with `from_records`."""

    sexes: NDArray
    ages: NDArray
    award_years: NDArray
    counts: NDArray
    annual_amounts: NDArray
    source: str = ""

    @classmethod
    def from_records(
        cls,
        sexes: ArrayLike,
        ages: ArrayLike,
        award_years: ArrayLike,
        annual_amounts: ArrayLike,
        counts: ArrayLike | None = None,
        source: str = "",
    ) -> PensionersInPayment:
        """One row per pension: sex "M"/"F" or 0/1, age, award year, yearly amount in kip (the
        total of the group's pensions when `counts` gives a group size)."""
        sex = checks.sex_codes("initial_pensioners.sexes", sexes)
        age = np.minimum(checks.non_negative("initial_pensioners.ages", ages), OPEN_AGE)
        years = checks.as_array("initial_pensioners.award_years", award_years)
        amounts = checks.non_negative("initial_pensioners.annual_amounts", annual_amounts)
        number = np.ones(age.shape) if counts is None else checks.non_negative(
            "initial_pensioners.counts", counts)
        if not (sex.shape == age.shape == years.shape == amounts.shape == number.shape):
            raise ActuarialInputError(
                "all columns must have the same length", "ທຸກຖັນຕ້ອງມີຈຳນວນແຖວເທົ່າກັນ",
                field="initial_pensioners",  # own wording
            )
        return cls(sex, age.astype(int), years.astype(int), number, amounts, source)

    def award_ages(self, base_year: int) -> NDArray[np.int64]:
        """Age when each pension was awarded; refuses award years after the base year."""
        later = self.award_years > base_year
        if np.any(later):
            raise ActuarialInputError(
                f"a pension awarded in {int(self.award_years[later][0])}, after the base year "
                f"{base_year}",
                f"ມີບຳນານທີ່ໄດ້ຮັບຫຼັງປີພື້ນຖານ {base_year}",  # own wording
                field="initial_pensioners.award_years",
            )
        award_age = self.ages - (base_year - self.award_years)
        if np.any(award_age < 15):
            raise ActuarialInputError(
                "a pension awarded before age 15 (check ages and award years)",
                "ມີບຳນານທີ່ໄດ້ຮັບກ່ອນອາຍຸ 15 ປີ",  # own wording
                field="initial_pensioners.award_years",
            )
        return award_age.astype(np.int64)

    def grid(self, base_year: int, lowest_award_age: int) -> tuple[NDArray, NDArray]:
        """(counts, annual amounts) `[sex, age - lowest, award age - lowest]`."""
        width = AGE_COUNT - lowest_award_age
        counts, amounts = np.zeros((len(SEXES), width, width)), np.zeros((len(SEXES), width, width))
        award_age = self.award_ages(base_year)
        index = (self.sexes, self.ages - lowest_award_age, award_age - lowest_award_age)
        np.add.at(counts, index, self.counts)
        np.add.at(amounts, index, self.annual_amounts)
        return counts, amounts


@dataclass(frozen=True)
class FundAssumptions:
    """Contribution rates per category, the reserve on 1 January of the base year (kip), cost
    rates of the short-term branches, administrative cost and indexation of pensions."""

    contribution_rates: Mapping[str, float]
    initial_reserve: float = 0.0
    short_term_cost_rates: Mapping[str, float] = field(default_factory=dict)
    administrative_cost_rate: float = 0.0
    indexation_wage_share: float = 0.0
    indexation_pass_through: float = 1.0
    scheme_start_year: int = 2001

    def __post_init__(self) -> None:
        for category, rate in self.contribution_rates.items():
            checks.share(f"fund.contribution_rates.{category}", rate)
        for branch, rate in self.short_term_cost_rates.items():
            checks.share(f"fund.short_term_cost_rates.{branch}", rate)
        checks.as_array("fund.initial_reserve", self.initial_reserve)
        checks.share("fund.administrative_cost_rate", self.administrative_cost_rate)
        checks.share("fund.indexation_wage_share", self.indexation_wage_share)
        checks.share("fund.indexation_pass_through", self.indexation_pass_through)
        checks.whole_number("fund.scheme_start_year", self.scheme_start_year, 1900, 2200)
