"""Labour force, the insured population and their wages.

For each category c of insured (enterprise employees, civil servants, ... : the keys of the
mappings below), sex s and age x on 1 January of year t:

    employed(s, x, t) = P(s, x, t) LFPR(s, x, t) (1 - u(s, x, t))
    A*(c, s, x, t) = employed(s, x, t) coverage(c, s, x, t)        insured who contribute

A* is the target stock of active insured; the flows that reach it (new entrants, re-entrants,
exits) and the credited years each member holds are followed in `engine`.

Wages are monthly kip. The mean wage of the category's insured at age x in year t is

    w(c, s, x, t) = average_monthly_wage(c) k(c) profile(c, s, x) index(t)

with index(t) the product of (1 + wage growth) since the base year and k(c) chosen so that the
mean over the base year's insured is `average_monthly_wage(c)`. Within an age a wage is
lognormal with log standard deviation `dispersion(c)` (0 = everyone earns the mean), and the
insurable wage is the expected wage clipped to [floor, ceiling]:

    E[clip(W, f, c)] = f Phi(d_f) + m (Phi(d_c - sigma) - Phi(d_f - sigma)) + c (1 - Phi(d_c)),
    d_y = (ln y - ln m + sigma^2 / 2) / sigma

The floor follows the wage index (the minimum wage is assumed to grow with wages); the ceiling
does too when `ceiling_follows_wages`, otherwise it stays at its base-year amount.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pakan.actuarial import checks
from pakan.actuarial.axes import AGE_COUNT, ENTRY_AGE, OPEN_AGE, SEXES
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.paths import YearPath, anchor_span, over_years


def _categories(field_name: str, mapping: object) -> tuple[str, ...]:
    if not isinstance(mapping, Mapping) or not mapping:
        raise ActuarialInputError(
            "must map each category of insured to a value",
            "ຕ້ອງໃຫ້ຄ່າສຳລັບແຕ່ລະປະເພດຜູ້ປະກັນຕົນ",  # own wording
            field=field_name,
        )
    return tuple(mapping)


def same_categories(field_name: str, mapping: Mapping, categories: tuple[str, ...]) -> None:
    """Refuse a mapping whose categories differ from the coverage's."""
    if set(mapping) != set(categories):
        missing = sorted(set(categories) - set(mapping))
        extra = sorted(set(mapping) - set(categories))
        raise ActuarialInputError(
            f"categories must be those of labour.coverage {sorted(categories)}; "
            f"missing {missing}, unknown {extra}",
            f"ປະເພດຜູ້ປະກັນຕົນບໍ່ກົງກັນ: ຂາດ {missing}, ບໍ່ຮູ້ຈັກ {extra}",  # own wording
            field=field_name,
        )


def default_wage_profile() -> NDArray:
    """Relative wage by age `[sex, age]`: exp(0.06 (x-15) - 0.0009 (x-15)^2), peaking near 48.

    A documented shape for when no wage-by-age data exist; the same for both sexes."""
    ages = np.arange(AGE_COUNT, dtype=np.float64)
    years = np.maximum(ages - ENTRY_AGE, 0.0)
    profile = np.exp(0.06 * years - 0.0009 * years**2)
    return np.broadcast_to(profile, (len(SEXES), AGE_COUNT)).copy()


@dataclass(frozen=True)
class LabourAssumptions:
    """Participation, unemployment and coverage, each a path of `[sex, age]` shares.

    `coverage[c]` is the share of the employed who are active insured of category c (the sum over
    categories may not exceed 1); `contribution_density[c]` the share of a year an active
    member of c contributes (and is credited); `reentry_rate` the largest share of inactive
    members who take up insured work again in a year when more active insured are needed
    (the rest of the need is met by new entrants with no credits).
    """

    participation: YearPath
    unemployment: YearPath
    coverage: Mapping[str, YearPath]
    contribution_density: Mapping[str, float]
    reentry_rate: float = 0.1

    def __post_init__(self) -> None:
        categories = _categories("labour.coverage", self.coverage)
        same_categories("labour.contribution_density", self.contribution_density, categories)
        for category, density in self.contribution_density.items():
            checks.share(f"labour.contribution_density.{category}", density)
        checks.share("labour.reentry_rate", self.reentry_rate)
        self.expand(*anchor_span(self.participation, self.unemployment, *self.coverage.values()))

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.coverage)

    def expand(self, first_year: int, years: int) -> dict[str, NDArray]:
        """participation, unemployment `[year, sex, age]`; coverage `[year, category, sex, age]`;
        density `[category]`."""
        shape = (len(SEXES), AGE_COUNT)
        axes = ("year", "sex", "age")
        participation = checks.share(
            "labour.participation",
            over_years("labour.participation", self.participation, first_year, years, shape),
            axes=axes, first_year=first_year,
        )
        unemployment = checks.share(
            "labour.unemployment",
            over_years("labour.unemployment", self.unemployment, first_year, years, shape),
            axes=axes, first_year=first_year,
        )
        coverage = np.stack([
            checks.share(
                f"labour.coverage.{category}",
                over_years(f"labour.coverage.{category}", path, first_year, years, shape),
                axes=axes, first_year=first_year,
            )
            for category, path in self.coverage.items()
        ], axis=1)
        checks.share("labour.coverage (sum over categories)", coverage.sum(axis=1),
                     axes=axes, first_year=first_year, upper=1.0 + 1e-12)
        density = np.array([self.contribution_density[c] for c in self.categories])
        return {
            "participation": participation,
            "unemployment": unemployment,
            "coverage": coverage,
            "density": density,
        }


