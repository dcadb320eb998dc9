"""The database side of a registry import: what the checks need to know, and the writing.

Inside the caller's one transaction, the import first locks registry_person and
registry_household against other writers (SHARE ROW EXCLUSIVE: reading goes on). From then on
it owns the ids from the first free one onwards, and the checks it made against the registry
stay true until the commit: nobody can register the same ID or family book meanwhile. The rows,
numbered and checked in polars (pakan.registry.import_rows), go straight into the registry's
tables: on PostgreSQL through COPY (psycopg 3 `cursor.copy`), on SQLite through executemany,
the portable path. A failure or a killed worker half way leaves nothing behind.

A first national load into a registry it dwarfs locks both tables against reading too
(ACCESS EXCLUSIVE), sets their indexes, primary keys included, and their unique, foreign-key and
check constraints aside, with the other tables' foreign keys to them, and builds and checks
them again after the load, in the same transaction ("Populating a Database" in the PostgreSQL
manual); a rollback puts everything back as it was.
"""

from __future__ import annotations

import datetime
import io
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Model

from pakan.registry.import_checks import (
    HOUSEHOLD_SCHEMA,
    PEOPLE,
    PEOPLE_SCHEMA,
    VILLAGE_SCHEMA,
    KindSpec,
)
from pakan.registry.import_rows import PERSON_CONSTANTS, STAMP_COLUMNS
from pakan.registry.models import AdminUnit, Household, Person

PERSON = Person._meta.db_table
HOUSEHOLD = Household._meta.db_table
ADMIN_UNIT = AdminUnit._meta.db_table
VILLAGE_LEVEL = int(AdminUnit.Level.VILLAGE)
KEYS = "pakan_import_keys"
# The tables whose indexes and keys a load that dwarfs the registry sets aside.
REBUILT = (PERSON, HOUSEHOLD)
# Left out of a bulk load's COPY: the columns' defaults give them meanwhile.
CONSTANT_COLUMNS = (*STAMP_COLUMNS, *PERSON_CONSTANTS)


@dataclass(frozen=True)
class CopyFormat:
    """A format of PostgreSQL's COPY, and how polars writes it."""

    name: str
    writer_options: dict[str, str]


COPY_CSV = CopyFormat("csv", {})
# Tab-separated, \N for NULL, no quoting or escaping: only for values holding none of
# backslash, tab, carriage return or line break.
COPY_TEXT = CopyFormat("text", {"separator": "\t", "quote_style": "never", "null_value": "\\N"})


@dataclass(frozen=True)
class Payload:
    """Rows as `write` takes them: CSV bytes (PostgreSQL) or a list of tuples (SQLite)."""

    columns: tuple[str, ...]
    data: Any


