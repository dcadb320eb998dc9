"""The axes the arrays of the model share, so every module indexes them the same way.

Populations and rates are arrays indexed `[..., sex, age]`: sex 0 is male and 1 female, ages
are single years 0 to 99 and the last position (100) is the open group "100 and over". Paths
over time carry a year axis in front: `[year, sex, age]`, position 0 being the base year.
Stochastic runs put a runs axis in front of everything: `[run, year, sex, age]`.
"""

from __future__ import annotations

MALE = 0
FEMALE = 1
SEXES: tuple[str, str] = ("male", "female")
SEXES_LAO: tuple[str, str] = ("ເພດຊາຍ", "ເພດຍິງ")  # glossary: male, female

OPEN_AGE = 100  # the last age position holds everyone aged 100 and over
AGE_COUNT = OPEN_AGE + 1
ENTRY_AGE = 15  # youngest age at which anyone works or is insured in the model
FERTILE_AGES = range(15, 50)  # the ages at which a fertility schedule may be non-zero

MAXIMUM_HORIZON = 100  # years; longer projections are refused
