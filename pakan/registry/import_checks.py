"""Checks of a registry import, as polars column expressions over a batch of rows.

Each check is one boolean expression, true where a cell is wrong, so a batch of a hundred
thousand rows is checked in a few vectorised passes and a good batch costs no Python per row.
The checks that look at the registry (unknown villages, scope, households already registered)
are expressions too: the few registry rows they need are read once before the file and joined
to each batch (`RegistryFacts`). The checks across rows (an ID twice in the file, two heads of
one household) keep what earlier batches held (`RepeatCheck`). Only "this national ID is already
registered" is asked of the database at the end (pakan.registry.import_loading).

The search keys are computed here too, with the very rules of pakan.registry.names applied by
polars' string engine; tests compare them with latin_key()/lao_key() on awkward names.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.core.exceptions import FieldDoesNotExist

from pakan.registry.columns import (
    DATE_FORMAT,
    HOUSEHOLD_COLUMNS,
    IDENTIFIER_PATTERN,
    MAX_AGE_YEARS,
    MAX_TEXT_LENGTH,
    PEOPLE_COLUMNS,
    PEOPLE_REQUIRED,
    PHONE_PATTERN,
)
from pakan.registry.models import WASHINGTON_GROUP_DOMAINS, Difficulty, Person, Relationship
from pakan.registry.names import BROKEN_LAO_PATTERN, LAO_KEY_RULES, LATIN_KEY_RULES
from pakan.registry.validation import LAO_NAME_FIELDS
from pakan.tabular.reading import LINE_COLUMN

PEOPLE = "people"
HOUSEHOLDS = "households"

ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CONTROL_CHARACTER_PATTERN = r"[\x00-\x1F\x7F]"
BOOLEAN_VALUES = {
    "1": True,
    "0": False,
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "on": True,
    "off": False,
}
DATE_COLUMNS = ("date_of_birth", "date_of_death")
IDENTIFIER_COLUMNS = ("national_id", "family_book_number")
UPPER_CASE_COLUMNS = (*IDENTIFIER_COLUMNS, "sex")
KEY_SOURCES = {
    "given_key_latin": ("given_name_latin", "latin"),
    "family_key_latin": ("family_name_latin", "latin"),
    "given_key_lo": ("given_name_lo", "lao"),
    "family_key_lo": ("family_name_lo", "lao"),
}
PARSED_SUFFIX = "__parsed"
HEAD = str(Relationship.HEAD)

# Columns joined to a batch from the registry (never in a file: names start with "__").
VILLAGE_ID = "__village_id"
VILLAGE_PATH = "__village_path"
HOUSEHOLD_ID = "__household_id"
HOUSEHOLD_HEAD = "__household_head"
HOUSEHOLD_PATH = "__household_path"
REGISTERED_ID = "__registered_id"
VILLAGE_SCHEMA = {"village_code": pl.String, VILLAGE_ID: pl.Int64, VILLAGE_PATH: pl.String}
HOUSEHOLD_SCHEMA = {
    "family_book_number": pl.String,
    HOUSEHOLD_ID: pl.Int64,
    HOUSEHOLD_HEAD: pl.Int64,
    HOUSEHOLD_PATH: pl.String,
}
PEOPLE_SCHEMA = {"national_id": pl.String, REGISTERED_ID: pl.Boolean}
FAILURE_SCHEMA = {LINE_COLUMN: pl.Int64, "check": pl.Int64, "value": pl.String}


@dataclass(frozen=True)
class KindSpec:
    """What one kind of file holds: its columns and which of them must be filled."""

    name: str
    required: tuple[str, ...]
    allowed: tuple[str, ...]


KINDS = {
    PEOPLE: KindSpec(PEOPLE, PEOPLE_REQUIRED, PEOPLE_COLUMNS),
    HOUSEHOLDS: KindSpec(HOUSEHOLDS, HOUSEHOLD_COLUMNS, HOUSEHOLD_COLUMNS),
}


@dataclass(frozen=True)
class Check:
    column: str
    code: str
    bad: pl.Expr
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RegistryFacts:
    """What the checks need to know of the registry, read once before the first row.

    `villages`: every village (code, id, path). `households`: the households already registered
    whose family book is named in the file (book, id, head id, village path). `people`: the
    national IDs of the file that a registered person already holds.
    """

    villages: pl.DataFrame
    households: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=HOUSEHOLD_SCHEMA))
    people: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PEOPLE_SCHEMA))
    scope_prefix: str | None = None


def text_limit(column: str) -> int:
    """The longest value a column takes: the model field's length, never above the file rule."""
    try:
        model_field = Person._meta.get_field(column)
    except FieldDoesNotExist:  # a file column with no field of that name (village_code)
        return MAX_TEXT_LENGTH
    return min(model_field.max_length or MAX_TEXT_LENGTH, MAX_TEXT_LENGTH)