class Loader:
    """Reads and writes one import on the connection of the caller's transaction."""

    def __init__(self, spec: KindSpec, stamp: datetime.datetime) -> None:
        self.spec = spec
        self.stamp = stamp
        self.first_ids: dict[str, int] = {}

    @staticmethod
    def create(spec: KindSpec, stamp: datetime.datetime, *, plain_text: bool = False) -> Loader:
        """`plain_text`: no value of the file holds a quote, backslash, tab or line break."""
        if connection.vendor == "postgresql":
            return PostgresLoader(spec, stamp, plain_text=plain_text)
        return SqliteLoader(spec, stamp)

    # --- before the rows ---

    def begin(self, estimated_rows: int) -> None:
        """Settings for this transaction, and the two tables locked until the commit."""

    @property
    def stamp_text(self) -> str:
        """created_at / updated_at as the database takes it from text."""
        return str(connection.ops.adapt_datetimefield_value(self.stamp))

    def villages(self) -> pl.DataFrame:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT code, id, path FROM {ADMIN_UNIT} WHERE level = %s", [VILLAGE_LEVEL]
            )
            return pl.DataFrame(cursor.fetchall(), schema=VILLAGE_SCHEMA, orient="row")

    def has_rows(self, model: type[Model]) -> bool:
        return model.objects.exists()

    def registered_households(self, books: pl.Series) -> pl.DataFrame:
        """The registered households among these family books: book, id, head id, village path."""
        return self._matching(
            books,
            f"SELECT h.family_book_number, h.id, h.head_id, u.path FROM {KEYS} k "
            f"JOIN {HOUSEHOLD} h ON h.family_book_number = k.value "
            f"JOIN {ADMIN_UNIT} u ON u.id = h.village_id",
            HOUSEHOLD_SCHEMA,
        )

    def registered_national_ids(self, national_ids: pl.Series) -> pl.DataFrame:
        """The national IDs among these that a registered person holds."""
        return self._matching(
            national_ids,
            f"SELECT DISTINCT k.value, TRUE FROM {KEYS} k "
            f"JOIN {PERSON} p ON p.national_id = k.value AND p.national_id IS NOT NULL",
            PEOPLE_SCHEMA,
        )

    def _matching(self, values: pl.Series, sql: str, schema: dict) -> pl.DataFrame:
        """Rows of `sql`, which joins the distinct `values` (table KEYS) to the registry."""
        keys = values.drop_nulls().unique().to_frame("value").with_row_index("line")
        if not keys.height:
            return pl.DataFrame(schema=schema)
        self._fill_keys(keys)
        with connection.cursor() as cursor:
            cursor.execute(sql)
            found = cursor.fetchall()
        self._drop_keys()
        return pl.DataFrame(found, schema=schema, orient="row")

    def first_free_id(self, model: type[Model]) -> int:
        """The first id of the import's rows in this table (the table is locked: all ids from
        here on are the import's until the commit)."""
        raise NotImplementedError

    # --- the rows ---

    def encode(self, frame: pl.DataFrame) -> Payload:
        """A frame as `write` takes it. Pure: called in the reading thread."""
        raise NotImplementedError

    def write(self, table: str, payload: Payload) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """All rows are written: finish the stream."""

    def abandon(self) -> None:
        """Reading stopped half way (the transaction is rolled back after)."""

    # --- after the rows ---

    def name_heads(self, heads: list[tuple[int, int]]) -> None:
        """Registered households without a head get the head named in the file."""
        if not heads:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {HOUSEHOLD} SET head_id = %s, updated_at = %s "
                f"WHERE id = %s AND head_id IS NULL",
                [(head_id, self.stamp_text, household_id) for household_id, head_id in heads],
            )

    def finish(self, last_ids: dict[str, int]) -> None:
        """After the load: indexes back (if set aside), id counters past the import's rows."""

    # --- the keys table: values of the file, joined to the registry in one query ---

    def _fill_keys(self, keys: pl.DataFrame) -> None:
        raise NotImplementedError

    def _drop_keys(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {KEYS}")


class PostgresLoader(Loader):
    """COPY in one stream per table, while polars checks the next batch in another thread."""

    # Below this many rows, or when the file holds fewer rows than the registry, the indexes
    # of registry_person and registry_household are kept up row by row. Above, their indexes
    # (primary keys too) and keys, and the other tables' keys to them, are dropped and built
    # again after the load, inside the same transaction: several times faster for an initial
    # national load, at the price of locking those tables against reading too, from the
    # start to the commit. A rollback puts everything back as it was.
    BULK_INDEX_MIN_ROWS = 100_000

    def __init__(
        self, spec: KindSpec, stamp: datetime.datetime, *, plain_text: bool = False
    ) -> None:
        super().__init__(spec, stamp)
        # PostgreSQL's text format, where nothing needs escaping, costs both sides less than CSV
        # (the quoting checks): 7% of the server's COPY and 40% of polars' writing.
        self._format = COPY_TEXT if plain_text else COPY_CSV
        self._stream: ExitStack | None = None
        self._copy = None
        self._stream_table = ""
        self._rebuild = False
        self._set_aside: _SetAside | None = None

    @property
    def stamp_text(self) -> str:
        return self.stamp.isoformat()

    def begin(self, estimated_rows: int) -> None:
        # Decided before locking, so the lock is taken once in the mode the load needs: a lock
        # raised half way could deadlock with a reader about to write.
        self._rebuild = self._dwarfs_the_registry(estimated_rows)
        mode = "ACCESS EXCLUSIVE" if self._rebuild else "SHARE ROW EXCLUSIVE"
        # Index builds use this many parallel workers beside the backend: one is the fastest on
        # a 2-core server (measured in docs/benchmarks/import.md); cores - 1 on a larger one.
        workers = int(getattr(settings, "PAKAN_IMPORT_INDEX_WORKERS", 1))
        # A load that sets the keys aside also holds the places still until the commit, from
        # before it reads them: the villages it checks the rows against cannot change
        # meanwhile (see not_valid). It drops the other tables' keys to a person or household
        # too, so it locks those tables as well (a first national load, when they are empty
        # or nearly). Dropping the keys would lock the tables anyway; taking every lock at
        # once here keeps their order the same in every import.
        tables = [*REBUILT]
        if self._rebuild:
            tables += [ADMIN_UNIT, *tables_leaning_on(REBUILT)]
        with connection.cursor() as cursor:
            # Sorts and hashes of the look-ups, and the index builds, in memory.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute(f"SET LOCAL max_parallel_maintenance_workers = {workers:d}")
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN {mode} MODE")

    def first_free_id(self, model: type[Model]) -> int:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT nextval(pg_get_serial_sequence(%s, 'id')), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table})",
                [table],
            )
            from_sequence, after_highest = cursor.fetchone()
        first = max(from_sequence, after_highest)
        self.first_ids[table] = first
        return first

    def finish(self, last_ids: dict[str, int]) -> None:
        self.restore_indexes()
        with connection.cursor() as cursor:
            for table, first in self.first_ids.items():
                last = last_ids.get(table, first - 1)
                # Nobody else took an id meanwhile (the table is locked): the counter goes on
                # after the import's last row, without a gap.
                if last >= first:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last]
                    )
                else:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                        [table, first],
                    )

    def _dwarfs_the_registry(self, estimated_rows: int) -> bool:
        if self.spec.name != PEOPLE or estimated_rows < self.BULK_INDEX_MIN_ROWS:
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [PERSON]
            )
            registered = cursor.fetchone()[0]
            if registered < 0:  # never analysed: count
                cursor.execute(f"SELECT COUNT(*) FROM {PERSON}")
                registered = cursor.fetchone()[0]
        return estimated_rows >= registered

    def encode(self, frame: pl.DataFrame) -> Payload:
        if self._rebuild:  # the columns' defaults give them (see set_indexes_aside)
            frame = frame.drop(CONSTANT_COLUMNS, strict=False)
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, **self._format.writer_options)
        return Payload(tuple(frame.columns), buffer.getvalue())

    def write(self, table: str, payload: Payload) -> None:
        if self._stream_table != table:
            self._close_stream()
            if self._rebuild and self._set_aside is None:
                self.set_indexes_aside()
            self._stream = ExitStack()
            cursor = self._stream.enter_context(connection.cursor())
            columns = ", ".join(payload.columns)
            self._copy = self._stream.enter_context(
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT {self._format.name})")
            )
            self._stream_table = table
        self._copy.write(payload.data)

    def close(self) -> None:
        self._close_stream()

    def _close_stream(self, error: BaseException | None = None) -> None:
        stream, self._stream, self._copy, self._stream_table = self._stream, None, None, ""
        if stream is None:
            return
        if error is None:
            stream.close()
        else:
            stream.__exit__(type(error), error, error.__traceback__)

    def abandon(self) -> None:
        # The server answers the cancelled COPY with an error; all is rolled back anyway.
        with suppress(Exception):
            self._close_stream(RuntimeError("import abandoned"))

    def _fill_keys(self, keys: pl.DataFrame) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {KEYS}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {KEYS} (line BIGINT, value TEXT) ON COMMIT DROP"
            )
            with cursor.copy(f"COPY {KEYS} (line, value) FROM STDIN (FORMAT csv)") as copy:
                copy.write(keys.select("line", "value").write_csv(include_header=False))
            cursor.execute(f"ANALYZE {KEYS}")

    # --- indexes set aside for a load that dwarfs the registry ---

    def set_indexes_aside(self) -> None:
        aside = _SetAside()
        with connection.cursor() as cursor:
            for table in REBUILT:
                aside.read_from(cursor, table)
            aside.leaning_keys = keys_leaning_on(REBUILT)
            # Foreign-key checks still queued from earlier in the transaction must run first:
            # a table with pending checks cannot be altered. Later rows are checked at commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # Keys that lean on a primary key go before it, the primary keys before the
            # indexes.
            for table, name, _ in (*aside.leaning_keys, *aside.own_keys, *aside.unique_constraints,
                                   *aside.primary_keys):
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in aside.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            # The table is locked for the load anyway: the values that are the same on every
            # row (the time stamps, a person's status) come from the columns' defaults instead
            # of being sent and parsed a million times (the stamps were a third of the COPY's
            # work). The defaults go again after the load.
            for table, constants in self._constants().items():
                for name, value in constants.items():
                    cursor.execute(
                        f"ALTER TABLE {table} ALTER COLUMN {name} SET DEFAULT %s", [value]
                    )
        self._set_aside = aside

    def _constants(self) -> dict[str, dict[str, str]]:
        stamps = dict.fromkeys(STAMP_COLUMNS, self.stamp_text)
        return {PERSON: {**stamps, **PERSON_CONSTANTS}, HOUSEHOLD: stamps}

    def restore_indexes(self) -> None:
        aside, self._set_aside = self._set_aside, None
        if aside is None:
            return
        with connection.cursor() as cursor:
            for table, constants in self._constants().items():
                defaults = ", ".join(f"ALTER COLUMN {name} DROP DEFAULT" for name in constants)
                cursor.execute(f"ALTER TABLE {table} {defaults}")
            # Primary keys and unique constraints: each checked again by the sort that builds
            # its index.
            for table, name, definition in (*aside.primary_keys, *aside.unique_constraints):
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for _, definition in aside.indexes:
                cursor.execute(definition)
            # The planner knows nothing of the new rows yet: a quick look at the key columns
            # (most of them NULL in merged_into_id) lets later queries join them the right way.
            cursor.execute("SET LOCAL default_statistics_target = 10")
            for table, columns in aside.key_columns.items():
                cursor.execute(f"ANALYZE {table} ({', '.join(columns)})")
            cursor.execute("SET LOCAL default_statistics_target TO DEFAULT")
            for table, name, definition in aside.own_keys:
                cursor.execute(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {not_valid(definition)}'
                )
            # The other tables' rows were not touched by the load: their keys are checked
            # again in full (a moment for the empty tables of a first national load).
            for table, name, definition in aside.leaning_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@dataclass
