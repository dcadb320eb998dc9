"""Checks of actuarial inputs, each raising `ActuarialInputError` in English and Lao.

Every assumption object calls these in its constructor, so a bad input is refused when the
assumptions are built, before any projection runs. A message names the input and, for arrays,
the first wrong position (year, sex, age) and its value.

Lao wording here is own wording (the glossary has no actuarial terms) except ເພດຊາຍ / ເພດຍິງ
(male / female), ອາຍຸ (age) and ປີ (year), which are the glossary's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from pakan.actuarial.axes import MAXIMUM_HORIZON, SEXES, SEXES_LAO
from pakan.actuarial.errors import ActuarialInputError


def _where(index: tuple[int, ...], axes: Sequence[str], first_year: int | None) -> tuple[str, str]:
    english, lao = [], []
    # the last len(index) axes are the ones named; leading unnamed axes are just positions
    named = list(axes)[-len(index):] if axes else []
    for position, axis in zip(index[len(index) - len(named):], named, strict=True):
        if axis == "sex":
            english.append(SEXES[position])
            lao.append(SEXES_LAO[position])
        elif axis == "age":
            english.append(f"age {position}{'+' if position == 100 else ''}")
            lao.append(f"ອາຍຸ {position}")
        elif axis == "year":
            year = position if first_year is None else first_year + position
            english.append(f"year {year}")
            lao.append(f"ປີ {year}")
        else:
            english.append(f"{axis} {position}")
            lao.append(f"{axis} {position}")
    return ", ".join(english), ", ".join(lao)


def _first_bad(
    values: NDArray, bad: NDArray, axes: Sequence[str], first_year: int | None
) -> tuple[str, str, float]:
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if values.ndim else ()
    english, lao = _where(index, axes, first_year) if index else ("", "")
    value = float(values[index]) if index else float(values)
    return (f" ({english})" if english else ""), (f" ({lao})" if lao else ""), value


def as_array(field: str, values: ArrayLike) -> NDArray[np.float64]:
    """A float array, refusing text, None and NaN or infinite numbers."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ActuarialInputError(
            f"must be a number or an array of numbers, not {type(values).__name__}",
            "ຕ້ອງເປັນຕົວເລກ ຫຼື ຊຸດຕົວເລກ",  # own wording
            field=field,
        ) from None
    if not np.all(np.isfinite(array)):
        english, lao, _ = _first_bad(array, ~np.isfinite(array), (), None)
        raise ActuarialInputError(
            f"holds a missing or infinite number{english}",
            f"ມີຄ່າທີ່ບໍ່ແມ່ນຕົວເລກ ຫຼື ບໍ່ມີຂອບເຂດ{lao}",  # own wording
            field=field,
        )
    return array


def shape(field: str, values: NDArray, expected: tuple[int, ...], meaning: str) -> NDArray:
    """Refuse an array of the wrong shape, saying what each axis should be."""
    if values.shape != expected:
        raise ActuarialInputError(
            f"must have shape {expected} ({meaning}), not {values.shape}",
            f"ຕ້ອງມີຮູບຮ່າງ {expected} ({meaning}), ບໍ່ແມ່ນ {values.shape}",  # own wording
            field=field,
        )
    return values


def share(
    field: str,
    values: ArrayLike,
    *,
    axes: Sequence[str] = (),
    first_year: int | None = None,
    upper: float = 1.0,
) -> NDArray[np.float64]:
    """A rate or share: between 0 and 1 (0–100 %) unless a different upper bound is given."""
    array = as_array(field, values)
    bad = (array < 0) | (array > upper)
    if np.any(bad):
        english, lao, value = _first_bad(array, bad, axes, first_year)
        limit = "0 and 100%" if upper == 1.0 else f"0 and {upper:g}"
        limit_lao = "0 ຫາ 100%" if upper == 1.0 else f"0 ຫາ {upper:g}"
        raise ActuarialInputError(
            f"must be between {limit}; {value:g} is outside{english}",
            f"ຕ້ອງຢູ່ລະຫວ່າງ {limit_lao}; {value:g} ຢູ່ນອກຂອບເຂດ{lao}",  # own wording
            field=field,
        )
    return array


