"""Inputs of the floor-benefit costing: the projected population, yearly paths and macro figures.

Every rate is a fraction (0.25 means 25 %); every amount is kip; every path has one value per
calendar year. The checks live in `validate_*` / `*.on(...)` and run before any costing does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pakan.actuarial import checks
from pakan.actuarial.axes import FEMALE, MALE, SEXES
from pakan.actuarial.costing.validation import (
    AGE_COUNT,
    check_covers,
    check_growth_rates,
    check_number,
    check_one_value_per_year,
    check_rate,
    check_year,
    check_year_axis,
    refuse,
)

YEAR_BY_AGE = "year x age 0-100+ / ປີ x ອາຍຸ 0-100+"  # glossary: ປີ year, ອາຍຸ age
BY_AGE = "age 0-100+ / ອາຍຸ 0-100+"


@dataclass(frozen=True, eq=False)
class PopulationByAge:
    """A projected population: people alive during each year (mid-year or the average of the
    start and end of the year) by single age 0..99 and the open group 100+.

    `female` and `male` have shape (len(years), 101). `births` (optional, one value per year) are
    the live births of each calendar year, used by the maternity grant.
    """

    years: np.ndarray
    female: np.ndarray
    male: np.ndarray
    births: np.ndarray | None = None

    @property
    def both_sexes(self) -> np.ndarray:
        return self.female + self.male

    @classmethod
    def from_january_stocks(
        cls, first_year: int, stocks: np.ndarray, births: np.ndarray | None = None
    ) -> PopulationByAge:
        """From stocks on 1 January `[year 0..T, sex, age]` (sex axis as in
        `pakan.actuarial.axes`) and births `[year 0..T-1]` or `[year, sex]`: the population of
        each year t is the average of its 1 January stocks in t and t+1, for T years."""
        stocks = checks.as_array("population.stocks", stocks)
        if stocks.ndim != 3 or stocks.shape[0] < 2 or stocks.shape[1:] != (len(SEXES), AGE_COUNT):
            refuse(
                "population.stocks",
                f"must have shape (years + 1, 2 sexes, 101 ages), got {stocks.shape}",
                f"ຕ້ອງມີຮູບຮ່າງ (ປີ + 1, 2 ເພດ, 101 ອາຍຸ), ແຕ່ໄດ້ຮັບ {stocks.shape}",
            )  # own wording (glossary: ປີ year, ເພດ sex, ອາຍຸ age)
        average = 0.5 * (stocks[:-1] + stocks[1:])
        if births is not None:
            births = checks.as_array("population.births", births)
            births = births.sum(axis=-1) if births.ndim == 2 else births
        years = check_year(first_year, "population.first_year") + np.arange(average.shape[0])
        return cls(years=years, female=average[:, FEMALE], male=average[:, MALE], births=births)


def validate_population(population: PopulationByAge, field: str = "population") -> PopulationByAge:
    """The same population with float64 arrays, or an `ActuarialInputError`."""
    if not isinstance(population, PopulationByAge):
        refuse(field, "must be a PopulationByAge", "ຕ້ອງເປັນ PopulationByAge")  # own wording
    years = check_year_axis(population.years, f"{field}.years")
    arrays = {}
    for sex in ("female", "male"):
        array = checks.as_array(f"{field}.{sex}", getattr(population, sex))
        checks.shape(f"{field}.{sex}", array, (years.size, AGE_COUNT), YEAR_BY_AGE)
        checks.non_negative(f"{field}.{sex}", array, axes=("year", "age"), first_year=years[0])
        arrays[sex] = array
    births = None
    if population.births is not None:
        births = checks.as_array(f"{field}.births", population.births)
        check_one_value_per_year(births, years, f"{field}.births")
        checks.non_negative(f"{field}.births", births, axes=("year",), first_year=years[0])
    return PopulationByAge(years=years, female=arrays["female"], male=arrays["male"], births=births)


@dataclass(frozen=True, eq=False)
class YearlyPath:
    """Values entered year by year (one value per year of `years`)."""

    years: np.ndarray
    values: np.ndarray

    def on(self, years: np.ndarray, field: str) -> np.ndarray:
        """The values for `years`, refused if the path does not cover every one of them."""
        own_years = check_year_axis(self.years, f"{field}.years")
        values = checks.as_array(f"{field}.values", self.values)
        check_one_value_per_year(values, own_years, f"{field}.values")
        check_covers(own_years, years, field)
        return values[years - own_years[0]]


@dataclass(frozen=True)
class PhaseIn:
    """A programme reaching people gradually: nothing before `start_year`, `start_rate` in
    `start_year`, rising in a straight line to `full_rate` in `full_year`, and held there."""

    start_year: int
    start_rate: float
    full_year: int
    full_rate: float

    def on(self, years: np.ndarray, field: str) -> np.ndarray:
        start_year = check_year(self.start_year, f"{field}.start_year")
        full_year = check_year(self.full_year, f"{field}.full_year")
        start_rate = check_rate(self.start_rate, f"{field}.start_rate")
        full_rate = check_rate(self.full_rate, f"{field}.full_rate")
        if full_year < start_year:
            refuse(
                f"{field}.full_year",
                f"must not be before start_year ({start_year}), got {full_year}",
                f"ຕ້ອງບໍ່ກ່ອນປີເລີ່ມຕົ້ນ ({start_year}), ແຕ່ໄດ້ຮັບ {full_year}",
            )  # own wording
        if full_year == start_year:
            progress = (years >= start_year).astype(np.float64)
        else:
            progress = np.clip((years - start_year) / (full_year - start_year), 0.0, 1.0)
        rates = start_rate + (full_rate - start_rate) * progress
        return np.where(years < start_year, 0.0, rates)


def rates_by_single_age(values: object, field: str) -> np.ndarray:
    """101 fractions, one for each single age 0..99 and the 100+ group."""
    rates = checks.shape(field, checks.as_array(field, values), (AGE_COUNT,), BY_AGE)
    return checks.share(field, rates, axes=("age",))


#: A rate held constant, phased in, or entered year by year.
RatePath = float | PhaseIn | YearlyPath


def rate_path(rate: RatePath, years: np.ndarray, field: str) -> np.ndarray:
    """A rate for each of `years`, every value within 0-100 %."""
    if isinstance(rate, PhaseIn | YearlyPath):
        rates = rate.on(years, field)
        checks.share(field, rates, axes=("year",), first_year=years[0])
        return rates
    return np.full(years.size, check_rate(rate, field))


@dataclass(frozen=True, eq=False)
class MacroAssumptions:
    """Economic paths over `years`, which must include every year costed and every base year of
    an amount indexed to prices.

    - `gdp_kip`: nominal GDP of each year, kip;
    - `inflation`: consumer-price growth from the previous year to this one (0.05 = 5 %); the
      value for the first year is not used;
    - government spending, either in kip (`government_spending_kip`) or as a share of GDP
      (`government_spending_share_of_gdp`), exactly one of the two;
    - `kip_per_usd`: the exchange rate, needed only by amounts held constant in US dollars.

    Scalars are accepted for every path except GDP and are taken as the same value each year.
    """

    years: np.ndarray
    gdp_kip: np.ndarray
    inflation: np.ndarray | float
    government_spending_kip: np.ndarray | None = None
    government_spending_share_of_gdp: np.ndarray | float | None = None
    kip_per_usd: np.ndarray | float | None = None


@dataclass(frozen=True, eq=False)
class MacroPaths:
    """Validated macro paths over the macro years, with the consumer price index (1.0 in the
    first macro year) that indexation uses."""

    years: np.ndarray
    gdp_kip: np.ndarray
    price_index: np.ndarray
    government_spending_kip: np.ndarray
    kip_per_usd: np.ndarray | None

    def rows(self, years: np.ndarray) -> np.ndarray:
        return years - self.years[0]


def validate_macro(macro: MacroAssumptions, field: str = "macro") -> MacroPaths:
    if not isinstance(macro, MacroAssumptions):
        refuse(field, "must be a MacroAssumptions", "ຕ້ອງເປັນ MacroAssumptions")  # own wording
    years = check_year_axis(macro.years, f"{field}.years")
    gdp = _per_year(macro.gdp_kip, years, f"{field}.gdp_kip", allow_scalar=False)
    _check_all_positive(gdp, f"{field}.gdp_kip")
    inflation = _per_year(macro.inflation, years, f"{field}.inflation")
    check_growth_rates(inflation, f"{field}.inflation")
    price_index = np.cumprod(np.concatenate(([1.0], 1.0 + inflation[1:])))
    spending = _government_spending(macro, years, gdp, field)
    kip_per_usd = None
    if macro.kip_per_usd is not None:
        kip_per_usd = _per_year(macro.kip_per_usd, years, f"{field}.kip_per_usd")
        _check_all_positive(kip_per_usd, f"{field}.kip_per_usd")
    return MacroPaths(
        years=years,
        gdp_kip=gdp,
        price_index=price_index,
        government_spending_kip=spending,
        kip_per_usd=kip_per_usd,
    )


def _government_spending(
    macro: MacroAssumptions, years: np.ndarray, gdp: np.ndarray, field: str
) -> np.ndarray:
    in_kip = macro.government_spending_kip is not None
    as_share = macro.government_spending_share_of_gdp is not None
    if in_kip == as_share:
        refuse(
            f"{field}.government_spending_kip",
            "give government spending either in kip or as a share of GDP (exactly one)",
            "ໃຫ້ໃສ່ລາຍຈ່າຍລັດຖະບານເປັນກີບ ຫຼື ເປັນສ່ວນແບ່ງຂອງ GDP (ຢ່າງໃດຢ່າງໜຶ່ງເທົ່ານັ້ນ)",
        )  # own wording
    if in_kip:
        spending = _per_year(
            macro.government_spending_kip,
            years,
            f"{field}.government_spending_kip",
            allow_scalar=False,
        )
        _check_all_positive(spending, f"{field}.government_spending_kip")
        return spending
    share_field = f"{field}.government_spending_share_of_gdp"
    share = _per_year(macro.government_spending_share_of_gdp, years, share_field)
    checks.share(share_field, share, axes=("year",), first_year=years[0])
    _check_all_positive(share, share_field)
    return share * gdp


def _per_year(
    values: object, years: np.ndarray, field: str, *, allow_scalar: bool = True
) -> np.ndarray:
    if allow_scalar and np.ndim(values) == 0:
        return np.full(years.size, check_number(values, field))
    array = checks.as_array(field, values)
    check_one_value_per_year(array, years, field)
    return array


def _check_all_positive(array: np.ndarray, field: str) -> None:
    if np.any(array <= 0):
        refuse(
            field,
            f"must be greater than zero every year, got {float(array.min()):g}",
            f"ຕ້ອງໃຫຍ່ກວ່າ 0 ທຸກປີ, ແຕ່ໄດ້ຮັບ {float(array.min()):g}",
        )  # own wording


def grow_from_base(
    years: np.ndarray, base_year: int, base_value: float, growth: np.ndarray
) -> np.ndarray:
    """A level path from its value in `base_year` and yearly growth rates (growth[i] takes year
    i-1 to year i): forward by compounding, backward by discounting."""
    growth_factors = np.concatenate(([1.0], 1.0 + np.asarray(growth, dtype=np.float64)[1:]))
    index = np.cumprod(growth_factors)
    return base_value * index / index[base_year - years[0]]


@dataclass(frozen=True)
class ProvisionalInput:
    """An input used without a source: shown with every result that depends on it."""

    name: str
    value: str
    reason: str
