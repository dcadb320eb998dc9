"""Reading contribution histories for the benefit estimator: one member for a page or the API,
or every member at once (planning, the benchmark), in the shape `pakan.rules.benefits` takes.

Which months count. A month counts when its contribution record is paid, and also when it was
billed to an employer (a monthly declaration or an inspection's assessment) that has not paid
it yet: the worker's share was withheld from the wage, and under the Law on Social Security the
employer's debt must not cost the worker a benefit; the fund recovers it from the employer. A
voluntary member pays their own contributions, so an unpaid voluntary month does not count.
The employer months counted while still unpaid are reported with every estimate.

Two employers in one month make one month, with the insurable wages added together.

Reading in bulk is set-wise: on PostgreSQL the server packs whole columns into binary strings
that numpy reads as they are (no Python object per row), the records table read in ranges of
pages on connections of their own while the members are read on the caller's, so that both
the server's cores work all along; on SQLite a plain cursor. Records come unordered and are put
in (member, month) order in numpy, by counting rather than sorting when the (member x month)
grid is dense (pakan.rules.benefits wants them in that order).
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from pakan.socialsecurity.models import (
    ContributionRecord,
    InsuredMember,
    MembershipSpell,
)
from pakan.socialsecurity.selectors.register import contribution_history

EMPLOYER_SOURCES = (ContributionRecord.Source.DECLARATION, ContributionRecord.Source.ASSESSMENT)
NO_CATEGORY = ""
NOT_A_DATE = np.datetime64("NaT", "D")
NOT_A_MONTH = np.datetime64("NaT", "M")
# A day far in the future stands for "no date" in the bulk read (its arrays have no NULLs).
NO_DATE_SENTINEL = datetime.date(9999, 12, 31)
CATEGORY_DTYPE = "<U20"
# Months in bulk are int16 numbers of months since 1900-01 until they are put in order.
MONTH_ZERO = np.datetime64("1900-01", "M")
# Records are grouped with a dense (member x month) grid when it has at most this many cells
# per record (plus a fixed allowance), else by sorting. The grid holds 9 bytes a cell, the
# records as read 14 bytes each: two cells a record keep the grid about the records' size.
DENSE_GRID_FACTOR = 2
DENSE_GRID_MINIMUM = 1_000_000
PORTABLE_ID_LIMIT = 900  # member ids named in one query on SQLite (its parameter limit)


def counted_records() -> QuerySet[ContributionRecord]:
    """The contribution records that count for benefits (see the module's docstring)."""
    return ContributionRecord.objects.filter(Q(paid=True) | Q(source__in=EMPLOYER_SOURCES))


# --- one member ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRecord:
    """What an estimate needs about one member, read from the registry and the fund."""

    member: InsuredMember
    birth_date: datetime.date
    sex: str
    date_of_death: datetime.date | None
    category: str                   # on `as_of`, or the last one held; "" when never a member
    member_on_date: bool            # a membership spell covers `as_of`
    months: list[datetime.date]     # counted months, oldest first
    wages: list[int]                # insurable wage of each counted month, employers added
    unpaid_employer_months: list[datetime.date]  # counted although the employer owes them

    @property
    def last_month(self) -> datetime.date | None:
        return self.months[-1] if self.months else None

    @property
    def current_wage(self) -> int:
        """The insurable wage of the latest counted month (0 with no record)."""
        return self.wages[-1] if self.wages else 0


def _category_on(spells: Sequence[MembershipSpell], as_of: datetime.date) -> tuple[str, bool]:
    """The category held on `as_of` (and True), else the last one held before it (and False)."""
    started = [spell for spell in spells if spell.start_on <= as_of]
    if not started:
        return NO_CATEGORY, False
    latest = max(started, key=lambda spell: spell.start_on)
    covering = latest.end_on is None or latest.end_on >= as_of
    return latest.category, covering


def member_record(member: InsuredMember, as_of: datetime.date) -> MemberRecord:
    """One member's counted months up to `as_of` in two queries (the caller checked scope)."""
    person = member.person
    category, covered = _category_on(list(member.membership_spells.all()), as_of)
    wage_of: dict[datetime.date, int] = {}
    unpaid: set[datetime.date] = set()
    rows = (contribution_history(member).filter(month__lte=as_of)
            .filter(Q(paid=True) | Q(source__in=EMPLOYER_SOURCES))
            .values_list("month", "insurable_wage", "paid"))
    for month, wage, paid in rows:
        wage_of[month] = wage_of.get(month, 0) + wage
        if not paid:
            unpaid.add(month)
    months = sorted(wage_of)
    return MemberRecord(
        member=member, birth_date=person.date_of_birth, sex=person.sex,
        date_of_death=person.date_of_death, category=category, member_on_date=covered,
        months=months, wages=[wage_of[month] for month in months],
        unpaid_employer_months=sorted(unpaid))


# --- every member at once -----------------------------------------------------------------------

@dataclass(frozen=True)
class MemberColumns:
    """The members' facts as columns, one row per member, in ascending member id."""

    member_id: np.ndarray        # int64
    birth_date: np.ndarray       # datetime64[D]
    sex: np.ndarray              # <U1
    date_of_death: np.ndarray    # datetime64[D], NaT when alive
    category: np.ndarray         # <U20, "" when never a member
    member_on_date: np.ndarray   # bool: a membership spell covers `as_of`

    def __len__(self) -> int:
        return len(self.member_id)


@dataclass(frozen=True)
class RecordColumns:
    """Counted months as flat columns sorted by (member, month); one row per member and month."""

    member_index: np.ndarray     # int64, position in MemberColumns
    month: np.ndarray            # datetime64[M]
    wage: np.ndarray             # int64
    unpaid_employer_months: np.ndarray  # int64 per member: counted months the employer owes


@dataclass(frozen=True)
class BulkHistories:
    members: MemberColumns
    records: RecordColumns

    @property
    def last_month(self) -> np.ndarray:
        """Each member's latest counted month (NaT with no record)."""
        return _last_per_member(self.records.month, self.records.member_index,
                                len(self.members), NOT_A_MONTH)

    @property
    def current_wage(self) -> np.ndarray:
        """Each member's insurable wage of the latest counted month (0 with no record)."""
        return _last_per_member(self.records.wage, self.records.member_index,
                                len(self.members), np.int64(0))


def _last_per_member(values: np.ndarray, member_index: np.ndarray, members: int, empty):
    result = np.full(members, empty, dtype=values.dtype)
    if len(member_index):
        last_rows = np.flatnonzero(np.r_[member_index[1:] != member_index[:-1], True])
        result[member_index[last_rows]] = values[last_rows]
    return result


def read_histories(member_ids: Iterable[int] | None, as_of: datetime.date,
                   timings: dict[str, float] | None = None) -> BulkHistories:
    """Every member's facts and counted months up to `as_of` (all members when `member_ids` is
    None; an iterable selects some). The caller decides who may see them. `timings`, when
    given, receives the seconds of each phase: read_members (until the members are read),
    read_records (the rest of the reading: on PostgreSQL the records are read meanwhile),
    order_records."""
    clock = _Clock(timings)
    wanted = None if member_ids is None else np.unique(np.fromiter(member_ids, dtype=np.int64))
    reader = _PostgresReader() if connection.vendor == "postgresql" else _PortableReader()
    members, raw = reader.read(wanted, as_of, clock)
    records = _records_in_order(raw, len(members))
    clock.lap("order_records")
    return BulkHistories(members, records)


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.mark = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[phase] = now - self.mark
        self.mark = now


class MemberPositions:
    """Member ids to positions in the (ascending) member columns: a direct table when ids are
    dense, else a binary search; -1 for an id not among them."""

    def __init__(self, member_ids: np.ndarray) -> None:
        self.member_ids = member_ids
        highest = int(member_ids[-1]) if len(member_ids) else -1
        self.table = None
        if highest < 4 * len(member_ids) + 1_000_000:
            self.table = np.full(highest + 1, -1, dtype=np.int32)
            self.table[member_ids] = np.arange(len(member_ids), dtype=np.int32)

    def of(self, ids: np.ndarray) -> np.ndarray:
        if len(self.member_ids) == 0:
            return np.full(len(ids), -1, dtype=np.int32)
        if self.table is not None:
            if len(ids) and int(ids.min()) >= 0 and int(ids.max()) < len(self.table):
                return self.table[ids]
            inside = (ids >= 0) & (ids < len(self.table))
            positions = np.full(len(ids), -1, dtype=np.int32)
            positions[inside] = self.table[ids[inside]]
            return positions
        positions = np.minimum(np.searchsorted(self.member_ids, ids), len(self.member_ids) - 1)
        return np.where(self.member_ids[positions] == ids, positions, -1).astype(np.int32)


class RawRecords:
    """Counted records as read, in no order, in parts (one a range of the table, added from
    several threads): member position (int32), month (int16, months since 1900-01) and
    insurable wage (int64) of each record, and the member position and month of each record
    still unpaid. Records of members outside the selection are already left out. The parts
    are not copied into whole columns: they are put in order one after the other."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.unpaid: list[tuple[np.ndarray, np.ndarray]] = []
        self.count, self.first_month, self.last_month = 0, None, None
        self.lock = threading.Lock()

    def add(self, member_index: np.ndarray, month: np.ndarray, wage: np.ndarray,
            paid: np.ndarray) -> None:
        if len(month) == 0:
            return
        unpaid = np.flatnonzero(~paid)
        first, last = int(month.min()), int(month.max())
        with self.lock:
            self.parts.append((member_index, month, wage))
            self.unpaid.append((member_index[unpaid], month[unpaid]))
            self.count += len(month)
            self.first_month = first if self.first_month is None else min(first,
                                                                           self.first_month)
            self.last_month = last if self.last_month is None else max(last, self.last_month)

    @classmethod
    def of(cls, positions: MemberPositions, member_id: np.ndarray, month: np.ndarray,
           wage: np.ndarray, paid: np.ndarray) -> RawRecords:
        """From member ids and datetime64[M] months, in one part."""
        raw = cls()
        raw.add_known(positions.of(member_id), (month - MONTH_ZERO).astype(np.int16), wage, paid)
        return raw

    def add_known(self, member_index: np.ndarray, month: np.ndarray, wage: np.ndarray,
                  paid: np.ndarray) -> None:
        """A part whose records of members not among the positions (-1) are left out."""
        known = member_index >= 0
        if not known.all():
            member_index, month, wage, paid = (member_index[known], month[known], wage[known],
                                               paid[known])
        self.add(member_index, month, wage, paid)

    def take_parts(self):
        """The parts, each let go of as it is taken (a million members' records are hundreds
        of megabytes)."""
        while self.parts:
            yield self.parts.pop(0)


# --- putting records in (member, month) order ---------------------------------------------------
#
# Big arrays cost twice here: the passes over them, and the memory itself (a fresh page costs a
# fault and zeroing; on a virtual machine, more). So the steps below work in place where they
# can, use the narrowest type that holds the values, and release each input when it is used.

MONTHS_1900_TO_1970 = int((np.datetime64("1970-01", "M") - MONTH_ZERO).astype(np.int64))
INT32_LIMIT = np.iinfo(np.int32).max


def _records_in_order(raw: RawRecords, members: int) -> RecordColumns:
    """One row per (member, month) in that order, the wages of a month's employers added.
    Consumes `raw`."""
    if raw.count == 0:
        return RecordColumns(np.zeros(0, np.int64), np.zeros(0, "datetime64[M]"),
                             np.zeros(0, np.int64), np.zeros(members, np.int64))
    offset = raw.first_month
    span = raw.last_month - offset + 1
    unpaid = _unpaid_months(raw, members, offset, span)
    if members * span <= DENSE_GRID_FACTOR * raw.count + DENSE_GRID_MINIMUM:
        member_index, month, wage = _grouped_by_counting(raw, members, offset, span)
    else:
        member_index, month, wage = _grouped_by_sorting(raw, offset, span)
    return RecordColumns(member_index=member_index, month=month, wage=wage,
                         unpaid_employer_months=unpaid)


def _unpaid_months(raw: RawRecords, members: int, offset: int, span: int) -> np.ndarray:
    """Per member, the counted months with a record still unpaid (a month counts once)."""
    cells = [member_index.astype(np.int64) * span + month - offset
             for member_index, month in raw.unpaid]
    raw.unpaid = []
    unique = np.unique(np.concatenate(cells)) if cells else np.zeros(0, np.int64)
    return np.bincount(unique // span, minlength=members).astype(np.int64)


def _index_type(values: int) -> type:
    return np.int32 if values <= INT32_LIMIT else np.int64


def _months_of_numbers(numbers: np.ndarray, offset: int) -> np.ndarray:
    """Months counted from `offset` (int64, overwritten) as datetime64[M]."""
    numbers += offset - MONTHS_1900_TO_1970
    return numbers.view("datetime64[M]")


def _grouped_by_counting(raw: RawRecords, members: int, offset: int, span: int):
    """A counting sort: every (month, member) has a cell in a dense grid, so the occupied cells
    read member by member are the records in (member, month) order, with no comparison sort;
    the wages of a cell's records are added in the grid (exact integers). The grid is laid out
    month by month, the order records mostly come in (billing writes a month for everyone at
    once), so filling it runs through memory in order; one transpose then turns it member by
    member. The parts are put in the grid one after the other. Returns the member positions,
    months and wages of the occupied cells."""
    cells = members * span
    total = np.zeros(cells, dtype=np.int64)
    occupied = np.zeros(cells, dtype=bool)
    for member_index, month, wage in raw.take_parts():
        cell = month.astype(_index_type(cells))
        cell -= offset
        cell *= members
        cell += member_index
        np.add.at(total, cell, wage)
        occupied[cell] = True
    by_member = np.ascontiguousarray(occupied.reshape(span, members).T)
    del occupied
    wage = total.reshape(span, members).T[by_member]
    del total
    member_index = np.repeat(np.arange(members, dtype=np.int64), by_member.sum(axis=1))
    month = np.flatnonzero(by_member)
    del by_member
    np.remainder(month, span, out=month)
    return member_index, _months_of_numbers(month, offset), wage


def _grouped_by_sorting(raw: RawRecords, offset: int, span: int):
    """The same for sparse records (few months over a long span): sort the cell numbers."""
    cells, wages = [], []
    for member_index, month, wage in raw.take_parts():
        cell = member_index.astype(np.int64)
        cell *= span
        cell += month
        cell -= offset
        cells.append(cell)
        wages.append(wage)
    cell, wage = np.concatenate(cells), np.concatenate(wages)
    del cells, wages
    if not bool(np.all(cell[1:] >= cell[:-1])):
        order = np.argsort(cell, kind="stable")
        cell, wage = cell[order], wage[order]
        del order
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    if len(starts) != len(cell):  # a month with two employers: one row, wages added
        wage = np.add.reduceat(wage, starts)
        cell = cell[starts]
    member_index = cell // span
    np.remainder(cell, span, out=cell)
    return member_index, _months_of_numbers(cell, offset), wage


# --- any database: plain queries ----------------------------------------------------------------

def _among(queryset: QuerySet, field: str, wanted: np.ndarray | None) -> QuerySet:
    """Only the wanted members' rows, when they are few enough to name in a query (SQLite
    limits the parameters of one query); else all, the rest left out afterwards."""
    if wanted is None or len(wanted) > PORTABLE_ID_LIMIT:
        return queryset
    return queryset.filter(**{f"{field}__in": wanted.tolist()})


class _PortableReader:
    """Any database Django speaks to (SQLite in development): plain queries."""

    def read(self, wanted: np.ndarray | None, as_of: datetime.date,
             clock: _Clock) -> tuple[MemberColumns, RawRecords]:
        members = self.members(wanted, as_of)
        clock.lap("read_members")
        raw = self.records(wanted, as_of, MemberPositions(members.member_id))
        clock.lap("read_records")
        return members, raw

    def members(self, wanted: np.ndarray | None, as_of: datetime.date) -> MemberColumns:
        members = _among(InsuredMember.objects.order_by("pk"), "pk", wanted)
        spells = _among(MembershipSpell.objects.filter(start_on__lte=as_of), "member_id",
                        wanted).order_by("member_id", "start_on")
        rows = list(members.values_list("pk", "person__date_of_birth", "person__sex",
                                        "person__date_of_death"))
        if wanted is not None:
            chosen = set(wanted.tolist())
            rows = [row for row in rows if row[0] in chosen]
        latest: dict[int, tuple[str, bool]] = {}
        for member_id, category, end_on in spells.values_list("member_id", "category",
                                                              "end_on"):
            latest[member_id] = (category, end_on is None or end_on >= as_of)
        spell_of = [latest.get(row[0], (NO_CATEGORY, False)) for row in rows]
        return MemberColumns(
            member_id=np.array([row[0] for row in rows], dtype=np.int64),
            birth_date=np.array([row[1] for row in rows], dtype="datetime64[D]"),
            sex=np.array([row[2] for row in rows], dtype="<U1"),
            date_of_death=np.array([row[3] or NOT_A_DATE for row in rows],
                                   dtype="datetime64[D]"),
            category=np.array([spell[0] for spell in spell_of], dtype=CATEGORY_DTYPE),
            member_on_date=np.array([spell[1] for spell in spell_of], dtype=bool))

    def records(self, wanted: np.ndarray | None, as_of: datetime.date,
                positions: MemberPositions) -> RawRecords:
        records = _among(counted_records().filter(month__lte=as_of).order_by(), "member_id",
                         wanted)
        rows = list(records.values_list("member_id", "month", "insurable_wage", "paid"))
        return RawRecords.of(positions, np.array([row[0] for row in rows], dtype=np.int64),
                             np.array([row[1] for row in rows], dtype="datetime64[M]"),
                             np.array([row[2] for row in rows], dtype=np.int64),
                             np.array([row[3] for row in rows], dtype=bool))


# --- PostgreSQL: columns packed by the server, read straight into numpy ------------------------
#
# Reading tens of millions of rows one by one costs microseconds a row in any Python driver
# (COPY too: psycopg hands over one row at a time). So the server packs each column into one
# binary string that numpy reads as it is: string_agg of each row's values in their binary
# send form. Two integer columns go together as one point (two float8, exact below 2**53),
# sent by point_send: one send call and one aggregate step a row for two values, which is
# most of what a row costs the server once it is read (array_send of an array_agg costs more
# again). Should a value be too large to be exact as a float8, the query is run again with
# each column as big-endian int8 (int8send). The records table is cut into ranges of pages (a
# TID range scan reads only its pages), taken in turn by READ_CONNECTIONS threads, each on a
# connection of its own, while the caller's connection reads the members: the server's cores
# work all along. Each range gives two columns: a key packing member id, day and paid flag,
# and the insurable wage.

DAY_ZERO = datetime.date(1900, 1, 1)  # records' days are counted from here in the key
KEY_DAY_BITS = 18                     # 1 bit for paid, 17 for the day: up to 2258
DAY_MASK = (1 << KEY_DAY_BITS) - 1
EXACT_FLOAT_LIMIT = 2**53             # every integer below it is exact as a float8
PAGES_PER_RANGE = 16_384              # 128 MB of table per range
# Connections reading ranges at once, outside a transaction: one more than the cores, so that
# a core is not left idle while a reader unpacks the range it has just received.
READ_CONNECTIONS = min(8, (os.cpu_count() or 2) + 1)
# A selection of members up to this size is read through the (member, month) index; a bigger
# one is read like all members (by ranges of pages) and the others' records left out.
SELECTION_BY_INDEX = 10_000
WORK_MEMORY = "256MB"                 # for the members' join, set for that query only
# No just-in-time compilation for these reads: each is one pass over its rows, and compiling
# costs more than it saves (more so as each range is a query of its own).
NO_JIT = "jit = off"
EPOCH_DAYS = "{} - DATE '1970-01-01'".format  # a date column as days since 1970-01-01
NO_DATE = f"DATE '{NO_DATE_SENTINEL}'"
CATEGORY_CODES = {value: code + 1 for code, (value, _label) in
                  enumerate(MembershipSpell._meta.get_field("category").choices)}
CATEGORY_NAMES = np.array([NO_CATEGORY, *CATEGORY_CODES], dtype=CATEGORY_DTYPE)


def packed(expression: str) -> str:
    """SQL packing the integer `expression` of every row into one binary string of big-endian
    int8 (NULL when there is no row)."""
    return f"string_agg(int8send(({expression})::int8), '')"


def packed_pairs(first: str, second: str) -> str:
    """SQL packing two integer expressions of every row into one binary string, each row one
    point (two float8). Exact for integers below EXACT_FLOAT_LIMIT."""
    return f"string_agg(point_send(point(({first})::float8, ({second})::float8)), '')"


def numpy_of_packed(value: bytes | memoryview | None) -> np.ndarray:
    """A column packed by `packed` as an int64 array (an empty one for NULL)."""
    if value is None:
        return np.zeros(0, dtype=np.int64)
    if len(value) % 8:
        raise ValueError(f"a packed int8 column of {len(value)} bytes")
    return np.frombuffer(value, dtype=">i8").astype(np.int64)


def numpy_of_pairs(value: bytes | memoryview | None) -> list[np.ndarray] | None:
    """Two int64 columns packed by `packed_pairs`; None when a value is too large to have
    been exact as a float8."""
    if value is None:
        return [np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)]
    if len(value) % 16:
        raise ValueError(f"packed pairs of {len(value)} bytes")
    pairs = np.frombuffer(value, dtype=">f8").reshape(-1, 2)
    if len(pairs) and max(float(pairs.max()), -float(pairs.min())) >= EXACT_FLOAT_LIMIT:
        return None
    return [pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)]


def _fetch_row(raw_connection, sql: str, params: Sequence) -> tuple:
    """One row of binary values. A server-side binding cursor of psycopg's own: Django's
    binds on the client, which cannot return binary values."""
    import psycopg

    with psycopg.Cursor(raw_connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchone()


def fetch_columns(raw_connection, expressions: Sequence[str], rest: str,
                  params: Sequence) -> list[np.ndarray]:
    """The integer `expressions` (an even number of them) over the rows of `rest` (FROM ...
    WHERE ...), as int64 columns: packed in pairs, or each exactly should a value be too
    large for a float8."""
    pairs = [packed_pairs(*expressions[start:start + 2])
             for start in range(0, len(expressions), 2)]
    columns: list[np.ndarray] = []
    for value in _fetch_row(raw_connection, f"SELECT {', '.join(pairs)} {rest}", params):
        pair = numpy_of_pairs(value)
        if pair is None:  # a value too large for a float8: every column again, exactly
            row = _fetch_row(raw_connection, "SELECT "
                             f"{', '.join(packed(expression) for expression in expressions)} "
                             f"{rest}", params)
            return [numpy_of_packed(value) for value in row]
        columns.extend(pair)
    return columns


def _raw_connection():
    connection.ensure_connection()
    return connection.connection


def _member_filter(wanted: np.ndarray | None, column: str) -> tuple[str, list]:
    if wanted is None:
        return "", []
    return f" AND {column} = ANY(%s)", [wanted.tolist()]


def months_of_days(days: np.ndarray) -> np.ndarray:
    """Days since DAY_ZERO as int16 months since MONTH_ZERO, through a table of the days in
    range: numpy's calendar conversion costs seconds for tens of millions of dates, a look-up
    does not (and PostgreSQL's extract() costs more still)."""
    if len(days) == 0:
        return np.zeros(0, dtype=np.int16)
    first = int(days.min())
    table = ((np.datetime64(DAY_ZERO, "D") + np.arange(first, int(days.max()) + 1))
             .astype("datetime64[M]") - MONTH_ZERO).astype(np.int16)
    return table[days - first]


RANGE_CONDITION = " AND ctid >= %s::tid AND ctid < %s::tid"
RECORD_KEY = f"member_id * {1 << KEY_DAY_BITS} + (month - DATE '{DAY_ZERO}') * 2 + paid::int"


def _fetch_records(raw_connection, condition: str, params: Sequence) -> list[np.ndarray]:
    """The key and wage columns of the counted records up to a day (the first parameter)
    matching `condition`."""
    sources = ", ".join(f"'{source}'" for source in EMPLOYER_SOURCES)
    return fetch_columns(raw_connection, (RECORD_KEY, "insurable_wage"), (
        "FROM socialsecurity_contributionrecord "
        f"WHERE (paid OR source IN ({sources})) AND month <= %s{condition}"), params)


def _unpack(arrays: list[np.ndarray], positions: MemberPositions, raw: RawRecords) -> None:
    """A range's (or a selection's) key and wage columns, as records of known members, into
    `raw`."""
    key, wage = arrays
    member_index = positions.of(key >> KEY_DAY_BITS)
    known = member_index >= 0
    if not known.all():
        member_index, key, wage = member_index[known], key[known], wage[known]
    paid = (key & 1).astype(bool)
    key &= DAY_MASK
    key >>= 1
    raw.add(member_index, months_of_days(key), wage, paid)


class _PostgresReader:
    def read(self, wanted: np.ndarray | None, as_of: datetime.date,
             clock: _Clock) -> tuple[MemberColumns, RawRecords]:
        by_index = wanted is not None and len(wanted) <= SELECTION_BY_INDEX
        ranges = [] if by_index else _page_ranges()
        if by_index or connection.in_atomic_block or READ_CONNECTIONS < 2 or len(ranges) < 2:
            members = self.members(wanted, as_of)
            clock.lap("read_members")
            positions = MemberPositions(members.member_id)
            raw = (self._selected_records(wanted, as_of, positions) if by_index
                   else self._records_here(ranges, as_of, positions))
            clock.lap("read_records")
            return members, raw
        with _RangesInBackground(as_of, ranges) as records:
            members = self.members(wanted, as_of)
            clock.lap("read_members")
            raw = records.all(MemberPositions(members.member_id))
        clock.lap("read_records")
        return members, raw

    def _selected_records(self, wanted: np.ndarray, as_of: datetime.date,
                          positions: MemberPositions) -> RawRecords:
        """A few members: their records through the (member, month) index."""
        condition, params = _member_filter(wanted, "member_id")
        raw = RawRecords()
        _unpack(_fetch_records(_raw_connection(), condition, [as_of, *params]), positions, raw)
        return raw

    def _records_here(self, ranges: list[tuple[str, str]], as_of: datetime.date,
                      positions: MemberPositions) -> RawRecords:
        """The ranges one after the other on the caller's connection: inside a transaction
        other connections would not see its uncommitted rows."""
        raw, own = RawRecords(), _raw_connection()
        for bounds in ranges:
            _unpack(_fetch_records(own, RANGE_CONDITION, [as_of, *bounds]), positions, raw)
        return raw

    def members(self, wanted: np.ndarray | None, as_of: datetime.date) -> MemberColumns:
        condition, params = _member_filter(wanted, "member.id")
        with transaction.atomic():
            return self._members(condition, params, as_of)

    def _members(self, condition: str, params: list, as_of: datetime.date) -> MemberColumns:
        codes = " ".join(f"WHEN '{value}' THEN {code}" for value, code in CATEGORY_CODES.items())
        raw = _raw_connection()
        with raw.cursor() as cursor:  # a join of a million rows each side: in memory
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEMORY}'")
            cursor.execute(f"SET LOCAL {NO_JIT}")
        member_id, birth, death, female = fetch_columns(raw, (
            "member.id", EPOCH_DAYS("person.date_of_birth"),
            EPOCH_DAYS(f"coalesce(person.date_of_death, {NO_DATE})"),
            "(person.sex = 'F')::int"), (
            "FROM socialsecurity_insuredmember member "
            f"JOIN registry_person person ON person.id = member.person_id WHERE true{condition}"
        ), params)
        spell_member, spell_start, spell_end, spell_category = fetch_columns(raw, (
            "member_id", EPOCH_DAYS("start_on"), EPOCH_DAYS(f"coalesce(end_on, {NO_DATE})"),
            f"CASE category {codes} ELSE 0 END"), (
            "FROM socialsecurity_membershipspell member WHERE start_on <= %s"
            f"{condition.replace('member.id', 'member_id')}"), [as_of, *params])
        if not _ascending(member_id):  # the join gives members in its own order
            order = np.argsort(member_id, kind="stable")
            member_id, birth, death, female = (member_id[order], birth[order], death[order],
                                               female[order])
        death_date = death.astype("datetime64[D]")
        death_date[death_date == np.datetime64(NO_DATE_SENTINEL)] = NOT_A_DATE
        category, covered = _latest_spell(member_id, spell_member, spell_start, spell_end,
                                          spell_category, as_of)
        return MemberColumns(
            member_id=member_id, birth_date=birth.astype("datetime64[D]"),
            sex=np.where(female != 0, "F", "M").astype("<U1"),
            date_of_death=death_date, category=category, member_on_date=covered)