class _SetAside:
    """What a bulk load dropped, as (table, name, definition), to put back after the load."""

    indexes: list[tuple[str, str]] = field(default_factory=list)
    primary_keys: list[tuple[str, str, str]] = field(default_factory=list)
    unique_constraints: list[tuple[str, str, str]] = field(default_factory=list)
    # The rebuilt tables' own foreign keys and check constraints, and their key columns.
    own_keys: list[tuple[str, str, str]] = field(default_factory=list)
    key_columns: dict[str, list[str]] = field(default_factory=dict)
    # Other tables' foreign keys to a rebuilt table's primary key.
    leaning_keys: list[tuple[str, str, str]] = field(default_factory=list)

    def read_from(self, cursor, table: str) -> None:
        # The indexes that back no constraint of the table (another table's foreign key names
        # the primary key's index too).
        cursor.execute(
            "SELECT index_class.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class index_class ON index_class.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT EXISTS ("
            "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
            "AND c.conrelid = i.indrelid)",
            [table],
        )
        self.indexes += cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(c.oid), ARRAY(SELECT a.attname "
            "FROM pg_attribute a WHERE a.attrelid = c.conrelid "
            "AND a.attnum = ANY(c.conkey)) FROM pg_constraint c "
            "WHERE c.conrelid = %s::regclass AND c.contype = 'f'",
            [table],
        )
        for name, definition, columns in cursor.fetchall():
            self.own_keys.append((table, name, definition))
            self.key_columns.setdefault(table, []).extend(columns)
        # Check constraints (a difficulty is not negative): the row checks hold stricter
        # rules, so the server need not test each row again on the way in.
        self.own_keys += self._constraints(cursor, table, "c")
        # The primary key and unique constraints (the family book of a household).
        self.primary_keys += self._constraints(cursor, table, "p")
        self.unique_constraints += self._constraints(cursor, table, "u")

    @staticmethod
    def _constraints(cursor, table: str, kind: str) -> list[tuple[str, str, str]]:
        cursor.execute(
            "SELECT %s, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = %s ORDER BY conname",
            [table, table, kind],
        )
        return cursor.fetchall()


