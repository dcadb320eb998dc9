"""Reading the fund as it stands into columns: set-based SQL, one row per member, per pension
and per (sex, birth date) of the registry, never one per contribution record.

The same SQL runs on both databases; a `Dialect` spells the few things they do not share.
On PostgreSQL the rows come through `COPY (...) TO STDOUT (FORMAT BINARY)`: every column is a
fixed-width integer with no NULL, so each row has the same size and numpy reads the whole stream
as one structured array, with no Python object per row. On SQLite (development, tests) a plain
cursor; slower, the same numbers.

Members' contribution months are aggregated in SQL, one row per member out of all its records.
A member can have two records in one month (two employers, or an employer and a voluntary
payment), so months are counted as distinct months: each counted record sets one bit of a
63-bit mask for its month, counted back from the valuation month, in as many blocks of 63
months as the oldest record needs (`bit_or` per member; numpy counts the bits). This is exact
for a record of any length and needs no sort of the records (a `count(DISTINCT month)` would
sort 24 million rows); the aggregate is a single hash aggregate by member, whose cost is the
look-up per record, so it carries as few aggregates as it can (masks, two wage sums, the
earliest month). Wages are summed as 4-byte integers (`Dialect.wage`). The months back from
the valuation month are `round(days / 30.436875) - 1` between two first-of-month dates (the
average Gregorian month, in integer arithmetic): exact for any two months between 1900 and
2300 (the largest error is 0.13 month; a test checks every pair).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from pakan.benefits.models import Award, Branch
from pakan.benefits.selectors.estimates import EMPLOYER_SOURCES, MemberPositions
from pakan.registry.models import Person
from pakan.socialsecurity.models import MemberCategory
from pakan.valuation.extract.arrays import MONTHS_PER_MASK
from pakan.valuation.extract.period import WINDOW_MONTHS, ValuationPeriod, add_months

# Codes stored in the file: 0 = none, then the choices in order.
CATEGORY_NAMES: tuple[str, ...] = ("", *MemberCategory.values)
# Long-term benefits paid monthly: the pensions of the extract. Unemployment is periodic too,
# but for three months: a short-term benefit, costed with the others.
PENSION_BRANCHES: tuple[str, ...] = (Branch.OLD_AGE, Branch.INVALIDITY, Branch.SURVIVORS,
                                     Branch.EMPLOYMENT_INJURY)
BRANCH_NAMES: tuple[str, ...] = ("", *PENSION_BRANCHES)
# Members whose own old-age benefit (pension or lump sum) has started are no longer insured.
RETIREMENT_BRANCH = Branch.OLD_AGE
MONTHS_PER_BLOCK = MONTHS_PER_MASK
# The average Gregorian month, 365.2425 / 12 = 30.436875 days, as integers.
MONTH_SCALE = 1_000_000
MONTH_SCALED = 30_436_875
WORK_MEMORY = "512MB"  # for the extract's joins and aggregates, set for its transaction only
# Set for the extract's transactions only. The big aggregate runs seconds: compiling it (JIT)
# would cost more than it saves.
SESSION_SETTINGS = (f"SET LOCAL work_mem = '{WORK_MEMORY}'", "SET LOCAL jit = off")
EPOCH = datetime.date(1970, 1, 1)
NO_RECORD_DAY = 2**31 - 1  # "no counted month" in the earliest-month column (no NULLs)
NO_END_DAY = 2**31 - 1  # an open spell's end (no NULLs)

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    name: str
    sql: str
    dtype: str  # "i2", "i4" or "i8": the SQL is cast to it, numpy reads it as such


@dataclass(frozen=True)
class Dialect:
    """The spellings PostgreSQL and SQLite do not share."""

    postgresql: bool

    @classmethod
    def current(cls) -> Dialect:
        return cls(connection.vendor == "postgresql")

    def date(self, day: datetime.date) -> str:
        return f"DATE '{day.isoformat()}'" if self.postgresql else f"'{day.isoformat()}'"

    def days(self, column: str) -> str:
        """Days since 1970-01-01."""
        if self.postgresql:
            return f"({column} - DATE '1970-01-01')"
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

    def months_back(self, month_column: str, cutoff: datetime.date) -> str:
        """Whole months from a first-of-month date before `cutoff` to the month before it
        (0 = the valuation month): the days between them over the average month, rounded, in
        integer arithmetic (see the module's docstring)."""
        if self.postgresql:
            days = f"CAST({self.date(cutoff)} - {month_column} AS bigint)"
        else:
            days = f"CAST(julianday({self.date(cutoff)}) - julianday({month_column}) AS INTEGER)"
        return self.cast(f"({days} * {MONTH_SCALE} + {MONTH_SCALED // 2}) / {MONTH_SCALED} - 1",
                         "i4")

    def wage(self, column: str) -> str:
        """A month's insurable wage as a 4-byte integer on PostgreSQL: a sum of int4 keeps an
        8-byte state passed by value, a sum of int8 a 128-bit state allocated per group. An
        insurable wage is capped by the ceiling (4,500,000 kip in 2025), far below
        2,147,483,647; a larger one would stop the extract with "integer out of range"."""
        return f"CAST({column} AS integer)" if self.postgresql else column

    def bit_or(self, expression: str) -> str:
        # SQLite has no bit_or: a sum of the distinct powers of two is the same mask.
        return f"bit_or({expression})" if self.postgresql else f"sum(DISTINCT {expression})"

    def cast(self, expression: str, dtype: str) -> str:
        kind = {"i2": "smallint", "i4": "integer", "i8": "bigint"}[dtype]
        return f"CAST({expression} AS {kind if self.postgresql else 'INTEGER'})"


def _case_codes(column: str, names: Sequence[str]) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(names) if name)
    return f"(CASE {column} {whens} ELSE 0 END)"