# --- search keys ---------------------------------------------------------------------------------

_RUN_OF_ONE_LETTER = re.compile(r"([a-z])\1\+")
# One character: a letter or digit, or a bracket class without nesting.
_ONE_CHARACTER = re.compile(r"[^\W_]|\[\^?[^\[\]]+\]|\\p\{\w+\}")
# A positive class of plain characters, no ranges: "[xz]".
_PLAIN_CLASS = re.compile(r"\[([^\[\]\\^-]+)\]")


@dataclass(frozen=True)
class KeyStep:
    """One pass of polars over a column: a regex, a literal, or several characters at once."""

    kind: str  # "regex" | "literal" | "characters"
    pattern: str | tuple[str, ...]
    replacement: str | tuple[str, ...]


def _is_literal(pattern: str) -> bool:
    return re.escape(pattern) == pattern


def _collapsed_run_letter(pattern: str, replacement: str) -> str | None:
    """The letter of a rule "xx+" -> "x" (a run of one letter shortened to one), else None."""
    match = _RUN_OF_ONE_LETTER.fullmatch(pattern)
    return match.group(1) if match and replacement == match.group(1) else None


def _characters(pattern: str) -> tuple[str, ...] | None:
    """The characters a rule replaces when it replaces single plain characters, else None."""
    if len(pattern) == 1 and _is_literal(pattern):
        return (pattern,)
    match = _PLAIN_CLASS.fullmatch(pattern)
    if match and all(_is_literal(character) for character in match.group(1)):
        return tuple(match.group(1))
    return None


def engine_rules(rules: Sequence[tuple[str, str]]) -> list[KeyStep]:
    """The rules as polars runs them, in as few passes as give the same result.

    Three kinds of neighbouring rules are merged, each because applying them one after the
    other and all at once cannot differ (the tests check the keys against names.py):
    - deletions of single characters ("[^a-z]" -> "", "h" -> ""): one alternation;
    - one character for another ("c" -> "j", "[xz]" -> "s", ...) when no rule of the group
      takes what another one writes: one pass of polars' replace_many;
    - shortening a run of one letter ("aa+" -> "a"): runs of different letters never make one
      another, so one alternation shortens them all.
    """
    steps: list[KeyStep] = []
    group: list[tuple[str, str]] = []
    group_kind = ""

    def flush() -> None:
        if not group:
            return
        if group_kind == "runs":
            letters = [letter for letter, _ in group]
            pattern = "|".join(f"({letter}){letter}+" for letter in letters)
            replacement = "".join(f"${{{number}}}" for number in range(1, len(letters) + 1))
            steps.append(KeyStep("regex", pattern, replacement))
        elif group_kind == "deletions":
            # One class of classes (the Rust regex syntax polars uses): "[[^a-z]h]".
            members = "".join(pattern for pattern, _ in group)
            pattern = members if len(group) == 1 else f"[{members}]"
            steps.append(KeyStep("regex", pattern, ""))
        elif len(group) == 1:
            pattern, replacement = group[0]
            steps.append(_single_step(pattern, replacement))
        else:
            sources = tuple(character for pattern, _ in group for character in _characters(pattern))
            targets = tuple(
                replacement for pattern, replacement in group for _ in _characters(pattern)
            )
            steps.append(KeyStep("characters", sources, targets))
        group.clear()

    for pattern, replacement in rules:
        kind, item = _merge_kind(pattern, replacement)
        if kind == "characters" and group_kind == "characters" and not _commutes(group, item):
            kind = "characters_new"
        if kind != group_kind or kind in ("single", "characters_new"):
            flush()
        group_kind = "characters" if kind == "characters_new" else kind
        if kind == "single":
            steps.append(_single_step(pattern, replacement))
            group_kind = ""
            continue
        group.append(item)
    flush()
    return steps