def keys_leaning_on(tables: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the other tables' foreign keys to one of `tables`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND confrelid::regclass::text = ANY(%s) "
            "AND NOT conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(tables), list(tables)],
        )
        return cursor.fetchall()


def tables_leaning_on(tables: tuple[str, ...]) -> list[str]:
    """The other tables with a foreign key to one of `tables`, by name."""
    return sorted({table for table, _, _ in keys_leaning_on(tables)})


class SqliteLoader(Loader):
    """executemany in the one writing transaction SQLite allows: ids follow the maximum."""

    def first_free_id(self, model: type[Model]) -> int:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            sequence = cursor.fetchone()
        first = max(highest, sequence[0] if sequence else 0) + 1
        self.first_ids[table] = first
        return first

    def encode(self, frame: pl.DataFrame) -> Payload:
        rows = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")).rows()
        return Payload(tuple(frame.columns), rows)

    def write(self, table: str, payload: Payload) -> None:
        placeholders = ", ".join(["%s"] * len(payload.columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(payload.columns)}) VALUES ({placeholders})",
                payload.data,
            )

    def _fill_keys(self, keys: pl.DataFrame) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {KEYS}")
            cursor.execute(f"CREATE TEMPORARY TABLE {KEYS} (line INTEGER, value TEXT)")
            cursor.executemany(
                f"INSERT INTO {KEYS} (line, value) VALUES (%s, %s)",
                keys.select("line", "value").rows(),
            )
            cursor.execute(f"CREATE INDEX {KEYS}_value ON {KEYS} (value)")


