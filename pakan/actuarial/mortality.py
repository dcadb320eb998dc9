"""Mortality: life tables, survival factors, a parametric model fitted to a life expectancy, and
mortality improvement over time.

A life table is held as central death rates m(x) by sex and single age, ages 0-99 and the open
group 100+ (`[sex, age]`, see `axes`). Rates rather than probabilities, because improvement and
random shocks scale a rate and a scaled rate is still a valid rate.

Equations (ages x = 0..99; a(x) = 1/2 except a(0), the Coale-Demeny separation factor):

    q(x) = m(x) / (1 + (1 - a(x)) m(x))           probability of dying between x and x+1
    l(0) = 1,  l(x+1) = l(x) (1 - q(x))           survivors
    L(x) = l(x) (1 - (1 - a(x)) q(x))             person-years lived between x and x+1
    L(100+) = l(100) / m(100+)                    person-years lived in the open group
    T(x) = sum of L from x,  e(x) = T(x) / l(x)   life expectancy

    a(0) from m(0) (Coale and Demeny, as tabulated in Preston, Heuveline and Guillot,
    "Demography", 2001, table 3.3): males 0.045 + 2.684 m(0), or 0.330 when m(0) >= 0.107;
    females 0.053 + 2.800 m(0), or 0.350 when m(0) >= 0.107.

Survival factors for a population counted on 1 January by age at last birthday:

    S(x) = L(x+1) / L(x)                                  x = 0..98
    S(99+) = L(100+) / (L(99) + L(100+))                  applied to the ages 99 and 100+ together
    S(birth) = L(0) / l(0)                                births of the year alive on 31 December

When no life table exists, `LifeTable.from_life_expectancy` fits the Brass logit relational
model to a target life expectancy at birth (and, if given, an infant mortality rate):

    Y(l) = 1/2 ln((1 - l) / l)
    Y(l_fitted(x)) = alpha + beta Y(l_standard(x))        x >= 1

on a standard table built from the Siler competing-hazards form

    mu(x) = a1 exp(-b1 x) + a2 + a3 exp(b3 x),
    l_standard(x) = exp(-(a1/b1)(1 - exp(-b1 x)) - a2 x - (a3/b3)(exp(b3 x) - 1)),

with the constants in `SILER_STANDARD` (our own choice, giving a plain human age pattern; they
shape the curve, the fit sets its level). With only e0 given, beta = 1 and alpha is solved by
bisection; with e0 and q(0), alpha is fixed by q(0) (alpha = Y(1 - q0) - beta Y(l_std(1))) and
beta is solved by bisection. The e0 that is matched is the one of the finished table, with the
equations above, so `LifeTable.life_expectancy()` returns the target.

Improvement: m(t) = m(base) exp(-sum of rho over years 1..t), rho the annual rate of decline by
sex and age (a path over years); a random run multiplies by exp(kappa(t)) (see `stochastic`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pakan.actuarial import checks
from pakan.actuarial.axes import AGE_COUNT, FEMALE, MALE, OPEN_AGE, SEXES
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.paths import YearPath, anchor_span, over_years

# Coale-Demeny a(0) from m(0): (intercept, slope, value at and above the threshold) by sex
_INFANT_SEPARATION = {MALE: (0.045, 2.684, 0.330), FEMALE: (0.053, 2.800, 0.350)}
_INFANT_THRESHOLD = 0.107

# Siler parameters of the standard table (a1, b1, a2, a3, b3), per sex; own choice
SILER_STANDARD: dict[int, tuple[float, float, float, float, float]] = {
    MALE: (0.090, 2.00, 0.0020, 0.000060, 0.0930),
    FEMALE: (0.080, 2.00, 0.0016, 0.000030, 0.0960),
}
_STANDARD_LAST_AGE = 130  # the fitted survivors are computed this far to close the open group
_MAXIMUM_RATE = 2.0  # m above 2 with a = 1/2 would mean q above 1


def infant_separation_factor(infant_rate: NDArray) -> NDArray:
    """a(0) for an array `[..., sex]` of infant death rates m(0)."""
    factors = np.empty_like(infant_rate)
    for sex, (intercept, slope, high) in _INFANT_SEPARATION.items():
        rate = infant_rate[..., sex]
        factors[..., sex] = np.where(rate >= _INFANT_THRESHOLD, high, intercept + slope * rate)
    return factors


def death_probabilities(rates: NDArray) -> NDArray:
    """q(x) from m(x), `[..., sex, age]`; q(100+) = 1."""
    separation = np.full_like(rates, 0.5)
    separation[..., 0] = infant_separation_factor(rates[..., 0])
    probabilities = np.minimum(rates / (1.0 + (1.0 - separation) * rates), 1.0)
    probabilities[..., OPEN_AGE] = 1.0
    return probabilities


def survival_factors(rates: NDArray) -> tuple[NDArray, NDArray]:
    """(S(birth) `[..., sex]`, S `[..., sex, age]`) from m; S at ages 99 and 100 is S(99+).

    Written with q only (no l), so it stays exact where survivors underflow and is 1 when
    mortality is zero.
    """
    probabilities = death_probabilities(rates)
    lived_share = 1.0 - 0.5 * probabilities  # L(x) / l(x) for x >= 1
    infant = probabilities[..., 0]
    infant_lived = 1.0 - (1.0 - infant_separation_factor(rates[..., 0])) * infant
    lived = np.concatenate([infant_lived[..., None], lived_share[..., 1:OPEN_AGE]], axis=-1)
    factors = np.empty_like(rates)
    factors[..., : OPEN_AGE - 1] = (
        (1.0 - probabilities[..., : OPEN_AGE - 1]) * lived[..., 1:OPEN_AGE]
        / lived[..., : OPEN_AGE - 1]
    )
    last = probabilities[..., OPEN_AGE - 1]
    open_rate = rates[..., OPEN_AGE]
    denominator = open_rate * (1.0 - 0.5 * last) + (1.0 - last)
    open_survival = np.divide(
        1.0 - last, denominator, out=np.zeros_like(last), where=denominator > 0
    )
    factors[..., OPEN_AGE - 1] = open_survival
    factors[..., OPEN_AGE] = open_survival
    return infant_lived, factors


@dataclass(frozen=True)
class LifeTableColumns:
    """The usual columns of a life table, each `[..., sex, age]` (radix l(0) = 1)."""

    death_probability: NDArray
    survivors: NDArray
    person_years: NDArray
    life_expectancy: NDArray


def life_table_columns(rates: NDArray) -> LifeTableColumns:
    """q, l, L and e(x) from m, vectorised over any leading axes."""
    probabilities = death_probabilities(rates)
    survivors = np.ones_like(rates)
    survivors[..., 1:] = np.cumprod(1.0 - probabilities[..., :OPEN_AGE], axis=-1)
    separation = np.full_like(rates, 0.5)
    separation[..., 0] = infant_separation_factor(rates[..., 0])
    person_years = survivors * (1.0 - (1.0 - separation) * probabilities)
    open_rate = rates[..., OPEN_AGE]
    person_years[..., OPEN_AGE] = np.divide(
        survivors[..., OPEN_AGE],
        open_rate,
        out=np.full_like(open_rate, np.inf),
        where=open_rate > 0,
    )
    remaining = np.cumsum(person_years[..., ::-1], axis=-1)[..., ::-1]
    expectancy = np.divide(
        remaining, survivors, out=np.zeros_like(remaining), where=survivors > 0
    )
    return LifeTableColumns(probabilities, survivors, person_years, expectancy)


def _rates_from_probabilities(probabilities: NDArray) -> NDArray:
    """Invert q = m / (1 + (1 - a) m), including the m(0)-dependent a(0)."""
    rates = probabilities / (1.0 - 0.5 * probabilities)
    for sex, (intercept, slope, high) in _INFANT_SEPARATION.items():
        q0 = probabilities[..., sex, 0]
        high_branch = q0 / (1.0 - (1.0 - high) * q0)
        # a(0) = c + d m: solve d q m^2 + (1 - q (1 - c)) m - q = 0 for m >= 0
        linear = 1.0 - q0 * (1.0 - intercept)
        with np.errstate(divide="ignore", invalid="ignore"):
            low_branch = np.where(
                q0 > 0,
                (-linear + np.sqrt(linear**2 + 4.0 * slope * q0**2)) / (2.0 * slope * q0),
                0.0,
            )
        rates[..., sex, 0] = np.where(low_branch < _INFANT_THRESHOLD, low_branch, high_branch)
    return rates


def _check_rates(field: str, rates: NDArray) -> NDArray:
    checks.shape(field, rates, (len(SEXES), AGE_COUNT), "sex, age 0-100+")
    checks.non_negative(field, rates, axes=("sex", "age"))
    too_high = rates[:, :OPEN_AGE] > _MAXIMUM_RATE
    if np.any(too_high):
        sex, age = (int(i) for i in np.argwhere(too_high)[0])
        raise ActuarialInputError(
            f"a death rate of {rates[sex, age]:g} at age {age} ({SEXES[sex]}) means a "
            "probability of dying above 1",
            f"ອັດຕາການເສຍຊີວິດ {rates[sex, age]:g} ທີ່ອາຍຸ {age} ເຮັດໃຫ້ຄວາມເປັນໄປໄດ້ເກີນ 1",
            field=field,
        )
    return rates


@dataclass(frozen=True)
class LifeTable:
    """A period life table by sex and single age; build it with one of the `from_...` methods.

    `rates` are central death rates m(x), `[sex, age 0..100+]`; `source` says where it came from.
    """

    rates: NDArray[np.float64]
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", _check_rates("life_table.mx", np.array(self.rates)))

    @classmethod
    def from_mx(cls, rates: ArrayLike, source: str = "") -> LifeTable:
        """From central death rates `[sex, age 0..100+]`; m(100+) must be above 0 unless the
        table has no mortality at all."""
        return cls(checks.as_array("life_table.mx", rates), source)

    @classmethod
    def from_qx(
        cls, probabilities: ArrayLike, open_group_rate: ArrayLike | None = None, source: str = ""
    ) -> LifeTable:
        """From probabilities of dying `[sex, age 0..100]` (q(100+) is ignored: it is 1).

        m(100+) is `open_group_rate` `[sex]` if given, else the hazard at 99 carried one more
        year at the growth it shows between 98 and 99.
        """
        field_name = "life_table.qx"
        q = checks.share(field_name, probabilities, axes=("sex", "age"))
        checks.shape(field_name, q, (len(SEXES), AGE_COUNT), "sex, age 0-100+")
        below_open = q[:, :OPEN_AGE]
        if np.any(below_open >= 1.0):
            sex, age = (int(i) for i in np.argwhere(below_open >= 1.0)[0])
            raise ActuarialInputError(
                f"q({age}) = 1 for {SEXES[sex]}: nobody would reach the open age group; only "
                "q(100+) may be 1",
                f"q({age}) = 1: ບໍ່ມີໃຜລອດຮອດອາຍຸ 100; ມີພຽງ q(100+) ທີ່ເປັນ 1 ໄດ້",
                field=field_name,
            )
        rates = _rates_from_probabilities(q.copy())
        if open_group_rate is None:
            hazard = -np.log1p(-below_open[:, OPEN_AGE - 2 :])
            growth = np.divide(
                hazard[:, 1], hazard[:, 0], out=np.ones(len(SEXES)), where=hazard[:, 0] > 0
            )
            rates[:, OPEN_AGE] = hazard[:, 1] * growth
        else:
            rates[:, OPEN_AGE] = checks.non_negative(
                "life_table.open_group_rate", open_group_rate, axes=("sex",)
            )
        return cls(rates, source)

    @classmethod
    def from_lx(
        cls, survivors: ArrayLike, open_group_rate: ArrayLike | None = None, source: str = ""
    ) -> LifeTable:
        """From survivors l(x) `[sex, age 0..100]` (any radix); they must never increase."""
        field_name = "life_table.lx"
        lx = checks.non_negative(field_name, survivors, axes=("sex", "age"))
        checks.shape(field_name, lx, (len(SEXES), AGE_COUNT), "sex, age 0-100")
        if np.any(lx[:, 0] <= 0):
            raise ActuarialInputError(
                "l(0) must be above 0", "l(0) ຕ້ອງຫຼາຍກວ່າ 0", field=field_name  # own wording
            )
        rising = np.diff(lx, axis=1) > 0
        if np.any(rising):
            sex, age = (int(i) for i in np.argwhere(rising)[0])
            raise ActuarialInputError(
                f"survivors increase from age {age} to {age + 1} ({SEXES[sex]}: "
                f"{lx[sex, age]:g} to {lx[sex, age + 1]:g}); a life table must not increase",
                f"ຈຳນວນຜູ້ລອດຊີວິດເພີ່ມຂຶ້ນຈາກອາຍຸ {age} ຫາ {age + 1}; "
                "ຕາຕະລາງອາຍຸຕ້ອງບໍ່ເພີ່ມຂຶ້ນ",  # own wording
                field=field_name,
            )
        q = np.ones_like(lx)
        q[:, :OPEN_AGE] = 1.0 - np.divide(
            lx[:, 1:], lx[:, :-1], out=np.zeros_like(lx[:, 1:]), where=lx[:, :-1] > 0
        )
        return cls.from_qx(q, open_group_rate, source)

    @classmethod
    def from_life_expectancy(
        cls,
        life_expectancy_at_birth: ArrayLike,
        infant_mortality: ArrayLike | None = None,
        source: str = "",
    ) -> LifeTable:
        """Brass logit fit on the Siler standard to e0 `[sex]` (and q(0) `[sex]` if given)."""
        target = checks.within(
            "life_expectancy_at_birth", life_expectancy_at_birth, 20.0, 95.0, axes=("sex",)
        )
        checks.shape("life_expectancy_at_birth", target, (len(SEXES),), "male, female")
        if infant_mortality is None:
            return cls(_fit_level(target), source)
        infant = checks.within("infant_mortality", infant_mortality, 0.001, 0.4, axes=("sex",))
        checks.shape("infant_mortality", infant, (len(SEXES),), "male, female")
        return cls(_fit_level_and_shape(target, infant), source)

    def columns(self) -> LifeTableColumns:
        return life_table_columns(self.rates)

    def life_expectancy(self, age: int = 0) -> NDArray:
        """e(age) by sex."""
        return self.columns().life_expectancy[:, age]

    def death_probabilities(self) -> NDArray:
        return death_probabilities(self.rates)


def standard_survivors() -> NDArray:
    """l_standard(x) `[sex, age 0..130]` from the Siler form."""
    ages = np.arange(_STANDARD_LAST_AGE + 1, dtype=np.float64)
    survivors = np.empty((len(SEXES), ages.size))
    for sex, (a1, b1, a2, a3, b3) in SILER_STANDARD.items():
        cumulative_hazard = (
            a1 / b1 * (1.0 - np.exp(-b1 * ages)) + a2 * ages + a3 / b3 * np.expm1(b3 * ages)
        )
        survivors[sex] = np.exp(-cumulative_hazard)
    return survivors


def _logit(survivors: NDArray) -> NDArray:
    return 0.5 * np.log((1.0 - survivors) / survivors)


def _brass_rates(alpha: NDArray, beta: NDArray) -> NDArray:
    """m `[..., sex, age]` of the Brass table with parameters `[..., sex]`."""
    standard = _logit(standard_survivors()[:, 1:])  # ages 1..130, l(0) = 1 has no logit
    fitted = np.ones((*alpha.shape, _STANDARD_LAST_AGE + 1))
    fitted[..., 1:] = 1.0 / (1.0 + np.exp(2.0 * (alpha[..., None] + beta[..., None] * standard)))
    q = np.ones((*alpha.shape, AGE_COUNT))
    q[..., :OPEN_AGE] = 1.0 - fitted[..., 1 : OPEN_AGE + 1] / fitted[..., :OPEN_AGE]
    rates = _rates_from_probabilities(q)
    tail = fitted[..., OPEN_AGE:]
    years_lived_in_open_group = 0.5 * (tail[..., :-1] + tail[..., 1:]).sum(axis=-1)
    rates[..., OPEN_AGE] = tail[..., 0] / years_lived_in_open_group
    return rates


def _bisect(function, target: NDArray, low: float, high: float) -> NDArray:
    """Solve function(x) = target for a decreasing function, element-wise, to machine precision."""
    lower = np.full_like(target, low)
    upper = np.full_like(target, high)
    for _ in range(100):
        middle = 0.5 * (lower + upper)
        too_low_value = function(middle) < target
        upper = np.where(too_low_value, middle, upper)
        lower = np.where(too_low_value, lower, middle)
    return 0.5 * (lower + upper)


def _expectancy(rates: NDArray) -> NDArray:
    return life_table_columns(rates).life_expectancy[..., 0]


def _fit_level(target: NDArray) -> NDArray:
    beta = np.ones_like(target)

    def e0(alpha: NDArray) -> NDArray:
        return _expectancy(_brass_rates(alpha, beta))

    alpha = _bisect(e0, target, -4.0, 4.0)
    _check_reached(_expectancy(_brass_rates(alpha, beta)), target)
    return _brass_rates(alpha, beta)


def _fit_level_and_shape(target: NDArray, infant: NDArray) -> NDArray:
    standard_at_one = _logit(standard_survivors()[:, 1])
    first_year = _logit(1.0 - infant)

    def alpha_for(beta: NDArray) -> NDArray:
        return first_year - beta * standard_at_one

    def e0(beta: NDArray) -> NDArray:
        return _expectancy(_brass_rates(alpha_for(beta), beta))

    beta = _bisect(e0, target, 0.05, 4.0)
    rates = _brass_rates(alpha_for(beta), beta)
    _check_reached(_expectancy(rates), target, infant)
    return rates


def _check_reached(reached: NDArray, target: NDArray, infant: NDArray | None = None) -> None:
    missed = np.abs(reached - target) > 1e-6
    if np.any(missed):
        sex = int(np.argmax(missed))
        with_infant = "" if infant is None else f" together with q(0) = {infant[sex]:g}"
        raise ActuarialInputError(
            f"a life expectancy of {target[sex]:g} ({SEXES[sex]}){with_infant} cannot be "
            f"reached by the model (closest: {reached[sex]:.2f})",
            f"ອາຍຸຍືນສະເລ່ຍ {target[sex]:g} ບໍ່ສາມາດບັນລຸໄດ້ດ້ວຍແບບຈຳລອງ",  # own wording
            field="life_expectancy_at_birth",
        )


@dataclass(frozen=True)
class MortalityAssumption:
    """Mortality over the projection: the base-year table and its annual improvement.

    `annual_improvement` is rho, the yearly rate at which every m(x) declines: a number, an
    array `[sex, age]`, or a path of either over years (see `paths`); 0.01 is 1 % a year.
    """

    base_table: LifeTable
    annual_improvement: YearPath = 0.0
    notes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.base_table, LifeTable):
            raise ActuarialInputError(
                "must be a LifeTable", "ຕ້ອງເປັນຕາຕະລາງອາຍຸ", field="mortality.base_table"
            )
        self.improvement(*anchor_span(self.annual_improvement))

    def improvement(self, first_year: int, years: int) -> NDArray:
        """rho `[year, sex, age]`, between -10 % and +10 % a year."""
        rho = over_years(
            "mortality.annual_improvement", self.annual_improvement, first_year, years,
            (len(SEXES), AGE_COUNT),
        )
        checks.within(
            "mortality.annual_improvement", rho, -0.1, 0.1, axes=("year", "sex", "age"),
            first_year=first_year,
        )
        return rho

    def rates(self, first_year: int, years: int) -> NDArray:
        """m `[year, sex, age]` for the projection years, improvement applied."""
        rho = self.improvement(first_year, years)
        cumulative = np.cumsum(rho, axis=0) - rho[0]  # no improvement in the base year
        return self.base_table.rates[None] * np.exp(-cumulative)
