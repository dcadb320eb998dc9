"""Reading and writing whole tables for the synthetic fund: COPY on PostgreSQL, executemany on
SQLite (the portable path). Rows come and go as polars frames whose columns are the table's
database columns, so a million spells are written in one stream, not one ORM save per row.

Ids are assigned here, before the write (from the first free id on), so the generator can
link rows of several tables without reading them back.
"""

from __future__ import annotations

import datetime
import io

import polars as pl
from django.db import connection
from django.db.models import Model

EPOCH = datetime.date(1970, 1, 1)
SQLITE_BATCH = 10_000


def days_since_epoch(column: str) -> str:
    """SQL for a date column as whole days since 1970-01-01, on either database."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def read_frame(sql: str, schema: dict[str, pl.DataType], params: list | None = None
               ) -> pl.DataFrame:
    """The rows of a query as a frame (COPY ... TO STDOUT on PostgreSQL: no Python tuples)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not params:
            buffer = io.BytesIO()
            with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            if not buffer.tell():
                return pl.DataFrame(schema=schema)
            buffer.seek(0)
            return pl.read_csv(buffer, has_header=False, new_columns=list(schema),
                               schema_overrides=schema)
        cursor.execute(sql, params or [])
        return pl.DataFrame(cursor.fetchall(), schema=schema, orient="row")


def first_free_id(model: type[Model]) -> int:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])


def _for_database(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and timestamps as the text both databases read back exactly."""
    converted = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            converted.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):  # naive UTC, as Django stores it on SQLite
            offset = "+00:00" if connection.vendor == "postgresql" else ""
            converted.append(pl.col(name).dt.strftime(f"%Y-%m-%d %H:%M:%S{offset}"))
    return frame.with_columns(converted) if converted else frame


def write_frame(model: type[Model], frame: pl.DataFrame) -> int:
    """Insert the rows of `frame` (database column names, ids included) into model's table."""
    if not frame.height:
        return 0
    table = model._meta.db_table
    frame = _for_database(frame)
    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            data = frame.write_csv(include_header=False, quote_style="non_numeric")
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(data.encode("utf-8"))
        else:
            marks = ", ".join(["%s"] * len(frame.columns))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            for start in range(0, frame.height, SQLITE_BATCH):
                cursor.executemany(sql, frame.slice(start, SQLITE_BATCH).rows())
    return frame.height


def reset_sequence(model: type[Model]) -> None:
    """After inserting explicit ids, the id counter goes on after the highest (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the highest id by itself
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1), "
            f"(SELECT COUNT(*) > 0 FROM {table}))", [table])


def analyse(models: list[type[Model]]) -> None:
    """Fresh planner statistics for tables just filled in bulk (PostgreSQL): without them the
    next queries plan as if the tables were empty, and autovacuum may be off or late."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(model._meta.db_table for model in models))