def _merge_kind(pattern: str, replacement: str) -> tuple[str, tuple[str, str]]:
    letter = _collapsed_run_letter(pattern, replacement)
    if letter is not None:
        return "runs", (letter, letter)
    if replacement == "" and _ONE_CHARACTER.fullmatch(pattern):
        return "deletions", (pattern, replacement)
    if len(replacement) == 1 and _is_literal(replacement) and _characters(pattern):
        return "characters", (pattern, replacement)
    return "single", (pattern, replacement)


def _commutes(group: list[tuple[str, str]], item: tuple[str, str]) -> bool:
    """True when a character rule can join the group: no rule takes what another writes, and no
    two rules take the same character."""
    members = [*group, item]
    taken = [set(_characters(pattern)) for pattern, _ in members]
    written = {replacement for _, replacement in members}
    every_taken = set().union(*taken)
    return sum(len(characters) for characters in taken) == len(every_taken) and not (
        every_taken & written
    )


def _single_step(pattern: str, replacement: str) -> KeyStep:
    return KeyStep("literal" if _is_literal(pattern) else "regex", pattern, replacement)


# Accents are folded by NFKD and dropping the marks (\p{Mn}). Dropping them after lower-casing
# gives the same (after NFKD, lower-casing makes no mark and no mark changes a letter's case),
# so the marks go in the same pass as the first rules, which delete single characters too.
LATIN_ENGINE_RULES = engine_rules(((r"\p{Mn}", ""), *LATIN_KEY_RULES))
LAO_ENGINE_RULES = engine_rules(LAO_KEY_RULES)


def apply_rules(value: pl.Expr, steps: Sequence[KeyStep]) -> pl.Expr:
    for step in steps:
        if step.kind == "characters":
            value = value.str.replace_many(list(step.pattern), list(step.replacement))
        else:
            value = value.str.replace_all(
                step.pattern, step.replacement, literal=step.kind == "literal"
            )
    return value


def latin_key_expr(name: pl.Expr) -> pl.Expr:
    """names.latin_key for a column: fold accents (NFKD, drop marks), lower-case, the rules."""
    return apply_rules(name.str.normalize("NFKD").str.to_lowercase(), LATIN_ENGINE_RULES)


def lao_key_expr(name: pl.Expr) -> pl.Expr:
    """names.lao_key for a column: NFKC, then the Lao rules."""
    return apply_rules(name.str.normalize("NFKC"), LAO_ENGINE_RULES)


def key_expressions() -> list[pl.Expr]:
    """The four search keys of a person, cut to their column's length."""
    expressions = []
    for name, (source, script) in KEY_SOURCES.items():
        key = latin_key_expr(pl.col(source)) if script == "latin" else lao_key_expr(pl.col(source))
        expressions.append(key.str.slice(0, text_limit(name)).alias(name))
    return expressions


# --- a batch as the checks see it --------------------------------------------------------------


def with_missing_columns(batch: pl.DataFrame, spec: KindSpec) -> pl.DataFrame:
    """Optional columns left out of the file are read as empty."""
    missing = [name for name in spec.allowed if name not in batch.columns]
    if not missing:
        return batch
    return batch.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in missing)


def parse(batch: pl.DataFrame, spec: KindSpec) -> pl.DataFrame:
    """Codes in capitals (as registry.validation takes them), and dates parsed beside the text."""
    batch = batch.with_columns(
        pl.col(name).str.to_uppercase() for name in UPPER_CASE_COLUMNS if name in spec.allowed
    )
    if spec.name != PEOPLE:
        return batch
    return batch.with_columns(
        pl.when(pl.col(name).str.contains(ISO_DATE_PATTERN))
        .then(pl.col(name).str.to_date(DATE_FORMAT, strict=False))
        .otherwise(None)
        .alias(name + PARSED_SUFFIX)
        for name in DATE_COLUMNS
    )


def with_registry(batch: pl.DataFrame, facts: RegistryFacts, spec: KindSpec) -> pl.DataFrame:
    """Each row with its village and, when already registered, its household."""
    batch = batch.join(facts.villages, on="village_code", how="left", maintain_order="left")
    batch = batch.join(facts.households, on="family_book_number", how="left", maintain_order="left")
    if spec.name != PEOPLE:
        return batch
    return batch.join(facts.people, on="national_id", how="left", maintain_order="left")


