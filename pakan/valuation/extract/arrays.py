"""The extract as arrays: what is stored in the `.npz` file, and the one place where the raw
columns read from the database become the extract's facts (ages, who is insured, who is
active, averages). Pure numpy: no Django.

No name and no id of any kind is kept: rows carry ages, sex, category, months and amounts, and
are put in the order of their own values (not of any id), so the file cannot be joined back to
the registry by position either. The file is written byte for byte the same for the same
numbers (fixed zip timestamps, sorted names), so equal data give an equal SHA-256.

Members (`member_*`, one row per member with a membership spell started by the valuation date,
alive a year before it and not retired by then):

| column | meaning |
| --- | --- |
| age | completed years on the valuation date (a 29 February birthday falls on 1 March) |
| sex | 0 male, 1 female |
| category | code into `category_names` of the latest spell started by the date ("" = 0) |
| alive | alive on the valuation date |
| retired | their own old-age benefit (pension or lump sum) started during the last year |
| insured | alive and not retired: the fund's insured members on the date |
| covered | a membership spell covers the valuation date |
| covered_year_before | a membership spell covered the date a year before |
| entered_last_year | the first membership spell started during the last year |
| active | insured, covered, and at least one counted month in the last 12 |
| months_total, months_last_12 | distinct counted contribution months up to the valuation month |
| membership_months_total, membership_months_last_12 | months touched by a membership spell |
| wage_last_month | insurable wage of the valuation month, employers added (0 if none) |
| wage_average_12 | mean insurable wage of the counted months among the last 12, whole kip |
| months_since_last_contribution | 0 = the valuation month; -1 = never contributed |

Pensions (`pension_*`, one row per periodic award of a long-term branch in payment on the
date or started during the last year): age, sex, branch (code into `branch_names`),
monthly_amount (the amount valid on the date, kip), award_year, award_age (age when it
started), in_payment, started_last_year.

Population (`population_counts`, `[sex, age 0..100+]`): the registry's people alive on the date.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pakan.rules.benefits.history import age_in_years
from pakan.valuation.extract.period import WINDOW_MONTHS, ValuationPeriod

FORMAT_VERSION = 1
SEXES = ("M", "F")
OPEN_AGE = 100
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
COMPRESSION_LEVEL = 1  # fast; the columns are small integers and compress well anyway

MEMBER_COLUMNS: dict[str, str] = {
    "age": "i2", "sex": "i1", "category": "i1", "alive": "?", "retired": "?", "insured": "?",
    "covered": "?", "covered_year_before": "?", "entered_last_year": "?", "active": "?",
    "months_total": "i4", "months_last_12": "i1", "membership_months_total": "i4",
    "membership_months_last_12": "i1", "wage_last_month": "i8", "wage_average_12": "i8",
    "months_since_last_contribution": "i2",
}
PENSION_COLUMNS: dict[str, str] = {
    "age": "i2", "sex": "i1", "branch": "i1", "monthly_amount": "i8", "award_year": "i2",
    "award_age": "i2", "in_payment": "?", "started_last_year": "?",
}


def _days(day_numbers: np.ndarray) -> np.ndarray:
    return day_numbers.astype("datetime64[D]")


def ages_on(birth_day: np.ndarray, day: datetime.date | np.ndarray) -> np.ndarray:
    """Completed years, by the benefit rules' own function (one rule for ages)."""
    on = np.broadcast_to(np.asarray(day, dtype="datetime64[D]"), birth_day.shape)
    return age_in_years(_days(birth_day), on)


