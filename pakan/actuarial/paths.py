"""Assumptions that change over time: one value per projection year.

An assumption that may vary by year (a fertility rate, a coverage rate, a wage growth rate, a
pension age) is given in one of three forms and expanded here to an array `[year, ...]` covering
the projection:

- a constant (a number, or an array of the per-year shape, e.g. `[sex, age]`): the same every
  year (a number fills the whole per-year shape);
- an array with a leading year axis, one entry per projection year from the base year (it may be
  longer than the projection; it may not be shorter);
- a mapping `{calendar year: value}`: linear interpolation between the years given, constant
  before the first and after the last ("TFR 2.4 in 2024 falling to 2.0 in 2050"); each value is
  a number or an array of the per-year shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial.checks import as_array
from pakan.actuarial.errors import ActuarialInputError

YearPath = Any  # a number, an array, or a {year: value} mapping, as described above


def over_years(
    field: str, value: YearPath, first_year: int, years: int, per_year_shape: tuple[int, ...] = ()
) -> NDArray[np.float64]:
    """Expand an assumption to `[years, *per_year_shape]`, one row per projection year."""
    if isinstance(value, Mapping):
        return _interpolated(field, value, first_year, years, per_year_shape)
    array = as_array(field, value)
    if array.ndim == 0:
        return np.full((years, *per_year_shape), float(array))
    if array.shape == per_year_shape:
        return np.broadcast_to(array, (years, *per_year_shape)).copy()
    if array.shape[1:] == per_year_shape and array.ndim == len(per_year_shape) + 1:
        if array.shape[0] < years:
            raise ActuarialInputError(
                f"gives {array.shape[0]} years but the projection needs {years} "
                f"({first_year} to {first_year + years - 1})",
                f"ມີ {array.shape[0]} ປີ ແຕ່ການຄາດຄະເນຕ້ອງການ {years} ປີ",  # own wording
                field=field,
            )
        return array[:years].copy()
    raise ActuarialInputError(
        f"must be a value of shape {per_year_shape or 'scalar'} or one per year "
        f"(shape (years, {', '.join(map(str, per_year_shape))})), not {array.shape}",
        f"ຮູບຮ່າງ {array.shape} ບໍ່ຖືກຕ້ອງ",  # own wording
        field=field,
    )


def _interpolated(
    field: str,
    anchors: Mapping[Any, Any],
    first_year: int,
    years: int,
    per_year_shape: tuple[int, ...],
) -> NDArray[np.float64]:
    if not anchors:
        raise ActuarialInputError(
            "gives no year", "ບໍ່ມີປີໃດເລີຍ", field=field  # own wording
        )
    try:
        anchor_years = np.array(sorted(int(year) for year in anchors), dtype=np.float64)
    except (TypeError, ValueError):
        raise ActuarialInputError(
            "the keys must be calendar years", "ກະແຈຕ້ອງເປັນປີ", field=field  # own wording
        ) from None
    rows = []
    for year in sorted(anchors, key=int):
        row = as_array(f"{field}[{year}]", anchors[year])
        if row.ndim == 0:
            row = np.full(per_year_shape, float(row))
        if row.shape != per_year_shape:
            raise ActuarialInputError(
                f"the value for {year} must have shape {per_year_shape or 'scalar'}, "
                f"not {row.shape}",
                f"ຄ່າຂອງປີ {year} ມີຮູບຮ່າງບໍ່ຖືກຕ້ອງ",  # own wording
                field=field,
            )
        rows.append(row.reshape(-1))
    table = np.stack(rows)  # [anchor, flat]
    calendar = first_year + np.arange(years, dtype=np.float64)
    flat = np.empty((years, table.shape[1]))
    for column in range(table.shape[1]):
        flat[:, column] = np.interp(calendar, anchor_years, table[:, column])
    return flat.reshape((years, *per_year_shape))


def anchor_span(*values: YearPath) -> tuple[int, int]:
    """(first year, number of years) covering every calendar year named by the mapping-form
    paths among `values`, so a constructor can check each anchor's value at once (a path of
    another form is checked over one year; its length is checked against the horizon later)."""
    years = [int(year) for value in values if isinstance(value, Mapping) for year in value
             if isinstance(year, int | float | str) and str(year).lstrip("-").isdigit()]
    if not years:
        return 2000, 1
    return min(years), max(years) - min(years) + 1
