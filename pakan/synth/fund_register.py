"""The synthetic fund's register, grown from the people already in the registry: employers, the
Ministry of Industry and Commerce enterprise register, insured members, their membership and
employment spells, and dependants. Everything is drawn with numpy for the whole country at once
and written as whole tables (pakan.synth.fund_tables); the same registry and seed give the same
fund.

Assumptions (none of these figures is in shared/domain; they are set to look plausible and are
named here so they can be replaced by real ones):

- One employer per 150 people (about 50,000 at 7.5 million) and one insured worker per 7.5
  people (about 1 million), of whom about 18% civil servants and 5% police or military
  (provisional category) working for public units; the rest enterprise employees.
- Private employers' sizes are log-normal (median about 4 workers, sigma 1.5, larger in
  mining, energy, finance and manufacturing): about 55% micro (up to 5), 40% small, a long
  tail of large firms. Sector shares follow a trade-heavy economy (about 38% wholesale and
  retail, 12% accommodation and food, 10% manufacturing, 8% construction).
- Employers sit in villages in proportion to the people living there, three times more in
  Vientiane Capital and twice more in each province's capital district (its first district).
- Workers live in their employer's province (anyone of working age, 18 to 59, men somewhat
  more often); when a province runs short, people from elsewhere fill the places.
- Tenure: about 4 years on average before the history starts; about 1.4% of private workers
  (0.4% of public ones) leave each month and their place is filled by a new hire after one
  week to three months. About 8% of the employers register during the history and about 2%
  close during it (their workers' employment ends on that day).
- Wages: the minimum wage plus a log-normal premium (median 35% of the minimum wage, sigma
  0.9), higher in mining, energy, finance and ICT and in large firms, rounded to 10,000 kip;
  civil servants around 1.25 times the minimum wage, police and military a little more.
- Half of the members who head a household or are its head's spouse register their spouse and
  children under 18 as dependants, and a third of heads their parents.
- The enterprise register holds every employer (registered with the Ministry 0-3 years before
  the fund) and 10% more enterprises, mostly micro, that never registered with the fund.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from django.db import connection
from django.utils import timezone

from pakan.audit.services import record_import
from pakan.registry.models import AdminUnit, Person
from pakan.rules.legal_parameters import entry_at
from pakan.rules.social_security import CIVIL_SERVANT, ENTERPRISE_EMPLOYEE, POLICE_MILITARY
from pakan.socialsecurity.models import (
    Dependant,
    Employer,
    EmployerStatusChange,
    EmploymentSpell,
    EnterpriseRegisterEntry,
    InsuredMember,
    MembershipSpell,
)
from pakan.socialsecurity.services.register import size_class_for
from pakan.synth.fund_names import (
    CIVIL_DISTRICT_UNITS,
    CIVIL_PROVINCE_UNITS,
    POLICE_MILITARY_UNITS,
    enterprise_name,
    public_name,
)
from pakan.synth.fund_tables import (
    EPOCH,
    analyse,
    days_since_epoch,
    first_free_id,
    read_frame,
    reset_sequence,
    write_frame,
)
from pakan.synth.name_lists import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from pakan.synth.villages import allocate

PEOPLE_PER_EMPLOYER = 150
PEOPLE_PER_MEMBER = 7.5
CIVIL_SERVANT_SHARE = 0.18
POLICE_MILITARY_SHARE = 0.05
CIVIL_EMPLOYER_SHARE = 0.03
POLICE_EMPLOYER_SHARE = 0.005
PRIVATE, CIVIL, POLICE = 0, 1, 2
KIND_CATEGORY = (ENTERPRISE_EMPLOYEE, CIVIL_SERVANT, POLICE_MILITARY)

# ISIC section: (share of private employers, log-size shift, log-wage shift)
SECTORS: dict[str, tuple[float, float, float]] = {
    "G": (0.38, -0.3, -0.1), "I": (0.12, 0.0, -0.2), "C": (0.10, 0.7, 0.0),
    "F": (0.08, 0.5, 0.1), "S": (0.06, -0.3, -0.2), "H": (0.05, 0.2, 0.0),
    "A": (0.05, 0.4, -0.3), "M": (0.03, 0.0, 0.5), "N": (0.03, 0.3, 0.0),
    "K": (0.02, 1.0, 0.6), "J": (0.015, 0.3, 0.6), "B": (0.01, 1.3, 0.6),
    "D": (0.01, 1.0, 0.5), "E": (0.005, 0.6, 0.1), "L": (0.01, -0.2, 0.3),
    "P": (0.015, 0.4, 0.0), "Q": (0.01, 0.3, 0.2), "R": (0.01, -0.2, -0.1),
}
SIZE_MEDIAN = 4.0
SIZE_SIGMA = 1.5
MINIMUM_PUBLIC_SIZE = 5
CAPITAL_PROVINCE = "01"
CAPITAL_PROVINCE_WEIGHT = 3.0
CAPITAL_DISTRICT_WEIGHT = 2.0
NEW_EMPLOYER_SHARE = 0.08
CLOSING_EMPLOYER_SHARE = 0.02
OLDEST_REGISTRATION = datetime.date(2002, 1, 1)
PUBLIC_REGISTRATION = (datetime.date(2014, 1, 1), datetime.date(2016, 12, 31))
REGISTRATION_AGE_YEARS = 6.0  # mean age of a firm's registration when the history starts
MEAN_TENURE_YEARS = 4.0
MONTHLY_LEAVING = {PRIVATE: 0.014, CIVIL: 0.004, POLICE: 0.004}
REHIRE_GAP_DAYS = (7, 90)
MIN_AGE, MAX_AGE = 18, 59
WAGE_PREMIUM_MEDIAN = 0.35
WAGE_PREMIUM_SIGMA = 0.9
LARGE_FIRM_WAGE_SHIFT = 0.3
PUBLIC_WAGE = {CIVIL: (1.25, 0.3), POLICE: (1.35, 0.3)}  # (median x minimum wage, sigma)
WAGE_ROUNDING = 10_000
DEPENDANT_SHARE = 0.5
PARENT_DEPENDANT_SHARE = 0.33
UNREGISTERED_SHARE = 0.10
DAYS_PER_YEAR = 365.2425
SOURCE = "synthetic fund"


@dataclass(frozen=True)
class Window:
    """The months of history: `months` whole months ending with the month before `today`."""

    first_month: datetime.date
    last_month: datetime.date
    today: datetime.date

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def first_day(self) -> int:
        return to_days(self.first_month)

    @property
    def last_day(self) -> int:
        return to_days(add_months(self.last_month, 1)) - 1


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def window_for(today: datetime.date, months: int = 24) -> Window:
    last = add_months(today.replace(day=1), -1)
    return Window(add_months(last, -(months - 1)), last, today)


def to_days(day: datetime.date) -> int:
    return (day - EPOCH).days


def day_series(name: str, days: np.ndarray) -> pl.Series:
    """Whole days since 1970 (negative or NaT-free int64) as a polars Date column."""
    return pl.Series(name, np.asarray(days, dtype="int64")).cast(pl.Date)


@dataclass
class RegisterSummary:
    employers: int = 0
    closed_employers: int = 0
    enterprise_register_entries: int = 0
    unregistered_enterprises: int = 0
    members: int = 0
    employment_spells: int = 0
    dependants: int = 0
    members_by_category: dict[str, int] = field(default_factory=dict)


# --- reading the registry ------------------------------------------------------------------

def read_people() -> pl.DataFrame:
    """Living, active registry people in a household who are not yet insured members."""
    person = Person._meta.db_table
    member = InsuredMember._meta.db_table
    sql = (f"SELECT p.id, {days_since_epoch('p.date_of_birth')}, p.sex, p.village_id, "
           f"p.household_id, p.relationship_to_head FROM {person} p "
           f"WHERE p.status = 'active' AND p.date_of_death IS NULL "
           f"AND p.household_id IS NOT NULL AND NOT EXISTS "
           f"(SELECT 1 FROM {member} m WHERE m.person_id = p.id) ORDER BY p.id")
    return read_frame(sql, {"person_id": pl.Int64, "birth": pl.Int64, "sex": pl.String,
                            "village_id": pl.Int64, "household_id": pl.Int64,
                            "relationship": pl.String})


def read_places() -> tuple[pl.DataFrame, dict[str, tuple[str, str]]]:
    """Villages (id, code, district, province) and the names of provinces and districts."""
    rows = AdminUnit.objects.values_list("id", "code", "level", "name_lo", "name_en")
    villages = [(pk, code, code[:4], code[:2]) for pk, code, level, _, _ in rows
                if level == AdminUnit.Level.VILLAGE]
    names = {code: (name_lo, name_en) for _, code, level, name_lo, name_en in rows
             if level in (AdminUnit.Level.PROVINCE, AdminUnit.Level.DISTRICT)}
    frame = pl.DataFrame(villages, schema={"village_id": pl.Int64, "code": pl.String,
                                           "district": pl.String, "province": pl.String},
                         orient="row")
    return frame.sort("village_id"), names


# --- employers -----------------------------------------------------------------------------

def _sizes(rng: np.random.Generator, total: int, log_shift: np.ndarray,
           minimum: int) -> np.ndarray:
    """Workers per employer: log-normal shapes scaled so they add up to `total`."""
    count = len(log_shift)
    raw = rng.lognormal(np.log(SIZE_MEDIAN) + log_shift, SIZE_SIGMA)
    spare = max(total - minimum * count, 0)
    return minimum + allocate(spare, np.maximum(raw - minimum, 0.01))


def _village_weights(people: pl.DataFrame, villages: pl.DataFrame) -> np.ndarray:
    counts = people.group_by("village_id").len()
    joined = villages.join(counts, on="village_id", how="left").with_columns(
        pl.col("len").fill_null(0))
    weight = joined["len"].to_numpy().astype(np.float64) + 0.5
    weight *= np.where(joined["province"].to_numpy() == CAPITAL_PROVINCE,
                       CAPITAL_PROVINCE_WEIGHT, 1.0)
    capital_district = np.array([code.endswith("01") for code in joined["district"]])
    return weight * np.where(capital_district, CAPITAL_DISTRICT_WEIGHT, 1.0)


def plan_employers(rng: np.random.Generator, people: pl.DataFrame, villages: pl.DataFrame,
                   names: dict[str, tuple[str, str]], window: Window) -> pl.DataFrame:
    """One row per employer: kind, sector, village, places (slots), names, dates."""
    population = people.height
    total_employers = max(3, round(population / PEOPLE_PER_EMPLOYER))
    civil = max(1, round(total_employers * CIVIL_EMPLOYER_SHARE))
    police = max(1, round(total_employers * POLICE_EMPLOYER_SHARE))
    private = max(1, total_employers - civil - police)
    workers = max(total_employers * 2, round(population / PEOPLE_PER_MEMBER / 1.2))
    civil_workers = max(civil * MINIMUM_PUBLIC_SIZE, round(workers * CIVIL_SERVANT_SHARE))
    police_workers = max(police * MINIMUM_PUBLIC_SIZE, round(workers * POLICE_MILITARY_SHARE))
    private_workers = max(private, workers - civil_workers - police_workers)

    letters = np.array(list(SECTORS))
    shares = np.array([value[0] for value in SECTORS.values()])
    sector = rng.choice(letters, size=private, p=shares / shares.sum())
    size_shift = np.array([SECTORS[letter][1] for letter in sector])
    private_sizes = _sizes(rng, private_workers, size_shift, 1)

    weights = _village_weights(people, villages)
    village_index = rng.choice(len(weights), size=private, p=weights / weights.sum())
    frames = [pl.DataFrame({
        "kind": np.full(private, PRIVATE, dtype=np.int8), "sector": sector,
        "slots": private_sizes, "village_index": village_index,
    })]
    frames.append(_public_employers(rng, villages, weights, civil, civil_workers, CIVIL))
    frames.append(_public_employers(rng, villages, weights, police, police_workers, POLICE))
    plan = pl.concat(frames, how="diagonal_relaxed")
    # Shuffled once so that ids do not group public units at the end.
    plan = plan.with_columns(pl.Series("order", rng.permutation(plan.height))).sort("order")
    plan = plan.drop("order")
    place = villages[plan["village_index"].to_numpy()].select("village_id", "district",
                                                              "province")
    plan = pl.concat([plan, place], how="horizontal")
    return _with_dates_and_names(rng, plan, names, window)


def _public_employers(rng: np.random.Generator, villages: pl.DataFrame, weights: np.ndarray,
                      count: int, workers: int, kind: int) -> pl.DataFrame:
    """Public units in province capitals (and, for civil units, some districts)."""
    district_level = np.zeros(count, dtype=bool)
    if kind == CIVIL:
        district_level = rng.random(count) < 0.4
    capital = np.array([code.endswith("01") for code in villages["district"]])
    anywhere = np.cumsum(weights)
    in_capitals = np.cumsum(np.where(capital, weights, 0.0))
    cumulative = np.where(district_level[:, None], anywhere[None, -1:], in_capitals[None, -1:])
    pick = rng.random(count) * cumulative[:, 0]
    village_index = np.where(district_level, np.searchsorted(anywhere, pick, side="right"),
                             np.searchsorted(in_capitals, pick, side="right"))
    village_index = np.minimum(village_index, len(weights) - 1)
    sizes = _sizes(rng, workers, np.full(count, 1.5), MINIMUM_PUBLIC_SIZE)
    return pl.DataFrame({
        "kind": np.full(count, kind, dtype=np.int8), "sector": np.full(count, "O"),
        "slots": sizes, "village_index": village_index, "district_level": district_level,
    })


def _with_dates_and_names(rng: np.random.Generator, plan: pl.DataFrame,
                          names: dict[str, tuple[str, str]], window: Window) -> pl.DataFrame:
    count = plan.height
    kind = plan["kind"].to_numpy()
    private = kind == PRIVATE
    first_day, last_day = window.first_day, window.last_day
    age = rng.exponential(REGISTRATION_AGE_YEARS * DAYS_PER_YEAR, count).astype(np.int64)
    registered = np.maximum(first_day - 1 - age, to_days(OLDEST_REGISTRATION))
    new = private & (rng.random(count) < NEW_EMPLOYER_SHARE)
    registered[new] = rng.integers(first_day, max(first_day + 1, last_day - 60), new.sum())
    public_low, public_high = (to_days(day) for day in PUBLIC_REGISTRATION)
    registered[~private] = rng.integers(public_low, public_high, (~private).sum())
    closing = private & ~new & (rng.random(count) < CLOSING_EMPLOYER_SHARE)
    closed = np.where(closing, rng.integers(first_day + 30, max(first_day + 31, last_day - 30),
                                            count), -1)

    sectors = plan["sector"].to_list()
    slots = plan["slots"].to_list()
    districts, provinces = plan["district"].to_list(), plan["province"].to_list()
    lao, english = [], []
    district_level = plan["district_level"].fill_null(False).to_list()
    serial: dict[tuple[str, int], int] = {}
    for row in range(count):
        if kind[row] == PRIVATE:
            name_lo, name_en = enterprise_name(rng, sectors[row], int(slots[row]))
        else:
            level = "district" if district_level[row] else "province"
            place = districts[row] if district_level[row] else provinces[row]
            units = (POLICE_MILITARY_UNITS if kind[row] == POLICE else
                     CIVIL_DISTRICT_UNITS if district_level[row] else CIVIL_PROVINCE_UNITS)
            number = serial.get((place, kind[row]), 0)
            serial[(place, kind[row])] = number + 1
            place_lo, place_en = names.get(place, (place, place))
            sectors[row], name_lo, name_en = public_name(units, number, place_lo, place_en,
                                                         level)
            if number >= len(units):
                name_lo, name_en = f"{name_lo} {number // len(units) + 1}", \
                    f"{name_en} {number // len(units) + 1}"
        lao.append(name_lo)
        english.append(name_en)
    return plan.with_columns(
        pl.Series("sector", sectors), pl.Series("name_lo", lao), pl.Series("name_en", english),
        pl.Series("registered", registered), pl.Series("closed", closed),
    )


# --- employment ----------------------------------------------------------------------------

def plan_spells(rng: np.random.Generator, employers: pl.DataFrame,
                window: Window) -> pl.DataFrame:
    """Employment spells place by place: the worker there when the history starts (or when a
    new firm hires), and the one hired after them if they leave."""
    first_day, last_day = window.first_day, window.last_day
    slots = employers["slots"].to_numpy()
    employer_row = np.repeat(np.arange(employers.height), slots)
    kind = employers["kind"].to_numpy()[employer_row]
    registered = employers["registered"].to_numpy()[employer_row]
    closed = employers["closed"].to_numpy()[employer_row]
    places = len(employer_row)

    tenure = rng.exponential(MEAN_TENURE_YEARS * DAYS_PER_YEAR, places).astype(np.int64)
    start = np.maximum(first_day - 1 - tenure, registered)
    new_firm = registered >= first_day
    start[new_firm] = registered[new_firm] + rng.integers(0, 90, new_firm.sum())
    start = np.minimum(start, last_day)
    hazard = np.select([kind == PRIVATE, kind == CIVIL], [MONTHLY_LEAVING[PRIVATE],
                                                          MONTHLY_LEAVING[CIVIL]],
                       MONTHLY_LEAVING[POLICE])
    stay = rng.exponential(30.44 / hazard).astype(np.int64)
    leaves = np.maximum(start, first_day) + stay
    end = np.where(leaves < last_day, leaves, -1)
    gap = rng.integers(*REHIRE_GAP_DAYS, places)
    next_start = np.where(end >= 0, end + gap, -1)
    has_next = (next_start >= 0) & (next_start <= last_day)

    first = pl.DataFrame({"employer_row": employer_row, "start": start, "end": end,
                          "kind": kind, "closed": closed})
    second = pl.DataFrame({"employer_row": employer_row[has_next],
                           "start": next_start[has_next],
                           "end": np.full(has_next.sum(), -1, dtype=np.int64),
                           "kind": kind[has_next], "closed": closed[has_next]})
    spells = pl.concat([first, second])
    # A closing employer ends every employment on its closing day; nobody starts after it.
    spells = spells.filter((pl.col("closed") < 0) | (pl.col("start") < pl.col("closed")))
    spells = spells.with_columns(
        pl.when((pl.col("closed") >= 0) & ((pl.col("end") < 0) | (pl.col("end") > pl.col(
            "closed")))).then(pl.col("closed")).otherwise(pl.col("end")).alias("end"))
    return spells.with_columns(province=employers["province"].gather(spells["employer_row"]))


def choose_workers(rng: np.random.Generator, people: pl.DataFrame, spells: pl.DataFrame,
                   window: Window) -> pl.DataFrame:
    """A distinct person of working age for every spell, from the employer's province where
    possible (weighted sampling without replacement: the largest log(u)/weight win)."""
    first_day = window.first_day
    age = (first_day - people["birth"].to_numpy()) / DAYS_PER_YEAR
    eligible = (age >= MIN_AGE) & (age < MAX_AGE + 1)
    weight = np.select([age < 25, age < 45, age < 55], [0.7, 1.0, 0.7], 0.35)
    weight *= np.where(people["sex"].to_numpy() == "M", 1.15, 0.85)
    key = np.log(rng.random(people.height)) / weight
    candidates = people.with_columns(pl.Series("key", key)).filter(pl.Series(eligible)).sort(
        ["province", "key"], descending=[False, True])
    candidates = candidates.with_columns(rank=pl.int_range(pl.len()).over("province"))

    spells = spells.with_columns(pl.Series("shuffle", rng.random(spells.height))).sort(
        ["province", "shuffle"]).with_columns(rank=pl.int_range(pl.len()).over("province"))
    person_columns = ["person_id", "birth", "sex", "household_id", "relationship",
                      "home_province"]
    candidates = candidates.with_columns(pl.col("province").alias("home_province"))
    local = spells.join(candidates.select("province", "rank", *person_columns),
                        on=["province", "rank"], how="left")
    matched = local.filter(pl.col("person_id").is_not_null())
    missing = local.filter(pl.col("person_id").is_null()).drop(person_columns)
    if missing.height:
        taken = matched["person_id"]
        spare = candidates.filter(~pl.col("person_id").is_in(taken.implode())).sort(
            "key", descending=True).head(missing.height)
        if spare.height < missing.height:
            missing = missing.head(spare.height)
        spare = spare.select(person_columns)
        matched = pl.concat([matched, pl.concat([missing, spare], how="horizontal")],
                            how="vertical_relaxed")
    # Nobody works before 18: a start before then moves to the 18th birthday.
    adult = (pl.col("birth") + int(MIN_AGE * DAYS_PER_YEAR) + 1).cast(pl.Int64)
    matched = matched.with_columns(pl.max_horizontal("start", adult).alias("start"))
    matched = matched.filter((pl.col("end") < 0) | (pl.col("end") >= pl.col("start")))
    return matched.drop("shuffle", "rank").sort("employer_row", "start", "person_id")


def draw_wages(rng: np.random.Generator, spells: pl.DataFrame, employers: pl.DataFrame,
               window: Window) -> np.ndarray:
    """Monthly wages: the minimum wage of the last month plus a long-tailed premium."""
    minimum = int(entry_at("labour.minimum_wage", window.last_month).value)
    rows = spells["employer_row"].to_numpy()
    kind = spells["kind"].to_numpy()
    sector = employers["sector"].to_numpy()[rows]
    large = employers["slots"].to_numpy()[rows] > 99
    shift = np.array([SECTORS.get(letter, (0, 0, 0.0))[2] for letter in sector])
    shift = shift + np.where(large, LARGE_FIRM_WAGE_SHIFT, 0.0)
    premium = rng.lognormal(np.log(WAGE_PREMIUM_MEDIAN) + shift, WAGE_PREMIUM_SIGMA)
    wage = minimum * (1.0 + premium)
    for public_kind, (median, sigma) in PUBLIC_WAGE.items():
        mask = kind == public_kind
        wage[mask] = minimum * np.maximum(rng.lognormal(np.log(median), sigma, mask.sum()), 1.0)
    wage = np.round(wage / WAGE_ROUNDING).astype(np.int64) * WAGE_ROUNDING
    return np.maximum(wage, minimum)


# --- dependants ----------------------------------------------------------------------------

def plan_dependants(rng: np.random.Generator, people: pl.DataFrame, members: pl.DataFrame,
                    window: Window) -> pl.DataFrame:
    """Spouses, children under 18 and (some) parents of members who head a household or are
    married to its head, covered from the membership's start (or their birth)."""
    couples = members.filter(pl.col("relationship").is_in(["head", "spouse"]))
    registering = couples.filter(pl.Series(rng.random(couples.height) < DEPENDANT_SHARE))
    if not registering.height:
        return pl.DataFrame()
    parents_too = rng.random(registering.height) < PARENT_DEPENDANT_SHARE
    registering = registering.with_columns(pl.Series("parents_too", parents_too))
    insured = members["person_id"].implode()
    relatives = people.filter(~pl.col("person_id").is_in(insured)).select(
        pl.col("person_id").alias("dependant_person_id"), "household_id",
        pl.col("relationship").alias("their_relationship"), pl.col("birth").alias(
            "their_birth"))
    pairs = registering.select("member_id", "household_id", "relationship", "membership_start",
                               "membership_end", "parents_too").join(
        relatives, on="household_id")
    relation = (
        pl.when((pl.col("relationship") == "head") & (pl.col("their_relationship") == "spouse"))
        .then(pl.lit("spouse"))
        .when((pl.col("relationship") == "spouse") & (pl.col("their_relationship") == "head"))
        .then(pl.lit("spouse"))
        .when(pl.col("their_relationship") == "child").then(pl.lit("child"))
        .when((pl.col("relationship") == "head") & (pl.col("their_relationship") == "parent")
              & pl.col("parents_too")).then(pl.lit("parent"))
        .otherwise(pl.lit(None)))
    eighteenth = (pl.col("their_birth") + int(18 * DAYS_PER_YEAR)).cast(pl.Int64)
    pairs = pairs.with_columns(relation.alias("dependant_relationship")).filter(
        pl.col("dependant_relationship").is_not_null())
    pairs = pairs.filter((pl.col("dependant_relationship") != "child")
                         | (eighteenth > window.first_day))
    start = pl.max_horizontal("membership_start", "their_birth")
    child_end = pl.when(pl.col("dependant_relationship") == "child").then(
        eighteenth - 1).otherwise(pl.lit(None, dtype=pl.Int64))
    child_end = pl.when(child_end <= window.last_day).then(child_end).otherwise(
        pl.lit(None, dtype=pl.Int64))
    end = pl.min_horizontal(pl.col("membership_end"), child_end)
    pairs = pairs.with_columns(start.alias("start"), end.alias("end"))
    pairs = pairs.filter(pl.col("end").is_null() | (pl.col("end") >= pl.col("start")))
    return pairs.unique("dependant_person_id", keep="first", maintain_order=True)


