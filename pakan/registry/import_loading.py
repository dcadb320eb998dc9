"""The staging table of a registry import: loaded in bulk, checked as a set, copied in by SQL.

PostgreSQL gets the rows through COPY (psycopg 3 `cursor.copy`), SQLite through executemany
into a temporary table: the portable path. From there everything is the same SQL on both:
the checks that need other rows (an ID twice in the file, an ID already in the registry, a
village that does not exist or lies outside the user's scope) and the load itself, a handful of
INSERT ... SELECT statements inside the caller's one transaction.

Person ids are fixed while staging (PostgreSQL: the staging column defaults to the registry's
own sequence; SQLite: the writer holds the database lock, so ids follow the current maximum),
so households can name their head and the audit trail its rows without reading anything back.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection

from pakan.audit.models import AuditEvent
from pakan.registry.import_checks import (
    HOUSEHOLD_STAGING_COLUMNS,
    HOUSEHOLDS,
    PEOPLE,
    PEOPLE_STAGING_COLUMNS,
    KindSpec,
)
from pakan.registry.models import (
    WASHINGTON_GROUP_DOMAINS,
    AdminUnit,
    Household,
    Person,
    Relationship,
)

STAGING = "pakan_import_staging"
PERSON = Person._meta.db_table
HOUSEHOLD = Household._meta.db_table
ADMIN_UNIT = AdminUnit._meta.db_table
AUDIT = AuditEvent._meta.db_table
VILLAGE_LEVEL = int(AdminUnit.Level.VILLAGE)
HEAD = str(Relationship.HEAD)
NO_LINE = "CAST(NULL AS BIGINT) AS first_line"

_SQL_TYPES = {
    "line": "BIGINT NOT NULL",
    "date_of_birth": "DATE",
    "date_of_death": "DATE",
    "uxo_survivor": "BOOLEAN",
    **dict.fromkeys(WASHINGTON_GROUP_DOMAINS, "SMALLINT"),
}


@dataclass(frozen=True)
class SetCheck:
    """A check over the whole file: SQL giving (line, value, first_line) of each bad row."""

    column: str
    code: str
    sql: str
    needs_scope: bool = False


def _repeated(column: str, where: str = "", shown: str = "") -> str:
    """Every row after the first with the same value in `column` (among rows `where`)."""
    condition = f"{column} IS NOT NULL" + (f" AND {where}" if where else "")
    return (
        f"SELECT line, value, first_line FROM ("
        f"SELECT line, {shown or column} AS value, "
        f"MIN(line) OVER (PARTITION BY {column}) AS first_line "
        f"FROM {STAGING} WHERE {condition}) AS numbered WHERE line <> first_line"
    )


def _found(column: str, rest: str) -> str:
    """Rows of the staging table picked by joins and conditions, shaped for a SetCheck."""
    return f"SELECT s.line AS line, s.{column} AS value, {NO_LINE} FROM {STAGING} s {rest}"


IN_SCOPE = "substr(u.path, 1, CAST(%s AS INTEGER)) <> %s"
VILLAGE_JOIN = f"{ADMIN_UNIT} u ON u.code = s.village_code AND u.level = {VILLAGE_LEVEL}"
HOUSEHOLD_JOIN = f"{HOUSEHOLD} h ON h.family_book_number = s.family_book_number"

_UNKNOWN_VILLAGE = SetCheck(
    "village_code",
    "unknown_village",
    _found(
        "village_code",
        f"LEFT JOIN {VILLAGE_JOIN} WHERE s.village_code IS NOT NULL AND u.id IS NULL",
    ),
)
_VILLAGE_OUTSIDE_SCOPE = SetCheck(
    "village_code",
    "outside_scope",
    _found("village_code", f"JOIN {VILLAGE_JOIN} WHERE {IN_SCOPE}"),
    needs_scope=True,
)
SET_CHECKS = {
    PEOPLE: (
        SetCheck("national_id", "national_id_repeated", _repeated("national_id")),
        SetCheck(
            "national_id",
            "national_id_exists",
            _found("national_id", f"JOIN {PERSON} p ON p.national_id = s.national_id"),
        ),
        _UNKNOWN_VILLAGE,
        _VILLAGE_OUTSIDE_SCOPE,
        SetCheck(
            "relationship_to_head",
            "second_head",
            _repeated(
                "family_book_number",
                f"relationship_to_head = '{HEAD}'",
                shown="relationship_to_head",
            ),
        ),
        SetCheck(
            "relationship_to_head",
            "household_has_head",
            _found(
                "relationship_to_head",
                f"JOIN {HOUSEHOLD_JOIN} WHERE "
                f"s.relationship_to_head = '{HEAD}' AND h.head_id IS NOT NULL",
            ),
        ),
        SetCheck(
            "family_book_number",
            "household_outside_scope",
            _found(
                "family_book_number",
                f"JOIN {HOUSEHOLD_JOIN} "
                f"JOIN {ADMIN_UNIT} u ON u.id = h.village_id WHERE {IN_SCOPE}",
            ),
            needs_scope=True,
        ),
    ),
    HOUSEHOLDS: (
        SetCheck("family_book_number", "family_book_repeated", _repeated("family_book_number")),
        SetCheck(
            "family_book_number",
            "household_exists",
            _found("family_book_number", f"JOIN {HOUSEHOLD_JOIN}"),
        ),
        _UNKNOWN_VILLAGE,
        _VILLAGE_OUTSIDE_SCOPE,
    ),
}


@dataclass
class SetCheckResult:
    check: SetCheck
    total: int
    rows: list[tuple[int, Any, int | None]]


@dataclass
class LoadResult:
    created_people: int = 0
    created_households: int = 0
    first_person_id: int | None = None
    last_person_id: int | None = None


class Staging:
    """The temporary table of one import, on the connection of the caller's transaction."""

    def __init__(self, spec: KindSpec) -> None:
        self.spec = spec
        self.columns = PEOPLE_STAGING_COLUMNS if spec.name == PEOPLE else HOUSEHOLD_STAGING_COLUMNS
        self.rows = 0

    @staticmethod
    def create(spec: KindSpec) -> Staging:
        staging = (
            PostgresStaging(spec) if connection.vendor == "postgresql" else SqliteStaging(spec)
        )
        staging.prepare_session()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(staging.create_sql())
        return staging

    def prepare_session(self) -> None:
        """Settings for this transaction only (sort and hash memory on PostgreSQL)."""

    def column_definitions(self) -> list[str]:
        return [f"{name} {self.sql_type(name)}" for name in self.columns]

    def sql_type(self, name: str) -> str:
        return _SQL_TYPES.get(name, "TEXT")

    def create_sql(self) -> str:
        raise NotImplementedError

    def append(self, frame: pl.DataFrame) -> None:
        raise NotImplementedError

    def ready(self) -> None:
        """Called once all rows are in: finish loading, let the planner know the table."""

    def abandon(self) -> None:
        """Called when reading stops half way (the transaction is rolled back after)."""

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")

    def person_id_range(self) -> tuple[int | None, int | None]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(person_id), MAX(person_id) FROM {STAGING}")
            return cursor.fetchone()

    # --- checks over the whole file ---

    def run_checks(self, scope_prefix: str | None, limit: int) -> list[SetCheckResult]:
        results = []
        with connection.cursor() as cursor:
            for check in SET_CHECKS[self.spec.name]:
                params: list[Any] = []
                if check.needs_scope:
                    if scope_prefix is None:
                        continue
                    params = [len(scope_prefix), scope_prefix]
                cursor.execute(
                    f"SELECT line, value, first_line, COUNT(*) OVER () FROM ("
                    f"{check.sql}) AS found ORDER BY line LIMIT %s",
                    [*params, limit],
                )
                found = cursor.fetchall()
                if found:
                    rows = [(line, value, first) for line, value, first, _ in found]
                    results.append(SetCheckResult(check, int(found[0][3]), rows))
        return results

    # --- the load ---

    def load(self, *, actor_id: int | None, note: str, now: datetime.datetime) -> LoadResult:
        stamp = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {HOUSEHOLD}")
            last_household_before = cursor.fetchone()[0]
            if self.spec.name == HOUSEHOLDS:
                result = self._load_households(cursor, stamp)
            else:
                result = self._load_people(cursor, actor_id, note, stamp)
            if result.created_households:
                self._audit_households(cursor, actor_id, note, stamp, last_household_before)
        return result

    def _load_households(self, cursor, stamp) -> LoadResult:
        cursor.execute(
            f"INSERT INTO {HOUSEHOLD} (family_book_number, village_id, head_id, created_at, "
            f"updated_at) SELECT s.family_book_number, u.id, NULL, %s, %s FROM {STAGING} s "
            f"JOIN {ADMIN_UNIT} u ON u.code = s.village_code AND u.level = {VILLAGE_LEVEL} "
            f"ORDER BY s.line",
            [stamp, stamp],
        )
        return LoadResult(created_households=cursor.rowcount)

    def _load_people(self, cursor, actor_id, note, stamp) -> LoadResult:
        with self.person_indexes_set_aside(cursor):
            created_households = self._insert_new_households(cursor, stamp)
            created_people = self._insert_people(cursor, stamp)
        # Households already in the registry without a head get the head named in the file.
        cursor.execute(
            f"UPDATE {HOUSEHOLD} SET head_id = s.person_id, updated_at = %s FROM {STAGING} s "
            f"WHERE s.family_book_number = {HOUSEHOLD}.family_book_number "
            f"AND s.relationship_to_head = '{HEAD}' AND {HOUSEHOLD}.head_id IS NULL",
            [stamp],
        )
        cursor.execute(
            f"INSERT INTO {AUDIT} (at, actor_id, action, object_type, object_id, before, after, "
            f"note) SELECT %s, %s, %s, %s, s.person_id, NULL, NULL, "
            f"{self.concat('%s', 'CAST(s.line AS TEXT)')} FROM {STAGING} s",
            [
                stamp,
                actor_id,
                str(AuditEvent.Action.IMPORT),
                Person._meta.label_lower,
                f"{note}, line ",
            ],
        )
        first_id, last_id = self.person_id_range()
        return LoadResult(created_people, created_households, first_id, last_id)

    def _insert_new_households(self, cursor, stamp) -> int:
        # New households first, with their head (foreign keys are checked at commit), so each
        # person row is written once, already linked to its household.
        cursor.execute(
            f"INSERT INTO {HOUSEHOLD} (family_book_number, village_id, head_id, created_at, "
            f"updated_at) SELECT first_member.family_book_number, u.id, "
            f"first_member.head_person_id, %s, %s FROM ("
            f"SELECT family_book_number, village_code, "
            f"CASE WHEN relationship_to_head = '{HEAD}' THEN person_id END AS head_person_id, "
            f"ROW_NUMBER() OVER (PARTITION BY family_book_number ORDER BY "
            f"CASE WHEN relationship_to_head = '{HEAD}' THEN 0 ELSE 1 END, line) AS position "
            f"FROM {STAGING} WHERE family_book_number IS NOT NULL) AS first_member "
            f"JOIN {ADMIN_UNIT} u ON u.code = first_member.village_code "
            f"AND u.level = {VILLAGE_LEVEL} WHERE first_member.position = 1 AND NOT EXISTS ("
            f"SELECT 1 FROM {HOUSEHOLD} h WHERE h.family_book_number = "
            f"first_member.family_book_number) ORDER BY first_member.family_book_number",
            [stamp, stamp],
        )
        return cursor.rowcount

    def _insert_people(self, cursor, stamp) -> int:
        difficulty = ", ".join(WASHINGTON_GROUP_DOMAINS)
        staged_difficulty = ", ".join(f"s.{name}" for name in WASHINGTON_GROUP_DOMAINS)
        cursor.execute(
            f"INSERT INTO {PERSON} (id, national_id, family_book_number, given_name_lo, "
            f"family_name_lo, given_name_latin, family_name_latin, sex, date_of_birth, "
            f"date_of_death, village_id, household_id, relationship_to_head, {difficulty}, "
            f"uxo_survivor, phone, given_key_latin, family_key_latin, given_key_lo, "
            f"family_key_lo, status, merged_into_id, created_at, updated_at) "
            f"SELECT s.person_id, s.national_id, COALESCE(s.family_book_number, ''), "
            f"s.given_name_lo, s.family_name_lo, s.given_name_latin, s.family_name_latin, "
            f"s.sex, s.date_of_birth, s.date_of_death, u.id, h.id, s.relationship_to_head, "
            f"{staged_difficulty}, s.uxo_survivor, s.phone, s.given_key_latin, "
            f"s.family_key_latin, s.given_key_lo, s.family_key_lo, %s, NULL, %s, %s "
            f"FROM {STAGING} s JOIN {ADMIN_UNIT} u ON u.code = s.village_code "
            f"AND u.level = {VILLAGE_LEVEL} "
            f"LEFT JOIN {HOUSEHOLD} h ON h.family_book_number = s.family_book_number",
            [str(Person.Status.ACTIVE), stamp, stamp],
        )
        return cursor.rowcount

    @contextmanager
    def person_indexes_set_aside(self, cursor) -> Iterator[None]:
        """Where the engine allows, indexes are rebuilt after a load that dwarfs the table."""
        yield

    def _audit_households(self, cursor, actor_id, note, stamp, last_household_before) -> None:
        cursor.execute(
            f"INSERT INTO {AUDIT} (at, actor_id, action, object_type, object_id, before, after, "
            f"note) SELECT %s, %s, %s, %s, h.id, NULL, NULL, %s FROM {HOUSEHOLD} h "
            f"WHERE h.id > %s AND h.created_at = %s ORDER BY h.id",
            [
                stamp,
                actor_id,
                str(AuditEvent.Action.IMPORT),
                Household._meta.label_lower,
                note,
                last_household_before,
                stamp,
            ],
        )

    def concat(self, left: str, right: str) -> str:
        return f"({left} || {right})"


