"""Checks the costing needs on top of the package's shared ones (`pakan.actuarial.checks`):
scalar numbers, calendar-year axes and the years a path must cover. Each raises one bilingual
`ActuarialInputError` naming the input.

All Lao wording in this module is our own (the glossary has no terms for these checks), except
"ປີ" (year) and "ອາຍຸ" (age), which are glossary terms.
"""

from __future__ import annotations

import numbers
from typing import NoReturn

import numpy as np

from pakan.actuarial import checks
from pakan.actuarial.axes import AGE_COUNT, MAXIMUM_HORIZON, OPEN_AGE
from pakan.actuarial.errors import ActuarialInputError

__all__ = ["AGE_COUNT", "MAXIMUM_HORIZON", "OPEN_AGE"]  # re-exported for the costing modules

#: Calendar years accepted anywhere in the costing.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2300


def refuse(field: str, english: str, lao: str) -> NoReturn:
    raise ActuarialInputError(english, lao, field=field)


def check_number(value: object, field: str) -> float:
    """One finite real number (not a bool, not text, not an array)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        refuse(
            field, f"must be a number, got {value!r}", f"ຕ້ອງເປັນຕົວເລກ, ແຕ່ໄດ້ຮັບ {value!r}"
        )  # own wording
    return float(checks.as_array(field, value))


def check_year(value: object, field: str) -> int:
    return checks.whole_number(field, value, EARLIEST_YEAR, LATEST_YEAR)


def check_non_negative(value: object, field: str) -> float:
    return float(checks.non_negative(field, check_number(value, field)))


def check_positive(value: object, field: str) -> float:
    number = check_number(value, field)
    if number <= 0:
        refuse(
            field, f"must be greater than zero, got {number:g}", f"ຕ້ອງໃຫຍ່ກວ່າ 0, ແຕ່ໄດ້ຮັບ {number:g}"
        )  # own wording
    return number


def check_rate(value: object, field: str) -> float:
    """A rate or share entered as a fraction: 0.25 means 25 %."""
    return float(checks.share(field, check_number(value, field)))


def check_growth_rates(values: np.ndarray, field: str) -> None:
    """Growth rates (inflation, GDP growth) above -100 % and at most 100 % a year: a value like
    21.5 is a percentage typed where a fraction (0.215) was meant, and is refused rather than
    compounded."""
    outside = (values <= -1.0) | (values > 1.0)
    if np.any(outside):
        value = float(values[outside][0])
        refuse(
            field,
            f"must be above -100% and at most 100% a year (a fraction: 0.215 means 21.5%), "
            f"got {value:g}",
            f"ຕ້ອງສູງກວ່າ -100% ແລະ ບໍ່ເກີນ 100% ຕໍ່ປີ (ເສດສ່ວນ: 0.215 ໝາຍເຖິງ 21.5%), ແຕ່ໄດ້ຮັບ {value:g}",
        )  # own wording


def check_age(value: object, field: str, *, maximum: int = OPEN_AGE) -> int:
    return checks.whole_number(field, value, 0, maximum)


def check_age_band(age_from: object, age_to: object, field: str) -> tuple[int, int]:
    """Ages `age_from` (included) to `age_to` (excluded); `age_to` = 101 includes the 100+ group."""
    first = check_age(age_from, f"{field}.age_from")
    end = check_age(age_to, f"{field}.age_to", maximum=AGE_COUNT)
    if first >= end:
        refuse(
            f"{field}.age_to",
            f"must be above age_from ({first}), got {end}",
            f"ຕ້ອງສູງກວ່າອາຍຸເລີ່ມຕົ້ນ ({first}), ແຕ່ໄດ້ຮັບ {end}",
        )  # own wording
    return first, end


def check_year_axis(years: object, field: str) -> np.ndarray:
    """Calendar years, consecutive and increasing, as int64."""
    array = checks.as_array(field, years)
    if array.ndim != 1 or array.size == 0:
        refuse(field, "must be a non-empty list of years", "ຕ້ອງເປັນລາຍການປີທີ່ບໍ່ຫວ່າງ")  # own wording
    if np.any(array != np.round(array)) or np.any(np.diff(array) != 1):
        refuse(
            field,
            "must be whole years, consecutive and increasing (e.g. 2025, 2026, ...)",
            "ປີຕ້ອງເປັນຈຳນວນຖ້ວນ, ຮຽງຕໍ່ກັນ ແລະ ເພີ່ມຂຶ້ນເທື່ອລະປີ (ເຊັ່ນ 2025, 2026, ...)",
        )  # own wording
    check_year(float(array[0]), field)
    check_year(float(array[-1]), field)
    return array.astype(np.int64)


def check_covers(available_years: np.ndarray, needed_years: np.ndarray, field: str) -> None:
    missing = np.setdiff1d(needed_years, available_years)
    if missing.size:
        refuse(
            field,
            f"has no value for year {int(missing[0])} (given for "
            f"{int(available_years[0])}-{int(available_years[-1])})",
            f"ບໍ່ມີຄ່າສຳລັບປີ {int(missing[0])} (ມີສຳລັບປີ "
            f"{int(available_years[0])}-{int(available_years[-1])})",
        )  # own wording


def check_one_value_per_year(values: np.ndarray, years: np.ndarray, field: str) -> None:
    if values.ndim != 1 or values.size != years.size:
        refuse(
            field,
            f"must have one value per year: {years.size} values, got {values.size}",
            f"ຕ້ອງມີໜຶ່ງຄ່າຕໍ່ປີ: {years.size} ຄ່າ, ແຕ່ໄດ້ຮັບ {values.size}",
        )  # own wording
