"""Name tables for the generator, and the spelling variants used for near-duplicates.

A near-duplicate is a second record of a person typed by another clerk: the Latin name spelled
another common way (Ph→P, ou→u, x→s, a dropped final e...), or a tone mark left out or added
in the Lao name. Each variant keeps the search key (pakan.registry.names.latin_key / lao_key)
of the original, which is what makes it findable by de-duplication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from pakan.synth.name_lists import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from pakan.synth.romanise import SONORANTS_AFTER_HO, romanise

VARIANTS_PER_NAME = 4
# One spelling habit per entry; a variant applies one of them wherever it matches.
LATIN_SPELLING_HABITS: tuple[tuple[str, str], ...] = (
    ("Ph", "P"), ("ph", "p"),
    ("Ou", "U"), ("ou", "u"),
    ("X", "S"), ("x", "s"),
    ("e$", ""),
    ("Th", "T"), ("th", "t"),
    ("Kh", "K"), ("kh", "k"),
    ("y$", "i"),
    ("V", "W"), ("v", "w"),
    ("Ch", "J"), ("ch", "j"),
    ("anh$", "an"),
    ("on$", "one"),
    ("ae", "e"),
)
_HABITS = tuple((re.compile(pattern), replacement)
                for pattern, replacement in LATIN_SPELLING_HABITS)
LAO_TONE_MARKS = "\u0ec8\u0ec9\u0eca\u0ecb"
LAO_CONSONANTS = re.compile("[\u0e81-\u0eae\u0edc\u0edd]")
LAO_SIGNS_ON_CONSONANT = "\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0eb8\u0eb9\u0ebb\u0ebc\u0ecd"
ADDED_TONE_MARK = "\u0ec8"  # ່ mai ek, the mark most often added or left out


def latin_variants(name: str) -> list[str]:
    """Other common spellings of a romanised name (always at least one)."""
    variants: list[str] = []
    for pattern, replacement in _HABITS:
        variant = pattern.sub(replacement, name)
        if variant != name and variant and variant not in variants:
            variants.append(variant[0].upper() + variant[1:])
    return variants or [name.upper()]


def toggle_tone_mark(name: str) -> str:
    """The Lao name with its first tone mark left out, or with a mai ek added if it has none."""
    for position, char in enumerate(name):
        if char in LAO_TONE_MARKS:
            return name[:position] + name[position + 1:]
    match = LAO_CONSONANTS.search(name)
    if match is None:
        return name
    position = match.end()
    # The mark sits on the last letter of a cluster: ຫວ່າ, ກວ້າງ, not ຫ່ວາ.
    if position < len(name) and (
            (match.group() == "ຫ" and name[position] in SONORANTS_AFTER_HO)
            or (name[position] == "ວ" and name[position + 1:position + 2] in ("າ", "ະ"))):
        position += 1
    while position < len(name) and name[position] in LAO_SIGNS_ON_CONSONANT:
        position += 1
    return name[:position] + ADDED_TONE_MARK + name[position:]


@dataclass(frozen=True)
class NameTable:
    """Names in Lao and Latin, with variants, laid out for `Series.gather` by index.

    Lao: entries 0..n-1 are the names, n..2n-1 their tone-mark variants.
    Latin: entries 0..n-1 are romanise(name), then VARIANTS_PER_NAME variants per name.
    """

    lao: pl.Series
    latin: pl.Series
    weights: np.ndarray  # how common each name is (sums to 1)

    @property
    def size(self) -> int:
        return len(self.weights)

    def lao_index(self, name: np.ndarray, tone_variant: np.ndarray) -> np.ndarray:
        return (name + np.where(tone_variant, self.size, 0)).astype(np.uint32)

    def latin_index(self, name: np.ndarray, spelling: np.ndarray) -> np.ndarray:
        """`spelling` -1 is the romanised name, 0..VARIANTS_PER_NAME-1 one of its variants."""
        variant_position = self.size + name * VARIANTS_PER_NAME + spelling
        return np.where(spelling >= 0, variant_position, name).astype(np.uint32)


def popularity(count: int) -> np.ndarray:
    """A few names are common, many are rare (a gentle Zipf curve over the list order)."""
    weights = 1.0 / (np.arange(count) + 6.0) ** 0.8
    return weights / weights.sum()


def build_table(names: tuple[str, ...], weights: np.ndarray) -> NameTable:
    latin = [romanise(name) for name in names]
    variants = []
    for spelling in latin:
        options = latin_variants(spelling)
        variants.extend(options[i % len(options)] for i in range(VARIANTS_PER_NAME))
    lao = list(names) + [toggle_tone_mark(name) for name in names]
    return NameTable(lao=pl.Series(lao, dtype=pl.String),
                     latin=pl.Series(latin + variants, dtype=pl.String), weights=weights)


@dataclass(frozen=True)
class NameTables:
    given: NameTable  # men's names first, then women's
    male_given_count: int
    family: NameTable


@lru_cache(maxsize=1)
def name_tables() -> NameTables:
    male_weights = popularity(len(MALE_GIVEN_NAMES)) / 2
    female_weights = popularity(len(FEMALE_GIVEN_NAMES)) / 2
    given = build_table(MALE_GIVEN_NAMES + FEMALE_GIVEN_NAMES,
                        np.concatenate([male_weights, female_weights]))
    family = build_table(FAMILY_NAMES, popularity(len(FAMILY_NAMES)))
    return NameTables(given=given, male_given_count=len(MALE_GIVEN_NAMES), family=family)
