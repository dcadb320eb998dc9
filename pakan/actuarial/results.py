"""Results of a projection: yearly series per run, the indicators actuaries read, the general
average premium and the year reserves run out.

Series are arrays `[run, year]` (flows of year t; stocks on 1 January, with one more entry for
the 1 January after the last year). Derived indicators:

    demographic ratio      average pensioners / contributors (exposure)
    PAYG cost rate         E(t) / W(t)             total expenditure over the insurable wage bill
    pension cost rate      (pensions + lump sums) / W(t)
    reserve ratio          R(t+1) / E(t)           reserve at the end of the year over its spending
    GAP over years a..b    (sum v(t) E(t) - R(a) D(a) + R* D(b+1)) / sum v(t) W(t)

with D(t) = product over u < t of 1 / (1 + i(u)) (discount to 1 January of the base year) and
v(t) = D(t) / (1 + i(t))^(1/2) (flows at mid-year, the reserve recursion's timing), R* the
reserve wanted at the end (0 by default). Contributing the GAP every year of a..b leaves exactly
R* at the end (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial.axes import OPEN_AGE, SEXES
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.population import PopulationProjection

TABLE_COLUMNS: tuple[str, ...] = (
    "population",
    "active_insured",
    "contributors",
    "pensioners",
    "new_pensions",
    "demographic_ratio",
    "insurable_wage_bill",
    "contributions",
    "pension_expenditure",
    "lump_sum_expenditure",
    "short_term_expenditure",
    "administrative_cost",
    "total_expenditure",
    "investment_income",
    "reserve_end",
    "reserve_ratio",
    "payg_cost_rate",
    "average_contribution_rate",
)


def _ratio(numerator: NDArray, denominator: NDArray) -> NDArray:
    return np.divide(numerator, denominator, out=np.full(numerator.shape, np.nan),
                     where=denominator != 0)


@dataclass(frozen=True)
class ProjectionResult:
    name: str
    first_year: int
    categories: tuple[str, ...]
    series: dict[str, NDArray]
    population: PopulationProjection | None = None
    grids: dict[str, NDArray] = field(default_factory=dict)
    lowest_award_age: int = 0

    @classmethod
    def build(cls, **parts) -> ProjectionResult:
        series = parts["series"]
        reserve = series["reserve"]
        series["reserve_start"] = reserve[:, :-1]
        series["reserve_end"] = reserve[:, 1:]
        series["demographic_ratio"] = _ratio(series["pensioners_average"],
                                             series["contributors"])
        wage_bill = series["insurable_wage_bill"]
        series["payg_cost_rate"] = _ratio(series["total_expenditure"], wage_bill)
        series["pension_cost_rate"] = _ratio(
            series["pension_expenditure"] + series["lump_sum_expenditure"], wage_bill)
        series["average_contribution_rate"] = _ratio(series["contributions"], wage_bill)
        series["reserve_ratio"] = _ratio(series["reserve_end"], series["total_expenditure"])
        return cls(**parts)

    @property
    def runs(self) -> int:
        return self.series["contributions"].shape[0]

    @property
    def years(self) -> NDArray:
        """The projection's calendar years (flows)."""
        return self.first_year + np.arange(self.series["contributions"].shape[1])

    def indicator(self, name: str) -> NDArray:
        """A series by name, `[run, year]`; stocks have one more year."""
        try:
            return self.series[name]
        except KeyError:
            raise ActuarialInputError(
                f"unknown result {name!r}; known: {', '.join(sorted(self.series))}",
                f"ບໍ່ຮູ້ຈັກຜົນ {name!r}",  # own wording
                field="indicator",
            ) from None

    def _period(self, first_year: int | None, last_year: int | None) -> tuple[int, int]:
        years = self.years
        first = years[0] if first_year is None else first_year
        last = years[-1] if last_year is None else last_year
        if not years[0] <= first <= last <= years[-1]:
            raise ActuarialInputError(
                f"the period {first}-{last} must lie within {years[0]}-{years[-1]}",
                f"ໄລຍະ {first}-{last} ຕ້ອງຢູ່ໃນ {years[0]}-{years[-1]}",  # own wording
                field="period",
            )
        return int(first - years[0]), int(last - years[0])

    def discount_factors(self) -> tuple[NDArray, NDArray]:
        """(D `[run, year 0..T]` to 1 January of the base year, v `[run, year]` at mid-year)."""
        rate = self.series["investment_return"]
        start = np.ones((rate.shape[0], rate.shape[1] + 1))
        start[:, 1:] = np.cumprod(1.0 / (1.0 + rate), axis=1)
        return start, start[:, :-1] / np.sqrt(1.0 + rate)

    def general_average_premium(
        self,
        first_year: int | None = None,
        last_year: int | None = None,
        terminal_reserve_ratio: float = 0.0,
    ) -> NDArray:
        """The constant contribution rate (of insurable wages) over the period that leaves a
        reserve of `terminal_reserve_ratio` x the last year's expenditure; one per run."""
        first, last = self._period(first_year, last_year)
        start, middle = self.discount_factors()
        period = slice(first, last + 1)
        expenditure = self.series["total_expenditure"]
        wages = self.series["insurable_wage_bill"]
        reserve = self.series["reserve"]
        wanted = terminal_reserve_ratio * expenditure[:, last]
        present_cost = (middle[:, period] * expenditure[:, period]).sum(axis=1)
        present_wages = (middle[:, period] * wages[:, period]).sum(axis=1)
        return _ratio(
            present_cost - reserve[:, first] * start[:, first] + wanted * start[:, last + 1],
            present_wages,
        )

    def depletion_year(self) -> list[int | None]:
        """Per run, the first year whose closing reserve is negative (None if never)."""
        negative = self.series["reserve_end"] < 0
        return [
            int(self.first_year + np.argmax(row)) if row.any() else None for row in negative
        ]

    def pensions_in_payment(self, year: int, run: int = 0) -> list[dict]:
        """Pensions in payment on 1 January of `year` by sex, age, age at award and award year
        (the cohorts), with their number and yearly amount in kip; needs a result kept with
        `detail`. In the open age group (100+) the award year is not known (None)."""
        if "pensioners_by_cohort" not in self.grids:
            raise ActuarialInputError(
                "this result was projected without detail", "ຜົນນີ້ບໍ່ມີລາຍລະອຽດ",  # own wording
                field="detail",
            )
        position = int(year - self.first_year)
        counts = self.grids["pensioners_by_cohort"][run, position]
        amounts = self.grids["pension_amounts_by_cohort"][run, position]
        rows = []
        for sex, age_index, award_index in zip(*np.nonzero(counts > 0), strict=True):
            age = self.lowest_award_age + int(age_index)
            award_age = self.lowest_award_age + int(award_index)
            rows.append({
                "sex": SEXES[sex],
                "age": age,
                "award_age": award_age,
                "award_year": None if age == OPEN_AGE else int(year) - (age - award_age),
                "pensions": float(counts[sex, age_index, award_index]),
                "yearly_amount": float(amounts[sex, age_index, award_index]),
            })
        return rows

    def table(self, run: int = 0, columns: tuple[str, ...] = TABLE_COLUMNS) -> list[dict]:
        """One row per year for one run: stocks on 1 January, flows of the year."""
        rows = []
        for position, year in enumerate(self.years):
            row: dict = {"year": int(year)}
            for column in columns:
                row[column] = float(self.indicator(column)[run, position])
            rows.append(row)
        return rows
