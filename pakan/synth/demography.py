"""Demographic inputs of the synthetic population (shared/domain/lao-facts.md §5, §4, §7).

Only the figures the facts file gives are taken as targets: province sizes from the 2015
census, about 31% under 15 and 4.6% aged 65 or more, a sex ratio at birth of 1.04, life
expectancy about 66 for men and 69-70 for women, about 15,000 UXO survivors alive in 2012.
Everything else here (the shape of mortality by age, where UXO survivors live, disability
prevalence) is an assumption, stated where it is made.
"""

from __future__ import annotations

import numpy as np

# Population by province at the 2015 census (lao-facts §5). Sekong is the census total minus
# the other 17 provinces, as the facts file explains.
CENSUS_2015_POPULATION: dict[str, int] = {
    "01": 820_940, "02": 177_989, "03": 175_753, "04": 307_622, "05": 179_243,
    "06": 431_889, "07": 289_393, "08": 381_376, "09": 244_684, "10": 419_090,
    "11": 273_691, "12": 392_052, "13": 969_697, "14": 396_942, "15": 113_048,
    "16": 694_023, "17": 139_628, "18": 85_168,
}
NATIONAL_POPULATION = 7_500_000  # planning figure for national scale (DESIGN.md)
NATIONAL_VILLAGES = 8_500  # about 8,654 around 2012 (lao-facts §5); DESIGN.md plans 8,500
SEX_RATIO_AT_BIRTH = 1.04
MALE_SHARE_AT_BIRTH = SEX_RATIO_AT_BIRTH / (1.0 + SEX_RATIO_AT_BIRTH)
TARGET_SHARE_UNDER_15 = 0.31
TARGET_SHARE_65_PLUS = 0.046
TARGET_LIFE_EXPECTANCY = {"M": 66.0, "F": 69.5}

# Mortality: a falling child hazard plus Gompertz-Makeham for adults,
#   mu(x) = a * exp(-b x) + A + B * exp(c x),
# with B fitted so that life expectancy at birth is 66.0 (men) and 69.5 (women) and the first
# year's death probability is about 3.1-3.6% (IMR 35 per 1,000 in 2024, lao-facts §7).
CHILD_HAZARD = {"M": 0.060, "F": 0.052}
CHILD_HAZARD_DECAY = 1.2
BACKGROUND_HAZARD = 0.0012
GOMPERTZ_LEVEL = {"M": 1.0116e-4, "F": 7.4991e-5}
GOMPERTZ_SLOPE = 0.085


def cumulative_hazard(age: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Integral of mu from birth to `age` (years), in closed form."""
    age = np.asarray(age, dtype=np.float64)
    male = np.asarray(male, dtype=bool)
    child = np.where(male, CHILD_HAZARD["M"], CHILD_HAZARD["F"])
    level = np.where(male, GOMPERTZ_LEVEL["M"], GOMPERTZ_LEVEL["F"])
    return (child / CHILD_HAZARD_DECAY * (1.0 - np.exp(-CHILD_HAZARD_DECAY * age))
            + BACKGROUND_HAZARD * age
            + level / GOMPERTZ_SLOPE * np.expm1(GOMPERTZ_SLOPE * age))


def survival(age: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Probability of being alive at `age`, from birth."""
    return np.exp(-cumulative_hazard(age, male))


def survival_between(from_age: np.ndarray, to_age: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Probability that someone alive at `from_age` is still alive at `to_age` (≥ from_age)."""
    return np.exp(cumulative_hazard(from_age, male) - cumulative_hazard(to_age, male))


def life_expectancy(sex: str, step: float = 0.01) -> float:
    ages = np.arange(0.0, 125.0, step)
    alive = survival(ages, np.full(ages.shape, sex == "M"))
    return float(np.trapezoid(alive, ages))


# UXO (lao-facts §4): about 15,000 survivors living in 2012, for 6.5 million people then, so
# about 0.2% of the population. Assumption: the most contaminated provinces (Xiengkhouang,
# the south and Houaphanh) have several times the national rate, four survivors in five are men,
# and nobody under 10 is a survivor (accidents of the past, and children are asked about less).
UXO_SURVIVOR_SHARE = 15_000 / 7_500_000
UXO_PROVINCE_WEIGHT: dict[str, float] = {
    "01": 0.2, "02": 0.3, "03": 0.3, "04": 0.3, "05": 0.3, "06": 1.0, "07": 2.0, "08": 0.3,
    "09": 4.0, "10": 0.5, "11": 1.0, "12": 1.5, "13": 2.5, "14": 2.5, "15": 2.5, "16": 1.5,
    "17": 2.5, "18": 1.5,
}
UXO_MALE_SHARE = 0.8
UXO_MIN_AGE = 10


def uxo_base_rate(share_aged_10_plus: float = 0.78) -> float:
    """The rate for weight 1, so that the national share comes out at UXO_SURVIVOR_SHARE."""
    total = sum(CENSUS_2015_POPULATION.values())
    mean_weight = sum(UXO_PROVINCE_WEIGHT[code] * people / total
                      for code, people in CENSUS_2015_POPULATION.items())
    return UXO_SURVIVOR_SHARE / (mean_weight * share_aged_10_plus)
