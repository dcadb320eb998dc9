"""Reading contribution histories for the benefit estimator: one member for a page or the API,
or every member at once (planning, the benchmark), in the shape `pakan.rules.benefits` takes.

Which months count. A month counts when its contribution record is paid, and also when it was
billed to an employer (a monthly declaration or an inspection's assessment) that has not paid
it yet: the worker's share was withheld from the wage, and under the Law on Social Security the
employer's debt must not cost the worker a benefit; the fund recovers it from the employer. A
voluntary member pays their own contributions, so an unpaid voluntary month does not count.
The employer months counted while still unpaid are reported with every estimate.

Two employers in one month make one month, with the insurable wages added together.

Reading in bulk is set-wise: on PostgreSQL the server packs whole columns into binary arrays
that numpy reads as they are (no Python object per row), the records table read in ranges of
pages on two connections at once; on SQLite a plain cursor. Records come unordered and are put
in (member, month) order in numpy, by counting rather than sorting when the (member x month)
grid is dense (pakan.rules.benefits wants them in that order).
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
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
# per record (plus a fixed allowance), else by sorting.
DENSE_GRID_FACTOR = 4
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
    given, receives the seconds of each phase (read_members, read_records, order_records)."""
    clock = _Clock(timings)
    wanted = None if member_ids is None else np.unique(np.fromiter(member_ids, dtype=np.int64))
    reader = _PostgresReader() if connection.vendor == "postgresql" else _PortableReader()
    members = reader.members(wanted, as_of)
    clock.lap("read_members")
    raw = reader.records(wanted, as_of, MemberPositions(members.member_id))
    clock.lap("read_records")
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
            inside = (ids >= 0) & (ids < len(self.table))
            positions = np.full(len(ids), -1, dtype=np.int32)
            positions[inside] = self.table[ids[inside]]
            return positions
        positions = np.minimum(np.searchsorted(self.member_ids, ids), len(self.member_ids) - 1)
        return np.where(self.member_ids[positions] == ids, positions, -1).astype(np.int32)


@dataclass
class RawRecords:
    """Counted records as read, in no order, compact: member position (int32), month (int16,
    months since 1900-01), insurable wage (int64), paid (bool). Records of members outside
    the selection are already left out."""

    member_index: np.ndarray
    month: np.ndarray
    wage: np.ndarray
    paid: np.ndarray
    cell: np.ndarray | None = None  # member x span + month, while they are being grouped

    @classmethod
    def of(cls, positions: MemberPositions, member_id: np.ndarray, month: np.ndarray,
           wage: np.ndarray, paid: np.ndarray) -> RawRecords:
        """From member ids and datetime64[M] months."""
        member_index = positions.of(member_id)
        known = member_index >= 0
        month_number = (month - MONTH_ZERO).astype(np.int16)
        if known.all():
            return cls(member_index, month_number, wage, paid)
        return cls(member_index[known], month_number[known], wage[known], paid[known])


class RecordBuffer:
    """Where the ranges' records land as they arrive (from several threads), allocated once
    from the table's estimated size and grown if that was short: tens of millions of records
    are not kept in parts and then copied into a whole."""

    COLUMNS = (("member_index", np.int32), ("month", np.int16), ("wage", np.int64),
               ("paid", np.bool_))

    def __init__(self, capacity: int) -> None:
        self.size = 0
        self.lock = threading.Lock()
        self.columns = {name: np.empty(max(capacity, 1), dtype=kind)
                        for name, kind in self.COLUMNS}

    def add(self, part: RawRecords) -> None:
        count = len(part.member_index)
        with self.lock:
            end = self.size + count
            if end > len(self.columns["wage"]):
                self._grow(max(end, 2 * len(self.columns["wage"])))
            for name, _kind in self.COLUMNS:
                self.columns[name][self.size:end] = getattr(part, name)
            self.size = end

    def _grow(self, capacity: int) -> None:
        for name, kind in self.COLUMNS:
            grown = np.empty(capacity, dtype=kind)
            grown[:self.size] = self.columns[name][:self.size]
            self.columns[name] = grown

    def records(self) -> RawRecords:
        """The records added, as views; the buffer lets go of them."""
        columns, self.columns = self.columns, {}
        return RawRecords(*(columns[name][:self.size] for name, _kind in self.COLUMNS))


