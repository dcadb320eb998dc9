"""Social security contributions as vectorised formulas over numpy arrays.

One call computes one worker or a million the same way: billing passes whole columns (wages,
member categories) for one contribution month and gets whole columns back. Every amount is an
int64 number of kip. Rates are turned into integer parts per million once per month, so the
arithmetic is exact integer arithmetic and the rounding rule (round half up to a multiple of
`social_security.contribution_rounding_unit`, provisional: the law's rule is NOT FOUND) is the
same on every machine.

A month is always computed with the parameters valid on its first day, so re-computing 2016
after the 2017 ceiling change still gives 2016's answer.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pakan.rules.legal_parameters import RulesError, entry_at, history

ENTERPRISE_EMPLOYEE = "enterprise_employee"
CIVIL_SERVANT = "civil_servant"
POLICE_MILITARY = "police_military"
VOLUNTARY = "voluntary"
CATEGORIES: tuple[str, ...] = (ENTERPRISE_EMPLOYEE, CIVIL_SERVANT, POLICE_MILITARY, VOLUNTARY)
EMPLOYED_CATEGORIES: tuple[str, ...] = (ENTERPRISE_EMPLOYEE, CIVIL_SERVANT, POLICE_MILITARY)
VOLUNTARY_CODE = CATEGORIES.index(VOLUNTARY)

# Rates are held as integer parts per million: every rate in the law so far is a whole number
# of tenths of a percent, and integers make rounding exact.
RATE_SCALE = 1_000_000
# No monthly wage comes near this; it keeps every product inside int64.
MAXIMUM_AMOUNT_KIP = 10**12
# A hundred years: longer delays are input errors, and the bound keeps the surcharge in int64.
MAXIMUM_DAYS_LATE = 36_600

ROUNDING_UNIT = "social_security.contribution_rounding_unit"
CEILING = "social_security.insurable_wage.ceiling"
FLOOR_AMOUNT = "social_security.insurable_wage.floor.amount"
FLOOR_SHARE = "social_security.insurable_wage.floor.minimum_wage_share"
RAISE_TO_FLOOR = "social_security.insurable_wage.floor.raise_pay_below_floor"
MINIMUM_WAGE = "labour.minimum_wage"
VOLUNTARY_RATE = "social_security.voluntary.rate"
VOLUNTARY_SUBSIDY = "social_security.voluntary.state_subsidy"
VOLUNTARY_MINIMUM = "social_security.voluntary.income_classes.minimum"
VOLUNTARY_MAXIMUM = "social_security.voluntary.income_classes.maximum"
VOLUNTARY_STEP = "social_security.voluntary.income_classes.step"
LAPSE_MONTHS = "social_security.voluntary.lapse_after_unpaid_months"
SURCHARGE = "social_security.late_payment_surcharge"
DUE_DAY = "social_security.due_day"


def rate_name(category: str, side: str) -> str:
    """Dotted name of an employed category's rate; side is "insured" or "employer"."""
    return f"social_security.contribution_rates.{category}.{side}"


def check_month(month: datetime.date) -> None:
    """A contribution month is given as the date of its first day."""
    if isinstance(month, datetime.datetime) or not isinstance(month, datetime.date):
        raise RulesError(
            f"the month must be a date, not {type(month).__name__}",
            "ເດືອນຕ້ອງເປັນວັນທີ",
            field="month",
        )
    if month.day != 1:
        raise RulesError(
            f"the month must be given as its first day, not {month.isoformat()}",
            f"ເດືອນຕ້ອງແມ່ນວັນທີ 1 ຂອງເດືອນ, ບໍ່ແມ່ນ {month.isoformat()}",
            field="month",
        )


def _parts_per_million(name: str, rate: float) -> int:
    scaled = round(rate * RATE_SCALE)
    if abs(scaled - rate * RATE_SCALE) > 1e-6 or not 0 <= scaled <= RATE_SCALE:
        raise RulesError(
            f"{name} = {rate} is not a share between 0 and 1 in whole millionths",
            f"{name} = {rate} ບໍ່ຖືກຕ້ອງ",
            field=name,
        )
    return scaled


def _optional_value(name: str, month: datetime.date) -> object | None:
    if history(name).values[0].start > month:
        return None
    return entry_at(name, month).value


