"""A small rule-based Lao → Latin romaniser for personal and place names.

Lao names reach the registry in Lao script and in a Latin transliteration typed by a clerk.
The synthetic population needs the Latin form to follow from the Lao form the way a careful
clerk would write it, so that the same Lao name always has the same Latin spelling and the
de-duplication test data can add *deliberate* variants on top.

The spelling follows the French-influenced habits seen on Lao ID cards and in official names
(Xaysomboun, Somphone, Bounmy, Phonsavanh, Sisavath, Xiengkhouang), not a scholarly
transcription: ຊ → x, ຈ → ch, ພ/ຜ → ph, ຸ/ູ → ou, ົວ → oua, ໄ/ໃ → ay; at the end of a word
an open i is written y, -ອນ is written -one, -ັນ is written -anh and -າດ/-ັດ after a is
written -ath. Tone marks do not change the Latin form.

Lao is written without spaces between syllables, so the word is cut into syllables by a
greedy reading: a consonant that could close the syllable (ກ ງ ດ ນ ບ ມ ຍ ວ) is read as its
final unless a vowel sign, ະ/າ/ຳ/ຽ, or a vowel-carrying ອ follows it, in which case it starts
the next syllable. This is right for the common names the generator uses; it is not a
dictionary-backed segmenter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

INITIAL_SOUNDS: dict[str, str] = {
    "ກ": "k", "ຂ": "kh", "ຄ": "kh", "ງ": "ng", "ຈ": "ch", "ສ": "s", "ຊ": "x", "ຍ": "ny",
    "ດ": "d", "ຕ": "t", "ຖ": "th", "ທ": "th", "ນ": "n", "ບ": "b", "ປ": "p", "ຜ": "ph",
    "ຝ": "f", "ພ": "ph", "ຟ": "f", "ມ": "m", "ຢ": "y", "ຣ": "r", "ລ": "l", "ວ": "v",
    "ຫ": "h", "ອ": "", "ຮ": "h", "ໜ": "n", "ໝ": "m",
}
FINAL_SOUNDS: dict[str, str] = {
    "ກ": "k", "ງ": "ng", "ດ": "t", "ນ": "n", "ບ": "p", "ມ": "m", "ຍ": "y", "ວ": "o",
}
CONSONANTS = frozenset(INITIAL_SOUNDS)
SONORANTS_AFTER_HO = frozenset("ງຍນມລຣວ")  # ຫງ ຫຍ ຫນ ຫມ ຫລ ຫຣ ຫວ: the ຫ is silent
PRE_VOWELS = frozenset("ເແໂໃໄ")
ABOVE_BELOW_VOWELS = frozenset("\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0eb8\u0eb9\u0ebb\u0ecd")
TONE_MARKS = frozenset("\u0ec8\u0ec9\u0eca\u0ecb")
SUBSCRIPT_LO = "\u0ebc"
SPACING_VOWELS = frozenset("ະາຳຽ")
CANCELLATION_MARK = "\u0ecc"  # ໌: the consonant under it is not pronounced
_CANCELLED = re.compile("[\u0e81-\u0eae\u0edc\u0edd][\u0eb4-\u0eb9\u0ec8-\u0ecb]*\u0ecc")
_LAO_WORD = re.compile("[\u0e80-\u0eff]+")


@dataclass
class Syllable:
    initial: str
    vowel: str
    final: str = ""
    vowel_letter: str = ""  # the Lao letter(s) that carried the vowel, for word-end spelling


def _skip_tones(text: str, index: int) -> int:
    while index < len(text) and text[index] in TONE_MARKS:
        index += 1
    return index


def _takes_vowel(text: str, index: int) -> bool:
    """Whether the consonant just before `index` carries a vowel (so it starts a syllable)."""
    if index < len(text) and text[index] in TONE_MARKS:
        return True  # a tone mark sits on an initial consonant, never on a final
    if index >= len(text):
        return False
    char = text[index]
    if char in ABOVE_BELOW_VOWELS or char in SPACING_VOWELS or char == SUBSCRIPT_LO:
        return True
    if char == "ອ":  # ອ is the vowel "o" unless it carries its own vowel sign
        after = _skip_tones(text, index + 1)
        return not (after < len(text) and (text[after] in ABOVE_BELOW_VOWELS
                                           or text[after] in SPACING_VOWELS))
    return False


def _is_final_at(text: str, index: int) -> bool:
    return (index < len(text) and text[index] in FINAL_SOUNDS
            and not _takes_vowel(text, index + 1))


def _read_initial(text: str, index: int, has_pre_vowel: bool) -> tuple[str, int]:
    consonant = text[index]
    sound = INITIAL_SOUNDS[consonant]
    index += 1
    if consonant == "ຫ" and index < len(text) and text[index] in SONORANTS_AFTER_HO:
        sonorant = text[index]
        if sonorant != "ວ" or _takes_vowel(text, index + 1) or has_pre_vowel:
            sound = INITIAL_SOUNDS[sonorant]
            index += 1
    if index < len(text) and text[index] == SUBSCRIPT_LO:
        sound = ("" if consonant == "ຫ" else sound) + "l"
        index += 1
    # A ວ after the initial is the glide "ou" (ຂວາງ khouang) when a vowel or, after a pre-posed
    # vowel, a final follows it (ແຂວງ); otherwise it is the closed vowel -ວ- or a final.
    if index < len(text) and text[index] == "ວ" and consonant != "ຫ":
        after = _skip_tones(text, index + 1)
        glide = after < len(text) and text[after] in "ະາຳ"
        if has_pre_vowel and _is_final_at(text, after):
            glide = True
        if glide:
            sound += "ou"
            index += 1
    return sound, index


def _read_marks(text: str, index: int) -> tuple[str, int]:
    marks = ""
    while index < len(text) and (text[index] in ABOVE_BELOW_VOWELS or text[index] in TONE_MARKS):
        if text[index] in ABOVE_BELOW_VOWELS:
            marks += text[index]
        index += 1
    return marks, index


def _vowel_after_pre(pre: str, marks: str, text: str, index: int) -> tuple[str, int, bool, str]:
    """The vowel of a syllable written with ເ ແ ໂ ໄ ໃ; returns (sound, index, may_close, key)."""
    nxt = text[index] if index < len(text) else ""
    if pre in "ໄໃ":
        return "ay", index, False, pre
    if pre == "ໂ":
        return ("o", index + 1, False, pre) if nxt == "ະ" else ("o", index, True, pre)
    if pre == "ແ":
        return ("ae", index + 1, False, pre) if nxt == "ະ" else ("ae", index, True, pre)
    # pre == "ເ"
    if "ົ" in marks and nxt == "າ":
        return "ao", index + 1, False, "ເົາ"
    if "ັ" in marks:
        return "e", index, True, pre
    if marks and marks[-1] in "ິີ":
        if nxt == "ຍ":
            return "ia", index + 1, False, "ເີຍ"
        return "eu", index, True, "ເີ"
    if marks and marks[-1] in "ຶື":
        if nxt == "ອ":
            return "eua", index + 1, True, "ເືອ"
        return "eu", index, True, "ເື"
    if nxt == "ຍ" and not _takes_vowel(text, index + 1):
        return "ia", index + 1, False, "ເຍ"
    if nxt == "ະ":
        return "e", index + 1, False, pre
    return "e", index, True, pre


def _vowel_without_pre(marks: str, text: str, index: int) -> tuple[str, int, bool, str]:
    nxt = text[index] if index < len(text) else ""
    if "ັ" in marks:
        if nxt == "ວ":
            return "oua", index + 1, True, "ັວ"
        if nxt == "ຍ" and not _takes_vowel(text, index + 1) and not _is_final_at(text, index + 1):
            return "ay", index + 1, False, "ັຍ"
        return "a", index, True, "ັ"
    if "ົ" in marks:
        if nxt == "ວ":
            return "oua", index + 1, False, "ົວ"
        return "o", index, True, "ົ"
    if "ໍ" in marks:
        if nxt == "າ":
            return "am", index + 1, False, "ຳ"
        return "o", index, False, "ໍ"
    if marks:
        last = marks[-1]
        if last in "ິີ":
            return "i", index, True, "ີ"
        if last in "ຶື":
            if nxt == "ອ":
                return "eu", index + 1, False, "ືອ"
            return "eu", index, True, "ື"
        return "ou", index, True, "ູ"
    if nxt == "ະ":
        return "a", index + 1, False, "ະ"
    if nxt == "າ":
        return "a", index + 1, True, "າ"
    if nxt == "ຳ":
        return "am", index + 1, False, "ຳ"
    if nxt == "ອ":
        return "o", index + 1, True, "ອ"
    if nxt == "ຽ":
        return "ie", index + 1, True, "ຽ"
    if nxt == "ວ" and _is_final_at(text, index + 1):
        return "oua", index + 1, True, "ວ"
    if _is_final_at(text, index) and (index + 1 >= len(text)
                                      or text[index + 1] not in FINAL_SOUNDS):
        return "o", index, True, ""  # old spelling without a vowel sign: ສມ = som
    return "a", index, False, ""  # a bare consonant before another syllable (Pali style)


def _read_syllable(text: str, index: int) -> tuple[Syllable | None, int]:
    pre = ""
    if text[index] in PRE_VOWELS:
        pre = text[index]
        index += 1
        if index >= len(text) or text[index] not in CONSONANTS:
            return Syllable("", {"ໄ": "ay", "ໃ": "ay", "ແ": "ae", "ໂ": "o"}.get(pre, "e")), index
    if text[index] not in CONSONANTS:
        return None, index + 1  # a stray sign, digit or Lao punctuation: skipped
    initial, index = _read_initial(text, index, bool(pre))
    marks, index = _read_marks(text, index)
    if pre:
        vowel, index, may_close, key = _vowel_after_pre(pre, marks, text, index)
    else:
        vowel, index, may_close, key = _vowel_without_pre(marks, text, index)
    index = _skip_tones(text, index)
    syllable = Syllable(initial, vowel, vowel_letter=key)
    if may_close and _is_final_at(text, index):
        syllable.final = text[index]
        index += 1
    return syllable, _skip_tones(text, index)


def _final_sound(syllable: Syllable, word_end: bool) -> str:
    final = syllable.final
    if not final:
        return ""
    if final == "ວ":
        return "ou" if syllable.vowel.endswith("i") else "o"
    if word_end and final == "ນ" and syllable.vowel_letter in ("ອ", "ັ"):
        return "ne" if syllable.vowel_letter == "ອ" else "nh"
    if word_end and final == "ດ" and syllable.vowel == "a":
        return "th"
    return FINAL_SOUNDS[final]


def _spell(syllable: Syllable, word_start: bool, word_end: bool) -> str:
    initial = syllable.initial
    if initial == "ny" and not word_start:
        initial = "y"
    vowel = syllable.vowel
    if word_end and not syllable.final and vowel == "i":
        vowel = "y"
    return initial + vowel + _final_sound(syllable, word_end)


def _join(parts: list[str]) -> str:
    word = ""
    for part in parts:
        if word and part and word[-1] == "y" and part[0] == "y":
            part = part[1:]  # ໄຊ + ຍະ → Xaya, not Xayya
        word += part
    return word


def romanise_word(word: str) -> str:
    text = _CANCELLED.sub("", word)
    syllables: list[Syllable] = []
    index = 0
    while index < len(text):
        syllable, index = _read_syllable(text, index)
        if syllable is not None:
            syllables.append(syllable)
    last = len(syllables) - 1
    parts = [_spell(syllable, position == 0, position == last)
             for position, syllable in enumerate(syllables)]
    return _join(parts).capitalize()


@lru_cache(maxsize=65536)
def romanise(text: str) -> str:
    """The Latin form of a Lao name; non-Lao characters (spaces, digits) are kept as they are."""
    return _LAO_WORD.sub(lambda match: romanise_word(match.group(0)), text)