def _records_in_order(raw: RawRecords, members: int) -> RecordColumns:
    """One row per (member, month) in that order, the wages of a month's employers added.
    Consumes `raw`: each array is released as soon as it is used, as a million members'
    records are hundreds of megabytes a column."""
    if len(raw.month) == 0:
        return RecordColumns(np.zeros(0, np.int64), np.zeros(0, "datetime64[M]"),
                             np.zeros(0, np.int64), np.zeros(members, np.int64))
    offset = int(raw.month.min())
    span = int(raw.month.max()) - offset + 1
    raw.cell = raw.member_index.astype(np.int64)
    raw.member_index = None
    raw.cell *= span
    raw.cell += raw.month
    raw.cell -= offset
    raw.month = None
    unpaid_cell = raw.cell[~raw.paid]
    raw.paid = None
    if members * span <= DENSE_GRID_FACTOR * len(raw.cell) + DENSE_GRID_MINIMUM:
        cell, wage = _grouped_by_counting(raw, members * span)
    else:
        cell, wage = _grouped_by_sorting(raw)
    member_index = cell // span
    cell -= member_index * span
    cell += offset + (MONTH_ZERO - np.datetime64("1970-01", "M")).astype(np.int64)
    unpaid_members = np.unique(unpaid_cell) // span
    unpaid = np.bincount(unpaid_members, minlength=members).astype(np.int64)
    return RecordColumns(member_index=member_index, month=cell.view("datetime64[M]"),
                         wage=wage, unpaid_employer_months=unpaid)


def _grouped_by_counting(raw: RawRecords, cells: int):
    """A counting sort: every (member, month) has a cell in a dense grid, so the occupied cells
    in grid order are the records in (member, month) order, with no comparison sort. Wages
    are added as float64, exact far beyond any wage (2^53 kip). Returns the occupied cells
    and their wages; the steps are ordered so that few big arrays are alive at once."""
    grid = np.zeros(cells, dtype=bool)
    grid[raw.cell] = True
    sums = np.bincount(raw.cell, weights=raw.wage, minlength=cells)
    raw.cell = raw.wage = None
    occupied = np.flatnonzero(grid)
    del grid
    sums = sums[occupied]
    return occupied, sums.astype(np.int64)


def _grouped_by_sorting(raw: RawRecords):
    """The same for sparse records (few months over a long span): sort the cell numbers."""
    cell, wage = raw.cell, raw.wage
    raw.cell = raw.wage = None
    if not bool(np.all(cell[1:] >= cell[:-1])):
        order = np.argsort(cell, kind="stable")
        cell, wage = cell[order], wage[order]
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    if len(starts) != len(cell):  # a month with two employers: one row, wages added
        wage = np.add.reduceat(wage, starts)
        cell = cell[starts]
    return cell, wage


def _among(queryset: QuerySet, field: str, wanted: np.ndarray | None) -> QuerySet:
    """Only the wanted members' rows, when they are few enough to name in a query (SQLite
    limits the parameters of one query); else all, the rest left out afterwards."""
    if wanted is None or len(wanted) > PORTABLE_ID_LIMIT:
        return queryset
    return queryset.filter(**{f"{field}__in": wanted.tolist()})


class _PortableReader:
    """Any database Django speaks to (SQLite in development): plain queries."""

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


# --- PostgreSQL: arrays built by the server, read straight into numpy --------------------------
#
# Reading tens of millions of rows one by one costs microseconds a row in any Python driver
# (COPY too: psycopg hands over one row at a time). So the server packs whole columns into
# arrays (array_agg) and sends each as one binary value (array_send), which numpy reads as it
# is. The records table is cut into ranges of pages (a TID range scan reads only its pages)
# read on READ_CONNECTIONS connections at once; each range gives two arrays: a key packing
# member id, day and paid flag, and the insurable wage.

