"""Spelling-tolerant keys for names in Lao script and in Latin letters.

Lao names are written in Latin letters in many ways (Phetsamone, Petsamon, Phetsamon;
Xaysomboun, Saisomboun). A key folds those variants together, so that search and
de-duplication compare keys, not spellings. Each rule is a plain regular expression without
look-around or back-references, so the very same list runs in Python (one name, `re`) and in
polars (a million names, the Rust regex engine) — one place for the rule, two engines.
"""

from __future__ import annotations

import re
import string
import unicodedata

# Applied in order to the lower-cased name.
LATIN_KEY_RULES: tuple[tuple[str, str], ...] = (
    ("[^a-z]", ""),  # accents were folded before; spaces, hyphens, dots go
    ("h", ""),  # ph/p, th/t, kh/k, -nh/-n: the h is the most unstable letter
    ("ou", "u"),
    ("oo", "u"),
    ("ae", "e"),
    ("c", "j"),  # ch/j for ຈ
    ("[xz]", "s"),  # x/s for ຊ and ສ
    ("v", "w"),
    ("y", "i"),
    ("r", "l"),  # ຣ is read ລ
    ("q", "k"),
    *((f"{letter}{letter}+", letter) for letter in string.ascii_lowercase),
    ("e$", ""),  # Phetsamone / Phetsamon
)

LAO_TONE_AND_SILENCE_MARKS = "[\u0ec8-\u0ecc]"
# Applied in order to the NFKC form of a Lao name.
LAO_KEY_RULES: tuple[tuple[str, str], ...] = (
    ("[\\s\u200b-\u200d\ufeff.\\-]", ""),
    (LAO_TONE_AND_SILENCE_MARKS, ""),  # tone marks are often left out or doubled when typing
    ("\u0ebc", "\u0ea5"),  # subscript lo (ຫຼ) written as a full ລ (ຫລ)
    ("\u0ea3", "\u0ea5"),  # ຣ read and often written as ລ
)

_COMPILED_LATIN = tuple((re.compile(pattern), replacement) for pattern, replacement in
                        LATIN_KEY_RULES)
_COMPILED_LAO = tuple((re.compile(pattern), replacement) for pattern, replacement in
                      LAO_KEY_RULES)

LAO_CONSONANTS = "\u0e81-\u0eae\u0edc-\u0edf"
LAO_VOWELS_ABOVE_BELOW = "\u0eb1\u0eb4-\u0ebc"
LAO_TONE_MARKS = "\u0ec8-\u0ecc"
# A combining Lao sign needs what it sits on: a vowel above or below needs a consonant; a tone
# mark needs a consonant, a vowel above/below or a niggahita (ບໍ່); the niggahita (U+0ECD)
# needs a consonant, a vowel above/below or a tone mark (ນ້ໍາ). A sign at the start, after a
# space, a Latin letter, a Lao digit or a leading vowel (ເ ແ ໂ ໃ ໄ), or stacked on a sign of
# its own kind, is a broken sequence — usually a keyboard or copy-paste error.
BROKEN_LAO_PATTERN = (
    f"(^[{LAO_VOWELS_ABOVE_BELOW}{LAO_TONE_MARKS}\u0ecd])"
    f"|([^{LAO_CONSONANTS}\u0ebc][{LAO_VOWELS_ABOVE_BELOW}])"
    f"|([^{LAO_CONSONANTS}{LAO_VOWELS_ABOVE_BELOW}\u0ecd][{LAO_TONE_MARKS}])"
    f"|([^{LAO_CONSONANTS}{LAO_VOWELS_ABOVE_BELOW}{LAO_TONE_MARKS}]\u0ecd)"
)
_BROKEN_LAO = re.compile(BROKEN_LAO_PATTERN)


def fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def latin_key(name: str) -> str:
    key = fold_accents(name).lower()
    for pattern, replacement in _COMPILED_LATIN:
        key = pattern.sub(replacement, key)
    return key


def lao_key(name: str) -> str:
    key = unicodedata.normalize("NFKC", name)
    for pattern, replacement in _COMPILED_LAO:
        key = pattern.sub(replacement, key)
    return key


def latin_prefix_key(word: str) -> str:
    """The key a typed word must begin. A word cut short after "o" or "a" may be the start of
    "ou", "oo" or "ae", which the full name's key folds ("Pho" → "po", but "Phoumma" →
    "puma"), so that last letter is left out of the prefix."""
    key = latin_key(word)
    if len(key) > 1 and word[-1:].lower() in ("o", "a") and key.endswith(word[-1:].lower()):
        return key[:-1]
    return key


def contains_lao(text: str) -> bool:
    return any("\u0e80" <= char <= "\u0eff" for char in text)


def name_key(text: str) -> str:
    """The key of a search word, whichever script it is written in."""
    return lao_key(text) if contains_lao(text) else latin_key(text)


def is_broken_lao(text: str) -> bool:
    return bool(_BROKEN_LAO.search(unicodedata.normalize("NFC", text)))