def not_valid(definition: str) -> str:
    """A foreign-key or check constraint's definition, added back without a pass over the rows
    already there.

    A check constraint (a difficulty is not negative) holds for the load's rows because the
    row checks refused every value outside the Washington Group's 1 to 4 before the COPY.

    Only for the keys a bulk load set aside, and sound because of how the load wrote its rows:
    from before it read the registry to the commit, it holds registry_person, registry_household
    and registry_adminunit locked against every other writer, and every reference it wrote was
    checked on the way or made by the load itself: village_id is the id of a village the row's
    code was checked against (a row naming an unknown village refuses the file), household_id
    a household read under the lock or written by the load, head_id a person of the load, and
    merged_into_id is left NULL. Rows from before the load were checked when they were written.
    The key then holds every new or changed row from the commit on, like any other; PostgreSQL
    merely records that it did not look at the old ones again (`convalidated` false), which
    `ALTER TABLE ... VALIDATE CONSTRAINT` does at any time without blocking reads or writes.
    Checking again by joining a million rows took 0.8 s of a 10 s load.
    """
    return definition if definition.endswith(" NOT VALID") else f"{definition} NOT VALID"


def table_of(kind: str) -> str:
    """The table a kind of file is written to."""
    return PERSON if kind == PEOPLE else HOUSEHOLD
