"""Benefit rules as tables of worked cases, written from the sources' own wording.

Each case says what the source says (lao-facts.md §2 and §9, source numbers in brackets), the
member's record, the event date and the amount worked by hand. Cases sit on both sides of every
change in the law: Decree 207/PM (1999) against the 2013 law (from the chosen 1 Jan 2014), the
2013 law against the 2025 decree (2 Jun 2025), each qualifying threshold at n-1 and n months,
ages the day before and on the birthday. No database is touched.
"""

from __future__ import annotations

import numpy as np
import pytest

from pakan.rules.benefits import ContributionHistory, RulesError, assess

EE, CS, PM, VOL = "enterprise_employee", "civil_servant", "police_military", "voluntary"


def record(birth: str, sex: str, first_month: str, months: int, wage=3_000_000,
           category: str = EE, gap_after: int | None = None) -> ContributionHistory:
    """`months` consecutive counted months from `first_month` at `wage` (one or one per month)."""
    month_list = np.arange(np.datetime64(first_month, "M"),
                           np.datetime64(first_month, "M") + months)
    if gap_after is not None:
        month_list[gap_after:] += 12  # a year without contributions after `gap_after` months
    wages = wage if isinstance(wage, list) else [wage] * months
    return ContributionHistory.single(birth_date=birth, sex=sex, category=category,
                                      months=month_list, wages=wages)


def one(branch: str, history: ContributionHistory, event: str, **facts):
    given = {name: np.array([value]) for name, value in facts.items()}
    for name in ("beneficiary_birth_date",):
        if name in given:
            given[name] = given[name].astype("datetime64[D]")
    if "last_benefit_month" in given:
        given["last_benefit_month"] = given["last_benefit_month"].astype("datetime64[M]")
    return assess(branch, history, np.array([event], dtype="datetime64[D]"), given)


def outcome(result) -> tuple:
    return (str(result.refusal[0]) or str(result.variant[0]), int(result.monthly_amount[0]),
            int(result.lump_sum[0]))


