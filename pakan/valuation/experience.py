"""Experience statistics of the fund, from an extract's arrays: pure numpy, no database.

Every table is by sex ("M", "F") and age band (`AGE_BANDS`, then "all" ages), JSON-ready
(lists of lists, `None` for a rate with nothing to divide by), and carries `count`: the number
of people each cell rests on. Anything shown outside the actuary's own pages goes through
`suppress_small_cells`, which blanks every figure of a cell whose count is under 10.

Definitions (the arrays' columns are described in `pakan.valuation.extract.arrays`):

- contribution density, last 12 months: counted months in the last 12 / months of membership
  in the last 12, over insured members with any membership month then; the same over the whole
  record; and among active members, months in the last 12 / 12 (the model's density);
- entries: members whose first membership started during the last year, by age on the
  valuation date, over the members covered on the date;
- exits: members covered a year before the date (by their age then, taken as today's age - 1)
  who are no longer insured and covered on the date, split into left the fund, died and
  retired (their old-age benefit started), over those covered a year before;
- new pensions: periodic pensions that started during the last year, by branch, by age when
  they started, with their average monthly amount on the date;
- pensions in payment on the date, by branch and age, with their average monthly amount;
- average insurable wage: of the last 12 months' counted months, over insured members with
  at least one, by age on the date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the extract's package imports this module
    from pakan.valuation.extract.arrays import ExtractArrays

SEXES = ("M", "F")  # as the extract's sex codes 0 and 1

AGE_BAND_EDGES = (0, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65)
AGE_BANDS = ("0-14", *(f"{low}-{low + 4}" for low in AGE_BAND_EDGES[1:-1]),
             f"{AGE_BAND_EDGES[-1]}+")
COLUMNS = (*AGE_BANDS, "all")
SMALL_CELL = 10

Table = dict[str, Any]


def age_band(ages: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(AGE_BAND_EDGES), ages, side="right") - 1


class _Grid:
    """Sums by [sex, age band + "all"] of chosen rows."""

    def __init__(self, sexes: np.ndarray, ages: np.ndarray) -> None:
        band = np.clip(age_band(ages), 0, len(AGE_BANDS) - 1)
        self.cell = sexes.astype(np.int64) * len(AGE_BANDS) + band

    def sum(self, rows: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
        weights = None if values is None else values[rows].astype(float)
        by_band = np.bincount(self.cell[rows], weights=weights,
                              minlength=len(SEXES) * len(AGE_BANDS)).reshape(len(SEXES), -1)
        return np.concatenate([by_band, by_band.sum(axis=1, keepdims=True)], axis=1)


def _whole(grid: np.ndarray) -> list[list[int]]:
    return np.rint(grid).astype(np.int64).tolist()


def _ratio(numerator: np.ndarray, denominator: np.ndarray, digits: int = 4) -> list[list]:
    return [[round(float(n / d), digits) if d > 0 else None for n, d in zip(row_n, row_d,
                                                                            strict=True)]
            for row_n, row_d in zip(numerator, denominator, strict=True)]


def _average(total: np.ndarray, count: np.ndarray) -> list[list]:
    return [[int(np.rint(t / c)) if c > 0 else None for t, c in zip(row_t, row_c, strict=True)]
            for row_t, row_c in zip(total, count, strict=True)]


def contribution_density(arrays: ExtractArrays) -> dict[str, Table]:
    members = arrays.members
    grid = _Grid(members["sex"], members["age"])
    tables = {}
    for name, months, membership in (
        ("last_12_months", "months_last_12", "membership_months_last_12"),
        ("whole_record", "months_total", "membership_months_total"),
    ):
        rows = members["insured"] & (members[membership] > 0)
        contributed, of_membership = grid.sum(rows, members[months]), grid.sum(rows,
                                                                                members[membership])
        tables[name] = {"count": _whole(grid.sum(rows)), "months_contributed": _whole(contributed),
                        "months_of_membership": _whole(of_membership),
                        "density": _ratio(contributed, of_membership)}
    active = members["active"]
    count, months = grid.sum(active), grid.sum(active, members["months_last_12"])
    tables["active_members"] = {"count": _whole(count), "months_contributed": _whole(months),
                                "density": _ratio(months, 12 * count)}
    return tables


def entries(arrays: ExtractArrays) -> Table:
    members = arrays.members
    grid = _Grid(members["sex"], members["age"])
    covered_now = grid.sum(members["insured"] & members["covered"])
    entrants = grid.sum(members["entered_last_year"])
    return {"count": _whole(covered_now), "entrants": _whole(entrants),
            "rate": _ratio(entrants, covered_now)}


def exits(arrays: ExtractArrays) -> Table:
    members = arrays.members
    grid = _Grid(members["sex"], np.maximum(members["age"].astype(np.int64) - 1, 0))
    exposed = members["covered_year_before"]
    staying = members["insured"] & members["covered"]
    died = exposed & ~members["alive"]
    retired = exposed & members["alive"] & members["retired"]
    left = exposed & ~staying & ~died & ~retired
    exposed_count = grid.sum(exposed)
    leaving = grid.sum(exposed & ~staying)
    return {"count": _whole(exposed_count), "exits": _whole(leaving),
            "left_the_fund": _whole(grid.sum(left)), "died": _whole(grid.sum(died)),
            "retired": _whole(grid.sum(retired)), "rate": _ratio(leaving, exposed_count)}


def _pensions_by_branch(arrays: ExtractArrays, rows: np.ndarray, ages: np.ndarray
                        ) -> dict[str, Table]:
    pensions = arrays.pensions
    grid = _Grid(pensions["sex"], ages)
    tables = {}
    for code, branch in enumerate(arrays.branch_names):
        chosen = rows & (pensions["branch"] == code)
        if not branch or not chosen.any():
            continue
        count = grid.sum(chosen)
        amount = grid.sum(chosen, pensions["monthly_amount"])
        tables[branch] = {"count": _whole(count), "average_monthly_amount": _average(amount,
                                                                                     count)}
    return tables


def new_pensions(arrays: ExtractArrays) -> dict[str, Table]:
    return _pensions_by_branch(arrays, arrays.pensions["started_last_year"],
                               arrays.pensions["award_age"])


def pensions_in_payment(arrays: ExtractArrays) -> dict[str, Table]:
    return _pensions_by_branch(arrays, arrays.pensions["in_payment"], arrays.pensions["age"])


def insurable_wage(arrays: ExtractArrays) -> Table:
    members = arrays.members
    grid = _Grid(members["sex"], members["age"])
    rows = members["insured"] & (members["months_last_12"] > 0)
    count = grid.sum(rows)
    return {"count": _whole(count),
            "average_monthly": _average(grid.sum(rows, members["wage_average_12"]), count)}


def insured_members(arrays: ExtractArrays) -> Table:
    members = arrays.members
    grid = _Grid(members["sex"], members["age"])
    return {"count": _whole(grid.sum(members["insured"])),
            "active": _whole(grid.sum(members["active"]))}


def experience_statistics(arrays: ExtractArrays) -> dict[str, Any]:
    """Every table, with the axes they share."""
    return {
        "sexes": list(SEXES),
        "age_bands": list(COLUMNS),
        "small_cell": SMALL_CELL,
        "insured_members": insured_members(arrays),
        "contribution_density": contribution_density(arrays),
        "entries": entries(arrays),
        "exits": exits(arrays),
        "new_pensions": new_pensions(arrays),
        "pensions_in_payment": pensions_in_payment(arrays),
        "insurable_wage": insurable_wage(arrays),
    }


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping) and "count" in value


def suppress_small_cells(statistics: Mapping[str, Any], minimum: int = SMALL_CELL
                         ) -> dict[str, Any]:
    """A copy where every figure of a cell resting on fewer than `minimum` people is None
    (counts included), for anything shown outside the actuary's own pages."""
    result: dict[str, Any] = {}
    for key, value in statistics.items():
        if _is_table(value):
            small = np.array(value["count"]) < minimum
            result[key] = {name: [[None if small[sex][band] else cell
                                   for band, cell in enumerate(row)]
                                  for sex, row in enumerate(grid)]
                           for name, grid in value.items()}
        elif isinstance(value, Mapping):
            result[key] = suppress_small_cells(value, minimum)
        else:
            result[key] = value
    return result