# --- the checks of one row ----------------------------------------------------------------------


def _date_ordinal(date: pl.Expr) -> pl.Expr:
    """YYYYMMDD as a number: the difference of two, divided by 10,000, is whole years of age."""
    return date.dt.year().cast(pl.Int64) * 10_000 + date.dt.month() * 100 + date.dt.day()


def _general_checks(spec: KindSpec) -> list[Check]:
    checks: list[Check] = []
    for name in spec.allowed:
        value = pl.col(name)
        if name in spec.required:
            checks.append(Check(name, "required", value.is_null()))
        limit = text_limit(name)
        checks.append(Check(name, "too_long", value.str.len_chars() > limit, {"limit": limit}))
        checks.append(
            Check(name, "control_character", value.str.contains(CONTROL_CHARACTER_PATTERN))
        )
    for name in IDENTIFIER_COLUMNS:
        if name in spec.allowed:
            checks.append(Check(name, "bad_identifier", _fails(name, IDENTIFIER_PATTERN)))
    return checks


def _fails(name: str, pattern: str) -> pl.Expr:
    value = pl.col(name)
    return value.is_not_null() & ~value.str.contains(pattern)


def _not_in(name: str, allowed: Sequence[str]) -> pl.Expr:
    value = pl.col(name)
    return value.is_not_null() & ~value.is_in(list(allowed))


def _people_checks(today: datetime.date) -> list[Check]:
    checks: list[Check] = []
    for name in LAO_NAME_FIELDS:
        checks.append(
            Check(
                name,
                "broken_lao",
                pl.col(name).str.normalize("NFC").str.contains(BROKEN_LAO_PATTERN),
            )
        )
    checks.append(Check("sex", "bad_sex", _not_in("sex", ("M", "F"))))
    for name in DATE_COLUMNS:
        parsed = pl.col(name + PARSED_SUFFIX)
        checks.append(Check(name, "bad_date", pl.col(name).is_not_null() & parsed.is_null()))
        checks.append(Check(name, "future_date", parsed > pl.lit(today)))
    birth = pl.col("date_of_birth" + PARSED_SUFFIX)
    death = pl.col("date_of_death" + PARSED_SUFFIX)
    # Age today, as registry.validation counts it for one person.
    age = (_date_ordinal(pl.lit(today)) - _date_ordinal(birth)) // 10_000
    checks.append(Check("date_of_birth", "too_old", age > MAX_AGE_YEARS, {"limit": MAX_AGE_YEARS}))
    checks.append(Check("date_of_death", "death_before_birth", death < birth))
    checks.append(
        Check(
            "relationship_to_head",
            "bad_relationship",
            _not_in("relationship_to_head", Relationship.values),
        )
    )
    checks.append(
        Check(
            "relationship_to_head",
            "head_without_family_book",
            (pl.col("relationship_to_head") == HEAD) & pl.col("family_book_number").is_null(),
        )
    )
    difficulty_values = [str(value) for value in Difficulty.values]
    for name in WASHINGTON_GROUP_DOMAINS:
        checks.append(Check(name, "bad_difficulty", _not_in(name, difficulty_values)))
    checks.append(
        Check(
            "uxo_survivor",
            "bad_boolean",
            pl.col("uxo_survivor").is_not_null()
            & ~pl.col("uxo_survivor").str.to_lowercase().is_in(list(BOOLEAN_VALUES)),
        )
    )
    checks.append(Check("phone", "bad_phone", _fails("phone", PHONE_PATTERN)))
    return checks


# --- the checks against the registry (columns joined by with_registry) -------------------------


def _outside(path: str, prefix: str) -> pl.Expr:
    return pl.col(path).is_not_null() & ~pl.col(path).str.starts_with(prefix)


