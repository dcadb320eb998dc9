"""Feeding the actuarial model from an extract, so a valuation starts from what the fund holds:

- `BasePopulation`: the registry's people alive on the valuation date by sex and age;
- `InitialMembers`: the insured by category, sex, age, whole credited years (counted months //
  12, the benefit rules' service years) and whether active;
- `PensionersInPayment`: old-age pensions in payment, by sex, age and award year, with their
  yearly amount (12 x the monthly amount valid on the date).

The model's stocks are on 1 January of the base year, the year of the day after the valuation
date (`period`). Left out, and counted in `FundData.left_out`: insured younger than 15 or at or
above the highest pension age of the projection (the model holds such people as pensioners;
they have not claimed yet), members of no known category, and pensions of the other long-term
branches (invalidity, survivors, employment injury), which the model carries as cost rates.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from pakan.actuarial.fund import PensionersInPayment
from pakan.actuarial.labour import ENTRY_AGE, InitialMembers
from pakan.actuarial.model import Assumptions, prepare
from pakan.actuarial.population import BasePopulation
from pakan.benefits.models import Branch
from pakan.valuation.extract.arrays import OPEN_AGE, ExtractArrays, sha256_of
from pakan.valuation.extract.messages import ExtractError
from pakan.valuation.models import ValuationExtract

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class FundData:
    base_year: int
    base_population: BasePopulation
    initial_members: InitialMembers
    initial_pensioners: PensionersInPayment
    left_out: dict[str, int]
    # Active members' counted months in the last 12, over 12, by category: the model's
    # contribution density as the fund experienced it (for the actuary to use or not).
    contribution_density: dict[str, float]


def load_arrays(extract: ValuationExtract) -> ExtractArrays:
    """A finished extract's arrays, after checking the file against its recorded hash."""
    if extract.status != ValuationExtract.Status.DONE:
        raise ExtractError.of("extract", "extract_not_done",
                              date=extract.valuation_date.isoformat(), status=extract.status)
    with extract.data_file.open("rb") as handle:
        data = handle.read()
    if sha256_of(data) != extract.sha256:
        raise ExtractError.of("extract", "extract_file_changed", expected=extract.sha256)
    return ExtractArrays.from_bytes(data)


def _source(arrays: ExtractArrays, what: str) -> str:
    return f"{what}: valuation extract of {arrays.valuation_date.isoformat()}"


def base_population(arrays: ExtractArrays, year: int | None = None) -> BasePopulation:
    return BasePopulation(year or arrays.base_year, arrays.population_counts.astype(float),
                          source=_source(arrays, "registry people alive on the date"))