def _flag(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


# --- the queries ----------------------------------------------------------------------------------

def record_columns(dialect: Dialect, period: ValuationPeriod, blocks: int
                   ) -> tuple[list[Column], str]:
    """Per member with counted months: one mask of counted months per block of 63 (bit b of
    block k = the month 63 k + b before the valuation month), the insurable wages of the last
    12 months and of the valuation month (employers added), and the earliest counted month (to
    check that the blocks reach it). Each record's block is chosen by comparing its month with
    constants, and its months back computed once, in that block. Bits are counted in numpy."""
    sources = ", ".join(f"'{source}'" for source in EMPLOYER_SOURCES)
    back = dialect.months_back("month", period.cutoff)
    masks = []
    for block in range(blocks):
        newest = add_months(period.cutoff, -MONTHS_PER_BLOCK * block)
        oldest = add_months(newest, -MONTHS_PER_BLOCK)
        bounds = f"month >= {dialect.date(oldest)}" + (
            f" AND month < {dialect.date(newest)}" if block else "")
        shift = f"{back} - {MONTHS_PER_BLOCK * block}" if block else back
        masks.append(dialect.bit_or(f"CASE WHEN {bounds} THEN CAST(1 AS bigint) << ({shift}) "
                                    "ELSE 0 END"))
    wage = dialect.wage("insurable_wage")
    columns = [
        Column("member_id", "member_id", "i8"),
        *(Column(f"mask_{block}", mask, "i8") for block, mask in enumerate(masks)),
        Column("wage_sum_12", f"sum(CASE WHEN month >= {dialect.date(period.window_start)} "
                              f"THEN {wage} ELSE 0 END)", "i8"),
        Column("wage_last_month", f"sum(CASE WHEN month = {dialect.date(period.valuation_month)}"
                                  f" THEN {wage} ELSE 0 END)", "i8"),
        Column("earliest_month", f"min({dialect.days('month')})", "i4"),
    ]
    body = (
        "FROM socialsecurity_contributionrecord "
        f"WHERE (paid OR source IN ({sources})) AND month < {dialect.date(period.cutoff)} "
        "GROUP BY member_id"
    )
    return columns, body


def spell_columns(dialect: Dialect, period: ValuationPeriod) -> tuple[list[Column], str]:
    """Membership spells started by the valuation date, as they are (one or a few a member:
    aggregated in numpy, `membership_by_member`). An open spell ends on NO_END_DAY."""
    columns = [
        Column("member_id", "member_id", "i8"),
        Column("start_day", dialect.days("start_on"), "i4"),
        Column("end_day", f"COALESCE({dialect.days('end_on')}, {NO_END_DAY})", "i4"),
        Column("category", _case_codes("category", CATEGORY_NAMES), "i2"),
    ]
    body = (f"FROM socialsecurity_membershipspell "
            f"WHERE start_on <= {dialect.date(period.valuation_date)}")
    return columns, body


def member_columns(dialect: Dialect, period: ValuationPeriod) -> tuple[list[Column], str]:
    """Every member who was alive a year before the valuation date and had not retired by then
    (those who died or retired during the year stay, for the exit rates). Only those with a
    membership spell started by the date are kept (`read_members`)."""
    day, year_before = dialect.date(period.valuation_date), dialect.date(period.year_before)
    columns = [
        Column("member_id", "member.id", "i8"),
        Column("birth_day", dialect.days("person.date_of_birth"), "i4"),
        Column("female", _flag("person.sex = 'F'"), "i2"),
        Column("alive", _flag(f"person.date_of_death IS NULL OR person.date_of_death > {day}"),
               "i2"),
        Column("retired", _flag("retirement.retired_on IS NOT NULL"), "i2"),
    ]
    body = (
        "FROM socialsecurity_insuredmember member "
        "JOIN registry_person person ON person.id = member.person_id "
        "LEFT JOIN (SELECT member_id, min(start_on) AS retired_on FROM benefits_award "
        f"WHERE branch = '{RETIREMENT_BRANCH}' AND start_on <= {day} GROUP BY member_id) "
        "retirement ON retirement.member_id = member.id "
        f"WHERE (person.date_of_death IS NULL OR person.date_of_death > {year_before}) "
        f"AND (retirement.retired_on IS NULL OR retirement.retired_on > {year_before})"
    )
    return columns, body


def pension_columns(dialect: Dialect, period: ValuationPeriod) -> tuple[list[Column], str]:
    """Every periodic award of a pension branch started by the valuation date, with the
    amount valid on it and its status on it (the latest status change by then; in payment when
    none). Which of them count is decided on the columns (`arrays`)."""
    day = dialect.date(period.valuation_date)
    branches = ", ".join(f"'{branch}'" for branch in PENSION_BRANCHES)
    status_on_date = (
        "COALESCE((SELECT change.status FROM benefits_awardstatuschange change "
        f"WHERE change.award_id = award.id AND change.effective_on <= {day} "
        f"ORDER BY change.effective_on DESC, change.id DESC LIMIT 1), '{Award.Status.IN_PAYMENT}')"
    )
    amount_on_date = (
        "COALESCE((SELECT amount.monthly_amount FROM benefits_awardamount amount "
        f"WHERE amount.award_id = award.id AND amount.effective_from <= {day} "
        "ORDER BY amount.effective_from DESC LIMIT 1), 0)"
    )
    columns = [
        Column("birth_day", dialect.days("person.date_of_birth"), "i4"),
        Column("female", _flag("person.sex = 'F'"), "i2"),
        Column("alive", _flag(f"person.date_of_death IS NULL OR person.date_of_death > {day}"),
               "i2"),
        Column("branch", _case_codes("award.branch", BRANCH_NAMES), "i2"),
        Column("start_day", dialect.days("award.start_on"), "i4"),
        Column("not_ended", _flag(f"award.end_on IS NULL OR award.end_on >= {day}"), "i2"),
        Column("status_in_payment", _flag(f"{status_on_date} = '{Award.Status.IN_PAYMENT}'"),
               "i2"),
        Column("monthly_amount", amount_on_date, "i8"),
    ]
    body = (
        "FROM benefits_award award "
        "JOIN registry_person person ON person.id = award.beneficiary_id "
        f"WHERE award.kind = '{Award.Kind.PERIODIC}' AND award.branch IN ({branches}) "
        f"AND award.start_on <= {day}"
    )
    return columns, body


def population_columns(dialect: Dialect, period: ValuationPeriod) -> tuple[list[Column], str]:
    """The registry's people alive on the date, counted by sex and birth date (ages follow in
    numpy: tens of thousands of groups rather than millions of people)."""
    day = dialect.date(period.valuation_date)
    columns = [
        Column("female", _flag("sex = 'F'"), "i2"),
        Column("birth_day", dialect.days("date_of_birth"), "i4"),
        Column("people", "count(*)", "i8"),
    ]
    body = (
        f"FROM registry_person WHERE status <> '{Person.Status.MERGED}' "
        f"AND date_of_birth <= {day} AND (date_of_death IS NULL OR date_of_death > {day}) "
        "GROUP BY 1, 2"
    )
    return columns, body


# --- running them -------------------------------------------------------------------------------

def read_columns(dialect: Dialect, columns: Sequence[Column], body: str, *,
                 through_copy: bool | None = None) -> dict[str, np.ndarray]:
    """The query's rows as numpy columns: through binary COPY on PostgreSQL (unless
    `through_copy` is False: the tests compare both ways), else a cursor."""
    select = ", ".join(f"{dialect.cast(column.sql, column.dtype)} AS {column.name}"
                       for column in columns)
    sql = f"SELECT {select} {body}"
    if dialect.postgresql if through_copy is None else through_copy:
        return _copy_binary(sql, columns)
    return _fetch_all(sql, columns)


def _fetch_all(sql: str, columns: Sequence[Column]) -> dict[str, np.ndarray]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return {column.name: np.array([row[position] for row in rows], dtype=column.dtype)
            for position, column in enumerate(columns)}


COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
COPY_HEADER_BYTES = len(COPY_SIGNATURE) + 8  # signature, flags, header extension length
COPY_TRAILER = b"\xff\xff"


def _copy_binary(sql: str, columns: Sequence[Column]) -> dict[str, np.ndarray]:
    """The rows of `sql` through binary COPY, as native numpy columns."""
    with connection.cursor() as cursor:
        return parse_copy_binary(_copy_out(cursor.cursor, sql), columns)


def _copy_out(cursor, sql: str) -> bytes:
    buffer = bytearray()
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)") as copy:
        for block in copy:
            buffer += block
    return bytes(buffer)


