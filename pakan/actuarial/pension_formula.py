"""The old-age pension formula, as the projection applies it to groups of members.

Each old-age scheme (the legal parameters have "enterprise" and "public") gives, for a member
with k credited years who reaches the pension age:

    k < minimum_years                          no pension; the lump sum
                                               lump_sum_months_per_year x k x reference wage
    k >= minimum_years                         a monthly pension rate(k) x reference wage,
                                               kept between the minimum and maximum amounts
    rate(k) = min(maximum_rate, rate_at_full_years
                  + rate_per_year_above x max(k - full_rate_years, 0)
                  - rate_per_year_below x max(full_rate_years - k, 0))    (never below 0)

The reference wage is the average insurable wage of the last `reference_wage_years` years. A
plain accrual formula (accrual x years x reference wage) is `PensionFormula.linear`.

`from_rules(date, scheme)` reads the dated legal parameters under
`social_security.benefits.old_age.<scheme>` (written with the benefits rules): the normal pension
age by sex, the reduced-pension minimum years, the rate's base, base years, steps above and
below and maximum, the reference-wage months (turned into whole years: the model's time step is
a year), the minimum and maximum amounts and the lump sum (wage share x months per year). What
the model leaves out of the legal rules: early pensions (hazardous work, disability, pre-1975
service), deferral increases, and credited pre-1975 service; everyone claims at the normal age.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial import checks
from pakan.actuarial.axes import SEXES
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.paths import YearPath, anchor_span, over_years

OLD_AGE = "social_security.benefits.old_age"
SCHEME_OF_CATEGORY = "social_security.benefits.scheme_of_category"
LOWEST_PENSION_AGE, HIGHEST_PENSION_AGE = 40, 75


@dataclass(frozen=True)
class PensionFormula:
    """One scheme's old-age pension rules (rates are shares of the reference wage; amounts
    monthly kip in base-year money, raised each year with the wage index; 0 = no bound)."""

    pension_age: YearPath
    minimum_years: int
    rate_at_full_years: float
    full_rate_years: int = 0
    rate_per_year_above: float = 0.0
    rate_per_year_below: float = 0.0
    maximum_rate: float = 1.0
    reference_wage_years: int = 1
    minimum_monthly_pension: float = 0.0
    maximum_monthly_pension: float = 0.0
    lump_sum_months_per_year: float = 0.0
    sources: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pension_ages(*anchor_span(self.pension_age))
        checks.whole_number("pension.minimum_years", self.minimum_years, 0, 60)
        checks.whole_number("pension.full_rate_years", self.full_rate_years, 0, 60)
        checks.whole_number("pension.reference_wage_years", self.reference_wage_years, 1, 40)
        for name in ("rate_at_full_years", "rate_per_year_above", "rate_per_year_below",
                     "maximum_rate"):
            checks.share(f"pension.{name}", getattr(self, name))
        for name in ("minimum_monthly_pension", "maximum_monthly_pension"):
            checks.non_negative(f"pension.{name}", getattr(self, name))
        checks.within("pension.lump_sum_months_per_year", self.lump_sum_months_per_year, 0, 24)

    @classmethod
    def linear(
        cls,
        accrual_rate: float,
        pension_age: YearPath,
        minimum_years: int,
        reference_wage_years: int = 1,
        maximum_rate: float = 1.0,
    ) -> PensionFormula:
        """accrual x credited years x reference wage, from `minimum_years` on."""
        return cls(
            pension_age=pension_age,
            minimum_years=minimum_years,
            rate_at_full_years=0.0,
            full_rate_years=0,
            rate_per_year_above=accrual_rate,
            maximum_rate=maximum_rate,
            reference_wage_years=reference_wage_years,
        )

    @classmethod
    def from_rules(cls, when: datetime.date, scheme: str = "enterprise") -> PensionFormula:
        """The scheme's rules valid on `when`, from `social_security.benefits.old_age.<scheme>`."""
        from pakan.rules.legal_parameters import RulesError, entry_at

        prefix = f"{OLD_AGE}.{scheme}"
        sources: dict[str, str] = {}

        def read(name: str) -> float:
            try:
                entry = entry_at(f"{prefix}.{name}", when)
            except RulesError as error:
                raise ActuarialInputError(
                    f"the legal parameter {prefix}.{name} is not available on {when}: "
                    f"{error.english}",
                    f"ບໍ່ມີພາລາມິເຕີ {prefix}.{name} ສຳລັບວັນທີ {when}",  # own wording
                    field=f"pension.{scheme}",
                ) from None
            flag = " (provisional)" if entry.provisional else ""
            sources[f"{prefix}.{name}"] = f"{entry.value} from {entry.start}{flag}"
            return entry.value

        age = [read("normal_age.male"), read("normal_age.female")]
        return cls(
            pension_age=np.array(age, dtype=np.float64),
            minimum_years=int(read("reduced_pension.minimum_years")),
            rate_at_full_years=float(read("rate.base")),
            full_rate_years=int(read("rate.base_years")),
            rate_per_year_above=float(read("rate.per_year_above")),
            rate_per_year_below=float(read("rate.per_year_below")),
            maximum_rate=float(read("rate.maximum")),
            reference_wage_years=max(1, round(read("reference_wage_months") / 12)),
            minimum_monthly_pension=float(read("minimum_amount")),
            maximum_monthly_pension=float(read("maximum_amount")),
            lump_sum_months_per_year=float(read("lump_sum.wage_share"))
            * float(read("lump_sum.months_per_year")),
            sources=sources,
        )

    def pension_ages(self, first_year: int, years: int) -> NDArray[np.int64]:
        """Pension age `[year, sex]`, whole years. A {year: age} path is interpolated and
        rounded down, so 60 in 2030 and 65 in 2040 raise the age by one every two years."""
        ages = over_years("pension.pension_age", self.pension_age, first_year, years,
                          (len(SEXES),))
        if isinstance(self.pension_age, Mapping):
            anchors = np.array([np.asarray(v, dtype=float) for v in self.pension_age.values()])
            if np.any(anchors != np.round(anchors)):
                raise ActuarialInputError(
                    "pension ages must be whole years", "ກະສຽນອາຍຸຕ້ອງເປັນປີເຕັມ",  # own wording
                    field="pension.pension_age",
                )
            ages = np.floor(ages + 1e-9)
        checks.within("pension.pension_age", ages, LOWEST_PENSION_AGE, HIGHEST_PENSION_AGE,
                      axes=("year", "sex"), first_year=first_year)
        if np.any(ages != np.round(ages)):
            raise ActuarialInputError(
                "pension ages must be whole years", "ກະສຽນອາຍຸຕ້ອງເປັນປີເຕັມ",  # own wording
                field="pension.pension_age",
            )
        return ages.astype(np.int64)

    def rate(self, credited_years: NDArray) -> NDArray:
        """Pension rate for each number of credited years (0 where no pension is due)."""
        years = np.asarray(credited_years, dtype=np.float64)
        above = np.maximum(years - self.full_rate_years, 0.0)
        below = np.maximum(self.full_rate_years - years, 0.0)
        rate = (self.rate_at_full_years + self.rate_per_year_above * above
                - self.rate_per_year_below * below)
        rate = np.clip(rate, 0.0, self.maximum_rate)
        return np.where(years >= self.minimum_years, rate, 0.0)

    def lump_sum_months(self, credited_years: NDArray) -> NDArray:
        """Months of reference wage paid as a lump sum (to those with too few years)."""
        years = np.asarray(credited_years, dtype=np.float64)
        return np.where(years < self.minimum_years, self.lump_sum_months_per_year * years, 0.0)