class _RangesInBackground:
    """The records' page ranges read by READ_CONNECTIONS threads, each on a connection of its
    own, while the caller reads the members; each thread takes the next range left as soon as
    it is free, and unpacks each range (its member ids turned into positions) into the one
    buffer once the members are known. Used as a context manager: leaving it on an error
    stops the readers (after the query each is running) and waits for them."""

    def __init__(self, as_of: datetime.date, ranges: list[tuple[str, str]]) -> None:
        self.as_of, self.raw = as_of, RawRecords()
        self.ranges = iter(ranges)
        self.taking = threading.Lock()
        self.readers_count = min(READ_CONNECTIONS, len(ranges))
        self.positions: Future[MemberPositions] = Future()
        self.stopped = threading.Event()
        self.settings = connection.get_connection_params()
        self.pool = ThreadPoolExecutor(max_workers=self.readers_count)
        self.readers: list[Future] = []

    def __enter__(self) -> _RangesInBackground:
        self.readers = [self.pool.submit(self._read) for _ in range(self.readers_count)]
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is not None:
            self.stopped.set()
            if not self.positions.done():
                self.positions.set_exception(error)
        self.pool.shutdown(wait=True)

    def all(self, positions: MemberPositions) -> RawRecords:
        """Every range's records, once the members' positions are given."""
        self.positions.set_result(positions)
        for reader in self.readers:
            reader.result()  # re-raises a reader's error here
        return self.raw

    def _next_range(self) -> tuple[str, str] | None:
        with self.taking:
            return None if self.stopped.is_set() else next(self.ranges, None)

    def _read(self) -> None:
        own = connection.get_new_connection(self.settings)
        try:
            own.execute(f"SET {NO_JIT}")
            while (bounds := self._next_range()) is not None:
                arrays = _fetch_records(own, RANGE_CONDITION, [self.as_of, *bounds])
                _unpack(arrays, self.positions.result(), self.raw)
        except BaseException:
            self.stopped.set()
            raise
        finally:
            own.close()


