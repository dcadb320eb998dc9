"""Cohort-component projection of the population by sex and single year of age.

Stocks are counted on 1 January of each year t (ages at last birthday, 100 = 100+); flows
(births, deaths, net migration) happen during year t. With S and S(birth) from the year's life
table (see `mortality`):

    D(s, x, t) = P(s, x, t) (1 - S(s, x, t))                 deaths by age at the start of t
    P(s, x+1, t+1) = P(s, x, t) - D(s, x, t) + M(s, x, t)    x = 0..98
    P(s, 100+, t+1) = sum over x = 99, 100+ of (P - D + M)
    B(t) = sum over x of f(x, t) (F(x, t) + F(x, t+1)) / 2   F = women, f = fertility rate
    B(s, t) = B(t) * SRB / (1 + SRB) for boys, B(t) / (1 + SRB) for girls
    P(s, 0, t+1) = B(s, t) S(s, birth, t),  deaths of the newborn B(s, t) (1 - S(s, birth, t))

M is net migration by age at the start of the year, added at its end with no mortality of its
own (the ILO Pension Model's convention). Fertility is either age-specific rates or a total
fertility rate times a schedule that sums to 1. The balance P(t+1) = P(t) - deaths + births +
migration holds by age and sex each year (tested).

The base population is entered as counts `[sex, age]`, or built from person-level columns with
`BasePopulation.from_counts` (the form a registry extract takes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pakan.actuarial import checks
from pakan.actuarial.axes import AGE_COUNT, FEMALE, OPEN_AGE, SEXES
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.mortality import MortalityAssumption, survival_factors
from pakan.actuarial.paths import YearPath, anchor_span, over_years

FERTILITY_AGES = range(10, 55)  # a fertility rate outside these ages is refused


@dataclass(frozen=True)
class BasePopulation:
    """Persons alive on 1 January of `year`, `counts[sex, age]` (age 100 = 100 and over)."""

    year: int
    counts: NDArray[np.float64]
    source: str = ""

    def __post_init__(self) -> None:
        checks.whole_number("base_population.year", self.year, 1900, 2200)
        counts = checks.non_negative(
            "base_population.counts", self.counts, axes=("sex", "age")
        )
        checks.shape("base_population.counts", counts, (len(SEXES), AGE_COUNT), "sex, age 0-100+")
        object.__setattr__(self, "counts", counts)

    @classmethod
    def from_counts(
        cls,
        year: int,
        sexes: ArrayLike,
        ages: ArrayLike,
        weights: ArrayLike | None = None,
        source: str = "",
    ) -> BasePopulation:
        """Aggregate person-level (or grouped) columns: sex as "M"/"F" or 0/1, age in whole years
        (100 and over go to the open group), an optional weight per row (1 each if omitted)."""
        age_array = checks.non_negative("base_population.ages", ages)
        if np.any(age_array != np.floor(age_array)):
            raise ActuarialInputError(
                "ages must be whole years", "ອາຍຸຕ້ອງເປັນປີເຕັມ", field="base_population.ages"
            )  # own wording
        sex_array = checks.sex_codes("base_population.sexes", sexes)
        if sex_array.shape != age_array.shape:
            raise ActuarialInputError(
                "sexes and ages must have the same length",
                "ເພດ ແລະ ອາຍຸ ຕ້ອງມີຈຳນວນເທົ່າກັນ",  # own wording
                field="base_population.ages",
            )
        weight = np.ones(age_array.shape) if weights is None else checks.non_negative(
            "base_population.weights", weights
        )
        counts = np.zeros((len(SEXES), AGE_COUNT))
        np.add.at(counts, (sex_array, np.minimum(age_array, OPEN_AGE).astype(int)), weight)
        return cls(year, counts, source)

    @property
    def total(self) -> float:
        return float(self.counts.sum())


def fertility_schedule(mean_age: float = 28.5, standard_deviation: float = 6.5) -> NDArray:
    """Shares of a total fertility rate by age `[age 0..100]`, summing to 1.

    A beta density on [15, 50) with the given mean and standard deviation (method of moments),
    evaluated at mid-year ages 15.5..49.5: a smooth, one-peaked, documented shape to use when
    no observed age pattern exists.
    """
    checks.within("fertility.mean_age", mean_age, 20.0, 40.0)
    checks.within("fertility.standard_deviation", standard_deviation, 3.0, 9.0)
    low, width = 15.0, 35.0
    mean = (mean_age - low) / width
    variance = (standard_deviation / width) ** 2
    common = mean * (1.0 - mean) / variance - 1.0
    shape_a, shape_b = mean * common, (1.0 - mean) * common
    ages = np.arange(15, 50) + 0.5
    position = (ages - low) / width
    density = position ** (shape_a - 1.0) * (1.0 - position) ** (shape_b - 1.0)
    schedule = np.zeros(AGE_COUNT)
    schedule[15:50] = density / density.sum()
    return schedule


@dataclass(frozen=True)
class FertilityAssumption:
    """Births per woman and year by age; give exactly one of:

    - `total_fertility_rate` (a path, see `paths`) and `schedule` `[age]` summing to 1;
    - `age_specific_rates` (a path of `[age]` arrays, births per woman in the year).

    `sex_ratio_at_birth` is boys per girl (1.04 means 104 boys for 100 girls).
    """

    total_fertility_rate: YearPath | None = None
    schedule: NDArray | None = None
    age_specific_rates: YearPath | None = None
    sex_ratio_at_birth: YearPath = 1.05

    def __post_init__(self) -> None:
        if (self.total_fertility_rate is None) == (self.age_specific_rates is None):
            raise ActuarialInputError(
                "give either a total fertility rate with a schedule, or age-specific rates",
                "ໃຫ້ອັດຕາການເກີດລວມ ພ້ອມຕາຕະລາງ ຫຼື ອັດຕາການເກີດຕາມອາຍຸ ຢ່າງໃດຢ່າງໜຶ່ງ",  # own
                field="fertility",
            )
        if self.total_fertility_rate is not None:
            schedule = fertility_schedule() if self.schedule is None else self.schedule
            object.__setattr__(self, "schedule", _checked_schedule(schedule))
        span = anchor_span(self.total_fertility_rate, self.age_specific_rates,
                           self.sex_ratio_at_birth)
        self.rates(*span)  # shapes and ranges now; the horizon's length when projecting
        self.boys_share(*span)

    def rates(self, first_year: int, years: int) -> NDArray:
        """f `[year, age]`."""
        if self.age_specific_rates is not None:
            rates = over_years(
                "fertility.age_specific_rates", self.age_specific_rates, first_year, years,
                (AGE_COUNT,),
            )
            checks.share("fertility.age_specific_rates", rates, axes=("year", "age"),
                         first_year=first_year)
            outside = np.ones(AGE_COUNT, dtype=bool)
            outside[FERTILITY_AGES.start : FERTILITY_AGES.stop] = False
            if np.any(rates[:, outside] > 0):
                raise ActuarialInputError(
                    f"fertility must be 0 outside ages {FERTILITY_AGES.start}-"
                    f"{FERTILITY_AGES.stop - 1}",
                    f"ອັດຕາການເກີດຕ້ອງເປັນ 0 ນອກອາຍຸ {FERTILITY_AGES.start}-"
                    f"{FERTILITY_AGES.stop - 1}",  # own wording
                    field="fertility.age_specific_rates",
                )
            return rates
        total = over_years(
            "fertility.total_fertility_rate", self.total_fertility_rate, first_year, years
        )
        checks.within("fertility.total_fertility_rate", total, 0.0, 10.0, axes=("year",),
                      first_year=first_year)
        return total[:, None] * self.schedule[None, :]

    def boys_share(self, first_year: int, years: int) -> NDArray:
        """Share of births that are boys `[year]`."""
        ratio = over_years("fertility.sex_ratio_at_birth", self.sex_ratio_at_birth,
                           first_year, years)
        checks.within("fertility.sex_ratio_at_birth", ratio, 0.8, 1.3, axes=("year",),
                      first_year=first_year)
        return ratio / (1.0 + ratio)


def _checked_schedule(schedule: ArrayLike) -> NDArray:
    values = checks.share("fertility.schedule", schedule, axes=("age",))
    checks.shape("fertility.schedule", values, (AGE_COUNT,), "age 0-100+")
    if abs(values.sum() - 1.0) > 1e-6:
        raise ActuarialInputError(
            f"the schedule's shares must sum to 1, not {values.sum():.6f}",
            f"ຜົນລວມຂອງສ່ວນແບ່ງຕ້ອງເທົ່າກັບ 1, ບໍ່ແມ່ນ {values.sum():.6f}",  # own wording
            field="fertility.schedule",
        )
    outside = np.ones(AGE_COUNT, dtype=bool)
    outside[FERTILITY_AGES.start : FERTILITY_AGES.stop] = False
    if np.any(values[outside] > 0):
        raise ActuarialInputError(
            f"the schedule must be 0 outside ages {FERTILITY_AGES.start}-"
            f"{FERTILITY_AGES.stop - 1}",
            f"ຕາຕະລາງຕ້ອງເປັນ 0 ນອກອາຍຸ {FERTILITY_AGES.start}-{FERTILITY_AGES.stop - 1}",
            field="fertility.schedule",
        )
    return values


@dataclass(frozen=True)
class MigrationAssumption:
    """Net migrants during each year by sex and age at its start (negative = net emigration):
    a path of `[sex, age]` arrays (see `paths`). Zero by default."""

    net_migrants: YearPath = 0.0

    def __post_init__(self) -> None:
        self.migrants(*anchor_span(self.net_migrants))

    def migrants(self, first_year: int, years: int) -> NDArray:
        return over_years(
            "migration.net_migrants", self.net_migrants, first_year, years,
            (len(SEXES), AGE_COUNT),
        )


@dataclass(frozen=True)
class DemographicAssumptions:
    base_population: BasePopulation
    mortality: MortalityAssumption
    fertility: FertilityAssumption
    migration: MigrationAssumption = field(default_factory=MigrationAssumption)

    def __post_init__(self) -> None:
        for name, kind in (
            ("base_population", BasePopulation),
            ("mortality", MortalityAssumption),
            ("fertility", FertilityAssumption),
            ("migration", MigrationAssumption),
        ):
            if not isinstance(getattr(self, name), kind):
                raise ActuarialInputError(
                    f"must be a {kind.__name__}", f"ຕ້ອງເປັນ {kind.__name__}", field=name
                )


@dataclass(frozen=True)
class PopulationProjection:
    """A projection's stocks and flows, with a leading runs axis (1 for a deterministic run).

    population `[run, year 0..T, sex, age]` on 1 January; deaths `[run, year 0..T-1, sex, age]`
    by age at the start of the year; newborn_deaths and births `[run, year, sex]`; migration
    `[year, sex, age]`; survival `[run, year, sex, age]` (S(99+) at 99 and 100).
    """

    first_year: int
    population: NDArray
    births: NDArray
    deaths: NDArray
    newborn_deaths: NDArray
    migration: NDArray
    survival: NDArray
    rates: NDArray

    @property
    def years(self) -> NDArray:
        return self.first_year + np.arange(self.population.shape[1])

    def total(self) -> NDArray:
        """Total population `[run, year]`."""
        return self.population.sum(axis=(-2, -1))


def project_population(
    demography: DemographicAssumptions,
    horizon_years: int,
    mortality_shock: NDArray | None = None,
) -> PopulationProjection:
    """Project `horizon_years` years from the base population.

    `mortality_shock` `[run, year]` multiplies every death rate of a run's year (random
    mortality, see `stochastic`); without it there is one run.
    """
    years = checks.horizon(horizon_years)
    first_year = demography.base_population.year
    rates = demography.mortality.rates(first_year, years)[None]  # [run, year, sex, age]
    if mortality_shock is not None:
        rates = rates * mortality_shock[:, :years, None, None]
    runs = rates.shape[0]
    fertility = demography.fertility.rates(first_year, years)
    boys = demography.fertility.boys_share(first_year, years)
    migration = demography.migration.migrants(first_year, years)
    newborn_survival, survival = survival_factors(rates)

    population = np.empty((runs, years + 1, len(SEXES), AGE_COUNT))
    deaths = np.empty((runs, years, len(SEXES), AGE_COUNT))
    births = np.empty((runs, years, len(SEXES)))
    newborn_deaths = np.empty((runs, years, len(SEXES)))
    population[:, 0] = demography.base_population.counts
    for year in range(years):
        current = population[:, year]
        deaths[:, year] = current * (1.0 - survival[:, year])
        remaining = current - deaths[:, year] + migration[year]
        following = population[:, year + 1]
        following[..., 1:OPEN_AGE] = remaining[..., : OPEN_AGE - 1]
        following[..., OPEN_AGE] = remaining[..., OPEN_AGE - 1] + remaining[..., OPEN_AGE]
        women = 0.5 * (current[:, FEMALE, 1:] + following[:, FEMALE, 1:])
        total_births = (fertility[year, 1:] * women).sum(axis=-1)
        births[:, year, 0] = total_births * boys[year]
        births[:, year, 1] = total_births * (1.0 - boys[year])
        newborn_deaths[:, year] = births[:, year] * (1.0 - newborn_survival[:, year])
        following[..., 0] = births[:, year] - newborn_deaths[:, year]
        _refuse_negative(following, migration[year], first_year + year)
    return PopulationProjection(
        first_year, population, births, deaths, newborn_deaths, migration, survival, rates
    )


def _refuse_negative(population: NDArray, migration: NDArray, year: int) -> None:
    negative = population < -1e-6
    if np.any(negative):
        _, sex, age = (int(i) for i in np.argwhere(negative)[0])
        raise ActuarialInputError(
            f"net emigration in {year} takes the population aged {max(age - 1, 0)} "
            f"({SEXES[sex]}) below zero (net migrants {migration[sex, max(age - 1, 0)]:g})",
            f"ການຍ້າຍອອກສຸດທິໃນປີ {year} ເຮັດໃຫ້ປະຊາກອນຕິດລົບ",  # own wording
            field="migration.net_migrants",
        )
    np.maximum(population, 0.0, out=population)


def stationary_population(table_rates: NDArray, births_per_year: ArrayLike) -> NDArray:
    """The stationary population `[sex, age]` of a life table with constant births `[sex]`:
    P(0) = B S(birth), P(x+1) = P(x) S(x), P(100+) = P(99) S(99+) / (1 - S(99+))."""
    newborn_survival, survival = survival_factors(np.asarray(table_rates))
    births = checks.non_negative("births_per_year", births_per_year)
    population = np.empty((len(SEXES), AGE_COUNT))
    population[:, 0] = births * newborn_survival
    for age in range(1, OPEN_AGE):
        population[:, age] = population[:, age - 1] * survival[:, age - 1]
    open_survival = survival[:, OPEN_AGE]
    population[:, OPEN_AGE] = np.divide(
        population[:, OPEN_AGE - 1] * open_survival,
        1.0 - open_survival,
        out=np.zeros(len(SEXES)),
        where=open_survival < 1.0,
    )
    return population