ARRAY_ELEMENT_TYPES = {20: ">i8", 23: ">i4", 21: ">i2", 16: "?"}  # by PostgreSQL type oid
ARRAY_HEADER_BYTES = 20               # ndim, has-nulls flag, element type, size, lower bound
DAY_ZERO = datetime.date(1900, 1, 1)  # records' days are counted from here in the key
KEY_DAY_BITS = 18                     # 1 bit for paid, 17 for the day: up to 2258
PAGES_PER_RANGE = 16_384              # 128 MB of table per range
# Ranges read at once, on as many connections (one, inside a transaction).
READ_CONNECTIONS = min(8, max(2, os.cpu_count() or 2))
WORK_MEMORY = "256MB"                 # for the members' join, set for that query only
CATEGORY_CODES = {value: code + 1 for code, (value, _label) in
                  enumerate(MembershipSpell._meta.get_field("category").choices)}
CATEGORY_NAMES = np.array([NO_CATEGORY, *CATEGORY_CODES], dtype=CATEGORY_DTYPE)


def numpy_of_array(value: bytes | memoryview | None) -> np.ndarray:
    """A one-dimensional PostgreSQL array in its binary form (array_send) of a fixed-width
    type with no NULLs, as a native numpy array (an empty one for NULL: array_agg of none)."""
    if value is None:
        return np.zeros(0, dtype=np.int64)
    data = bytes(value)
    dimensions, has_nulls, element_type = (int(number) for number in
                                           np.frombuffer(data, dtype=">i4", count=3))
    if dimensions == 0:
        return np.zeros(0, dtype=np.int64)
    if dimensions != 1 or has_nulls or element_type not in ARRAY_ELEMENT_TYPES:
        raise ValueError("expected a one-dimensional array of integers without NULLs")
    kind = np.dtype(ARRAY_ELEMENT_TYPES[element_type])
    elements = np.frombuffer(data, dtype=[("length", ">i4"), ("value", kind)],
                             offset=ARRAY_HEADER_BYTES)
    return elements["value"].astype(kind.newbyteorder("="))


