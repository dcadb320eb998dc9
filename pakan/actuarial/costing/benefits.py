"""The five floor benefits, each a frozen description of who is eligible and what is paid.

The cost rule is the same for all (ILO Rapid Assessment Protocol), see `engine.cost_benefit`:

    beneficiaries = target population x eligible share x take-up
    benefit cost  = beneficiaries x amount per payment x payments per beneficiary a year
    cost          = benefit cost x (1 + administration share) + fixed administration cost

Each benefit says only what differs: its target population and how many payments a beneficiary
receives in a year (12 monthly payments, a number per birth, or school days).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from pakan.actuarial import checks
from pakan.actuarial.costing.amounts import AmountRule, validate_amount_rule
from pakan.actuarial.costing.inputs import (
    MacroPaths,
    PopulationByAge,
    RatePath,
    YearlyPath,
    rate_path,
    rates_by_single_age,
)
from pakan.actuarial.costing.validation import (
    AGE_COUNT,
    check_age,
    check_age_band,
    check_number,
    refuse,
)

#: The most payments a beneficiary can receive in a year (one a day).
MAXIMUM_PAYMENTS_PER_YEAR = 366


@dataclass(frozen=True, kw_only=True, eq=False)
class FloorBenefit:
    """What every floor benefit has: a name (unique in a scenario), the amount of one payment,
    the eligible share of its target population, take-up, and administration costs (a share of
    the benefits paid plus, optionally, a fixed cost a year)."""

    name: str
    amount: AmountRule
    eligible_share: RatePath = 1.0
    take_up: RatePath = 1.0
    administration_share: RatePath = 0.0
    administration_fixed_kip: AmountRule | None = None

    label_english: ClassVar[str] = ""
    label_lao: ClassVar[str] = ""

    @property
    def payments_per_beneficiary(self) -> float:
        raise NotImplementedError

    def target_population(
        self, population: PopulationByAge, rows: np.ndarray, years: np.ndarray
    ) -> np.ndarray:
        """The people the benefit is for in each of `years` (before targeting and take-up)."""
        raise NotImplementedError

    def eligible_factor(self, years: np.ndarray) -> np.ndarray:
        """The share of the target population that is eligible in each year."""
        return rate_path(self.eligible_share, years, self.field("eligible_share"))

    def field(self, attribute: str) -> str:
        return f"{self.name}.{attribute}"

    def validate(self, population: PopulationByAge, years: np.ndarray, macro: MacroPaths) -> None:
        """Refuse the benefit (ActuarialInputError naming the input) before anything is costed."""
        if not isinstance(self.name, str) or not self.name:
            refuse("benefit.name", "must be a non-empty name", "ຕ້ອງມີຊື່ທີ່ບໍ່ຫວ່າງ")  # own wording
        validate_amount_rule(self.amount, years, macro, self.field("amount"))
        for attribute in ("eligible_share", "take_up", "administration_share"):
            rate_path(getattr(self, attribute), years, self.field(attribute))
        if self.administration_fixed_kip is not None:
            validate_amount_rule(
                self.administration_fixed_kip, years, macro, self.field("administration_fixed_kip")
            )
        self.validate_own(population, years)

    def validate_own(self, population: PopulationByAge, years: np.ndarray) -> None:
        raise NotImplementedError

    def check_payments(self, attribute: str) -> None:
        value = check_number(getattr(self, attribute), self.field(attribute))
        if not 0 < value <= MAXIMUM_PAYMENTS_PER_YEAR:
            refuse(
                self.field(attribute),
                f"must be above 0 and at most {MAXIMUM_PAYMENTS_PER_YEAR}, got {value:g}",
                f"ຕ້ອງຫຼາຍກວ່າ 0 ແລະ ບໍ່ເກີນ {MAXIMUM_PAYMENTS_PER_YEAR}, ແຕ່ໄດ້ຮັບ {value:g}",
            )  # own wording


def _people_in_band(
    population: PopulationByAge, rows: np.ndarray, age_from: int, age_to: int
) -> np.ndarray:
    return population.both_sexes[rows, age_from:age_to].sum(axis=1)


@dataclass(frozen=True, kw_only=True, eq=False)
class ChildGrant(FloorBenefit):
    """A monthly grant for children aged `age_from` to `age_to` - 1 (under 3 by default, the
    NSPS target)."""

    name: str = "child_grant"
    age_from: int = 0
    age_to: int = 3
    payments_per_year: float = 12

    label_english: ClassVar[str] = "Child grant"
    label_lao: ClassVar[str] = "ເງິນອຸດໜູນເດັກ"  # own wording (glossary: ເງິນອຸດໜູນ = allowance)

    @property
    def payments_per_beneficiary(self) -> float:
        return float(self.payments_per_year)

    def validate_own(self, population: PopulationByAge, years: np.ndarray) -> None:
        check_age_band(self.age_from, self.age_to, self.name)
        self.check_payments("payments_per_year")

    def target_population(
        self, population: PopulationByAge, rows: np.ndarray, years: np.ndarray
    ) -> np.ndarray:
        return _people_in_band(population, rows, self.age_from, self.age_to)


@dataclass(frozen=True, kw_only=True, eq=False)
class MaternityGrant(FloorBenefit):
    """A grant per birth: `payments_per_birth` payments of `amount` (1 for a lump sum).

    Births come, in this order of preference, from `births` entered year by year, from
    `fertility_rates` (births per woman a year at each single age, 101 values) applied to the
    projected women, or from the births of the projected population.
    """

    name: str = "maternity_grant"
    payments_per_birth: float = 1
    births: YearlyPath | None = None
    fertility_rates: np.ndarray | None = None

    label_english: ClassVar[str] = "Maternity grant"
    label_lao: ClassVar[str] = "ເງິນອຸດໜູນອອກລູກ"  # glossary: maternity benefit

    @property
    def payments_per_beneficiary(self) -> float:
        return float(self.payments_per_birth)

    def validate_own(self, population: PopulationByAge, years: np.ndarray) -> None:
        self.check_payments("payments_per_birth")
        if self.births is not None:
            if not isinstance(self.births, YearlyPath):
                refuse(
                    self.field("births"),
                    "must be a YearlyPath of births",
                    "ຕ້ອງເປັນ YearlyPath ຂອງຈຳນວນເດັກເກີດ",
                )  # own wording
            births = self.births.on(years, self.field("births"))
            checks.non_negative(self.field("births"), births, axes=("year",), first_year=years[0])
        elif self.fertility_rates is not None:
            rates_by_single_age(self.fertility_rates, self.field("fertility_rates"))
        elif population.births is None:
            refuse(
                self.field("births"),
                "needs births: enter them, give fertility rates, or use a projected "
                "population that has births",
                "ຕ້ອງມີຈຳນວນເດັກເກີດ: ໃສ່ຈຳນວນ, ໃສ່ອັດຕາການຈະເລີນພັນ ຫຼື ໃຊ້ການຄາດຄະເນປະຊາກອນທີ່ມີຈຳນວນເດັກເກີດ",
            )  # own wording

    def target_population(
        self, population: PopulationByAge, rows: np.ndarray, years: np.ndarray
    ) -> np.ndarray:
        if self.births is not None:
            return self.births.on(years, self.field("births"))
        if self.fertility_rates is not None:
            rates = np.asarray(self.fertility_rates, dtype=np.float64)
            return (population.female[rows] * rates).sum(axis=1)
        assert population.births is not None  # guaranteed by validate_own()
        return population.births[rows]


@dataclass(frozen=True, kw_only=True, eq=False)
class SocialPension(FloorBenefit):
    """A monthly pension for everyone from `pension_age`, less the share who already receive a
    contributory pension (`contributory_pension_share`), then targeted by `eligible_share`."""

    name: str = "social_pension"
    pension_age: int = 65
    contributory_pension_share: RatePath = 0.0
    payments_per_year: float = 12

    label_english: ClassVar[str] = "Social pension"
    label_lao: ClassVar[str] = "ເງິນອຸດໜູນຜູ້ສູງອາຍຸ"  # own wording (allowance + older persons)

    @property
    def payments_per_beneficiary(self) -> float:
        return float(self.payments_per_year)

    def validate_own(self, population: PopulationByAge, years: np.ndarray) -> None:
        check_age(self.pension_age, self.field("pension_age"))
        rate_path(self.contributory_pension_share, years, self.field("contributory_pension_share"))
        self.check_payments("payments_per_year")

    def target_population(
        self, population: PopulationByAge, rows: np.ndarray, years: np.ndarray
    ) -> np.ndarray:
        return _people_in_band(population, rows, self.pension_age, AGE_COUNT)

    def eligible_factor(self, years: np.ndarray) -> np.ndarray:
        without_contributory = 1.0 - rate_path(
            self.contributory_pension_share, years, self.field("contributory_pension_share")
        )
        return without_contributory * super().eligible_factor(years)


@dataclass(frozen=True, kw_only=True, eq=False)
class DisabilityAllowance(FloorBenefit):
    """A monthly allowance for people aged `age_from` to `age_to` - 1 with a disability, counted
    as the population at each age times `prevalence` at that age (101 values, fractions)."""

    name: str = "disability_allowance"
    prevalence: np.ndarray
    age_from: int = 0
    age_to: int = AGE_COUNT
    payments_per_year: float = 12

    label_english: ClassVar[str] = "Disability allowance"
    label_lao: ClassVar[str] = "ເງິນອຸດໜູນຄົນພິການ"  # own wording (allowance + disabled)

    @property
    def payments_per_beneficiary(self) -> float:
        return float(self.payments_per_year)

    def validate_own(self, population: PopulationByAge, years: np.ndarray) -> None:
        rates_by_single_age(self.prevalence, self.field("prevalence"))
        check_age_band(self.age_from, self.age_to, self.name)
        self.check_payments("payments_per_year")

    def target_population(
        self, population: PopulationByAge, rows: np.ndarray, years: np.ndarray
    ) -> np.ndarray:
        prevalence = np.asarray(self.prevalence, dtype=np.float64)
        band = slice(self.age_from, self.age_to)
        return (population.both_sexes[rows, band] * prevalence[band]).sum(axis=1)


@dataclass(frozen=True, kw_only=True, eq=False)
class SchoolMeals(FloorBenefit):
    """A meal each school day for enrolled children aged `age_from` to `age_to` - 1 (primary
    school by default). `amount` is the cost of one meal; `take_up` is the share of enrolled
    pupils whose schools serve meals (coverage)."""

    name: str = "school_meals"
    age_from: int = 6
    age_to: int = 11
    enrolment: RatePath = 1.0
    school_days: float = 180

    label_english: ClassVar[str] = "School meals"
    label_lao: ClassVar[str] = "ອາຫານທ່ຽງໃນໂຮງຮຽນ"  # glossary: school meals

    @property
    def payments_per_beneficiary(self) -> float:
        return float(self.school_days)

    def validate_own(self, population: PopulationByAge, years: np.ndarray) -> None:
        check_age_band(self.age_from, self.age_to, self.name)
        rate_path(self.enrolment, years, self.field("enrolment"))
        self.check_payments("school_days")

    def target_population(
        self, population: PopulationByAge, rows: np.ndarray, years: np.ndarray
    ) -> np.ndarray:
        enrolment = rate_path(self.enrolment, years, self.field("enrolment"))
        return _people_in_band(population, rows, self.age_from, self.age_to) * enrolment


#: The benefit kinds by their default name, for scenarios that name them.
BENEFIT_KINDS: dict[str, type[FloorBenefit]] = {
    "child_grant": ChildGrant,
    "maternity_grant": MaternityGrant,
    "social_pension": SocialPension,
    "disability_allowance": DisabilityAllowance,
    "school_meals": SchoolMeals,
}