def rounded_division(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Whole kip, half up (the benefit rules' rounding); 0 where the denominator is 0."""
    safe = np.maximum(denominator, 1)
    return np.where(denominator > 0, (2 * numerator + safe) // (2 * safe), 0).astype(np.int64)


@dataclass(frozen=True)
class ExtractArrays:
    valuation_date: datetime.date
    members: Mapping[str, np.ndarray]
    pensions: Mapping[str, np.ndarray]
    population_counts: np.ndarray  # [sex, age 0..100+], int64
    category_names: tuple[str, ...]
    branch_names: tuple[str, ...]

    # --- counts -----------------------------------------------------------------------------
    @property
    def insured_count(self) -> int:
        return int(self.members["insured"].sum())

    @property
    def pensioners_count(self) -> int:
        return int(self.pensions["in_payment"].sum())

    @property
    def base_year(self) -> int:
        return ValuationPeriod(self.valuation_date).base_year

    # --- from the database's columns -----------------------------------------------------------
    @classmethod
    def from_raw(cls, period: ValuationPeriod, members: Mapping[str, np.ndarray],
                 pensions: Mapping[str, np.ndarray], population: Mapping[str, np.ndarray],
                 category_names: tuple[str, ...], branch_names: tuple[str, ...]
                 ) -> ExtractArrays:
        return cls(
            valuation_date=period.valuation_date,
            members=_sorted(_member_facts(period, members), MEMBER_COLUMNS),
            pensions=_sorted(_pension_facts(period, pensions), PENSION_COLUMNS),
            population_counts=_population_counts(period, population),
            category_names=category_names,
            branch_names=branch_names,
        )

    # --- the file -------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {
            "format_version": np.array(FORMAT_VERSION),
            "valuation_date": np.array(self.valuation_date.isoformat()),
            "category_names": np.array(self.category_names),
            "branch_names": np.array(self.branch_names),
            "population_counts": self.population_counts,
        }
        arrays.update({f"member_{name}": values for name, values in self.members.items()})
        arrays.update({f"pension_{name}": values for name, values in self.pensions.items()})
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in sorted(arrays):
                array_bytes = io.BytesIO()
                np.lib.format.write_array(array_bytes, np.asarray(arrays[name]),
                                          allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_TIMESTAMP)
                info.external_attr = 0o644 << 16
                archive.writestr(info, array_bytes.getvalue(), compress_type=zipfile.ZIP_DEFLATED,
                                 compresslevel=COMPRESSION_LEVEL)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ExtractArrays:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        if int(arrays["format_version"]) != FORMAT_VERSION:
            raise ValueError(f"extract file format {int(arrays['format_version'])} is not "
                             f"{FORMAT_VERSION}")
        return cls(
            valuation_date=datetime.date.fromisoformat(str(arrays["valuation_date"])),
            members={name: arrays[f"member_{name}"] for name in MEMBER_COLUMNS},
            pensions={name: arrays[f"pension_{name}"] for name in PENSION_COLUMNS},
            population_counts=arrays["population_counts"],
            category_names=tuple(str(name) for name in arrays["category_names"]),
            branch_names=tuple(str(name) for name in arrays["branch_names"]),
        )


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the facts, from the raw columns ------------------------------------------------------------

def _day_number(day: datetime.date) -> int:
    return (day - datetime.date(1970, 1, 1)).days


MONTHS_PER_MASK = 63  # bits of a mask of counted months (a signed 64-bit integer in SQL)
WINDOW_BITS = (1 << WINDOW_MONTHS) - 1


def month_masks(raw: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """The members' month masks, block 0 first (bit b of block k: the month 63 k + b before
    the valuation month), as unsigned integers."""
    blocks = sorted(int(name.removeprefix("mask_")) for name in raw if name.startswith("mask_"))
    return [raw[f"mask_{block}"].astype(np.int64).view(np.uint64) for block in blocks]


def months_from_masks(masks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counted months in all and in the last 12, and months back to the latest (-1: none)."""
    total = sum((np.bitwise_count(mask).astype(np.int64) for mask in masks),
                start=np.zeros(len(masks[0]), dtype=np.int64))
    last_12 = np.bitwise_count(masks[0] & np.uint64(WINDOW_BITS)).astype(np.int64)
    latest = np.full(len(masks[0]), -1, dtype=np.int64)
    for block in reversed(range(len(masks))):  # the most recent block wins, so it goes last
        mask = masks[block]
        lowest_bit = mask & (~mask + np.uint64(1))
        trailing_zeros = np.bitwise_count(lowest_bit - np.uint64(1)).astype(np.int64)
        latest = np.where(mask != 0, block * MONTHS_PER_MASK + trailing_zeros, latest)
    return total, last_12, latest


def _member_facts(period: ValuationPeriod, raw: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    alive, retired = raw["alive"].astype(bool), raw["retired"].astype(bool)
    covered = raw["covered"].astype(bool)
    insured = alive & ~retired
    months_total, months_last_12, latest_back = months_from_masks(month_masks(raw))
    return {
        "age": ages_on(raw["birth_day"], period.valuation_date),
        "sex": raw["female"],
        "category": raw["category"],
        "alive": alive,
        "retired": retired,
        "insured": insured,
        "covered": covered,
        "covered_year_before": raw["covered_year_before"].astype(bool),
        "entered_last_year": raw["first_start_day"] > _day_number(period.year_before),
        "active": insured & covered & (months_last_12 > 0),
        "months_total": months_total,
        "months_last_12": months_last_12,
        "membership_months_total": raw["membership_months_total"],
        "membership_months_last_12": raw["membership_months_last_12"],
        "wage_last_month": raw["wage_last_month"],
        "wage_average_12": rounded_division(raw["wage_sum_12"], months_last_12),
        "months_since_last_contribution": latest_back,
    }


def _pension_facts(period: ValuationPeriod, raw: Mapping[str, np.ndarray]
                   ) -> dict[str, np.ndarray]:
    in_payment = (raw["alive"].astype(bool) & raw["not_ended"].astype(bool)
                  & raw["status_in_payment"].astype(bool))
    started_last_year = raw["start_day"] > _day_number(period.year_before)
    keep = in_payment | started_last_year
    start = _days(raw["start_day"][keep])
    return {
        "age": ages_on(raw["birth_day"][keep], period.valuation_date),
        "sex": raw["female"][keep],
        "branch": raw["branch"][keep],
        "monthly_amount": raw["monthly_amount"][keep],
        "award_year": start.astype("datetime64[Y]").astype(np.int64) + 1970,
        "award_age": ages_on(raw["birth_day"][keep], start),
        "in_payment": in_payment[keep],
        "started_last_year": started_last_year[keep],
    }


def _population_counts(period: ValuationPeriod, raw: Mapping[str, np.ndarray]) -> np.ndarray:
    counts = np.zeros((len(SEXES), OPEN_AGE + 1), dtype=np.int64)
    ages = np.minimum(ages_on(raw["birth_day"], period.valuation_date), OPEN_AGE)
    np.add.at(counts, (raw["female"].astype(np.int64), ages), raw["people"])
    return counts


def _sorted(columns: dict[str, np.ndarray], types: Mapping[str, str]) -> dict[str, np.ndarray]:
    """The columns in their stored types, rows in the order of their own values."""
    typed = {name: np.asarray(columns[name]).astype(types[name]) for name in types}
    if not typed or len(next(iter(typed.values()))) == 0:
        return typed
    order = np.lexsort(tuple(typed[name] for name in reversed(list(types))))
    return {name: values[order] for name, values in typed.items()}