# --- writing -------------------------------------------------------------------------------

def _scramble(numbers: np.ndarray, multiplier: int, offset: int, modulus: int) -> np.ndarray:
    """Unique, non-sequential numbers (multiplier coprime with modulus)."""
    return (numbers.astype(np.int64) * multiplier + offset) % modulus


def _contacts(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
    given = np.where(rng.random(count) < 0.6, rng.integers(len(MALE_GIVEN_NAMES), size=count),
                     -1 - rng.integers(len(FEMALE_GIVEN_NAMES), size=count))
    family = rng.integers(len(FAMILY_NAMES), size=count)
    people = [(MALE_GIVEN_NAMES[g] if g >= 0 else FEMALE_GIVEN_NAMES[-1 - g])
              + " " + FAMILY_NAMES[f] for g, f in zip(given, family, strict=True)]
    phones = [f"020 {a:04d} {b:04d}" for a, b in zip(rng.integers(2000, 9999, count),
                                                      rng.integers(0, 9999, count),
                                                      strict=True)]
    return people, phones


def _email(name_en: str, number: int) -> str:
    slug = "".join(ch for ch in name_en.lower().split(" co.,")[0] if ch.isalnum())[:30]
    return f"office@{slug or 'enterprise'}{number}.la"


def write_employers(rng: np.random.Generator, plan: pl.DataFrame, spells: pl.DataFrame,
                    window: Window, stamp: datetime.datetime) -> pl.DataFrame:
    """Employers, their status history and the enterprise register; returns the plan with ids."""
    first_id = first_free_id(Employer)
    count = plan.height
    ids = np.arange(first_id, first_id + count)
    closed = plan["closed"].to_numpy()
    open_at = np.where(closed >= 0, closed, window.last_day)
    ends = spells["end"].to_numpy()
    rows = spells["employer_row"].to_numpy()
    working = (spells["start"].to_numpy() <= open_at[rows]) & (
        (ends < 0) | (ends >= open_at[rows]))
    workers = np.bincount(rows[working], minlength=count)
    province = plan["province"].to_numpy()
    numbers = _scramble(ids, 61_803_399, 1_234_567, 100_000_000)
    contact, phone = _contacts(rng, count)
    names_en = plan["name_en"].to_list()
    employers = pl.DataFrame({
        "id": ids,
        "enterprise_number": [f"{p}-{n:08d}" for p, n in zip(province, numbers, strict=True)],
        "nssf_registration_number": [f"NSSF-{p}{i:07d}" for p, i in zip(province, ids,
                                                                        strict=True)],
        "name_lo": plan["name_lo"], "name_en": plan["name_en"], "sector": plan["sector"],
        "number_of_workers": workers,
        "size_class": [str(size_class_for(int(n))) for n in workers],
        "village_id": plan["village_id"], "contact_person": contact, "phone": phone,
        "email": [_email(name, i) if n > 5 else "" for name, i, n in zip(names_en, ids, workers,
                                                                           strict=True)],
        "status": np.where(closed >= 0, "closed", "active"),
        "status_since": day_series("status_since", np.where(closed >= 0, closed,
                                                            plan["registered"].to_numpy())),
        "registered_on": day_series("registered_on", plan["registered"].to_numpy()),
        "created_at": [stamp] * count, "updated_at": [stamp] * count,
    })
    write_frame(Employer, employers)
    reset_sequence(Employer)
    _write_status_history(employers, closed, stamp)
    _write_enterprise_register(rng, employers, plan, window, stamp)
    return plan.with_columns(pl.Series("employer_id", ids))


def _write_status_history(employers: pl.DataFrame, closed: np.ndarray,
                          stamp: datetime.datetime) -> None:
    registrations = employers.select(
        pl.col("id").alias("employer_id"), pl.lit("active").alias("status"),
        pl.col("registered_on").alias("effective_on"), pl.lit("registration").alias("reason"))
    closing = employers.filter(pl.Series(closed >= 0)).select(
        pl.col("id").alias("employer_id"), pl.lit("closed").alias("status"),
        pl.col("status_since").alias("effective_on"),
        pl.lit("closed: business ceased").alias("reason"))
    history = pl.concat([registrations, closing]).sort("employer_id", "effective_on")
    first = first_free_id(EmployerStatusChange)
    history = history.with_columns(
        pl.Series("id", np.arange(first, first + history.height)),
        pl.lit(stamp).alias("recorded_at"))
    write_frame(EmployerStatusChange, history)
    reset_sequence(EmployerStatusChange)


def _write_enterprise_register(rng: np.random.Generator, employers: pl.DataFrame,
                               plan: pl.DataFrame, window: Window,
                               stamp: datetime.datetime) -> None:
    """Every employer as the Ministry registers it, and some enterprises the fund lacks."""
    before = rng.integers(0, 3 * 365, employers.height)
    registered = employers.select(
        "enterprise_number", "name_lo", "name_en", "sector", "number_of_workers",
        "village_id").with_columns(day_series(
            "registered_on", plan["registered"].to_numpy() - before))
    extra = max(1, round(employers.height * UNREGISTERED_SHARE))
    private = plan.filter(pl.col("kind") == PRIVATE)
    picked = rng.integers(0, private.height, extra)
    letters = np.array(list(SECTORS))
    shares = np.array([value[0] for value in SECTORS.values()])
    sectors = rng.choice(letters, size=extra, p=shares / shares.sum())
    workers = np.minimum(rng.lognormal(np.log(3.0), 1.0, extra).astype(np.int64) + 1, 60)
    names = [enterprise_name(rng, str(sector), int(n)) for sector, n in zip(sectors, workers,
                                                                           strict=True)]
    numbers = _scramble(np.arange(extra) + int(employers["id"].max()) + 1, 61_803_399,
                        1_234_567, 100_000_000)
    provinces = private["province"].to_numpy()[picked]
    last = max(to_days(window.today) - 30, to_days(OLDEST_REGISTRATION) + 1)
    unregistered = pl.DataFrame({
        "enterprise_number": [f"{p}-{n:08d}" for p, n in zip(provinces, numbers, strict=True)],
        "name_lo": [lao for lao, _ in names], "name_en": [en for _, en in names],
        "sector": sectors, "number_of_workers": workers,
        "village_id": private["village_id"].to_numpy()[picked],
        "registered_on": day_series("registered_on", rng.integers(
            to_days(OLDEST_REGISTRATION), last, extra)),
    })
    entries = pl.concat([registered, unregistered], how="vertical_relaxed")
    first = first_free_id(EnterpriseRegisterEntry)
    entries = entries.with_columns(pl.Series("id", np.arange(first, first + entries.height)),
                                   pl.lit(stamp).alias("imported_at"))
    write_frame(EnterpriseRegisterEntry, entries)
    reset_sequence(EnterpriseRegisterEntry)


def write_members(spells: pl.DataFrame, employers: pl.DataFrame, wages: np.ndarray,
                  stamp: datetime.datetime) -> pl.DataFrame:
    """Insured members, one membership spell each (from the first day of work to its end),
    and the employment spells. Returns one row per member."""
    spells = spells.with_columns(
        employer_id=employers["employer_id"].gather(spells["employer_row"]),
        monthly_wage=pl.Series(wages))
    members = spells.sort("person_id").select(
        "person_id", "household_id", "relationship", "birth", "kind", "home_province",
        pl.col("start").alias("membership_start"),
        pl.when(pl.col("end") < 0).then(None).otherwise(pl.col("end")).alias("membership_end"))
    first = first_free_id(InsuredMember)
    ids = np.arange(first, first + members.height)
    provinces = members["home_province"].to_list()
    numbers = _scramble(ids, 3_486_784_401 % 100_000_000, 27_182_818, 100_000_000)
    members = members.with_columns(pl.Series("member_id", ids))
    write_frame(InsuredMember, pl.DataFrame({
        "id": ids, "person_id": members["person_id"],
        "social_security_number": [f"{p}{n:08d}" for p, n in zip(provinces, numbers,
                                                                  strict=True)],
        "created_at": [stamp] * members.height, "updated_at": [stamp] * members.height,
    }))
    reset_sequence(InsuredMember)

    categories = np.array(KIND_CATEGORY)[members["kind"].to_numpy()]
    first = first_free_id(MembershipSpell)
    write_frame(MembershipSpell, pl.DataFrame({
        "id": np.arange(first, first + members.height), "member_id": ids,
        "category": categories,
        "start_on": day_series("start_on", members["membership_start"].to_numpy()),
        "end_on": members["membership_end"].cast(pl.Date),
    }))
    reset_sequence(MembershipSpell)

    employment = spells.join(members.select("person_id", "member_id"), on="person_id").sort(
        "employer_id", "start", "member_id")
    first = first_free_id(EmploymentSpell)
    write_frame(EmploymentSpell, pl.DataFrame({
        "id": np.arange(first, first + employment.height),
        "member_id": employment["member_id"], "employer_id": employment["employer_id"],
        "start_on": day_series("start_on", employment["start"].to_numpy()),
        "end_on": employment.select(pl.when(pl.col("end") >= 0).then(pl.col("end"))
                                    .cast(pl.Date))["end"],
        "monthly_wage": employment["monthly_wage"],
    }))
    reset_sequence(EmploymentSpell)
    return members.with_columns(pl.Series("category", categories))


def write_dependants(dependants: pl.DataFrame) -> int:
    if not dependants.height:
        return 0
    first = first_free_id(Dependant)
    write_frame(Dependant, pl.DataFrame({
        "id": np.arange(first, first + dependants.height),
        "member_id": dependants["member_id"],
        "person_id": dependants["dependant_person_id"],
        "relationship": dependants["dependant_relationship"],
        "start_on": dependants["start"].cast(pl.Date),
        "end_on": dependants["end"].cast(pl.Date),
    }))
    reset_sequence(Dependant)
    return dependants.height


def _audit(models_and_rows: list[tuple[type, int, int]], seed: int) -> None:
    for model, first, rows in models_and_rows:
        if rows:
            record_import(None, model._meta.label_lower, file_name=f"{SOURCE} (seed {seed})",
                          first_id=first, last_id=first + rows - 1, rows=rows)


def grow_register(seed: int, window: Window) -> RegisterSummary:
    """Employers, the enterprise register, members, spells and dependants, in one go. The
    caller holds the transaction."""
    stamp = timezone.now().replace(tzinfo=None, microsecond=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
    villages, names = read_places()
    people = read_people().join(villages.select("village_id", "province"), on="village_id",
                                how="left").with_columns(pl.col("province").fill_null("00"))
    summary = RegisterSummary()
    if not people.height or not villages.height:
        return summary
    firsts = {model: first_free_id(model) for model in (Employer, InsuredMember,
                                                         EmploymentSpell, Dependant)}
    employers = plan_employers(np.random.default_rng([seed, 3101]), people, villages, names,
                               window)
    spells = plan_spells(np.random.default_rng([seed, 3102]), employers, window)
    spells = choose_workers(np.random.default_rng([seed, 3103]), people, spells, window)
    wages = draw_wages(np.random.default_rng([seed, 3104]), spells, employers, window)
    employers = write_employers(np.random.default_rng([seed, 3105]), employers, spells, window,
                                stamp)
    members = write_members(spells, employers, wages, stamp)
    dependants = plan_dependants(np.random.default_rng([seed, 3106]), people, members, window)
    summary.dependants = write_dependants(dependants)
    analyse([Employer, EmployerStatusChange, EnterpriseRegisterEntry, InsuredMember,
             MembershipSpell, EmploymentSpell, Dependant])
    summary.employers = employers.height
    summary.closed_employers = int((employers["closed"] >= 0).sum())
    summary.unregistered_enterprises = max(1, round(employers.height * UNREGISTERED_SHARE))
    summary.enterprise_register_entries = employers.height + summary.unregistered_enterprises
    summary.members = members.height
    summary.employment_spells = spells.height
    categories, numbers = np.unique(members["category"].to_numpy(), return_counts=True)
    summary.members_by_category = {str(category): int(number) for category, number in zip(
        categories, numbers, strict=True)}
    _audit([(Employer, firsts[Employer], summary.employers),
            (InsuredMember, firsts[InsuredMember], summary.members),
            (EmploymentSpell, firsts[EmploymentSpell], summary.employment_spells),
            (Dependant, firsts[Dependant], summary.dependants)], seed)
    return summary