def _fetch_arrays(raw_connection, sql: str, params: Sequence) -> list[np.ndarray]:
    """One row of array_send(...) columns, each as a numpy array. A server-side binding cursor
    of psycopg's own: Django's binds on the client, which cannot return binary values."""
    import psycopg

    with psycopg.Cursor(raw_connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return [numpy_of_array(value) for value in cursor.fetchone()]


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


class _PostgresReader:
    def members(self, wanted: np.ndarray | None, as_of: datetime.date) -> MemberColumns:
        condition, params = _member_filter(wanted, "member.id")
        with transaction.atomic():
            return self._members(condition, params, as_of)

    def _members(self, condition: str, params: list, as_of: datetime.date) -> MemberColumns:
        codes = " ".join(f"WHEN '{value}' THEN {code}" for value, code in CATEGORY_CODES.items())
        raw = _raw_connection()
        with raw.cursor() as cursor:  # a join of a million rows each side: in memory
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEMORY}'")
        member_id, birth, female, death = _fetch_arrays(raw, (
            "SELECT array_send(array_agg(member.id)), "
            "array_send(array_agg(person.date_of_birth - DATE '1970-01-01')), "
            "array_send(array_agg(person.sex = 'F')), "
            f"array_send(array_agg(coalesce(person.date_of_death, DATE '{NO_DATE_SENTINEL}') "
            "- DATE '1970-01-01')) "
            "FROM socialsecurity_insuredmember member "
            "JOIN registry_person person ON person.id = member.person_id "
            f"WHERE true{condition}"), params)
        spell_member, spell_start, spell_end, spell_category = _fetch_arrays(raw, (
            "SELECT array_send(array_agg(member_id)), "
            "array_send(array_agg(start_on - DATE '1970-01-01')), "
            f"array_send(array_agg(coalesce(end_on, DATE '{NO_DATE_SENTINEL}') "
            "- DATE '1970-01-01')), "
            f"array_send(array_agg((CASE category {codes} ELSE 0 END)::int2)) "
            "FROM socialsecurity_membershipspell member WHERE start_on <= %s"
            f"{condition.replace('member.id', 'member_id')}"), [as_of, *params])
        order = np.argsort(member_id, kind="stable")
        member_id = member_id[order]
        death_date = death[order].astype("datetime64[D]")
        death_date[death_date == np.datetime64(NO_DATE_SENTINEL)] = NOT_A_DATE
        category, covered = _latest_spell(member_id, spell_member, spell_start, spell_end,
                                          spell_category, as_of)
        return MemberColumns(
            member_id=member_id, birth_date=birth[order].astype("datetime64[D]"),
            sex=np.where(female[order], "F", "M").astype("<U1"), date_of_death=death_date,
            category=category, member_on_date=covered)

    def records(self, wanted: np.ndarray | None, as_of: datetime.date,
                positions: MemberPositions) -> RawRecords:
        condition, params = _member_filter(wanted, "member_id")
        sources = ", ".join(f"'{source}'" for source in EMPLOYER_SOURCES)
        sql = (f"SELECT array_send(array_agg(member_id * {1 << KEY_DAY_BITS} "
               f"+ (month - DATE '{DAY_ZERO}') * 2 + paid::int)), "
               "array_send(array_agg(insurable_wage)) "
               "FROM socialsecurity_contributionrecord "
               f"WHERE (paid OR source IN ({sources})) AND month <= %s{condition}")

        def unpacked(arrays: list[np.ndarray]) -> RawRecords:
            key, wage = arrays
            member_index = positions.of(key >> KEY_DAY_BITS)
            known = member_index >= 0
            if not known.all():
                member_index, key, wage = member_index[known], key[known], wage[known]
            day = (key & ((1 << KEY_DAY_BITS) - 1)) >> 1
            return RawRecords(member_index, months_of_days(day), wage, (key & 1).astype(bool))

        if wanted is not None:  # a few members: their records through the (member, month) index
            return unpacked(_fetch_arrays(_raw_connection(), sql, [as_of, *params]))
        buffer = RecordBuffer(_estimated_rows())
        _read_ranges(sql + " AND ctid >= %s::tid AND ctid < %s::tid", [as_of],
                     lambda arrays: buffer.add(unpacked(arrays)))
        return buffer.records()


def _latest_spell(member_id: np.ndarray, spell_member: np.ndarray, spell_start: np.ndarray,
                  spell_end: np.ndarray, spell_category: np.ndarray, as_of: datetime.date):
    """Each member's latest membership spell started by `as_of`: its category, and whether it
    still covers `as_of`."""
    category = np.full(len(member_id), NO_CATEGORY, dtype=CATEGORY_DTYPE)
    covered = np.zeros(len(member_id), dtype=bool)
    if len(spell_member) == 0 or len(member_id) == 0:
        return category, covered
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


def _estimated_rows() -> int:
    """The records table's row count as the statistics have it (0 when never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class "
                       "WHERE oid = 'socialsecurity_contributionrecord'::regclass")
        return max(int(cursor.fetchone()[0]), 0)


def _read_ranges(sql: str, params: list, take: Callable[[list[np.ndarray]], None]) -> None:
    """`sql` once per range of pages, each answer handed to `take` at once (so the packed
    arrays do not pile up). On several connections in parallel, unless the caller is in a
    transaction: other connections would not see its uncommitted rows, so this one reads all."""
    ranges = _page_ranges()
    if connection.in_atomic_block or READ_CONNECTIONS < 2 or len(ranges) < 2:
        raw = _raw_connection()
        for bounds in ranges:
            take(_fetch_arrays(raw, sql, [*params, *bounds]))
        return
    settings = connection.get_connection_params()

    def read(share: list[tuple[str, str]]) -> None:
        own = connection.get_new_connection(settings)
        try:
            for bounds in share:
                take(_fetch_arrays(own, sql, [*params, *bounds]))
        finally:
            own.close()

    shares = [ranges[start::READ_CONNECTIONS] for start in range(READ_CONNECTIONS)]
    with ThreadPoolExecutor(max_workers=READ_CONNECTIONS) as pool:
        list(pool.map(read, shares))  # re-raises a reader's error here