# (case, history, event date, facts, expected (variant or refusal, monthly, lump sum), regime)
OLD_AGE = [
    # --- Decree 207/PM (1999) [77][78][79]: "pension at 60 with >= 5 years";
    # "total pension points x average covered earnings in the last 12 months x 1.5%".
    ("1999: 60, 9 years: 1.5% x 9 points x 1,000,000",
     record("1950-01-15", "M", "2001-07", 108, 1_000_000), "2010-07-01", {},
     ("normal", 135_000, 0), "decree_207_1999"),
    ("1999: exactly 5 years (60 months): 7.5%",
     record("1950-01-15", "M", "2005-07", 60, 1_000_000), "2010-07-01", {},
     ("normal", 75_000, 0), "decree_207_1999"),
    ("1999: 59 months at 60: the old-age lump sum (provisional 1 month a year)",
     record("1950-01-15", "M", "2005-08", 59, 1_000_000), "2010-07-01", {},
     ("lump_sum", 0, 4_916_667), "decree_207_1999"),
    ("1999: a woman also at 60 (no other age is described)",
     record("1950-01-15", "F", "2001-07", 108, 1_000_000), "2010-07-01", {},
     ("normal", 135_000, 0), "decree_207_1999"),
    ("1999: 'early pension at 55' with >= 5 years, no reduction found",
     record("1953-01-15", "F", "2001-07", 72, 1_000_000), "2010-07-01", {},
     ("early", 90_000, 0), "decree_207_1999"),
    ("1999: 54 is below the early age",
     record("1956-01-15", "M", "2001-07", 72, 1_000_000), "2010-07-01", {},
     ("below_age", 0, 0), "decree_207_1999"),
    ("1999: 'deferred pension at 65': claimed at 63, no increment found",
     record("1947-01-15", "M", "2001-07", 108, 1_000_000), "2010-07-01", {},
     ("deferred", 135_000, 0), "decree_207_1999"),
    ("1999: the average is of the last 12 counted months only",
     record("1950-01-15", "M", "2001-07", 108, [500_000] * 96 + [1_200_000] * 12),
     "2010-07-01", {}, ("normal", 162_000, 0), "decree_207_1999"),
    ("31 Dec 2013 is still the 1999 decree",
     record("1953-12-01", "M", "2003-01", 120, 1_000_000), "2013-12-31", {},
     ("normal", 150_000, 0), "decree_207_1999"),
    # --- 2013 law, enterprise, [12] (UNCERTAIN): 60 men / 55 women with >= 15 years;
    # [18]: "enterprise pension rate 75% with >= 15 years".
    ("1 Jan 2014: the 2013 law: 15 years at 60 give 75% (10 years give the lump sum)",
     record("1953-12-01", "M", "2004-01", 120, 1_000_000), "2014-01-01", {},
     ("lump_sum", 0, 12_750_000), "law_2013"),
    ("2013 law: 60 with 15 years: 75% of the last 12 months' average",
     record("1964-01-01", "M", "2009-01", 180, 2_000_000), "2024-01-10", {},
     ("normal", 1_500_000, 0), "law_2013"),
    ("2013 law: 179 months: lump sum 85% x last wage x 1.5 x 179/12",
     record("1964-01-01", "M", "2009-02", 179, 2_000_000), "2024-01-10", {},
     ("lump_sum", 0, 38_037_500), "law_2013"),
    ("2013 law: a woman at 55 with 15 years",
     record("1969-01-01", "F", "2009-01", 180, 2_000_000), "2024-01-10", {},
     ("normal", 1_500_000, 0), "law_2013"),
    ("2013 law: a man at 55 is below age", record("1969-01-01", "M", "2009-01", 180, 2_000_000),
     "2024-01-10", {}, ("below_age", 0, 0), "law_2013"),
    ("2013 law: the day before the 60th birthday", record("1964-01-11", "M", "2009-01", 180),
     "2024-01-10", {}, ("below_age", 0, 0), "law_2013"),
    ("2013 law: on the 60th birthday", record("1964-01-10", "M", "2009-01", 180),
     "2024-01-10", {}, ("normal", 2_250_000, 0), "law_2013"),
    ("2013 law: woman 50 after 5 years of hazardous work ('55 / 50')",
     record("1974-01-01", "F", "2009-01", 180, 2_000_000), "2024-01-10",
     {"hazardous_work_years": 5}, ("early", 1_500_000, 0), "law_2013"),
    ("2013 law: 4 years of hazardous work are not enough",
     record("1974-01-01", "F", "2009-01", 180, 2_000_000), "2024-01-10",
     {"hazardous_work_years": 4}, ("below_age", 0, 0), "law_2013"),
    ("2013 law: hazardous work but 14 years: not enough contributions",
     record("1974-01-01", "F", "2010-01", 168, 2_000_000), "2024-01-10",
     {"hazardous_work_years": 5}, ("not_enough_contributions", 0, 0), "law_2013"),
    ("2013 law: 'up to 3 years early if in poor health': man 57, category 3",
     record("1967-01-01", "M", "2009-01", 180, 2_000_000), "2024-01-10",
     {"disability_category": 3}, ("early", 1_500_000, 0), "law_2013"),
    ("2013 law: poor health at 56 is too early",
     record("1968-01-01", "M", "2009-01", 180, 2_000_000), "2024-01-10",
     {"disability_category": 3}, ("below_age", 0, 0), "law_2013"),
    ("2013 law: 30 years: still 75% (no accrual found, 75% taken as the maximum)",
     record("1964-01-01", "M", "1994-01", 360, 2_000_000), "2024-01-10", {},
     ("normal", 1_500_000, 0), "law_2013"),
    ("voluntary members follow the enterprise rules (provisional)",
     record("1969-01-01", "F", "2009-01", 180, 2_000_000, VOL), "2024-01-10", {},
     ("normal", 1_500_000, 0), "law_2013"),
    ("no contribution month at all: not insured",
     record("1964-01-01", "M", "2025-01", 0), "2024-01-10", {}, ("not_insured", 0, 0),
     "law_2013"),
    # --- 2025 decree [89][13]: ">= 25 years"; "57–60 men, 55–60 women"; "23 to < 25 years
    # still give a pension, reduced by 1 point per missing year".
    ("1 Jun 2025: 24 years under the 2013 law: 75%",
     record("1965-01-01", "M", "2001-05", 288, 2_000_000), "2025-06-01", {},
     ("normal", 1_500_000, 0), "law_2013"),
    ("2 Jun 2025: the same 24 years under the decree: 74%",
     record("1965-01-01", "M", "2001-05", 288, 2_000_000), "2025-06-02", {},
     ("normal", 1_480_000, 0), "decree_2025"),
    ("2025 decree: 23 years: 73%",
     record("1965-01-01", "M", "2002-05", 276, 2_000_000), "2025-06-02", {},
     ("normal", 1_460_000, 0), "decree_2025"),
    ("1 Jun 2025: 22 years is a pension under the 2013 law",
     record("1965-01-01", "M", "2003-05", 264, 2_000_000), "2025-06-01", {},
     ("normal", 1_500_000, 0), "law_2013"),
    ("2 Jun 2025: 22 years give the lump sum: 85% x 2,000,000 x 1.5 x 264/12",
     record("1965-01-01", "M", "2003-05", 264, 2_000_000), "2025-06-02", {},
     ("lump_sum", 0, 56_100_000), "decree_2025"),
    ("2025 decree: a man at 57 (the band's lower end) with 25 years",
     record("1968-06-01", "M", "2000-05", 300, 2_000_000), "2025-06-02", {},
     ("normal", 1_500_000, 0), "decree_2025"),
    ("2025 decree: a man at 56 is below age",
     record("1969-06-01", "M", "2000-05", 300, 2_000_000), "2025-06-02", {},
     ("below_age", 0, 0), "decree_2025"),
    ("2025 decree: a man of 59 was below the 2013 law's 60 the day before",
     record("1966-06-01", "M", "2000-05", 300, 2_000_000), "2025-06-01", {},
     ("below_age", 0, 0), "law_2013"),
    ("2025 decree: a woman at 55 with 25 years",
     record("1970-06-01", "F", "2000-05", 300, 2_000_000), "2025-06-02", {},
     ("normal", 1_500_000, 0), "decree_2025"),
    ("2025 decree: early at 50 (women) with 20 years after hazardous work: 75% - 5 points",
     record("1975-01-01", "F", "2005-05", 240, 2_000_000), "2025-07-01",
     {"hazardous_work_years": 5}, ("early", 1_400_000, 0), "decree_2025"),
    ("2025 decree: 19 years is too few for the early pension",
     record("1975-01-01", "F", "2006-05", 228, 2_000_000), "2025-07-01",
     {"hazardous_work_years": 5}, ("not_enough_contributions", 0, 0), "decree_2025"),
    ("2025 decree: pre-1975 service: 6 years credit 2 (23 + 2 = 25 years)",
     record("1968-01-01", "M", "2002-05", 276, 2_000_000), "2025-07-01",
     {"service_years_before_1975": 6}, ("normal", 1_500_000, 0), "decree_2025"),
    ("2025 decree: early at 55 for pre-1975 revolutionaries with 20 years",
     record("1970-01-01", "M", "2005-05", 240, 2_000_000), "2025-07-01",
     {"started_before_1975": True}, ("early", 1_400_000, 0), "decree_2025"),
    # --- Civil servants, 2013/2018 law [85a]: "age 60 (men and women) with >= 25 years";
    # "pension = rate x last month's insured salary"; "+1 point per year beyond the base";
    # [18] "at most 85%". Base 75% at 25 years is provisional.
    ("civil servant 2024: 30 years: 80% of the last month's salary",
     record("1964-01-01", "M", "1993-12", 360, [3_000_000] * 359 + [3_100_000], CS),
     "2024-01-10", {}, ("normal", 2_480_000, 0), "law_2013"),
    ("civil servant 2024: 36 years reach the 85% maximum",
     record("1964-01-01", "M", "1988-01", 432, 3_000_000, CS), "2024-01-10", {},
     ("normal", 2_550_000, 0), "law_2013"),
    ("civil servant 2024: a woman at 55 is below the public scheme's 60",
     record("1969-01-01", "F", "1994-01", 300, 3_000_000, CS), "2024-01-10", {},
     ("below_age", 0, 0), "law_2013"),
    ("civil servant 2024: '20 years at 50 (women)' after toxic work: 70%",
     record("1974-01-01", "F", "2004-01", 240, 3_000_000, CS), "2024-01-10",
     {"hazardous_work_years": 5}, ("early", 2_100_000, 0), "law_2013"),
    ("civil servant 2024: 24 years at 60: the lump sum",
     record("1964-01-01", "F", "2000-01", 288, 3_000_000, CS), "2024-01-10", {},
     ("lump_sum", 0, 91_800_000), "law_2013"),
    ("civil servant before the 2013 law: no rules encoded (Decree 70/PM NOT FOUND)",
     record("1953-01-01", "M", "1990-01", 300, 1_000_000, CS), "2013-12-31", {},
     ("no_rules_for_date", 0, 0), "decree_207_1999"),
    ("police and military follow the civil-servant rules (provisional)",
     record("1964-01-01", "M", "1993-12", 360, 3_000_000, PM), "2024-01-10", {},
     ("normal", 2_400_000, 0), "law_2013"),
]