def non_negative(
    field: str, values: ArrayLike, *, axes: Sequence[str] = (), first_year: int | None = None
) -> NDArray[np.float64]:
    """Counts and amounts: zero or more."""
    array = as_array(field, values)
    bad = array < 0
    if np.any(bad):
        english, lao, value = _first_bad(array, bad, axes, first_year)
        raise ActuarialInputError(
            f"must not be negative; {value:g} is negative{english}",
            f"ຕ້ອງບໍ່ຕິດລົບ; {value:g} ຕິດລົບ{lao}",  # own wording
            field=field,
        )
    return array


def within(
    field: str,
    values: ArrayLike,
    lower: float,
    upper: float,
    *,
    axes: Sequence[str] = (),
    first_year: int | None = None,
) -> NDArray[np.float64]:
    """A number with sensible bounds (an age, a growth rate, a life expectancy)."""
    array = as_array(field, values)
    bad = (array < lower) | (array > upper)
    if np.any(bad):
        english, lao, value = _first_bad(array, bad, axes, first_year)
        raise ActuarialInputError(
            f"must be between {lower:g} and {upper:g}; {value:g} is outside{english}",
            f"ຕ້ອງຢູ່ລະຫວ່າງ {lower:g} ຫາ {upper:g}; {value:g} ຢູ່ນອກຂອບເຂດ{lao}",  # own wording
            field=field,
        )
    return array


def whole_number(field: str, value: object, lower: int, upper: int) -> int:
    """A count of years or an age given as a whole number within bounds."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ActuarialInputError(
                f"must be a whole number, not {value!r}",
                f"ຕ້ອງເປັນຈຳນວນເຕັມ, ບໍ່ແມ່ນ {value!r}",  # own wording
                field=field,
            )
    if not lower <= int(value) <= upper:
        raise ActuarialInputError(
            f"must be between {lower} and {upper}; {value} is outside",
            f"ຕ້ອງຢູ່ລະຫວ່າງ {lower} ຫາ {upper}; {value} ຢູ່ນອກຂອບເຂດ",  # own wording
            field=field,
        )
    return int(value)


def horizon(years: object) -> int:
    """The number of projection years: 1 to 100."""
    if isinstance(years, int | np.integer) and not isinstance(years, bool) and (
        years > MAXIMUM_HORIZON
    ):
        raise ActuarialInputError(
            f"a projection of {years} years is beyond the {MAXIMUM_HORIZON}-year limit",
            f"ໄລຍະການຄາດຄະເນ {years} ປີ ເກີນຂອບເຂດ {MAXIMUM_HORIZON} ປີ",  # own wording
            field="horizon_years",
        )
    return whole_number("horizon_years", years, 1, MAXIMUM_HORIZON)


def flag(field: str, value: object) -> bool:
    """A yes/no setting given as a real boolean (not 0/1 or a string)."""
    if not isinstance(value, bool | np.bool_):
        raise ActuarialInputError(
            f"must be true or false, not {value!r}",
            f"ຕ້ອງເປັນ ແມ່ນ ຫຼື ບໍ່ແມ່ນ, ບໍ່ແມ່ນ {value!r}",  # own wording
            field=field,
        )
    return bool(value)


_SEX_CODES = {0: 0, 1: 1, "M": 0, "F": 1, "male": 0, "female": 1}


def sex_codes(field: str, values: ArrayLike) -> NDArray[np.int64]:
    """Sex positions (0 male, 1 female) from "M"/"F" (the registry's codes), "male"/"female"
    or 0/1."""
    try:
        return np.array([_SEX_CODES[code] for code in np.asarray(values).tolist()],
                        dtype=np.int64).reshape(np.shape(values))
    except (KeyError, TypeError):
        raise ActuarialInputError(
            'sex must be "M" or "F" (or 0 for male, 1 for female)',
            'ເພດຕ້ອງເປັນ "M" ຫຼື "F" (ຫຼື 0 ເພດຊາຍ, 1 ເພດຍິງ)',  # own wording
            field=field,
        ) from None