def parse_copy_binary(data: bytes, columns: Sequence[Column]) -> dict[str, np.ndarray]:
    """PostgreSQL's binary COPY format with fixed-width, non-NULL integer columns: every tuple
    is a field count, then (length, value) per field, big-endian."""
    if not data.startswith(COPY_SIGNATURE) or not data.endswith(COPY_TRAILER):
        raise ValueError("not a PostgreSQL binary COPY stream")
    extension = int.from_bytes(data[len(COPY_SIGNATURE) + 4:COPY_HEADER_BYTES], "big")
    body = memoryview(data)[COPY_HEADER_BYTES + extension:len(data) - len(COPY_TRAILER)]
    fields = [("field_count", ">i2")]
    for column in columns:
        fields += [(f"{column.name}_length", ">i4"), (column.name, f">{column.dtype}")]
    row_type = np.dtype(fields)
    if len(body) % row_type.itemsize:
        raise ValueError("binary COPY rows of unexpected width (a NULL or another type?)")
    rows = np.frombuffer(body, dtype=row_type)
    if np.any(rows["field_count"] != len(columns)):
        raise ValueError("binary COPY rows with an unexpected number of fields")
    result = {}
    for column in columns:
        width = np.dtype(column.dtype).itemsize
        if np.any(rows[f"{column.name}_length"] != width):
            raise ValueError(f"column {column.name}: NULL or unexpected width")
        result[column.name] = rows[column.name].astype(column.dtype)
    return result


