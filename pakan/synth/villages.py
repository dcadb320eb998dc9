"""Plausible villages for a synthetic population, and how many people each one holds.

The official list gives provinces and districts only; villages are made up here. Province
populations follow the 2015 census; the split between districts and between villages is not
in the facts file, so it is drawn (log-normal weights, the first district of a province — its
capital — twice as large). The number of villages scales with the population: about 8,500 for
7.5 million people (DESIGN.md), never fewer than one per district.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pakan.registry.geography import UnitRow, official_rows
from pakan.registry.models import AdminUnit
from pakan.synth.demography import CENSUS_2015_POPULATION, NATIONAL_POPULATION, NATIONAL_VILLAGES
from pakan.synth.name_lists import (
    VILLAGE_LANDSCAPES,
    VILLAGE_QUALIFIERS,
    VILLAGE_WORD_LATIN,
    VILLAGE_WORD_LO,
)
from pakan.synth.romanise import romanise

MAX_VILLAGES_PER_DISTRICT = 999  # the village part of the code PPDDVVV has three digits
CAPITAL_DISTRICT_WEIGHT = 2.0
DISTRICT_SPREAD = 0.45  # sigma of the log-normal district weights
VILLAGE_SPREAD = 0.55  # sigma of the log-normal village weights
CAPITAL_PROVINCE = "01"  # Vientiane Capital, where people who move away for work often go


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights (largest remainder; sums to total)."""
    weights = np.asarray(weights, dtype=np.float64)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    shares = weights / weights.sum() * total
    counts = np.floor(shares).astype(np.int64)
    missing = int(total - counts.sum())
    order = np.argsort(-(shares - counts), kind="stable")
    counts[order[:missing]] += 1
    return counts


def village_count_for(people: int) -> int:
    return round(people * NATIONAL_VILLAGES / NATIONAL_POPULATION)


@dataclass(frozen=True)
class VillagePlan:
    """Villages in code order, with their share of the people and their neighbours."""

    codes: np.ndarray  # "PPDDVVV"
    names_lo: tuple[str, ...]
    names_en: tuple[str, ...]
    district_codes: np.ndarray  # "PPDD" of each village
    province_codes: np.ndarray  # "PP" of each village
    cumulative_quota: np.ndarray  # people in this village and all before it
    first_in_district: np.ndarray  # index of the first village of the same district
    count_in_district: np.ndarray  # villages in the same district
    capital_villages: np.ndarray  # indices of the villages of Vientiane Capital

    def __len__(self) -> int:
        return len(self.codes)

    def rows(self) -> list[UnitRow]:
        return [UnitRow(str(code), str(district), AdminUnit.Level.VILLAGE, name_en, name_lo)
                for code, district, name_en, name_lo in zip(self.codes, self.district_codes,
                                                             self.names_en, self.names_lo,
                                                             strict=True)]

    def village_at(self, position: np.ndarray) -> np.ndarray:
        """The village holding the person at this position of the file (0-based)."""
        index = np.searchsorted(self.cumulative_quota, position, side="right")
        return np.minimum(index, len(self.codes) - 1)

    def neighbour(self, village: np.ndarray, step: np.ndarray | int = 1) -> np.ndarray:
        """Another village of the same district (the same one if the district has one)."""
        first = self.first_in_district[village]
        count = self.count_in_district[village]
        return first + (village - first + step) % count


def _districts() -> list[UnitRow]:
    return [row for row in official_rows() if row.level == AdminUnit.Level.DISTRICT]


def _district_people(rng: np.random.Generator, people: int,
                     districts: list[UnitRow]) -> np.ndarray:
    provinces = sorted(CENSUS_2015_POPULATION)
    province_people = dict(zip(provinces, allocate(
        people, np.array([CENSUS_2015_POPULATION[code] for code in provinces])), strict=True))
    result = np.zeros(len(districts), dtype=np.int64)
    for province in provinces:
        members = [i for i, row in enumerate(districts) if row.parent_code == province]
        weights = rng.lognormal(0.0, DISTRICT_SPREAD, len(members))
        weights[0] *= CAPITAL_DISTRICT_WEIGHT
        result[members] = allocate(province_people[province], weights)
    return result


def _village_names(rng: np.random.Generator, count: int) -> list[tuple[str, str]]:
    """`count` different names for the villages of one district (Lao, Latin)."""
    combinations = len(VILLAGE_LANDSCAPES) * len(VILLAGE_QUALIFIERS)
    order = rng.permutation(combinations)
    names = []
    for number in range(count):
        combination = int(order[number % combinations])
        stem = (VILLAGE_LANDSCAPES[combination // len(VILLAGE_QUALIFIERS)]
                + VILLAGE_QUALIFIERS[combination % len(VILLAGE_QUALIFIERS)])
        suffix = f" {number // combinations + 1}" if number >= combinations else ""
        names.append((f"{VILLAGE_WORD_LO}{stem}{suffix}",
                      f"{VILLAGE_WORD_LATIN} {romanise(stem)}{suffix}"))
    return names


@lru_cache(maxsize=8)
def plan_villages(people: int, seed: int) -> VillagePlan:
    """The villages for `people` people; the same for the same (people, seed)."""
    rng = np.random.default_rng([seed, 0])
    districts = _districts()
    district_people = _district_people(rng, people, districts)
    extra = max(village_count_for(people) - len(districts), 0)
    per_district = np.minimum(1 + allocate(extra, district_people), MAX_VILLAGES_PER_DISTRICT)

    codes, names_lo, names_en, district_codes, quotas, first, count = [], [], [], [], [], [], []
    for district, people_here, villages_here in zip(districts, district_people, per_district,
                                                    strict=True):
        start = len(codes)
        quotas.extend(allocate(int(people_here), rng.lognormal(0.0, VILLAGE_SPREAD,
                                                               villages_here)))
        for number, (name_lo, name_en) in enumerate(_village_names(rng, villages_here), 1):
            codes.append(f"{district.code}{number:03d}")
            names_lo.append(name_lo)
            names_en.append(name_en)
            district_codes.append(district.code)
            first.append(start)
            count.append(villages_here)
    codes_array = np.array(codes)
    province_codes = np.array([code[:2] for code in codes])
    return VillagePlan(
        codes=codes_array,
        names_lo=tuple(names_lo),
        names_en=tuple(names_en),
        district_codes=np.array(district_codes),
        province_codes=province_codes,
        cumulative_quota=np.cumsum(np.array(quotas, dtype=np.int64)),
        first_in_district=np.array(first, dtype=np.int64),
        count_in_district=np.array(count, dtype=np.int64),
        capital_villages=np.flatnonzero(province_codes == CAPITAL_PROVINCE),
    )