def _registry_checks(spec: KindSpec, scope_prefix: str | None) -> list[Check]:
    checks = [
        Check(
            "village_code",
            "unknown_village",
            pl.col("village_code").is_not_null() & pl.col(VILLAGE_ID).is_null(),
        )
    ]
    if scope_prefix is not None:
        checks.append(Check("village_code", "outside_scope", _outside(VILLAGE_PATH, scope_prefix)))
    if spec.name == HOUSEHOLDS:
        checks.append(
            Check("family_book_number", "household_exists", pl.col(HOUSEHOLD_ID).is_not_null())
        )
        return checks
    checks.append(Check("national_id", "national_id_exists", pl.col(REGISTERED_ID).is_not_null()))
    checks.append(
        Check(
            "relationship_to_head",
            "household_has_head",
            (pl.col("relationship_to_head") == HEAD) & pl.col(HOUSEHOLD_HEAD).is_not_null(),
        )
    )
    if scope_prefix is not None:
        checks.append(
            Check(
                "family_book_number",
                "household_outside_scope",
                _outside(HOUSEHOLD_PATH, scope_prefix),
            )
        )
    return checks


def checks_for(
    spec: KindSpec, today: datetime.date, scope_prefix: str | None = None
) -> list[Check]:
    """Every check of one row: its cells, and its village and household in the registry."""
    checks = _general_checks(spec)
    if spec.name == PEOPLE:
        checks += _people_checks(today)
    return checks + _registry_checks(spec, scope_prefix)


class RowChecker:
    """Runs the checks of one row over batches, and picks out the failures.

    A check that reads one column only is a check of a value, and names, villages, dates and
    codes repeat a great deal: where a column's values repeat (decided on the first batch),
    such checks run once per distinct value instead of once per row. Every check is first
    asked only whether it fails anywhere; only a failing check is run again to find its rows.
    """

    DISTINCT_SHARE = 0.5  # at most this share of distinct values: check distinct values

    def __init__(self, checks: Sequence[Check]) -> None:
        self.checks = list(checks)
        self.of_value: dict[str, list[int]] = {}  # column read -> checks reading it alone
        self.of_row: list[int] = []
        for index, check in enumerate(self.checks):
            read = set(check.bad.meta.root_names())
            if len(read) == 1:
                self.of_value.setdefault(read.pop(), []).append(index)
            else:
                self.of_row.append(index)
        self.by_value: dict[str, bool] | None = None

    def failures(self, batch: pl.DataFrame) -> pl.DataFrame:
        """(line, check index, value) for every failed check, in line order."""
        failed = [index for index, fails in self._fails(batch).items() if fails]
        if not failed:
            return pl.DataFrame(schema=FAILURE_SCHEMA)
        parts = [
            batch.filter(self.checks[index].bad.fill_null(False)).select(
                pl.col(LINE_COLUMN),
                pl.lit(index, dtype=pl.Int64).alias("check"),
                pl.col(self.checks[index].column).cast(pl.String).str.slice(0, 200).alias("value"),
            )
            for index in failed
        ]
        return pl.concat(parts).sort(LINE_COLUMN, "check")

    def decide(self, batch: pl.DataFrame) -> None:
        """Which columns are checked per distinct value, from this batch (by default the first
        one checked)."""
        self.by_value = repeating_columns(batch, list(self.of_value), self.DISTINCT_SHARE)

    def _fails(self, batch: pl.DataFrame) -> dict[int, bool]:
        if self.by_value is None:
            self.decide(batch)
        on_rows = self.of_row + [
            index
            for column, indexes in self.of_value.items()
            if not self.by_value[column]
            for index in indexes
        ]
        fails = dict(zip(on_rows, _any_of(batch, [self.checks[i] for i in on_rows]), strict=True))
        for column, indexes in self.of_value.items():
            if self.by_value[column]:
                values = batch.select(pl.col(column).unique())
                checks = [self.checks[index] for index in indexes]
                fails.update(zip(indexes, _any_of(values, checks), strict=True))
        return fails


def _any_of(frame: pl.DataFrame, checks: Sequence[Check]) -> tuple[bool, ...]:
    if not checks:
        return ()
    return frame.select(
        check.bad.fill_null(False).any().alias(f"check_{number}")
        for number, check in enumerate(checks)
    ).row(0)


def repeating_columns(batch: pl.DataFrame, columns: Sequence[str], share: float) -> dict[str, bool]:
    """For each column, whether its distinct values are at most `share` of the rows."""
    if not columns:
        return {}
    counts = batch.select(pl.col(column).n_unique() for column in columns).row(0)
    limit = share * max(batch.height, 1)
    return {column: count <= limit for column, count in zip(columns, counts, strict=True)}