@dataclass
class RawExtract:
    members: dict[str, np.ndarray]
    pensions: dict[str, np.ndarray]
    population: dict[str, np.ndarray]
    timings: dict[str, float]


def read_fund(period: ValuationPeriod, progress: ProgressCallback | None = None,
              steps: tuple[int, int] = (0, 3)) -> RawExtract:
    """The three reads, in the caller's transaction. `steps` = (done before, total) for the
    progress bar."""
    dialect = Dialect.current()
    if dialect.postgresql:
        with connection.cursor() as cursor:
            for setting in SESSION_SETTINGS:
                cursor.execute(setting)
    timings: dict[str, float] = {}
    done, total = steps
    parts = {}
    for name, read in (("members", read_members), ("pensions", _read_pensions),
                       ("population", _read_population)):
        started = time.perf_counter()
        parts[name] = read(dialect, period, timings)
        timings[f"read_{name}"] = time.perf_counter() - started
        done += 1
        if progress is not None:
            progress(done, total)
    return RawExtract(parts["members"], parts["pensions"], parts["population"], timings)


def blocks_for(period: ValuationPeriod, earliest_month: datetime.date | None) -> int:
    """Masks of 63 months needed to reach back from the valuation month to `earliest_month`."""
    if earliest_month is None or earliest_month >= period.cutoff:
        return 1
    back = period.cutoff_month_index - 1 - (earliest_month.year * 12 + earliest_month.month - 1)
    return back // MONTHS_PER_BLOCK + 1