@dataclass(frozen=True)
class WageAssumptions:
    """Wages of the insured, by category (monthly kip, base year).

    `ceiling_monthly` and `floor_monthly` bound the insurable wage (use `math.inf` and 0 for no
    bound); `insurable_bounds_from_rules` reads them from the dated legal parameters.
    """

    average_monthly_wage: Mapping[str, float]
    ceiling_monthly: Mapping[str, float]
    floor_monthly: Mapping[str, float]
    age_profile: Mapping[str, ArrayLike] = field(default_factory=dict)
    dispersion: Mapping[str, float] = field(default_factory=dict)
    ceiling_follows_wages: bool = True

    def __post_init__(self) -> None:
        categories = _categories("wages.average_monthly_wage", self.average_monthly_wage)
        same_categories("wages.ceiling_monthly", self.ceiling_monthly, categories)
        same_categories("wages.floor_monthly", self.floor_monthly, categories)
        for category in categories:
            wage = checks.non_negative(
                f"wages.average_monthly_wage.{category}", self.average_monthly_wage[category]
            )
            if wage <= 0:
                raise ActuarialInputError(
                    "must be above 0", "ຕ້ອງຫຼາຍກວ່າ 0",  # own wording
                    field=f"wages.average_monthly_wage.{category}",
                )
            ceiling = float(self.ceiling_monthly[category])
            floor = float(checks.non_negative(f"wages.floor_monthly.{category}",
                                              self.floor_monthly[category]))
            if not ceiling > floor:
                raise ActuarialInputError(
                    f"the ceiling ({ceiling:,.0f}) must be above the floor ({floor:,.0f})",
                    f"ເພດານເງິນເດືອນ ({ceiling:,.0f}) ຕ້ອງສູງກວ່າຂັ້ນຕ່ຳ ({floor:,.0f})",
                    field=f"wages.ceiling_monthly.{category}",
                )
        for category in self.age_profile:
            self.profile(category)
        for category, sigma in self.dispersion.items():
            checks.within(f"wages.dispersion.{category}", sigma, 0.0, 3.0)
        unknown = (set(self.age_profile) | set(self.dispersion)) - set(categories)
        if unknown:
            raise ActuarialInputError(
                f"unknown categories {sorted(unknown)}",
                f"ປະເພດທີ່ບໍ່ຮູ້ຈັກ {sorted(unknown)}",  # own wording
                field="wages",
            )
        checks.flag("wages.ceiling_follows_wages", self.ceiling_follows_wages)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.average_monthly_wage)

    def profile(self, category: str) -> NDArray:
        if category not in self.age_profile:
            return default_wage_profile()
        name = f"wages.age_profile.{category}"
        profile = checks.non_negative(name, self.age_profile[category], axes=("sex", "age"))
        return checks.shape(name, profile, (len(SEXES), AGE_COUNT), "sex, age 0-100+")


def insurable_bounds_from_rules(when: datetime.date) -> tuple[dict[str, float], dict[str, float]]:
    """(ceiling, floor) per category, monthly kip, from the legal parameters valid on `when`.

    Employed categories: `social_security.insurable_wage.ceiling` and the floor (the greater of
    `insurable_wage.floor.amount` and `floor.minimum_wage_share` x `labour.minimum_wage`), as
    billing uses them; voluntary members: the lowest and highest income they may declare
    (`social_security.voluntary.income_classes.minimum` / `.maximum`).
    """
    from pakan.rules import social_security as rules
    from pakan.rules.legal_parameters import value_at

    month = when.replace(day=1)
    month_rules = rules.month_rules(month)
    ceilings = {category: float(month_rules.ceiling) for category in rules.EMPLOYED_CATEGORIES}
    floors = {category: float(month_rules.floor) for category in rules.EMPLOYED_CATEGORIES}
    ceilings[rules.VOLUNTARY] = float(value_at(rules.VOLUNTARY_MAXIMUM, month))
    floors[rules.VOLUNTARY] = float(value_at(rules.VOLUNTARY_MINIMUM, month))
    return ceilings, floors