@dataclass(frozen=True)
class MonthRules:
    """The parameters of one contribution month, in the form the formulas use.

    Rate tables are indexed by category code (position in CATEGORIES); -1 marks a category
    with no rate valid that month (e.g. civil servants before the 2013 law).
    """

    month: datetime.date
    floor: int
    ceiling: int
    raise_pay_below_floor: bool
    rounding_unit: int
    insured_ppm: NDArray[np.int64]
    employer_ppm: NDArray[np.int64]
    voluntary_subsidy_ppm: int
    uses_minimum_wage: bool


def _floor_kip(month: datetime.date) -> tuple[int, bool]:
    amount = int(entry_at(FLOOR_AMOUNT, month).value)
    share_ppm = _parts_per_million(FLOOR_SHARE, entry_at(FLOOR_SHARE, month).value)
    if share_ppm == 0:
        return amount, False
    minimum_wage = _optional_value(MINIMUM_WAGE, month)
    if minimum_wage is None:
        raise RulesError(
            f"the floor follows the minimum wage but no minimum wage is valid on {month}",
            f"ບໍ່ມີຄ່າແຮງງານຂັ້ນຕ່ຳ ສຳລັບເດືອນ {month}",
            field="month",
        )
    from_minimum_wage = int(
        round_share(np.array([int(minimum_wage)], dtype=np.int64), share_ppm, 1)[0]
    )
    return max(amount, from_minimum_wage), True


@functools.lru_cache(maxsize=1024)
def month_rules(month: datetime.date) -> MonthRules:
    """Read the month's parameters once; billing calls this per month, not per worker."""
    check_month(month)
    insured = np.full(len(CATEGORIES), -1, dtype=np.int64)
    employer = np.full(len(CATEGORIES), -1, dtype=np.int64)
    for code, category in enumerate(EMPLOYED_CATEGORIES):
        for table, side in ((insured, "insured"), (employer, "employer")):
            rate = _optional_value(rate_name(category, side), month)
            if rate is not None:
                table[code] = _parts_per_million(rate_name(category, side), rate)
    voluntary_rate = _optional_value(VOLUNTARY_RATE, month)
    subsidy_ppm = 0
    if voluntary_rate is not None:
        insured[VOLUNTARY_CODE] = _parts_per_million(VOLUNTARY_RATE, voluntary_rate)
        employer[VOLUNTARY_CODE] = 0
        subsidy_ppm = _parts_per_million(
            VOLUNTARY_SUBSIDY, entry_at(VOLUNTARY_SUBSIDY, month).value
        )
    floor, uses_minimum_wage = _floor_kip(month)
    rounding_unit = int(entry_at(ROUNDING_UNIT, month).value)
    if rounding_unit < 1:
        raise RulesError(
            f"{ROUNDING_UNIT} must be at least 1 kip", f"{ROUNDING_UNIT} ບໍ່ຖືກຕ້ອງ"
        )
    return MonthRules(
        month=month,
        floor=floor,
        ceiling=int(entry_at(CEILING, month).value),
        raise_pay_below_floor=bool(entry_at(RAISE_TO_FLOOR, month).value),
        rounding_unit=rounding_unit,
        insured_ppm=insured,
        employer_ppm=employer,
        voluntary_subsidy_ppm=subsidy_ppm,
        uses_minimum_wage=uses_minimum_wage,
    )


def round_share(
    amounts: NDArray[np.int64], parts_per_million: ArrayLike, unit: int
) -> NDArray[np.int64]:
    """amounts x parts_per_million / 1e6, rounded half up to a multiple of `unit` kip.

    Exact in int64 for amounts up to MAXIMUM_AMOUNT_KIP and factors up to about 4e10: the
    amount is split into whole multiples of the divisor and a remainder so no product overflows.
    """
    factor = np.asarray(parts_per_million, dtype=np.int64)
    divisor = RATE_SCALE * unit
    whole, remainder = np.divmod(amounts, divisor)
    rounded = (2 * remainder * factor + divisor) // (2 * divisor)
    return (whole * factor + rounded) * unit