@pytest.mark.parametrize(("case", "history", "event", "facts", "expected", "regime"), OLD_AGE,
                         ids=[case[0] for case in OLD_AGE])
def test_old_age(case, history, event, facts, expected, regime):
    result = one("old_age", history, event, **facts)
    assert outcome(result) == expected
    assert result.regime[0] == regime
    assert result.qualifies[0] == (expected[0] in ("normal", "early", "deferred", "lump_sum"))
    assert result.kind[0] == {"lump_sum": "lump_sum", "normal": "periodic", "early": "periodic",
                              "deferred": "periodic"}.get(expected[0], "")
    if result.kind[0] == "periodic":
        assert np.isnat(result.end_date[0])


def test_a_pension_before_the_scheme_existed_has_no_rules():
    result = one("old_age", record("1940-01-01", "M", "1999-01", 12), "2001-06-30")
    assert (result.refusal[0], result.regime[0]) == ("no_rules_for_date", "")


S = record("1980-01-01", "M", "2024-01", 18, 3_000_000)  # 18 months to Jun 2025
SICKNESS = [
    # [83]: ">= 1 month if work accident or occupational disease; >= 3 months otherwise";
    # "80% of the average of the last 6 months for at most 6 months; then 70% for 6 more".
    ("work accident, 45 days: 80% x 3,000,000 x 45/30", S, "2025-07-01",
     {"work_related": True, "days": 45}, ("allowance", 0, 3_600_000)),
    ("work accident, 200 days: 180 at 80% + 20 at 70%", S, "2025-07-01",
     {"work_related": True, "days": 200}, ("allowance", 0, 15_800_000)),
    ("work accident, 400 days: 180 at 80% + 180 at 70%, no more", S, "2025-07-01",
     {"work_related": True, "days": 400}, ("allowance", 0, 27_000_000)),
    ("work accident, a second certificate after 170 days already paid", S, "2025-07-01",
     {"work_related": True, "days": 20, "days_already_paid": 170},
     ("allowance", 0, 1_500_000)),
    ("work accident, 360 days already paid: nothing left", S, "2025-07-01",
     {"work_related": True, "days": 10, "days_already_paid": 360},
     ("duration_exhausted", 0, 0)),
    ("work accident in the first month after 1 contribution month",
     record("1980-01-01", "M", "2025-06", 1), "2025-07-01", {"work_related": True, "days": 30},
     ("allowance", 0, 2_400_000)),
    ("work accident with no contribution month", record("1980-01-01", "M", "2025-07", 1),
     "2025-07-01", {"work_related": True, "days": 30}, ("not_insured", 0, 0)),
    ("illness after 2 months: 3 are needed", record("1980-01-01", "M", "2025-05", 2),
     "2025-07-01", {"days": 10}, ("not_enough_contributions", 0, 0)),
    ("illness after 3 months: provisional 70% for 10 days",
     record("1980-01-01", "M", "2025-04", 3), "2025-07-01", {"days": 10},
     ("allowance", 0, 700_000)),
    ("illness, 200 days: the provisional non-work benefit stops at 6 months", S, "2025-07-01",
     {"days": 200}, ("allowance", 0, 12_600_000)),
    ("the average of the last 6 counted months: 1..6 million",
     record("1980-01-01", "M", "2025-01", 6, [1_000_000, 2_000_000, 3_000_000, 4_000_000,
                                              5_000_000, 6_000_000]),
     "2025-07-01", {"work_related": True, "days": 30}, ("allowance", 0, 2_800_000)),
    ("an average of 1,000,000.5 rounds half up",
     record("1980-01-01", "M", "2025-05", 2, [1_000_000, 1_000_001]), "2025-07-01",
     {"work_related": True, "days": 30}, ("allowance", 0, 800_001)),
    ("2013: before the 2013 law no sickness rule is encoded", S, "2013-06-01",
     {"work_related": True, "days": 10}, ("no_rules_for_date", 0, 0)),
]