def per_distinct_value(
    batch: pl.DataFrame, column: str, expressions: Sequence[pl.Expr]
) -> pl.DataFrame:
    """`expressions` of `column` computed once per distinct value, one row per batch row."""
    values = batch.select(pl.col(column).unique()).with_columns(expressions)
    return (
        batch.select(column)
        .join(values, on=column, how="left", maintain_order="left", nulls_equal=True)
        .drop(column)
    )


# --- the checks across rows ---------------------------------------------------------------------


REPEAT_SCHEMA = {"key": pl.String, "first_line": pl.Int64, "hash": pl.UInt64}


def value_hash(value: pl.Expr) -> pl.Expr:
    return value.hash(seed=0)


@dataclass
class RepeatCheck:
    """Every row after the first with the same value in `key` (among rows where `among`).

    Batch by batch: the first line of each value seen so far is kept, so a repeat is found in
    the batch where it occurs, before that batch is written (a repeated family book would
    otherwise break the registry's unique constraint before it could be reported). Values are
    compared by a 64-bit hash first, cheap for a million IDs; only the few rows whose hash is
    seen twice are compared by their text, so a hash collision never makes a false error.
    """

    column: str
    code: str
    key: str
    among: pl.Expr | None = None
    shown: str | None = None
    seen: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REPEAT_SCHEMA))

    def failures(self, batch: pl.DataFrame) -> pl.DataFrame:
        """(line, value, first_line) of each repeat in this batch, in line order."""
        rows = batch.filter(pl.col(self.key).is_not_null())
        if self.among is not None:
            rows = rows.filter(self.among)
        rows = rows.select(
            pl.col(LINE_COLUMN),
            pl.col(self.key).alias("key"),
            pl.col(self.shown or self.key).cast(pl.String).str.slice(0, 200).alias("value"),
            value_hash(pl.col(self.key)).alias("hash"),
        )
        suspect = pl.col("hash").is_duplicated() | pl.col("hash").is_in(self.seen["hash"].implode())
        rows = rows.with_columns(suspect.alias("suspect"))
        # A value whose hash is new to the file and single in the batch is a first occurrence.
        firsts = [rows.filter(~pl.col("suspect"))]
        suspects = rows.filter("suspect")
        found = pl.DataFrame(
            schema={LINE_COLUMN: pl.Int64, "value": pl.String, "first_line": pl.Int64}
        )
        if suspects.height:
            found = self._repeats_among(suspects, firsts)
        self.seen = pl.concat(
            [
                self.seen,
                *(
                    part.select("key", pl.col(LINE_COLUMN).alias("first_line"), "hash")
                    for part in firsts
                ),
            ]
        )
        return found

    def _repeats_among(self, suspects: pl.DataFrame, firsts: list[pl.DataFrame]) -> pl.DataFrame:
        """The exact comparison, for rows whose hash was seen before."""
        earlier = self.seen.filter(pl.col("hash").is_in(suspects["hash"].implode())).select(
            "key", "first_line"
        )
        new = suspects.join(earlier, on="key", how="anti")
        first_in_batch = new.group_by("key").agg(pl.col(LINE_COLUMN).min().alias("first_line"))
        firsts.append(
            new.join(first_in_batch, on="key")
            .filter(pl.col(LINE_COLUMN) == pl.col("first_line"))
            .drop("first_line")
        )
        first = pl.concat([earlier, first_in_batch])
        repeats = suspects.join(first, on="key", how="inner").filter(
            pl.col(LINE_COLUMN) != pl.col("first_line")
        )
        return repeats.select(LINE_COLUMN, "value", "first_line").sort(LINE_COLUMN)


def repeat_checks(spec: KindSpec) -> list[RepeatCheck]:
    if spec.name == HOUSEHOLDS:
        return [RepeatCheck("family_book_number", "family_book_repeated", "family_book_number")]
    return [
        RepeatCheck("national_id", "national_id_repeated", "national_id"),
        RepeatCheck(
            "relationship_to_head",
            "second_head",
            "family_book_number",
            among=pl.col("relationship_to_head") == HEAD,
            shown="relationship_to_head",
        ),
    ]