def read_members(dialect: Dialect, period: ValuationPeriod,
                 timings: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """The members' columns: persons, spells and records read apart (each a plain scan or one
    aggregate) and put side by side in numpy by member id, which is then dropped. Joining a
    million aggregated rows to a million members in numpy costs a fraction of a second; in SQL,
    hash tables of a million rows each. `timings` receives the seconds of each part."""
    clock = _Clock(timings)
    members = read_columns(dialect, *member_columns(dialect, period))
    clock.lap("members_persons")
    positions = MemberPositions(np.sort(members["member_id"]))
    order = np.argsort(members["member_id"], kind="stable")
    members = {name: values[order] for name, values in members.items()}
    spells = read_columns(dialect, *spell_columns(dialect, period))
    membership = membership_by_member(period, spells, positions)
    clock.lap("members_spells")
    records = _records_by_member(dialect, period, positions)
    clock.lap("members_records")
    kept = membership.pop("has_spell")
    columns = {**members, **membership, **records}
    del columns["member_id"]
    return {name: values[kept] for name, values in columns.items()}


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.mark = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = now - self.mark
        self.mark = now


def _records_by_member(dialect: Dialect, period: ValuationPeriod,
                       positions: MemberPositions) -> dict[str, np.ndarray]:
    """Sized by the earliest contribution month; should a counted record still lie beyond
    the masks (one whose employer the quick look-up of the earliest month did not reach), read
    again with enough of them. Members with no counted month get empty masks and sums."""
    blocks = blocks_for(period, earliest_contribution_month())
    while True:
        records = read_columns(dialect, *record_columns(dialect, period, blocks))
        earliest_day = int(records["earliest_month"].min(initial=NO_RECORD_DAY))
        needed = 1 if earliest_day == NO_RECORD_DAY else blocks_for(
            period, EPOCH + datetime.timedelta(days=earliest_day))
        if needed <= blocks:
            break
        blocks = needed
    position = positions.of(records.pop("member_id"))
    known = position >= 0
    result = {}
    for name, values in records.items():
        empty = NO_RECORD_DAY if name == "earliest_month" else 0
        column = np.full(len(positions.member_ids), empty, dtype=values.dtype)
        column[position[known]] = values[known]
        result[name] = column
    return result


def membership_by_member(period: ValuationPeriod, spells: dict[str, np.ndarray],
                         positions: MemberPositions) -> dict[str, np.ndarray]:
    """Per member (in `positions`' order): whether a spell started by the date, the first
    start, the latest spell's category, covered on the date and a year before, and the months
    touched by a spell (any day of a month in a spell counts the month) up to the valuation
    month, in all and in the last 12."""
    count = len(positions.member_ids)
    position = positions.of(spells["member_id"])
    known = position >= 0
    position = position[known].astype(np.int64)
    start, end = spells["start_day"][known], spells["end_day"][known]
    day = (period.valuation_date - EPOCH).days
    year_before = (period.year_before - EPOCH).days
    last = _months_since_epoch(period.valuation_month)
    end_month = np.minimum(_month_of_days(np.minimum(end, day)), last)
    start_month = _month_of_days(start)
    window_first = last - WINDOW_MONTHS + 1

    def any_of(condition: np.ndarray) -> np.ndarray:
        return np.bincount(position[condition], minlength=count) > 0

    def total_of(values: np.ndarray) -> np.ndarray:
        return np.bincount(position, weights=values, minlength=count).astype(np.int64)

    order = np.lexsort((start, position))  # by member, then start
    first_rows = order[np.r_[True, position[order][1:] != position[order][:-1]]] \
        if len(order) else order
    last_rows = order[np.r_[position[order][1:] != position[order][:-1], True]] \
        if len(order) else order
    first_start = np.zeros(count, dtype=np.int32)
    first_start[position[first_rows]] = start[first_rows]
    category = np.zeros(count, dtype=np.int16)
    category[position[last_rows]] = spells["category"][known][last_rows]
    return {
        "has_spell": any_of(np.ones(len(position), dtype=bool)),
        "first_start_day": first_start,
        "category": category,
        "covered": any_of(end >= day),
        "covered_year_before": any_of((start <= year_before) & (end >= year_before)),
        "membership_months_total": total_of(np.maximum(end_month - start_month + 1, 0)),
        "membership_months_last_12": total_of(
            np.maximum(end_month - np.maximum(start_month, window_first) + 1, 0)),
    }


def _month_of_days(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of days since 1970-01-01."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _months_since_epoch(day: datetime.date) -> int:
    return (day.year - EPOCH.year) * 12 + day.month - 1


def _read_pensions(dialect: Dialect, period: ValuationPeriod,
                   timings: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    return read_columns(dialect, *pension_columns(dialect, period))


def _read_population(dialect: Dialect, period: ValuationPeriod,
                     timings: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    return read_columns(dialect, *population_columns(dialect, period))


def earliest_membership_day() -> datetime.date | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(start_on) FROM socialsecurity_membershipspell")
        first = cursor.fetchone()[0]
    return _as_date(first)


def earliest_contribution_month() -> datetime.date | None:
    """The first month of the whole records table. On PostgreSQL through the (employer, month)
    index, one look-up per employer and one for voluntary months, rather than reading the
    largest table through."""
    if connection.vendor != "postgresql":
        sql = "SELECT min(month) FROM socialsecurity_contributionrecord"
    else:
        sql = ("SELECT min(first) FROM (SELECT (SELECT min(record.month) FROM "
               "socialsecurity_contributionrecord record WHERE record.employer_id = employer.id)"
               " AS first FROM socialsecurity_employer employer UNION ALL "
               "SELECT min(month) FROM socialsecurity_contributionrecord "
               "WHERE employer_id IS NULL) firsts")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        first = cursor.fetchone()[0]
    return _as_date(first)


def _as_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