@pytest.mark.parametrize(("case", "history", "event", "facts", "expected"), SICKNESS,
                         ids=[case[0] for case in SICKNESS])
def test_sickness(case, history, event, facts, expected):
    assert outcome(one("sickness", history, event, **facts)) == expected


M = record("1995-01-01", "F", "2024-10", 9, 3_000_000)  # 9 months to Jun 2025
MATERNITY = [
    # [82]: "birth after >= 6 months of pregnancy: >= 9 months of contributions"; "miscarriage
    # after 2–5 months: >= 6 months"; grant "60% of the last 6 months' average, per child";
    # allowance "80% ... maximum 105 days; 120 days for twins".
    ("birth after 9 months of contributions: 60% grant + 80% for 105 days", M, "2025-07-01",
     {}, ("grant_and_allowance", 0, 1_800_000 + 8_400_000)),
    ("birth after 8 months of contributions", record("1995-01-01", "F", "2024-11", 8),
     "2025-07-01", {}, ("not_enough_contributions", 0, 0)),
    ("twins: two grants and 120 days", M, "2025-07-01", {"children": 2},
     ("grant_and_allowance", 0, 3_600_000 + 9_600_000)),
    ("miscarriage at 5 months after 6 months of contributions (provisional 42 days)",
     record("1995-01-01", "F", "2025-01", 6), "2025-07-01", {"pregnancy_months": 5},
     ("grant_and_allowance", 0, 1_800_000 + 3_360_000)),
    ("miscarriage at 5 months after 5 months of contributions",
     record("1995-01-01", "F", "2025-02", 5), "2025-07-01", {"pregnancy_months": 5},
     ("not_enough_contributions", 0, 0)),
    ("6 months of pregnancy is a birth: 6 contribution months are not enough",
     record("1995-01-01", "F", "2025-01", 6), "2025-07-01", {"pregnancy_months": 6},
     ("not_enough_contributions", 0, 0)),
    ("a pregnancy of 1 month is not covered", M, "2025-07-01", {"pregnancy_months": 1},
     ("event_not_covered", 0, 0)),
    ("a man cannot claim for himself", record("1990-01-01", "M", "2024-10", 9), "2025-07-01",
     {}, ("event_not_covered", 0, 0)),
    ("the wife of an insured man gets the grant on his record, no allowance",
     record("1990-01-01", "M", "2024-10", 9), "2025-07-01", {"claimant_is_spouse": True},
     ("grant", 0, 1_800_000)),
]