def _as_amounts(values: ArrayLike, field: str) -> NDArray[np.int64]:
    array = np.atleast_1d(np.asarray(values))
    if array.ndim != 1:
        raise RulesError(f"{field} must be one column", f"{field} ຕ້ອງເປັນຖັນດຽວ", field=field)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise RulesError(
            f"{field} must be whole kip (integers), not {array.dtype}",
            f"{field} ຕ້ອງເປັນຈຳນວນເຕັມ ກີບ",
            field=field,
        )
    array = array.astype(np.int64, copy=False)
    wrong = np.flatnonzero((array < 0) | (array > MAXIMUM_AMOUNT_KIP))
    if wrong.size:
        row = int(wrong[0])
        raise RulesError(
            f"{field} {int(array[row])} is negative or absurd (over {MAXIMUM_AMOUNT_KIP:,} kip)",
            f"{field} {int(array[row])} ຕິດລົບ ຫຼື ໃຫຍ່ເກີນໄປ",
            row=row,
            field=field,
        )
    return array


def category_codes(categories: ArrayLike) -> NDArray[np.int8]:
    """Position of each member category in CATEGORIES; an unknown one is an error."""
    names = np.atleast_1d(np.asarray(categories))
    if names.dtype.kind not in "UO":
        names = names.astype(str)
    codes = np.full(names.shape, -1, dtype=np.int8)
    for code, category in enumerate(CATEGORIES):
        codes[names == category] = code
    unknown = np.flatnonzero(codes < 0)
    if unknown.size:
        row = int(unknown[0])
        raise RulesError(
            f"unknown member category {names[row]!r} (known: {', '.join(CATEGORIES)})",
            f"ປະເພດສະມາຊິກ {names[row]!r} ບໍ່ຖືກຕ້ອງ",
            row=row,
            field="category",
        )
    return codes


@dataclass(frozen=True)
class Contributions:
    """Per-row results, int64 kip. `employer` is the employer's or the State's share."""

    month: datetime.date
    insurable_wage: NDArray[np.int64]
    insured: NDArray[np.int64]
    employer: NDArray[np.int64]
    parameter_names: tuple[str, ...]

    @property
    def total(self) -> NDArray[np.int64]:
        return self.insured + self.employer


def parameter_names_for(categories: Sequence[str], rules: MonthRules) -> tuple[str, ...]:
    """The parameters a result for these categories relied on (for provisional notices)."""
    names = {ROUNDING_UNIT}
    employed = [category for category in categories if category != VOLUNTARY]
    if employed:
        names |= {CEILING, FLOOR_AMOUNT, FLOOR_SHARE, RAISE_TO_FLOOR}
        if rules.uses_minimum_wage:
            names.add(MINIMUM_WAGE)
    for category in employed:
        names |= {rate_name(category, "insured"), rate_name(category, "employer")}
    if VOLUNTARY in categories:
        names |= {VOLUNTARY_RATE, VOLUNTARY_SUBSIDY}
    return tuple(sorted(names))


def contributions(
    wages: ArrayLike, categories: ArrayLike, month: datetime.date
) -> Contributions:
    """Insurable wage and the two contribution shares for each row, for one month.

    Employed categories: the wage is raised to the floor (if `raise_pay_below_floor`,
    provisional) and capped at the ceiling; each share is rounded separately. Voluntary
    members: the base is the declared income as given (check it with
    `voluntary_contribution`); 9% of it is due, of which the State pays its subsidy share and
    the member the rest, so the two always add up to the total.
    """
    rules = month_rules(month)
    wage = _as_amounts(wages, "wage")
    codes = category_codes(categories)
    if codes.shape != wage.shape:
        raise RulesError(
            f"{wage.size} wages but {codes.size} categories",
            f"ຈຳນວນເງິນເດືອນ {wage.size} ແຕ່ປະເພດ {codes.size}",
            field="category",
        )
    insured_ppm = rules.insured_ppm[codes]
    missing = np.flatnonzero(insured_ppm < 0)
    if missing.size:
        row = int(missing[0])
        category = CATEGORIES[codes[row]]
        raise RulesError(
            f"no contribution rate for {category} is valid in {month:%Y-%m}",
            f"ບໍ່ມີອັດຕາເງິນສົມທົບ ສຳລັບ {category} ໃນເດືອນ {month:%m/%Y}",
            row=row,
            field="category",
        )
    voluntary = codes == VOLUNTARY_CODE
    base = np.maximum(wage, rules.floor) if rules.raise_pay_below_floor else wage
    base = np.minimum(base, rules.ceiling)
    base = np.where(voluntary, wage, base)
    insured = round_share(base, insured_ppm, rules.rounding_unit)
    employer = round_share(base, rules.employer_ppm[codes], rules.rounding_unit)
    if voluntary.any():
        total = insured[voluntary]
        state = round_share(total, rules.voluntary_subsidy_ppm, rules.rounding_unit)
        insured[voluntary] = total - state
        employer[voluntary] = state
    present = [CATEGORIES[code] for code in np.unique(codes)]
    return Contributions(month, base, insured, employer, parameter_names_for(present, rules))


