"""Households and their members, drawn in blocks with numpy (no Python object per person).

A household is a fixed row of member slots (head, spouse, children, a married child with their
spouse and children, the head's parents, a sibling, another relative, a lodger); each slot is
filled or left empty by vectorised draws, then the filled slots are read out row by row, so
members of a household stay together with the head first.

The rules are simple and stated as assumptions: a Lao household of about five people, a head
who is usually a married man, children born to the mother between 17 and 45 who leave home
from their late teens, a stem family (a married child, often the daughter who stays, with her
husband and children) in about one older household in three, and elderly parents who live with
a young head. Ages are kept alive by the life table in pakan.synth.demography, so old people
are as rare as mortality makes them. The parameters are tuned so that the result lands on the
facts file's 31% under 15 and 4.6% aged 65 or more (tests/test_synth.py checks both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pakan.synth.demography import MALE_SHARE_AT_BIRTH, survival, survival_between

# Relationship codes, in the order of pakan.registry.models.Relationship.
HEAD, SPOUSE, CHILD, PARENT, SIBLING, GRANDCHILD, OTHER_RELATIVE, NON_RELATIVE = range(8)
RELATIONSHIP_VALUES = ("head", "spouse", "child", "parent", "sibling", "grandchild",
                       "other_relative", "non_relative")
# Whose family name a member carries: the household's, the married-in spouse's (a son-in-law
# passes his name to his children), or one of their own (a niece, a lodger).
HOUSEHOLD_NAME, IN_LAW_NAME, OWN_NAME = range(3)

CHILD_SLOTS = 8
GRANDCHILD_SLOTS = 3
# Slot layout of one household row.
SLOT_HEAD = 0
SLOT_SPOUSE = 1
SLOT_CHILDREN = slice(2, 2 + CHILD_SLOTS)
SLOT_MARRIED_CHILD = 2 + CHILD_SLOTS
SLOT_CHILD_IN_LAW = SLOT_MARRIED_CHILD + 1
SLOT_GRANDCHILDREN = slice(SLOT_CHILD_IN_LAW + 1, SLOT_CHILD_IN_LAW + 1 + GRANDCHILD_SLOTS)
SLOT_FATHER = SLOT_GRANDCHILDREN.stop
SLOT_MOTHER = SLOT_FATHER + 1
SLOT_SIBLING = SLOT_MOTHER + 1
SLOT_OTHER_RELATIVE = SLOT_SIBLING + 1
SLOT_NON_RELATIVE = SLOT_OTHER_RELATIVE + 1
SLOTS = SLOT_NON_RELATIVE + 1

SLOT_RELATIONSHIP = np.array(
    [HEAD, SPOUSE] + [CHILD] * CHILD_SLOTS + [CHILD, OTHER_RELATIVE]
    + [GRANDCHILD] * GRANDCHILD_SLOTS + [PARENT, PARENT, SIBLING, OTHER_RELATIVE, NON_RELATIVE],
    dtype=np.int8,
)
MAX_AGE = 100.0  # nobody is generated older than this (the registry refuses > 120)
HEAD_AGES = np.arange(17, 100)


@dataclass(frozen=True)
class HouseholdModel:
    """The tunable assumptions of household composition (see the module docstring)."""

    growth_rate: float = 0.021  # younger cohorts are larger: ~1.5-2.5% a year of growth
    female_head_share_young: float = 0.07  # heads under 45
    female_head_share_old: float = 0.55  # heads of 75 and more: widows head many households
    married_male_head: float = 0.94
    married_female_head: float = 0.25
    husband_age_gap_mean: float = 3.0
    husband_age_gap_sd: float = 3.5
    first_birth_age_min: float = 17.0
    first_birth_gamma_shape: float = 2.2
    first_birth_gamma_scale: float = 2.4
    birth_interval_min: float = 1.4
    birth_interval_gamma_shape: float = 2.0
    birth_interval_gamma_scale: float = 1.1
    last_birth_age: float = 45.0
    # Expected births over a life of a mother aged 28 today; births not yet reached at her
    # current age are cut off, so a young mother has fewer. Older mothers had more children
    # (the total fertility rate fell from about 6 around 1990 to 2.4 in 2024).
    births_now: float = 3.4
    births_per_year_older: float = 0.09
    births_max: float = 6.5
    # Share of children still at home at ages 0, 15, 19, 30 and 40 (straight lines between).
    staying_at_home: tuple[float, ...] = (1.0, 0.98, 0.9, 0.35, 0.08)
    stem_family_head_age: float = 45.0
    stem_family_share: float = 0.45
    married_child_is_daughter: float = 0.6
    child_in_law_present: float = 0.9
    grandchildren_mean: float = 1.8
    parents_young_head: float = 0.3  # head under 35
    parents_middle_head: float = 0.25  # head 35-49
    sibling_share: float = 0.06
    other_relative_share: float = 0.08
    non_relative_share: float = 0.01


@dataclass
class Members:
    """The members of a block of households, one entry per person, in household order."""

    household: np.ndarray  # index of the household within the block
    age: np.ndarray  # exact age in years at the reference date
    male: np.ndarray
    relationship: np.ndarray  # codes above
    family_name_source: np.ndarray  # HOUSEHOLD_NAME, IN_LAW_NAME or OWN_NAME

    def __len__(self) -> int:
        return len(self.household)


def head_weights(model: HouseholdModel) -> tuple[np.ndarray, np.ndarray]:
    """Relative frequency of each age in HEAD_AGES among heads: (men, women), summing to 1."""
    ages = HEAD_AGES.astype(np.float64)
    becoming_head = 1.0 / (1.0 + np.exp(-(ages - 25.0) / 2.5))
    handing_over = 1.0 - 0.55 * np.clip((ages - 62.0) / 20.0, 0.0, 1.0)
    cohort = np.exp(-model.growth_rate * (ages - 17.0))
    female_share = np.interp(ages, [45.0, 75.0], [model.female_head_share_young,
                                                  model.female_head_share_old])
    common = becoming_head * handing_over * cohort
    men = common * (1.0 - female_share) * survival(ages + 0.5, np.full(ages.shape, True))
    women = common * female_share * survival(ages + 0.5, np.full(ages.shape, False))
    total = men.sum() + women.sum()
    return men / total, women / total


def _draw_heads(rng: np.random.Generator, count: int, model: HouseholdModel):
    men, women = head_weights(model)
    choice = rng.choice(2 * len(HEAD_AGES), size=count, p=np.concatenate([men, women]))
    male = choice < len(HEAD_AGES)
    age = HEAD_AGES[choice % len(HEAD_AGES)] + rng.random(count)
    return age, male


def _fill_children(rng, count, mother_age, model, present, age, male):
    """Children of the mother still at home, eldest first."""
    cohort_extra = model.births_per_year_older * np.clip(mother_age - 28.0, 0.0, None)
    expected = np.minimum(model.births_now + cohort_extra, model.births_max)
    births = rng.poisson(expected)
    first = model.first_birth_age_min + rng.gamma(model.first_birth_gamma_shape,
                                                   model.first_birth_gamma_scale, count)
    intervals = model.birth_interval_min + rng.gamma(
        model.birth_interval_gamma_shape, model.birth_interval_gamma_scale,
        (count, CHILD_SLOTS - 1))
    birth_age = first[:, None] + np.concatenate([np.zeros((count, 1)),
                                                 np.cumsum(intervals, axis=1)], axis=1)
    child_age = mother_age[:, None] - birth_age
    child_male = rng.random((count, CHILD_SLOTS)) < MALE_SHARE_AT_BIRTH
    born = ((np.arange(CHILD_SLOTS)[None, :] < births[:, None]) & (child_age >= 0.0)
            & (birth_age <= model.last_birth_age))
    alive = rng.random((count, CHILD_SLOTS)) < survival(np.maximum(child_age, 0.0), child_male)
    stays = rng.random((count, CHILD_SLOTS)) < np.interp(child_age, [0, 15, 19, 30, 40],
                                                         model.staying_at_home)
    present[:, SLOT_CHILDREN] = born & alive & stays
    age[:, SLOT_CHILDREN] = np.maximum(child_age, 0.0)
    male[:, SLOT_CHILDREN] = child_male


def _fill_stem_family(rng, count, head_age, mother_age, model, present, age, male, own_name):
    """A married child with spouse and young children, in some older households."""
    has_stem = (head_age >= model.stem_family_head_age) & (rng.random(count)
                                                           < model.stem_family_share)
    child_age = mother_age - rng.uniform(19.0, 33.0, count)
    has_stem &= child_age >= 18.0
    daughter = rng.random(count) < model.married_child_is_daughter
    in_law_age = np.where(daughter, child_age + rng.normal(3.0, 3.0, count),
                          child_age - rng.normal(3.0, 3.0, count))
    in_law_age = np.maximum(in_law_age, 17.0)
    in_law = has_stem & (rng.random(count) < model.child_in_law_present)
    present[:, SLOT_MARRIED_CHILD] = has_stem
    age[:, SLOT_MARRIED_CHILD] = child_age
    male[:, SLOT_MARRIED_CHILD] = ~daughter
    present[:, SLOT_CHILD_IN_LAW] = in_law
    age[:, SLOT_CHILD_IN_LAW] = in_law_age
    male[:, SLOT_CHILD_IN_LAW] = daughter
    own_name[:, SLOT_CHILD_IN_LAW] = IN_LAW_NAME
    # Grandchildren carry their father's name: the son-in-law's when the daughter stayed.
    young_mother_age = np.where(daughter, child_age, in_law_age)
    number = np.minimum(rng.poisson(model.grandchildren_mean, count), GRANDCHILD_SLOTS)
    gaps = 19.0 + np.cumsum(rng.gamma(2.0, 1.6, (count, GRANDCHILD_SLOTS)), axis=1)
    grandchild_age = young_mother_age[:, None] - gaps
    filled = (has_stem[:, None] & (np.arange(GRANDCHILD_SLOTS)[None, :] < number[:, None])
              & (grandchild_age >= 0.0))
    present[:, SLOT_GRANDCHILDREN] = filled
    age[:, SLOT_GRANDCHILDREN] = np.maximum(grandchild_age, 0.0)
    male[:, SLOT_GRANDCHILDREN] = rng.random((count, GRANDCHILD_SLOTS)) < MALE_SHARE_AT_BIRTH
    own_name[:, SLOT_GRANDCHILDREN] = np.where(daughter, IN_LAW_NAME, HOUSEHOLD_NAME)[:, None]


def _fill_parents(rng, count, head_age, model, present, age, male):
    share = np.select([head_age < 35.0, head_age < 50.0], [model.parents_young_head,
                                                             model.parents_middle_head], 0.0)
    lives_with_parents = rng.random(count) < share
    father_age = head_age + rng.normal(29.0, 4.0, count)
    mother_age = head_age + rng.normal(26.0, 4.0, count)
    for slot, parent_age, is_male in ((SLOT_FATHER, father_age, True),
                                      (SLOT_MOTHER, mother_age, False)):
        from_age = np.full(count, 45.0)
        alive = rng.random(count) < survival_between(from_age, np.maximum(parent_age, 45.0),
                                                     np.full(count, is_male))
        present[:, slot] = lives_with_parents & alive & (parent_age < MAX_AGE)
        age[:, slot] = parent_age
        male[:, slot] = is_male


def _fill_others(rng, count, head_age, model, present, age, male, own_name):
    present[:, SLOT_SIBLING] = rng.random(count) < model.sibling_share
    age[:, SLOT_SIBLING] = np.maximum(head_age + rng.normal(-3.0, 6.0, count), 15.0)
    male[:, SLOT_SIBLING] = rng.random(count) < 0.5
    present[:, SLOT_OTHER_RELATIVE] = rng.random(count) < model.other_relative_share
    age[:, SLOT_OTHER_RELATIVE] = rng.uniform(5.0, 22.0, count)
    male[:, SLOT_OTHER_RELATIVE] = rng.random(count) < 0.5
    own_name[:, SLOT_OTHER_RELATIVE] = np.where(rng.random(count) < 0.5, OWN_NAME,
                                                HOUSEHOLD_NAME)
    present[:, SLOT_NON_RELATIVE] = rng.random(count) < model.non_relative_share
    age[:, SLOT_NON_RELATIVE] = rng.uniform(16.0, 45.0, count)
    male[:, SLOT_NON_RELATIVE] = rng.random(count) < 0.5
    own_name[:, SLOT_NON_RELATIVE] = OWN_NAME


def compose(rng: np.random.Generator, count: int,
            model: HouseholdModel = HouseholdModel()) -> Members:
    """Draw `count` households and return their members, head first in each household."""
    present = np.zeros((count, SLOTS), dtype=bool)
    age = np.zeros((count, SLOTS), dtype=np.float64)
    male = np.zeros((count, SLOTS), dtype=bool)
    own_name = np.zeros((count, SLOTS), dtype=np.int8)

    head_age, head_male = _draw_heads(rng, count, model)
    present[:, SLOT_HEAD] = True
    age[:, SLOT_HEAD] = head_age
    male[:, SLOT_HEAD] = head_male

    gap = rng.normal(model.husband_age_gap_mean, model.husband_age_gap_sd, count)
    spouse_age = np.maximum(np.where(head_male, head_age - gap, head_age + gap), 16.0)
    married = rng.random(count) < np.where(head_male, model.married_male_head,
                                           model.married_female_head)
    # The spouse has survived since the wedding (the head's own survival is in the head ages).
    spouse_alive = rng.random(count) < survival_between(
        np.minimum(spouse_age, 25.0), spouse_age, ~head_male)
    present[:, SLOT_SPOUSE] = married & spouse_alive & (spouse_age < MAX_AGE)
    age[:, SLOT_SPOUSE] = spouse_age
    male[:, SLOT_SPOUSE] = ~head_male

    mother_age = np.where(head_male, np.where(present[:, SLOT_SPOUSE], spouse_age,
                                              head_age - model.husband_age_gap_mean), head_age)
    _fill_children(rng, count, mother_age, model, present, age, male)
    _fill_stem_family(rng, count, head_age, mother_age, model, present, age, male, own_name)
    _fill_parents(rng, count, head_age, model, present, age, male)
    _fill_others(rng, count, head_age, model, present, age, male, own_name)

    age = np.minimum(age, MAX_AGE - 0.01)
    household_index = np.broadcast_to(np.arange(count)[:, None], (count, SLOTS))
    relationship = np.broadcast_to(SLOT_RELATIONSHIP[None, :], (count, SLOTS))
    return Members(
        household=household_index[present].astype(np.int64),
        age=age[present],
        male=male[present],
        relationship=relationship[present],
        family_name_source=own_name[present],
    )