@pytest.mark.parametrize(("case", "history", "event", "facts", "expected"), MATERNITY,
                         ids=[case[0] for case in MATERNITY])
def test_maternity(case, history, event, facts, expected):
    assert outcome(one("maternity", history, event, **facts)) == expected


FUNERAL = [
    # [88]: ">= 3 months of contributions within the last 6 months"; amount NOT FOUND
    # (provisional: 1 month of the 6-month average).
    ("3 months within the last 6", record("1970-01-01", "M", "2025-04", 3), "2025-07-15",
     ("grant", 0, 3_000_000)),
    ("2 months within the last 6", record("1970-01-01", "M", "2025-05", 2), "2025-07-15",
     ("not_enough_contributions", 0, 0)),
    ("3 months, but one is 7 months before the death",
     record("1970-01-01", "M", "2024-12", 3, gap_after=1), "2025-07-15",
     ("not_enough_contributions", 0, 0)),
    ("long record ending 6 months before the death: months 1–6 before count",
     record("1970-01-01", "M", "2015-01", 120, 2_000_000), "2025-04-01",
     ("grant", 0, 2_000_000)),
]


@pytest.mark.parametrize(("case", "history", "event", "expected"), FUNERAL,
                         ids=[case[0] for case in FUNERAL])
def test_funeral(case, history, event, expected):
    assert outcome(one("funeral", history, event)) == expected