def voluntary_income_classes(month: datetime.date) -> list[int]:
    """The monthly incomes a voluntary member may declare in a month, lowest first."""
    check_month(month)
    minimum = int(entry_at(VOLUNTARY_MINIMUM, month).value)
    maximum = int(entry_at(VOLUNTARY_MAXIMUM, month).value)
    step = int(entry_at(VOLUNTARY_STEP, month).value)
    return list(range(minimum, maximum + 1, step))


def voluntary_contribution(declared_incomes: ArrayLike, month: datetime.date) -> Contributions:
    """Contributions of voluntary members for their declared income class, checked first."""
    incomes = _as_amounts(declared_incomes, "declared_income")
    classes = np.array(voluntary_income_classes(month), dtype=np.int64)
    wrong = np.flatnonzero(~np.isin(incomes, classes))
    if wrong.size:
        row = int(wrong[0])
        raise RulesError(
            f"declared income {int(incomes[row]):,} is not an income class of {month:%Y-%m} "
            f"({int(classes[0]):,} to {int(classes[-1]):,} in steps of "
            f"{int(classes[1] - classes[0]) if classes.size > 1 else 0:,})",
            f"ລາຍຮັບທີ່ແຈ້ງ {int(incomes[row]):,} ບໍ່ຢູ່ໃນຂັ້ນລາຍຮັບ ຂອງເດືອນ {month:%m/%Y}",
            row=row,
            field="declared_income",
        )
    result = contributions(incomes, np.full(incomes.shape, VOLUNTARY), month)
    names = (*result.parameter_names, VOLUNTARY_MINIMUM, VOLUNTARY_MAXIMUM, VOLUNTARY_STEP)
    return Contributions(
        month, result.insurable_wage, result.insured, result.employer, tuple(sorted(names))
    )


def is_lapsed(unpaid_months: ArrayLike, month: datetime.date) -> NDArray[np.bool_]:
    """Whether voluntary memberships with so many consecutive unpaid months have lapsed."""
    check_month(month)
    months = _as_amounts(unpaid_months, "unpaid_months")
    return months >= int(entry_at(LAPSE_MONTHS, month).value)


def due_date(month: datetime.date) -> datetime.date:
    """The day a month's contributions are due: `due_day` of the following month."""
    check_month(month)
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following.replace(day=int(entry_at(DUE_DAY, month).value))


def days_late(month: datetime.date, paid_on: datetime.date) -> int:
    """Calendar days after the due date (0 when paid on or before it)."""
    return max(0, (paid_on - due_date(month)).days)


def late_payment_surcharge(
    amounts: ArrayLike, days: ArrayLike, month: datetime.date
) -> NDArray[np.int64]:
    """Surcharge on overdue contributions of a month: amount x daily rate x days late.

    The rate is the one valid for the contribution month (provisional: NOT FOUND in the
    sources, placeholder 0), rounded like contributions.
    """
    rules = month_rules(month)
    overdue = _as_amounts(amounts, "amount")
    late = _as_amounts(days, "days_late")
    if late.size and int(late.max()) > MAXIMUM_DAYS_LATE:
        row = int(np.argmax(late))
        raise RulesError(
            f"{int(late[row])} days late is absurd (over {MAXIMUM_DAYS_LATE:,})",
            f"{int(late[row])} ວັນ ບໍ່ຖືກຕ້ອງ",
            row=row,
            field="days_late",
        )
    if late.shape != overdue.shape and late.size != 1:
        raise RulesError(
            f"{overdue.size} amounts but {late.size} day counts",
            f"ຈຳນວນເງິນ {overdue.size} ແຕ່ຈຳນວນວັນ {late.size}",
            field="days_late",
        )
    rate_ppm = _parts_per_million(SURCHARGE, entry_at(SURCHARGE, month).value)
    return round_share(overdue, late * rate_ppm, rules.rounding_unit)
