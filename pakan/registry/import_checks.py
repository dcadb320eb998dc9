"""Row checks of a registry import, as polars column expressions over a batch of rows.

Each check is one boolean expression, true where a cell is wrong, so a batch of a hundred
thousand rows is checked in a few vectorised passes and a good batch costs no Python per row.
Checks that need other rows or the database (repeated IDs, unknown villages, scope) are SQL on
the staging table, in pakan.registry.import_loading.

The search keys are computed here too, with the very rules of pakan.registry.names applied by
polars' regex engine; tests compare them with latin_key()/lao_key() on awkward names.
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


def text_limit(column: str) -> int:
    """The longest value a column takes: the model field's length, never above the file rule."""
    try:
        model_field = Person._meta.get_field(column)
    except FieldDoesNotExist:  # a file column with no field of that name (village_code)
        return MAX_TEXT_LENGTH
    return min(model_field.max_length or MAX_TEXT_LENGTH, MAX_TEXT_LENGTH)


_RUN_OF_ONE_LETTER = re.compile(r"([a-z])\1\+")


def _is_literal(pattern: str) -> bool:
    return re.escape(pattern) == pattern


def _collapsed_run_letter(pattern: str, replacement: str) -> str | None:
    """The letter of a rule "xx+" -> "x" (a run of one letter shortened to one), else None."""
    match = _RUN_OF_ONE_LETTER.fullmatch(pattern)
    return match.group(1) if match and replacement == match.group(1) else None


def engine_rules(rules: Sequence[tuple[str, str]]) -> list[tuple[str, str, bool]]:
    """The rules as polars runs them: (pattern, replacement, literal).

    Consecutive "xx+" -> "x" rules commute (shortening a run of one letter never makes a run of
    another), so they run as one alternation in a single pass instead of one pass per letter;
    the result is the same as applying them in turn, which the tests check against names.py.
    """
    merged: list[tuple[str, str, bool]] = []
    letters: list[str] = []

    def flush() -> None:
        if letters:
            pattern = "|".join(f"({letter}){letter}+" for letter in letters)
            replacement = "".join(f"${{{number}}}" for number in range(1, len(letters) + 1))
            merged.append((pattern, replacement, False))
            letters.clear()

    for pattern, replacement in rules:
        letter = _collapsed_run_letter(pattern, replacement)
        if letter is not None:
            letters.append(letter)
            continue
        flush()
        merged.append((pattern, replacement, _is_literal(pattern)))
    flush()
    return merged


LATIN_ENGINE_RULES = engine_rules(LATIN_KEY_RULES)
LAO_ENGINE_RULES = engine_rules(LAO_KEY_RULES)


def apply_rules(value: pl.Expr, rules: Sequence[tuple[str, str, bool]]) -> pl.Expr:
    for pattern, replacement, literal in rules:
        value = value.str.replace_all(pattern, replacement, literal=literal)
    return value


def latin_key_expr(name: pl.Expr) -> pl.Expr:
    """names.latin_key for a column: fold accents (NFKD, drop marks), lower-case, the rules."""
    folded = name.str.normalize("NFKD").str.replace_all(r"\p{Mn}", "")
    return apply_rules(folded.str.to_lowercase(), LATIN_ENGINE_RULES)


def lao_key_expr(name: pl.Expr) -> pl.Expr:
    """names.lao_key for a column: NFKC, then the Lao rules."""
    return apply_rules(name.str.normalize("NFKC"), LAO_ENGINE_RULES)


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
            (pl.col("relationship_to_head") == Relationship.HEAD)
            & pl.col("family_book_number").is_null(),
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


def checks_for(spec: KindSpec, today: datetime.date) -> list[Check]:
    checks = _general_checks(spec)
    if spec.name == PEOPLE:
        checks += _people_checks(today)
    return checks


def find_errors(batch: pl.DataFrame, checks: Sequence[Check]) -> pl.DataFrame:
    """(line, check index, value) for every failed check, in line order; empty when all pass.

    All checks are evaluated in one select (polars runs them in parallel); only a batch with a
    failure pays for picking the failures out.
    """
    flags = batch.select(
        pl.col(LINE_COLUMN),
        *(check.bad.fill_null(False).alias(f"check_{index}") for index, check in enumerate(checks)),
    )
    failed = [name for name in flags.columns[1:] if flags[name].any()]
    if not failed:
        return pl.DataFrame(schema={LINE_COLUMN: pl.Int64, "check": pl.Int64, "value": pl.String})
    parts = []
    for name in failed:
        index = int(name.removeprefix("check_"))
        rows = batch.filter(flags[name])
        parts.append(
            rows.select(
                pl.col(LINE_COLUMN),
                pl.lit(index, dtype=pl.Int64).alias("check"),
                pl.col(checks[index].column).cast(pl.String).str.slice(0, 200).alias("value"),
            )
        )
    return pl.concat(parts).sort(LINE_COLUMN, "check")


# Staging: the typed rows that go to the database, in this column order.
PEOPLE_STAGING_COLUMNS = (
    "line",
    "national_id",
    "family_book_number",
    "given_name_lo",
    "family_name_lo",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "date_of_birth",
    "date_of_death",
    "village_code",
    "relationship_to_head",
    *WASHINGTON_GROUP_DOMAINS,
    "uxo_survivor",
    "phone",
    *KEY_SOURCES,
)
HOUSEHOLD_STAGING_COLUMNS = ("line", "family_book_number", "village_code")


def staging_frame(batch: pl.DataFrame, spec: KindSpec) -> pl.DataFrame:
    """A checked batch as the typed columns of the staging table."""
    if spec.name == HOUSEHOLDS:
        return batch.select(pl.col(LINE_COLUMN).alias("line"), "family_book_number", "village_code")
    expressions: list[pl.Expr] = [pl.col(LINE_COLUMN).alias("line")]
    for name in PEOPLE_STAGING_COLUMNS[1:]:
        if name in DATE_COLUMNS:
            expressions.append(pl.col(name + PARSED_SUFFIX).alias(name))
        elif name in WASHINGTON_GROUP_DOMAINS:
            expressions.append(pl.col(name).cast(pl.Int16, strict=False))
        elif name == "uxo_survivor":
            expressions.append(
                pl.col(name)
                .str.to_lowercase()
                .replace_strict(BOOLEAN_VALUES, default=None, return_dtype=pl.Boolean)
                .fill_null(False)
            )
        elif name in ("relationship_to_head", "phone"):
            expressions.append(pl.col(name).fill_null(""))
        elif name in KEY_SOURCES:
            source, script = KEY_SOURCES[name]
            key = (
                latin_key_expr(pl.col(source))
                if script == "latin"
                else lao_key_expr(pl.col(source))
            )
            expressions.append(key.str.slice(0, text_limit(name)).alias(name))
        else:
            expressions.append(pl.col(name))
    return batch.select(expressions)
