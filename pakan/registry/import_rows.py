"""From checked batches to the rows of the registry's own tables, in polars.

Ids are given here, not by the database: the import holds the registry's tables locked and
owns the ids from a first free one onwards (pakan.registry.import_loading), so the rows go
straight into registry_person and registry_household, each household already naming its head
and each person its household, and the audit trail records the import as id ranges.

Nothing here touches the database, so it runs in the import's reading thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pakan.registry.import_checks import (
    BOOLEAN_VALUES,
    DATE_COLUMNS,
    HEAD,
    HOUSEHOLD_HEAD,
    HOUSEHOLD_ID,
    KEY_SOURCES,
    PARSED_SUFFIX,
    VILLAGE_ID,
    RowChecker,
    key_expressions,
    per_distinct_value,
    repeating_columns,
)
from pakan.registry.models import WASHINGTON_GROUP_DOMAINS, Person
from pakan.tabular.reading import LINE_COLUMN

# registry_person's columns as the import writes them (merged_into_id is left NULL).
PERSON_COLUMNS = (
    "id",
    "national_id",
    "family_book_number",
    "given_name_lo",
    "family_name_lo",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "date_of_death",
    "relationship_to_head",
    *WASHINGTON_GROUP_DOMAINS,
    "uxo_survivor",
    "phone",
    "given_key_latin",
    "family_key_latin",
    "given_key_lo",
    "family_key_lo",
    "status",
    "created_at",
    "updated_at",
    "village_id",
    "household_id",
)
HOUSEHOLD_COLUMNS = (
    "id",
    "family_book_number",
    "village_id",
    "head_id",
    "created_at",
    "updated_at",
)
HOUSEHOLD_SCHEMA = {
    "id": pl.Int64,
    "family_book_number": pl.String,
    "village_id": pl.Int64,
    "head_id": pl.Int64,
    "created_at": pl.String,
    "updated_at": pl.String,
}
# Text columns that are NOT NULL in the registry: an empty cell is written as "".
NOT_NULL_TEXT = ("family_book_number", "relationship_to_head", "phone")
STAMP_COLUMNS = ("created_at", "updated_at")
# Columns with the same value on every person an import creates, besides the time stamps.
PERSON_CONSTANTS = {"status": str(Person.Status.ACTIVE)}


@dataclass
class LineRuns:
    """Which file line each id came from, as runs: [[first id, its line], ...].

    Ids follow the file's order; a new run starts only where lines jump (a blank line, a value
    over several lines), so a plain file is one run and a reader finds any id's line from it.
    """

    runs: list[list[int]] = field(default_factory=list)
    next_id: int | None = None
    next_line: int | None = None

    def add(self, ids: pl.Series, lines: pl.Series) -> None:
        if ids.is_empty():
            return
        frame = pl.DataFrame({"id": ids, "line": lines})
        offset = pl.col("line") - pl.col("id")
        starts = frame.filter((offset != offset.shift(1)).fill_null(True)).rows()
        first_id, first_line = frame.row(0)
        continues = (first_id, first_line) == (self.next_id, self.next_line)
        self.runs.extend([list(run) for run in starts[1 if continues else 0 :]])
        last_id, last_line = frame.row(-1)
        self.next_id, self.next_line = last_id + 1, last_line + 1


@dataclass
class IdRange:
    first: int
    last: int
    rows: int
    lines: list[list[int]] | None = None


class PeopleRows:
    """registry_person rows for the batches of a people file, and the households they make.

    A family book not yet registered becomes a household the first time it is met, with the
    next household id; its village is the head's (or, without a head in the file, the first
    member's) and its head the person named head. A household already registered is joined
    (its id came with the batch, see import_checks.with_registry); if it has no head, the head
    named in the file becomes its head.
    """

    def __init__(self, first_person_id: int, first_household_id: int, stamp: str) -> None:
        self.next_person_id = first_person_id
        self.next_household_id = first_household_id
        self.first_person_id = first_person_id
        self.first_household_id = first_household_id
        self.stamp = stamp
        # Family books numbered so far (family_book_number, household_id): a book met again in
        # a later batch keeps its household.
        self.numbered = pl.DataFrame(
            schema={"family_book_number": pl.String, "household_id": pl.Int64}
        )
        self.first_members: list[pl.DataFrame] = []
        self.heads: list[pl.DataFrame] = []
        self.lines = LineRuns()
        self.keys_by_value: dict[str, bool] | None = None

    def rows(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The batch as registry_person rows, in PERSON_COLUMNS order."""
        batch = batch.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + self.next_person_id).alias("id")
        )
        self.next_person_id += batch.height
        batch = self._with_household_ids(batch)
        self.lines.add(batch["id"], batch[LINE_COLUMN])
        self._note_heads(batch)
        keys = self._keys(batch).get_columns()
        return batch.select(_person_expressions(self.stamp)).with_columns(keys)

    def decide(self, batch: pl.DataFrame) -> None:
        """Which search keys are computed per distinct name, from this batch (by default the
        first one)."""
        sources = [source for source, _ in KEY_SOURCES.values()]
        self.keys_by_value = repeating_columns(batch, sources, RowChecker.DISTINCT_SHARE)

    def _keys(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The four search keys; names repeat, so where they do each is computed once."""
        sources = [source for source, _ in KEY_SOURCES.values()]
        if self.keys_by_value is None:
            self.decide(batch)
        keys = key_expressions()
        by_row = [
            key for key, source in zip(keys, sources, strict=True) if not self.keys_by_value[source]
        ]
        frames = [batch.select(by_row)] if by_row else []
        for key, source in zip(keys, sources, strict=True):
            if self.keys_by_value[source]:
                frames.append(per_distinct_value(batch, source, [key]))
        return pl.concat(frames, how="horizontal")

    def _with_household_ids(self, batch: pl.DataFrame) -> pl.DataFrame:
        book = pl.col("family_book_number")
        # One row per family book of this batch not registered yet: its first member.
        firsts = batch.filter(
            book.is_not_null() & pl.col(HOUSEHOLD_ID).is_null() & book.is_first_distinct()
        ).select("family_book_number", pl.col(VILLAGE_ID).alias("village_id"))
        firsts = firsts.join(self.numbered, on="family_book_number", how="left",
                             maintain_order="left")
        # Books met for the first time get the next ids, in the order of the file.
        new = pl.col("household_id").is_null()
        firsts = firsts.with_columns(
            pl.coalesce(
                "household_id",
                new.cum_sum().cast(pl.Int64) - 1 + self.next_household_id,
            ).alias("household_id"),
            new.alias("new"),
        )
        numbered_now = firsts.filter("new")
        self.next_household_id += numbered_now.height
        self.numbered = pl.concat(
            [self.numbered, numbered_now.select("family_book_number", "household_id")]
        )
        self.first_members.append(
            numbered_now.select("household_id", "family_book_number", "village_id")
        )
        batch = batch.join(
            firsts.select("family_book_number", "household_id"),
            on="family_book_number",
            how="left",
            maintain_order="left",
        )
        return batch.with_columns(
            pl.coalesce(pl.col(HOUSEHOLD_ID), pl.col("household_id")).alias("household_id")
        )

    def _note_heads(self, batch: pl.DataFrame) -> None:
        heads = batch.filter(
            (pl.col("relationship_to_head") == HEAD) & pl.col("household_id").is_not_null()
        )
        if heads.height:
            self.heads.append(
                heads.select(
                    "household_id",
                    pl.col("id").alias("head_id"),
                    pl.col(VILLAGE_ID).alias("head_village_id"),
                    pl.col(HOUSEHOLD_ID).is_not_null().alias("registered"),
                    pl.col(HOUSEHOLD_HEAD).is_null().alias("headless"),
                )
            )

    def _all_heads(self) -> pl.DataFrame:
        if not self.heads:
            return pl.DataFrame(
                schema={
                    "household_id": pl.Int64,
                    "head_id": pl.Int64,
                    "head_village_id": pl.Int64,
                    "registered": pl.Boolean,
                    "headless": pl.Boolean,
                }
            )
        return pl.concat(self.heads)

    def households(self) -> pl.DataFrame:
        """The new households, in HOUSEHOLD_COLUMNS order (one head each: checked before)."""
        if not self.first_members:
            return pl.DataFrame(schema=HOUSEHOLD_SCHEMA)
        heads = self._all_heads().filter(~pl.col("registered"))
        households = pl.concat(self.first_members).join(
            heads, on="household_id", how="left", maintain_order="left"
        )
        return households.select(
            pl.col("household_id").alias("id"),
            "family_book_number",
            pl.coalesce("head_village_id", "village_id").alias("village_id"),
            "head_id",
            *_stamps(self.stamp),
        )

    def heads_of_registered_households(self) -> list[tuple[int, int]]:
        """(household id, head id) for registered households without a head until now."""
        heads = self._all_heads().filter(pl.col("registered") & pl.col("headless"))
        return heads.select("household_id", "head_id").rows()

    def people(self) -> IdRange | None:
        if self.next_person_id == self.first_person_id:
            return None
        rows = self.next_person_id - self.first_person_id
        return IdRange(self.first_person_id, self.next_person_id - 1, rows, self.lines.runs)

    def new_households(self) -> IdRange | None:
        if self.next_household_id == self.first_household_id:
            return None
        rows = self.next_household_id - self.first_household_id
        return IdRange(self.first_household_id, self.next_household_id - 1, rows)


class HouseholdRows:
    """registry_household rows for the batches of a households file."""

    def decide(self, batch: pl.DataFrame) -> None:
        """Nothing to decide: no search keys."""

    def __init__(self, first_household_id: int, stamp: str) -> None:
        self.first_household_id = first_household_id
        self.next_household_id = first_household_id
        self.stamp = stamp
        self.lines = LineRuns()

    def rows(self, batch: pl.DataFrame) -> pl.DataFrame:
        ids = pl.int_range(pl.len(), dtype=pl.Int64) + self.next_household_id
        rows = batch.select(
            ids.alias("id"),
            "family_book_number",
            pl.col(VILLAGE_ID).alias("village_id"),
            pl.lit(None, dtype=pl.Int64).alias("head_id"),
            *_stamps(self.stamp),
            pl.col(LINE_COLUMN),
        )
        self.next_household_id += rows.height
        self.lines.add(rows["id"], rows[LINE_COLUMN])
        return rows.drop(LINE_COLUMN)

    def new_households(self) -> IdRange | None:
        if self.next_household_id == self.first_household_id:
            return None
        rows = self.next_household_id - self.first_household_id
        return IdRange(self.first_household_id, self.next_household_id - 1, rows, self.lines.runs)


def _stamps(stamp: str) -> list[pl.Expr]:
    return [pl.lit(stamp, dtype=pl.String).alias(name) for name in STAMP_COLUMNS]


def _person_expressions(stamp: str) -> list[pl.Expr]:
    """registry_person's columns from a checked batch with its ids, in PERSON_COLUMNS order."""
    # The keys are placeholders here, filled by PeopleRows._keys.
    by_name: dict[str, pl.Expr] = {name: pl.lit("").alias(name) for name in KEY_SOURCES}
    for name in DATE_COLUMNS:
        by_name[name] = pl.col(name + PARSED_SUFFIX).alias(name)
    for name in WASHINGTON_GROUP_DOMAINS:
        by_name[name] = pl.col(name).cast(pl.Int16, strict=False)
    by_name["uxo_survivor"] = (
        pl.col("uxo_survivor")
        .str.to_lowercase()
        .replace_strict(BOOLEAN_VALUES, default=None, return_dtype=pl.Boolean)
        .fill_null(False)
    )
    for name in NOT_NULL_TEXT:
        by_name[name] = pl.col(name).fill_null("")
    by_name.update({name: pl.lit(value).alias(name) for name, value in PERSON_CONSTANTS.items()})
    by_name.update({expression.meta.output_name(): expression for expression in _stamps(stamp)})
    by_name["village_id"] = pl.col(VILLAGE_ID).alias("village_id")
    return [by_name.get(name, pl.col(name)) for name in PERSON_COLUMNS]