def _grouped(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of the integer columns, their counts and each row's group."""
    stacked = np.stack([column.astype(np.int64) for column in columns], axis=1)
    if len(stacked) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return [empty for _ in columns], empty, empty
    distinct, group, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return [distinct[:, position] for position in range(len(columns))], counts, group.ravel()


def initial_members(arrays: ExtractArrays, categories: tuple[str, ...], top_member_age: int
                    ) -> tuple[InitialMembers, dict[str, int]]:
    members = arrays.members
    insured = members["insured"]
    names = np.array(arrays.category_names)
    category_name = names[members["category"]]
    known = np.isin(category_name, [name for name in categories if name])
    age = members["age"]
    young, old = age < ENTRY_AGE, age >= top_member_age
    kept = insured & known & ~young & ~old
    credits = np.minimum(members["months_total"] // MONTHS_PER_YEAR, OPEN_AGE)
    (category, sex, ages, credited, active), counts, _ = _grouped(
        members["category"][kept], members["sex"][kept], age[kept], credits[kept],
        members["active"][kept])
    grid = InitialMembers.from_records(
        names[category], sex, ages, credited, active.astype(bool), weights=counts,
        source=_source(arrays, "insured members"))
    left_out = {
        "insured_under_15": int((insured & young).sum()),
        f"insured_aged_{top_member_age}_or_more_without_a_pension": int((insured & old).sum()),
        "insured_of_no_known_category": int((insured & ~known).sum()),
    }
    return _with_all_categories(grid, categories), left_out


def _with_all_categories(grid: InitialMembers, categories: tuple[str, ...]) -> InitialMembers:
    """The grid with a (zero) block for every category of the model, in the model's order."""
    shape = (len(categories), *grid.active.shape[1:])
    active, inactive = np.zeros(shape), np.zeros(shape)
    for position, name in enumerate(grid.categories):
        target = categories.index(name)
        active[target] += grid.active[position]
        inactive[target] += grid.inactive[position]
    return InitialMembers(categories, active, inactive, grid.source)


def pensioners_in_payment(arrays: ExtractArrays) -> tuple[PensionersInPayment, dict[str, int]]:
    pensions = arrays.pensions
    branch_code = arrays.branch_names.index(Branch.OLD_AGE)
    in_payment = pensions["in_payment"]
    old_age = in_payment & (pensions["branch"] == branch_code)
    (sex, age, award_year), counts, group = _grouped(
        pensions["sex"][old_age], pensions["age"][old_age], pensions["award_year"][old_age])
    yearly = np.bincount(group, weights=MONTHS_PER_YEAR * pensions["monthly_amount"][old_age]
                         .astype(float), minlength=len(counts))
    left_out = {
        f"{branch}_pensions_in_payment": int((in_payment & (pensions["branch"] == code)).sum())
        for code, branch in enumerate(arrays.branch_names) if branch and code != branch_code
    }
    return PensionersInPayment.from_records(
        sex, age, award_year, yearly, counts.astype(float),
        source=_source(arrays, "old-age pensions in payment")), left_out


def contribution_density(arrays: ExtractArrays) -> dict[str, float]:
    members = arrays.members
    density = {}
    for code, name in enumerate(arrays.category_names):
        active = members["active"] & (members["category"] == code)
        if name and active.any():
            months = float(members["months_last_12"][active].sum())
            density[name] = months / (MONTHS_PER_YEAR * int(active.sum()))
    return density


def fund_data(arrays: ExtractArrays, *, categories: tuple[str, ...], top_member_age: int,
              base_year: int | None = None) -> FundData:
    members, members_left_out = initial_members(arrays, categories, top_member_age)
    pensioners, pensions_left_out = pensioners_in_payment(arrays)
    return FundData(
        base_year=base_year or arrays.base_year,
        base_population=base_population(arrays, base_year),
        initial_members=members,
        initial_pensioners=pensioners,
        left_out={**members_left_out, **pensions_left_out},
        contribution_density=contribution_density(arrays),
    )


def fund_data_for(arrays: ExtractArrays, base: Assumptions, base_year: int | None = None
                  ) -> tuple[FundData, Assumptions]:
    """The extract's inputs fitted to `base` (its categories and highest pension age, once
    the base population and year are the extract's), and `base` with the population swapped."""
    population = base_population(arrays, base_year)
    moved = dataclasses.replace(
        base, demography=dataclasses.replace(base.demography, base_population=population),
        initial_members=None, initial_pensioners=None)
    top_member_age = prepare(moved).top_member_age
    data = fund_data(arrays, categories=moved.labour.categories,
                     top_member_age=top_member_age, base_year=population.year)
    return data, moved


def assumptions_from_extract(extract: ValuationExtract | ExtractArrays,
                             base: Assumptions | None = None, *,
                             base_year: int | None = None) -> Assumptions:
    """`base` (the Lao base scenario by default) started from the extract: the registry's
    population as the base population (its year the extract's base year), the fund's insured
    and its old-age pensions in payment. Every other assumption is `base`'s as it is; paths
    given year by year as arrays run from the new base year (give base assumptions made for
    that year when it differs from theirs)."""
    arrays = extract if isinstance(extract, ExtractArrays) else load_arrays(extract)
    if base is None:
        from pakan.actuarial import lao_assumptions

        base = lao_assumptions.assumptions()
    data, moved = fund_data_for(arrays, base, base_year)
    return dataclasses.replace(
        moved, initial_members=data.initial_members, initial_pensioners=data.initial_pensioners,
        name=f"{base.name}, from the extract of {arrays.valuation_date.isoformat()}")