@dataclass(frozen=True)
class PensionAssumptions:
    """The schemes' formulas and which scheme each category of insured belongs to."""

    schemes: Mapping[str, PensionFormula]
    scheme_of_category: Mapping[str, str]

    def __post_init__(self) -> None:
        if not self.schemes:
            raise ActuarialInputError("give at least one scheme", "ຕ້ອງມີຢ່າງໜ້ອຍໜຶ່ງລະບົບ",
                                      field="pension.schemes")  # own wording
        for scheme, formula in self.schemes.items():
            if not isinstance(formula, PensionFormula):
                raise ActuarialInputError(
                    "must be a PensionFormula", "ຕ້ອງເປັນ PensionFormula",
                    field=f"pension.schemes.{scheme}",
                )
        unknown = sorted(set(self.scheme_of_category.values()) - set(self.schemes))
        if unknown:
            raise ActuarialInputError(
                f"categories point to schemes {unknown} that have no formula",
                f"ບໍ່ມີສູດບຳນານສຳລັບລະບົບ {unknown}",  # own wording
                field="pension.scheme_of_category",
            )

    @property
    def scheme_names(self) -> tuple[str, ...]:
        return tuple(self.schemes)

    @classmethod
    def single(cls, formula: PensionFormula, categories: tuple[str, ...]) -> PensionAssumptions:
        """Every category under one formula."""
        return cls({"all": formula}, dict.fromkeys(categories, "all"))

    @classmethod
    def from_rules(cls, when: datetime.date, categories: tuple[str, ...]) -> PensionAssumptions:
        """Each category's scheme (`social_security.benefits.scheme_of_category.<category>`)
        with its formula valid on `when`."""
        from pakan.rules.legal_parameters import value_at

        mapping = {c: str(value_at(f"{SCHEME_OF_CATEGORY}.{c}", when)) for c in categories}
        schemes = {scheme: PensionFormula.from_rules(when, scheme)
                   for scheme in dict.fromkeys(mapping.values())}
        return cls(schemes, mapping)