INJURY = [
    # [84]: ">= 1 month"; temporary "80% of the last 6 months' average, at most 6 months";
    # permanent: [18] 6 categories, category 1 = 80%, 10 points less each (inference).
    ("temporary, 30 days", "temporary", {"days": 30}, ("temporary", 0, 2_400_000)),
    ("temporary, 200 days: at most 6 months (180 days) paid", "temporary", {"days": 200},
     ("temporary", 0, 14_400_000)),
    ("temporary, a new certificate after 180 days", "temporary",
     {"days": 30, "days_already_paid": 180}, ("duration_exhausted", 0, 0)),
    ("permanent, category 1: 80%", "permanent", {"incapacity_category": 1},
     ("permanent", 2_400_000, 0)),
    ("permanent, category 6: 30%", "permanent", {"incapacity_category": 6},
     ("permanent", 900_000, 0)),
]


@pytest.mark.parametrize(("case", "incapacity", "facts", "expected"), INJURY,
                         ids=[case[0] for case in INJURY])
def test_employment_injury(case, incapacity, facts, expected):
    history = record("1985-01-01", "M", "2025-01", 6)
    result = one("employment_injury", history, "2025-07-01", incapacity=incapacity, **facts)
    assert outcome(result) == expected
    assert result.kind[0] in ("lump_sum" if incapacity == "temporary" else "periodic", "")


def test_employment_injury_needs_one_month_not_a_year():
    first_month = record("1985-01-01", "M", "2025-06", 1)
    result = one("employment_injury", first_month, "2025-07-02", incapacity="permanent",
                 incapacity_category=2)
    assert outcome(result) == ("permanent", 2_100_000, 0)
    none = record("1985-01-01", "M", "2025-07", 1)
    assert one("employment_injury", none, "2025-07-02", incapacity="temporary",
               days=3).refusal[0] == "not_insured"


@pytest.mark.parametrize(("months", "category", "expected"), [
    (59, 3, ("not_enough_contributions", 0, 0)),  # provisional 60 months
    (60, 3, ("pension", 1_800_000, 0)),  # category 3: 60%
    (60, 1, ("pension", 2_400_000, 0)),
])
def test_invalidity(months, category, expected):
    history = record("1975-01-01", "F", "2020-07", months) if months == 59 else record(
        "1975-01-01", "F", "2020-06", months)
    result = one("invalidity", history, "2025-07-01", incapacity_category=category)
    assert outcome(result) == expected


DECEASED = record("1965-01-01", "M", "2020-06", 60, [3_000_000] * 59 + [2_000_000])
SURVIVORS = [
    # [87]: deceased ">= 5 years (60 months)"; spouse "husband >= 60 or wife >= 55, with no
    # income and not remarried, or disabled": 30%; children "<= 18", 20%; parents "father
    # >= 60, mother >= 55"; [12]: "30% for one parent, 50% for both", "last insurable earnings".
    ("widow 55, no income: 30% of the last wage", DECEASED,
     {"relationship": "spouse", "beneficiary_birth_date": "1970-06-30"}, ("spouse", 600_000, 0)),
    ("widow 54, 55 the next day", DECEASED,
     {"relationship": "spouse", "beneficiary_birth_date": "1970-07-02"},
     ("below_age", 0, 0)),
    ("widow 55 with an income", DECEASED,
     {"relationship": "spouse", "beneficiary_birth_date": "1960-01-01",
      "beneficiary_has_income": True}, ("not_a_dependant", 0, 0)),
    ("widow who remarried", DECEASED,
     {"relationship": "spouse", "beneficiary_birth_date": "1960-01-01",
      "beneficiary_remarried": True}, ("not_a_dependant", 0, 0)),
    ("disabled widow of 40", DECEASED,
     {"relationship": "spouse", "beneficiary_birth_date": "1985-01-01",
      "beneficiary_disabled": True}, ("spouse", 600_000, 0)),
    ("widower 59 of an insured woman (sex taken as the other one)",
     record("1965-01-01", "F", "2020-06", 60), {"relationship": "spouse",
                                                "beneficiary_birth_date": "1966-01-01"},
     ("below_age", 0, 0)),
    ("widower 60", record("1965-01-01", "F", "2020-06", 60),
     {"relationship": "spouse", "beneficiary_birth_date": "1965-07-01"},
     ("spouse", 900_000, 0)),
    ("child of 17: 20%", DECEASED, {"relationship": "child",
                                    "beneficiary_birth_date": "2008-01-01"},
     ("child", 400_000, 0)),
    ("child exactly 18 at the death", DECEASED,
     {"relationship": "child", "beneficiary_birth_date": "2007-07-01"},
     ("not_a_dependant", 0, 0)),
    ("disabled child of 25", DECEASED,
     {"relationship": "child", "beneficiary_birth_date": "2000-01-01",
      "beneficiary_disabled": True}, ("child", 400_000, 0)),
    ("child born after the father's death", DECEASED,
     {"relationship": "child", "beneficiary_birth_date": "2025-12-01"}, ("child", 400_000, 0)),
    ("one supported mother of 55: 30%", DECEASED,
     {"relationship": "parent", "beneficiary_birth_date": "1940-01-01",
      "beneficiary_sex": "F"}, ("parent", 600_000, 0)),
    ("both parents supported: 50% shared, 25% each", DECEASED,
     {"relationship": "parent", "beneficiary_birth_date": "1940-01-01",
      "beneficiary_sex": "M", "parents_supported": 2}, ("parent", 500_000, 0)),
    ("father of 59", DECEASED, {"relationship": "parent",
                                "beneficiary_birth_date": "1966-01-01", "beneficiary_sex": "M"},
     ("below_age", 0, 0)),
    ("deceased with 59 months", record("1965-01-01", "M", "2020-07", 59),
     {"relationship": "spouse", "beneficiary_birth_date": "1960-01-01"},
     ("not_enough_contributions", 0, 0)),
]


