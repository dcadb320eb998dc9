"""Write a synthetic Lao population as a registry exchange file (CSV).

The file is written block by block: each block is a few thousand households drawn with numpy
(pakan.synth.households), turned into columns, and appended to the CSV by polars, so 7.5
million people need no more memory than one block. The same (people, seed) always gives the
same bytes: every block has its own random stream derived from the seed and the block number,
and the reference date ("today" of the synthetic registry) is fixed.

What is in it, and the assumptions behind each part (figures from shared/domain/lao-facts.md):

- Province sizes follow the 2015 census (§5); villages: pakan.synth.villages.
- Ages, sexes and households: pakan.synth.households (31% under 15, 4.6% aged 65+, §7).
- Names: Lao lists in pakan.synth.name_lists; the Latin form is romanise(Lao form). Wives and
  children carry the household's family name; a son-in-law and his children carry his.
- Washington Group functional difficulty, six domains, answers 1-4, blank under 5 (the short
  set is not asked of young children). Assumption, since the facts file gives no prevalence:
  about 3% of people aged 5 or more answer "a lot of difficulty" or "cannot do at all" in at
  least one domain (the WG disability identifier), rising steeply after 60, and about one in
  seven report at least "some difficulty"; answers in the six domains are correlated through
  a per-person frailty.
- UXO survivors: about 0.2% of people (15,000 living in 2012, §4), aged 10+, mostly men, most
  in the contaminated provinces; many have difficulty walking or seeing.
- Deaths: about one registered person in 150 died during the year before the reference date
  (the life table's death probabilities); heads of household are kept alive.
- National ID for about 88% of people aged 18+ and a third of those aged 15-17; a mobile
  number for about half of the adults; family-book numbers per household.
- About 8% of the head's children aged 15-35 are registered in another village than their
  household's: a neighbouring village, or Vientiane Capital, where they went to work.
- About 1% of the rows are near-duplicates: a second record of an existing person, typed by
  another clerk (Latin spelling variant and/or a Lao tone-mark variant), same sex and date of
  birth, same or neighbouring village, with no national ID, family book or relationship.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pakan.registry.columns import PEOPLE_COLUMNS
from pakan.registry.geography import UnitRow
from pakan.registry.models import WASHINGTON_GROUP_DOMAINS
from pakan.synth.demography import (
    UXO_MALE_SHARE,
    UXO_MIN_AGE,
    UXO_PROVINCE_WEIGHT,
    survival,
    survival_between,
    uxo_base_rate,
)
from pakan.synth.households import (
    CHILD,
    HEAD,
    IN_LAW_NAME,
    OWN_NAME,
    RELATIONSHIP_VALUES,
    Members,
    compose,
)
from pakan.synth.variants import VARIANTS_PER_NAME, NameTables, name_tables
from pakan.synth.villages import VillagePlan, plan_villages

REFERENCE_DATE = datetime.date(2026, 7, 1)  # the synthetic registry's "today"
EPOCH = datetime.date(1970, 1, 1)
DAYS_PER_YEAR = 365.2425
HOUSEHOLDS_PER_BLOCK = 25_000
MAX_PEOPLE = 20_000_000  # identifiers below stay unique up to this size
NEAR_DUPLICATE_SHARE = 0.01
SPLIT_SHARE = 0.08  # of the head's children aged 15-35
NATIONAL_ID_SHARE = {15: 0.35, 18: 0.88}  # from this age on
PHONE_SHARE_BY_AGE = ((15, 0.45), (25, 0.65), (50, 0.4), (65, 0.15))
# Washington Group answers: a latent score per domain, thresholds for "some" / "a lot" /
# "cannot", shifted by age (see the module docstring for the prevalence it gives).
DIFFICULTY_THRESHOLDS = (2.0, 2.8, 3.4)
DIFFICULTY_DOMAIN_OFFSET = (0.1, 0.0, 0.1, 0.0, -0.3, -0.3)  # seeing ... communicating
DIFFICULTY_FRAILTY_WEIGHT = 0.6
DIFFICULTY_AGE_SLOPE = 0.045  # per year after DIFFICULTY_AGE_START
DIFFICULTY_AGE_START = 45.0
DIFFICULTY_MIN_AGE = 5
UXO_WALKING_SHARE = 0.5
UXO_SEEING_SHARE = 0.15
# Scrambles (a * n + b mod m, with a coprime to m) give unique, non-sequential identifiers.
NATIONAL_ID_SCRAMBLE = (387_420_489, 275_318_146, 1_000_000_000)  # 3**18
FAMILY_BOOK_SCRAMBLE = (4_782_969, 3_141_592, 10_000_000)  # 3**14
ProgressCallback = Callable[[int, int], None]


@dataclass
class SynthSummary:
    """What a generated file holds, for the command, the benchmark and the tests."""

    path: Path
    seed: int
    reference_date: datetime.date
    rows: int = 0
    households: int = 0
    villages: int = 0
    villages_used: int = 0
    near_duplicates: int = 0
    deceased: int = 0
    living: int = 0
    under_15: int = 0
    aged_65_plus: int = 0
    aged_5_plus: int = 0
    with_functional_difficulty: int = 0
    uxo_survivors: int = 0
    with_national_id: int = 0
    with_phone: int = 0
    split_members: int = 0
    people_by_province: dict[str, int] = field(default_factory=dict)

    @property
    def people(self) -> int:
        """Distinct persons: rows less the near-duplicate records."""
        return self.rows - self.near_duplicates

    @property
    def share_under_15(self) -> float:
        return self.under_15 / max(self.living, 1)

    @property
    def share_65_plus(self) -> float:
        return self.aged_65_plus / max(self.living, 1)

    @property
    def mean_household_size(self) -> float:
        return self.people / max(self.households, 1)

    @property
    def share_with_functional_difficulty(self) -> float:
        return self.with_functional_difficulty / max(self.aged_5_plus, 1)


def villages_for(people: int, seed: int) -> list[UnitRow]:
    """The villages that write_people_csv(…, people, seed) uses, for upsert_units."""
    return plan_villages(people, seed).rows()


@dataclass
class Block:
    """The columns of one block of rows, as numpy arrays (names and codes as indices)."""

    household: np.ndarray  # global household number, -1 for near-duplicates
    village: np.ndarray  # index into the plan
    household_village: np.ndarray
    male: np.ndarray
    age: np.ndarray
    birth_day: np.ndarray  # days since 1970-01-01
    death_day: np.ndarray  # -1: alive
    relationship: np.ndarray  # -1: blank
    given_name: np.ndarray  # index into the given-name table
    family_name: np.ndarray  # index into the family-name table
    given_tone_variant: np.ndarray  # True: a tone mark added or left out in the Lao name
    family_tone_variant: np.ndarray
    given_spelling: np.ndarray  # -1: romanise(Lao); 0..VARIANTS_PER_NAME-1: a variant
    family_spelling: np.ndarray
    difficulty: np.ndarray  # (rows, 6), 0: blank
    uxo: np.ndarray
    national_id: np.ndarray  # serial, -1: none
    phone: np.ndarray  # 8-digit subscriber number, -1: none

    def take(self, rows: np.ndarray) -> Block:
        return Block(**{name: value[rows] for name, value in vars(self).items()})

    @staticmethod
    def concatenate(first: Block, second: Block) -> Block:
        return Block(**{name: np.concatenate([value, getattr(second, name)])
                        for name, value in vars(first).items()})


def _share_by_age(age: np.ndarray, steps: tuple[tuple[int, float], ...]) -> np.ndarray:
    share = np.zeros(age.shape)
    for from_age, value in steps:
        share = np.where(age >= from_age, value, share)
    return share


def _difficulties(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    rows = len(age)
    frailty = rng.standard_normal(rows)[:, None]
    own = rng.standard_normal((rows, len(WASHINGTON_GROUP_DOMAINS)))
    weight = DIFFICULTY_FRAILTY_WEIGHT
    score = (weight * frailty + np.sqrt(1.0 - weight**2) * own
             + np.array(DIFFICULTY_DOMAIN_OFFSET)[None, :]
             + DIFFICULTY_AGE_SLOPE * np.maximum(age - DIFFICULTY_AGE_START, 0.0)[:, None])
    level = 1 + sum((score > threshold).astype(np.int8) for threshold in DIFFICULTY_THRESHOLDS)
    level = level.astype(np.int8)
    level[age < DIFFICULTY_MIN_AGE] = 0
    return level


def _uxo(rng, age, male, province_weight) -> np.ndarray:
    sex_factor = np.where(male, UXO_MALE_SHARE, 1.0 - UXO_MALE_SHARE) / 0.5
    chance = uxo_base_rate() * province_weight * sex_factor
    return (age >= UXO_MIN_AGE) & (rng.random(len(age)) < chance)


def _deaths(rng, members: Members, birth_day: np.ndarray, reference_day: int) -> np.ndarray:
    """Day of death of the members who died in the last year (-1 for the living)."""
    age = members.age
    year_ago = np.maximum(age - 1.0, 0.0)
    dying = 1.0 - np.where(age >= 1.0, survival_between(year_ago, age, members.male),
                           survival(age, members.male))
    dead = (members.relationship != HEAD) & (rng.random(len(age)) < dying)
    days_back = np.floor(rng.random(len(age)) * np.minimum(365.0, reference_day - birth_day))
    return np.where(dead, reference_day - days_back, -1).astype(np.int64)


def _names(rng, members: Members, households: int, tables: NameTables):
    given_weights = tables.given.weights
    male_count = tables.male_given_count
    male_choice = rng.choice(male_count, len(members), p=given_weights[:male_count] * 2)
    female_choice = male_count + rng.choice(len(given_weights) - male_count, len(members),
                                            p=given_weights[male_count:] * 2)
    given = np.where(members.male, male_choice, female_choice)
    family_weights = tables.family.weights
    household_name = rng.choice(tables.family.size, households, p=family_weights)
    in_law_name = rng.choice(tables.family.size, households, p=family_weights)
    own_name = rng.choice(tables.family.size, len(members), p=family_weights)
    family = np.select([members.family_name_source == IN_LAW_NAME,
                        members.family_name_source == OWN_NAME],
                       [in_law_name[members.household], own_name],
                       household_name[members.household])
    return given.astype(np.int64), family.astype(np.int64)


def _block(rng: np.random.Generator, members: Members, plan: VillagePlan, tables: NameTables,
           first_row: int, first_person: int, first_household: int,
           reference_day: int) -> Block:
    """Columns for the real people of one block (household members, head first).

    A household lives in the village whose share of the file covers its head's place in the
    file; places count people only (near-duplicates excluded), scaled up to the whole file, so
    the last provinces get their share too.
    """
    rows = len(members)
    head_rows = np.flatnonzero(members.relationship == HEAD)
    place = np.floor((first_person + head_rows) * (1.0 + NEAR_DUPLICATE_SHARE)).astype(np.int64)
    household_village = plan.village_at(place)[members.household]
    village = household_village.copy()
    age = members.age
    birth_day = reference_day - np.floor(age * DAYS_PER_YEAR).astype(np.int64)
    death_day = _deaths(rng, members, birth_day, reference_day)
    alive = death_day < 0

    moved = ((members.relationship == CHILD) & (age >= 15) & (age < 35) & alive
             & (rng.random(rows) < SPLIT_SHARE))
    to_capital = rng.random(rows) < 0.5
    capital = plan.capital_villages[rng.integers(0, len(plan.capital_villages), rows)]
    village = np.where(moved, np.where(to_capital, capital, plan.neighbour(village)), village)

    given, family = _names(rng, members, len(head_rows), tables)
    province_weight = np.vectorize(UXO_PROVINCE_WEIGHT.__getitem__)(
        plan.province_codes)[household_village]
    uxo = _uxo(rng, age, members.male, province_weight)
    difficulty = _difficulties(rng, age)
    walking = WASHINGTON_GROUP_DOMAINS.index("difficulty_walking")
    seeing = WASHINGTON_GROUP_DOMAINS.index("difficulty_seeing")
    for column, share in ((walking, UXO_WALKING_SHARE), (seeing, UXO_SEEING_SHARE)):
        hurt = uxo & (rng.random(rows) < share)
        difficulty[hurt, column] = np.maximum(difficulty[hurt, column], 3)

    id_share = _share_by_age(age, tuple(NATIONAL_ID_SHARE.items()))
    has_id = rng.random(rows) < id_share
    multiplier, offset, modulus = NATIONAL_ID_SCRAMBLE
    serial = (np.arange(first_row, first_row + rows, dtype=np.int64) * multiplier + offset) \
        % modulus
    has_phone = alive & (rng.random(rows) < _share_by_age(age, PHONE_SHARE_BY_AGE))
    phone = rng.integers(0, 10_000_000, rows) + 10_000_000 * rng.choice([2, 5, 7, 9], rows)
    no_variant = np.zeros(rows, dtype=bool)
    plain_spelling = np.full(rows, -1, dtype=np.int64)
    return Block(
        household=first_household + members.household,
        village=village,
        household_village=household_village,
        male=members.male,
        age=age,
        birth_day=birth_day,
        death_day=death_day,
        relationship=members.relationship.astype(np.int8),
        given_name=given,
        family_name=family,
        given_tone_variant=no_variant,
        family_tone_variant=no_variant,
        given_spelling=plain_spelling,
        family_spelling=plain_spelling,
        difficulty=difficulty,
        uxo=uxo,
        national_id=np.where(has_id, serial, -1),
        phone=np.where(has_phone, phone, -1),
    )


def _near_duplicates(rng: np.random.Generator, block: Block, count: int,
                     plan: VillagePlan) -> Block:
    """Second records of `count` living people of the block, typed by another clerk."""
    candidates = np.flatnonzero((block.death_day < 0) & (block.age >= 1.0))
    count = min(count, len(candidates))
    chosen = np.sort(rng.choice(candidates, count, replace=False))
    copy = block.take(chosen)
    # 0: Latin given, 1: Latin family, 2: both, 3: Lao tone mark only, 4: tone mark and Latin.
    kind = rng.choice(5, count, p=[0.3, 0.2, 0.1, 0.2, 0.2])
    latin_given = np.isin(kind, (0, 2)) | ((kind == 4) & (rng.random(count) < 0.5))
    latin_family = np.isin(kind, (1, 2)) | ((kind == 4) & ~latin_given)
    copy.given_tone_variant = np.isin(kind, (3, 4)) & (rng.random(count) < 0.6)
    copy.family_tone_variant = np.isin(kind, (3, 4)) & ~copy.given_tone_variant
    copy.given_spelling = np.where(latin_given, rng.integers(0, VARIANTS_PER_NAME, count), -1)
    copy.family_spelling = np.where(latin_family, rng.integers(0, VARIANTS_PER_NAME, count), -1)
    elsewhere = rng.random(count) < 0.4
    copy.village = np.where(elsewhere, plan.neighbour(copy.village), copy.village)
    copy.household = np.full(count, -1)
    copy.relationship = np.full(count, -1, dtype=np.int8)
    copy.national_id = np.full(count, -1)
    copy.phone = np.where(rng.random(count) < 0.3, copy.phone, -1)
    return copy


def _joined(parts: list[pl.Series], separator: str = "") -> pl.Series:
    return pl.select(pl.concat_str(parts, separator=separator)).to_series()


def _text_where(mask: np.ndarray, values: pl.Series) -> pl.Series:
    return pl.select(pl.when(pl.Series(mask)).then(values)).to_series()


def _frame(block: Block, plan: VillagePlan, tables: NameTables) -> pl.DataFrame:
    """The block as CSV columns, in PEOPLE_COLUMNS order."""
    rows = len(block.age)
    villages = pl.Series(plan.codes, dtype=pl.String)
    provinces = pl.Series(plan.province_codes, dtype=pl.String)
    districts = pl.Series(plan.district_codes, dtype=pl.String)
    serial = pl.Series(np.maximum(block.national_id, 0)).cast(pl.String).str.zfill(9)
    digits = np.maximum(block.national_id, 0)
    check = np.zeros(rows, dtype=np.int64)
    for position in range(9):
        check += (digits // 10**position % 10) * (3, 7, 1)[position % 3]
    national_id = _joined([provinces.gather(block.household_village), serial,
                           pl.Series(check % 10).cast(pl.String)])
    multiplier, offset, modulus = FAMILY_BOOK_SCRAMBLE
    book_serial = (np.maximum(block.household, 0) * multiplier + offset) % modulus
    family_book = _joined([districts.gather(block.household_village),
                           pl.Series(book_serial).cast(pl.String).str.zfill(7)], "-")
    phone_digits = pl.Series(np.maximum(block.phone, 0)).cast(pl.String).str.zfill(8)
    phone = _joined([phone_digits.str.slice(0, 4), phone_digits.str.slice(4, 4)], " ")
    phone = _joined([pl.Series(["+856 20"]).extend_constant("+856 20", len(phone) - 1), phone],
                    " ")
    relationship = pl.Series(RELATIONSHIP_VALUES, dtype=pl.String).gather(
        np.maximum(block.relationship, 0))
    columns: dict[str, pl.Series] = {
        "national_id": _text_where(block.national_id >= 0, national_id),
        "family_book_number": _text_where(block.household >= 0, family_book),
        "given_name_lo": tables.given.lao.gather(
            tables.given.lao_index(block.given_name, block.given_tone_variant)),
        "family_name_lo": tables.family.lao.gather(
            tables.family.lao_index(block.family_name, block.family_tone_variant)),
        "given_name_latin": tables.given.latin.gather(
            tables.given.latin_index(block.given_name, block.given_spelling)),
        "family_name_latin": tables.family.latin.gather(
            tables.family.latin_index(block.family_name, block.family_spelling)),
        "sex": pl.Series(["F", "M"], dtype=pl.String).gather(block.male.astype(np.int64)),
        "date_of_birth": pl.Series(block.birth_day.astype(np.int32)).cast(pl.Date),
        "date_of_death": pl.Series(np.where(block.death_day >= 0, block.death_day, 0)
                                   .astype(np.int32)).cast(pl.Date),
        "village_code": villages.gather(block.village),
        "relationship_to_head": _text_where(block.relationship >= 0, relationship),
    }
    columns["date_of_death"] = _text_where(block.death_day >= 0, columns["date_of_death"])
    for column, domain in enumerate(WASHINGTON_GROUP_DOMAINS):
        answers = block.difficulty[:, column]
        columns[domain] = _text_where(answers > 0, pl.Series(answers, dtype=pl.Int8))
    columns["uxo_survivor"] = pl.Series(block.uxo.astype(np.int8))
    columns["phone"] = _text_where(block.phone >= 0, phone)
    return pl.DataFrame({name: columns[name].alias(name) for name in PEOPLE_COLUMNS})


def _tally(summary: SynthSummary, block: Block, real_rows: int, plan: VillagePlan,
           used: np.ndarray, province_rows: np.ndarray) -> None:
    real = slice(0, real_rows)
    age = block.age[real]
    living = block.death_day[real] < 0
    summary.rows += len(block.age)
    summary.near_duplicates += len(block.age) - real_rows
    summary.deceased += int((~living).sum())
    summary.living += int(living.sum())
    summary.under_15 += int((living & (age < 15)).sum())
    summary.aged_65_plus += int((living & (age >= 65)).sum())
    summary.aged_5_plus += int((living & (age >= DIFFICULTY_MIN_AGE)).sum())
    summary.with_functional_difficulty += int(
        (living & (block.difficulty[real] >= 3).any(axis=1)).sum())
    summary.uxo_survivors += int((living & block.uxo[real]).sum())
    summary.with_national_id += int((block.national_id[real] >= 0).sum())
    summary.with_phone += int((block.phone[real] >= 0).sum())
    summary.split_members += int((block.village[real] != block.household_village[real]).sum())
    used[block.village] = True
    province_rows += np.bincount(block.household_village[real], minlength=len(plan))


def write_people_csv(path: Path, people: int, seed: int,
                     progress: ProgressCallback | None = None, *,
                     reference_date: datetime.date | None = None) -> SynthSummary:
    """Write `people` rows (near-duplicates included) to `path`; see the module docstring."""
    if not 1 <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be between 1 and {MAX_PEOPLE:,}")
    reference = reference_date or min(REFERENCE_DATE, datetime.date.today())
    reference_day = (reference - EPOCH).days
    plan = plan_villages(people, seed)
    tables = name_tables()
    summary = SynthSummary(path=Path(path), seed=seed, reference_date=reference,
                           villages=len(plan))
    used = np.zeros(len(plan), dtype=bool)
    village_rows = np.zeros(len(plan), dtype=np.int64)
    block_number = 0
    with Path(path).open("wb") as handle:
        while summary.rows < people:
            remaining = people - summary.rows
            rng = np.random.default_rng([seed, 1, block_number])
            members = compose(rng, min(HOUSEHOLDS_PER_BLOCK, remaining // 4 + 16))
            real_rows = len(members)
            duplicates = round(real_rows * NEAR_DUPLICATE_SHARE)
            if real_rows + duplicates >= remaining:
                duplicates = round(remaining * NEAR_DUPLICATE_SHARE / (1 + NEAR_DUPLICATE_SHARE))
                real_rows = min(remaining - duplicates, real_rows)
                duplicates = remaining - real_rows
                members = Members(**{name: value[:real_rows]
                                     for name, value in vars(members).items()})
            block = _block(rng, members, plan, tables, summary.rows, summary.people,
                           summary.households, reference_day)
            summary.households += int(members.household[-1]) + 1
            block = Block.concatenate(block, _near_duplicates(rng, block, duplicates, plan))
            _frame(block, plan, tables).write_csv(
                handle, include_header=block_number == 0, date_format="%Y-%m-%d",
                null_value="")
            _tally(summary, block, real_rows, plan, used, village_rows)
            block_number += 1
            if progress is not None:
                progress(summary.rows, people)
    summary.villages_used = int(used.sum())
    for province in np.unique(plan.province_codes):
        summary.people_by_province[str(province)] = int(
            village_rows[plan.province_codes == province].sum())
    return summary