def _ascending(values: np.ndarray) -> bool:
    """Strictly ascending (so already sorted, with no value twice)."""
    return bool(np.all(values[1:] > values[:-1]))


def _latest_spell(member_id: np.ndarray, spell_member: np.ndarray, spell_start: np.ndarray,
                  spell_end: np.ndarray, spell_category: np.ndarray, as_of: datetime.date):
    """Each member's latest membership spell started by `as_of`: its category, and whether it
    still covers `as_of`."""
    category = np.full(len(member_id), NO_CATEGORY, dtype=CATEGORY_DTYPE)
    covered = np.zeros(len(member_id), dtype=bool)
    if len(spell_member) == 0 or len(member_id) == 0:
        return category, covered
    if not _ascending(spell_member):  # else one spell a member, in order: nothing to sort
        order = np.lexsort((spell_start, spell_member))
        spell_member, spell_end, spell_category = (spell_member[order], spell_end[order],
                                                   spell_category[order])
    last = np.r_[spell_member[1:] != spell_member[:-1], True]
    position = MemberPositions(member_id).of(spell_member[last])
    found = position >= 0
    category[position[found]] = CATEGORY_NAMES[spell_category[last][found]]
    today = (np.datetime64(as_of, "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    covered[position[found]] = spell_end[last][found] >= today
    return category, covered


def _page_ranges() -> list[tuple[str, str]]:
    """The records table's pages in ranges of PAGES_PER_RANGE, as TID bounds; the last range
    is open, so pages added since the size was read are read too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('socialsecurity_contributionrecord') "
                       "/ current_setting('block_size')::int")
        pages = int(cursor.fetchone()[0])
    lows = list(range(0, max(pages, 1), PAGES_PER_RANGE))
    highs = [*lows[1:], 1 << 31]
    return [(f"({low},0)", f"({high},0)") for low, high in zip(lows, highs, strict=True)]