@pytest.mark.parametrize(("case", "history", "facts", "expected"), SURVIVORS,
                         ids=[case[0] for case in SURVIVORS])
def test_survivors(case, history, facts, expected):
    assert outcome(one("survivors", history, "2025-07-01", **facts)) == expected


def test_a_child_is_paid_until_the_day_before_the_18th_birthday():
    result = one("survivors", DECEASED, "2025-07-01", relationship="child",
                 beneficiary_birth_date="2008-03-15")
    assert str(result.end_date[0]) == "2026-03-14"
    spouse = one("survivors", DECEASED, "2025-07-01", relationship="spouse",
                 beneficiary_birth_date="1960-01-01")
    assert np.isnat(spouse.end_date[0])


UNEMPLOYMENT = [
    # [85][86]: ">= 12 months within the last 24"; causes; "certified unemployed >= 30 days";
    # "a previous recipient must have >= 12 further months"; "60% of the insured salary".
    ("12 months within the last 24", record("1985-01-01", "M", "2024-07", 12), {},
     ("allowance", 1_800_000, 0)),
    ("11 months within the last 24", record("1985-01-01", "M", "2024-08", 11), {},
     ("not_enough_contributions", 0, 0)),
    ("12 months, but older than 24 months", record("1985-01-01", "M", "2022-06", 12), {},
     ("not_enough_contributions", 0, 0)),
    ("29 days certified unemployed", record("1985-01-01", "M", "2024-07", 12),
     {"unemployed_days": 29}, ("event_not_covered", 0, 0)),
    ("previous benefit, 11 months since", record("1985-01-01", "M", "2023-01", 30),
     {"last_benefit_month": "2024-07"}, ("not_enough_contributions", 0, 0)),
    ("previous benefit, 12 months since", record("1985-01-01", "M", "2023-01", 30),
     {"last_benefit_month": "2024-06"}, ("allowance", 1_800_000, 0)),
    ("a civil servant is not covered (provisional)",
     record("1985-01-01", "M", "2024-07", 12, category=CS), {}, ("event_not_covered", 0, 0)),
]


@pytest.mark.parametrize(("case", "history", "facts", "expected"), UNEMPLOYMENT,
                         ids=[case[0] for case in UNEMPLOYMENT])
def test_unemployment(case, history, facts, expected):
    result = one("unemployment", history, "2025-07-01", cause="bankruptcy", **facts)
    assert outcome(result) == expected
    if result.qualifies[0]:
        assert str(result.end_date[0]) == "2025-09-30"  # provisional 3 months


def test_every_cause_in_the_source_is_covered():
    history = record("1985-01-01", "M", "2024-07", 12)
    for cause in ("bankruptcy", "closure", "project_end", "disaster", "downsizing"):
        assert one("unemployment", history, "2025-07-01", cause=cause).qualifies[0], cause
    with pytest.raises(RulesError) as error:
        one("unemployment", history, "2025-07-01", cause="resigned")
    assert error.value.field == "cause" and error.value.row == 0