class PostgresStaging(Staging):
    """COPY in one stream: the server parses batch n while polars checks batch n + 1."""

    # Below this many rows, or when the file holds fewer rows than the registry, the indexes
    # of registry_person and registry_household are kept up row by row. Above, their
    # secondary indexes and foreign keys are dropped and built again after the load, inside
    # the same transaction ("Populating a Database" in the PostgreSQL manual): several times
    # faster for an initial national load, at the price of locking both tables until the
    # commit. A rollback puts everything back as it was.
    BULK_INDEX_MIN_ROWS = 100_000

    def __init__(self, spec: KindSpec) -> None:
        super().__init__(spec)
        self._stream: ExitStack | None = None
        self._copy = None

    def prepare_session(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")

    def create_sql(self) -> str:
        definitions = self.column_definitions()
        if self.spec.name == PEOPLE:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [PERSON])
                sequence = cursor.fetchone()[0]
            definitions.insert(1, f"person_id BIGINT NOT NULL DEFAULT nextval('{sequence}')")
        return f"CREATE TEMPORARY TABLE {STAGING} ({', '.join(definitions)}) ON COMMIT DROP"

    def append(self, frame: pl.DataFrame) -> None:
        if self._copy is None:
            self._stream = ExitStack()
            cursor = self._stream.enter_context(connection.cursor())
            self._copy = self._stream.enter_context(
                cursor.copy(f"COPY {STAGING} ({', '.join(self.columns)}) FROM STDIN (FORMAT csv)")
            )
        buffer = io.BytesIO()
        frame.select(self.columns).write_csv(buffer, include_header=False)
        self._copy.write(buffer.getbuffer())
        self.rows += frame.height

    def _close_stream(self, error: BaseException | None = None) -> None:
        stream, self._stream, self._copy = self._stream, None, None
        if stream is None:
            return
        if error is None:
            stream.close()
        else:
            stream.__exit__(type(error), error, error.__traceback__)

    def ready(self) -> None:
        self._close_stream()
        with connection.cursor() as cursor:
            # Fresh statistics for the joins: the staging table has none, and villages loaded
            # just before an import (a new installation) are not yet known to the planner,
            # which then loops over every village for every household.
            cursor.execute(f"ANALYZE {STAGING}")
            cursor.execute(f"ANALYZE {ADMIN_UNIT}")

    def abandon(self) -> None:
        # The server answers the cancelled COPY with an error; all is rolled back anyway.
        with suppress(Exception):
            self._close_stream(RuntimeError("import abandoned"))

    def concat(self, left: str, right: str) -> str:
        return f"(CAST({left} AS TEXT) || {right})"

    @contextmanager
    def person_indexes_set_aside(self, cursor) -> Iterator[None]:
        if not self._dwarfs_the_registry(cursor):
            yield
            return
        indexes: list[tuple[str, str]] = []
        foreign_keys: list[tuple[str, str, str]] = []
        for table in (PERSON, HOUSEHOLD):
            cursor.execute(
                "SELECT index_class.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class index_class ON index_class.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS ("
                "SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [table],
            )
            indexes += cursor.fetchall()
            cursor.execute(
                "SELECT %s, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table, table],
            )
            foreign_keys += cursor.fetchall()
        self._check_deferred_constraints_now(cursor)
        for table, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        yield
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in foreign_keys:  # each checked by one join, not per row
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    def _dwarfs_the_registry(self, cursor) -> bool:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [PERSON])
        registered = cursor.fetchone()[0]
        if registered < 0:  # never analysed: count
            cursor.execute(f"SELECT COUNT(*) FROM {PERSON}")
            registered = cursor.fetchone()[0]
        return self.rows >= max(self.BULK_INDEX_MIN_ROWS, registered)

    @staticmethod
    def _check_deferred_constraints_now(cursor) -> None:
        """Run the foreign-key checks queued so far: a table with checks still pending (the
        households just inserted) cannot be altered. Later rows are again checked at commit."""
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class SqliteStaging(Staging):
    """Temporary table filled with executemany; the writer lock makes ids predictable."""

    def __init__(self, spec: KindSpec) -> None:
        super().__init__(spec)
        self.next_person_id = 0

    def sql_type(self, name: str) -> str:
        return "TEXT" if name in ("date_of_birth", "date_of_death") else super().sql_type(name)

    def create_sql(self) -> str:
        definitions = self.column_definitions()
        if self.spec.name == PEOPLE:
            definitions.insert(1, "person_id INTEGER NOT NULL")
            self.next_person_id = self._first_free_person_id()
        return f"CREATE TEMPORARY TABLE {STAGING} ({', '.join(definitions)})"

    def _first_free_person_id(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {PERSON}")
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [PERSON])
            sequence = cursor.fetchone()
        return max(highest, sequence[0] if sequence else 0) + 1

    def append(self, frame: pl.DataFrame) -> None:
        columns = list(self.columns)
        if self.spec.name == PEOPLE:
            frame = frame.with_columns(
                (pl.int_range(pl.len(), dtype=pl.Int64) + self.next_person_id).alias("person_id"),
                pl.col("date_of_birth", "date_of_death").dt.to_string("%Y-%m-%d"),
            )
            columns.insert(1, "person_id")
            self.next_person_id += frame.height
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {STAGING} ({', '.join(columns)}) VALUES ({placeholders})",
                frame.select(columns).iter_rows(),
            )
        self.rows += frame.height

    def ready(self) -> None:
        with connection.cursor() as cursor:
            for column in ("national_id", "family_book_number", "village_code"):
                if column in self.columns:
                    cursor.execute(f"CREATE INDEX {STAGING}_{column} ON {STAGING} ({column})")