def _normal_cdf(values: NDArray) -> NDArray:
    """Phi(x) through erf (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7)."""
    scaled = np.abs(values) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * scaled)
    polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (
        -1.453152027 + t * 1.061405429))))
    erf = 1.0 - polynomial * np.exp(-scaled * scaled)
    return 0.5 * (1.0 + np.sign(values) * erf)


def expected_insurable_wage(
    mean: NDArray, sigma: NDArray, floor: NDArray, ceiling: NDArray
) -> NDArray:
    """E[clip(W, floor, ceiling)] for lognormal W with the given mean and log-sd (broadcast)."""
    clipped = np.clip(mean, floor, ceiling)
    if not np.any(sigma > 0):
        return clipped
    sigma_safe = np.where(sigma > 0, sigma, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        location = np.log(np.where(mean > 0, mean, 1.0)) - 0.5 * sigma_safe**2
        d_floor = np.where(floor > 0, (np.log(np.where(floor > 0, floor, 1.0)) - location)
                           / sigma_safe, -np.inf)
        d_ceiling = np.where(np.isfinite(ceiling), (np.log(np.where(np.isfinite(ceiling),
                             ceiling, 1.0)) - location) / sigma_safe, np.inf)
    below = _normal_cdf(d_floor)
    above = 1.0 - _normal_cdf(d_ceiling)
    middle = mean * (_normal_cdf(d_ceiling - sigma_safe) - _normal_cdf(d_floor - sigma_safe))
    spread = np.where(floor > 0, floor * below, 0.0) + middle + np.where(
        np.isfinite(ceiling), ceiling * above, 0.0)
    return np.where(sigma > 0, spread, clipped)


@dataclass(frozen=True)
class InitialMembers:
    """Insured members on 1 January of the base year: `active` and `inactive` counts
    `[category, sex, age 0..100, credited years 0..100]` (inactive = not contributing now,
    credits kept), the categories named in `categories`.

    A fund extract builds it with `from_records`.
    """

    categories: tuple[str, ...]
    active: NDArray
    inactive: NDArray
    source: str = ""

    def __post_init__(self) -> None:
        shape = (len(self.categories), len(SEXES), AGE_COUNT, AGE_COUNT)
        for name in ("active", "inactive"):
            values = checks.non_negative(f"initial_members.{name}", getattr(self, name))
            checks.shape(f"initial_members.{name}", values, shape,
                         "category, sex, age, credited years")
            if np.any(values[:, :, :ENTRY_AGE] > 0):
                raise ActuarialInputError(
                    f"insured members younger than {ENTRY_AGE}",
                    f"ມີຜູ້ປະກັນຕົນອາຍຸຕ່ຳກວ່າ {ENTRY_AGE} ປີ",  # own wording
                    field=f"initial_members.{name}",
                )
            object.__setattr__(self, name, values)
        object.__setattr__(self, "categories", tuple(self.categories))

    @classmethod
    def from_records(
        cls,
        categories: ArrayLike,
        sexes: ArrayLike,
        ages: ArrayLike,
        credited_years: ArrayLike,
        active: ArrayLike,
        weights: ArrayLike | None = None,
        source: str = "",
    ) -> InitialMembers:
        """One row per member (or group): category name, sex "M"/"F" or 0/1, age, whole
        credited years, whether contributing now, and an optional weight."""
        category_column = np.asarray(categories).astype(str)
        names = tuple(dict.fromkeys(category_column.tolist()))
        category = np.array([names.index(name) for name in category_column.tolist()], dtype=int)
        sex = checks.sex_codes("initial_members.sexes", sexes)
        age = np.minimum(checks.non_negative("initial_members.ages", ages), OPEN_AGE).astype(int)
        credits = np.minimum(
            checks.non_negative("initial_members.credited_years", credited_years), OPEN_AGE
        ).astype(int)
        is_active = np.asarray(active, dtype=bool)
        weight = np.ones(age.shape) if weights is None else checks.non_negative(
            "initial_members.weights", weights)
        columns = (category, sex, age, credits, is_active, weight)
        if len({column.shape for column in columns}) != 1:
            raise ActuarialInputError(
                "all columns must have the same length", "ທຸກຖັນຕ້ອງມີຈຳນວນແຖວເທົ່າກັນ",
                field="initial_members",  # own wording
            )
        shape = (len(names), len(SEXES), AGE_COUNT, AGE_COUNT)
        counts_active, counts_inactive = np.zeros(shape), np.zeros(shape)
        for counts, rows in ((counts_active, is_active), (counts_inactive, ~is_active)):
            np.add.at(counts, (category[rows], sex[rows], age[rows], credits[rows]), weight[rows])
        return cls(names, counts_active, counts_inactive, source)
