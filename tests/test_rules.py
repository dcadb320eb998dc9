"""Dated legal parameters and social security formulas, as tables of worked cases.

Expected amounts are worked by hand from shared/domain/lao-facts.md §1 and §9.2, not from the
code: e.g. 5.5% of 3,000,000 = 165,000. No database is touched.
"""

from __future__ import annotations

import ast
import datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pakan.rules import social_security as ss
from pakan.rules.legal_parameters import (
    PARAMETERS_DIRECTORY,
    RulesError,
    entry_at,
    list_parameters,
    parameters_at,
    provisional_parameters_used,
    value_at,
)

D = datetime.date
EE, CS, PM, VOL = ss.ENTERPRISE_EMPLOYEE, ss.CIVIL_SERVANT, ss.POLICE_MILITARY, ss.VOLUNTARY

# (case, month, category, wage, insurable wage, insured share, employer share)
WORKED_CASES = [
    ("2025 worker, mid pay", D(2025, 3, 1), EE, 3_000_000, 3_000_000, 165_000, 180_000),
    ("2025 worker above ceiling: the quoted maxima", D(2025, 3, 1), EE, 6_000_000,
     4_500_000, 247_500, 270_000),
    ("2025 pay below floor raised to 50% of 2,500,000", D(2025, 3, 1), EE, 1_000_000,
     1_250_000, 68_750, 75_000),
    ("2025 pay exactly at the ceiling", D(2025, 3, 1), EE, 4_500_000, 4_500_000, 247_500,
     270_000),
    ("Dec 2016: old ceiling 2,000,000", D(2016, 12, 1), EE, 3_000_000, 2_000_000, 110_000,
     120_000),
    ("Jan 2017: Decision 1740 ceiling 4,500,000", D(2017, 1, 1), EE, 6_000_000, 4_500_000,
     247_500, 270_000),
    ("2016 floor: 50% of 900,000", D(2016, 6, 1), EE, 300_000, 450_000, 24_750, 27_000),
    ("Sep 2024 floor: 50% of 1,600,000", D(2024, 9, 1), EE, 700_000, 800_000, 44_000, 48_000),
    ("Oct 2024 floor: 50% of 2,500,000", D(2024, 10, 1), EE, 700_000, 1_250_000, 68_750,
     75_000),
    ("2010 SSO: 4.5% + 5% = 9.5% under the 1,500,000 ceiling", D(2010, 1, 1), EE, 1_000_000,
     1_000_000, 45_000, 50_000),
    ("2010 SSO ceiling 1,500,000", D(2010, 1, 1), EE, 2_000_000, 1_500_000, 67_500, 75_000),
    ("2004 SSO floor 93,600", D(2004, 1, 1), EE, 50_000, 93_600, 4_212, 4_680),
    ("civil servant 8% + 8.5% = 16.5%", D(2025, 3, 1), CS, 3_000_000, 3_000_000, 240_000,
     255_000),
    ("police/military: civil-servant rates, provisional", D(2025, 3, 1), PM, 2_000_000,
     2_000_000, 160_000, 170_000),
    ("voluntary 9% of 1,200,000 (Nov 2023 minimum)", D(2023, 11, 1), VOL, 1_200_000,
     1_200_000, 108_000, 0),
    ("round half up: 5.5% of 2,500,010 = 137,500.55", D(2025, 3, 1), EE, 2_500_010,
     2_500_010, 137_501, 150_001),
    ("round half up at exactly .5: 5.5% of 2,500,100 = 137,505.5", D(2025, 3, 1), EE,
     2_500_100, 2_500_100, 137_506, 150_006),
]


@pytest.mark.parametrize(
    ("case", "month", "category", "wage", "insurable", "insured", "employer"),
    WORKED_CASES,
    ids=[case[0] for case in WORKED_CASES],
)
def test_worked_cases(case, month, category, wage, insurable, insured, employer):
    result = ss.contributions([wage], [category], month)
    assert result.insurable_wage.tolist() == [insurable]
    assert result.insured.tolist() == [insured]
    assert result.employer.tolist() == [employer]
    assert result.insured.dtype == np.int64 and result.employer.dtype == np.int64


def test_whole_table_in_one_call_equals_row_by_row():
    for month in sorted({case[1] for case in WORKED_CASES}):
        rows = [case for case in WORKED_CASES if case[1] == month]
        result = ss.contributions([r[3] for r in rows], [r[2] for r in rows], month)
        assert result.insured.tolist() == [r[5] for r in rows]
        assert result.employer.tolist() == [r[6] for r in rows]
        assert result.total.tolist() == [r[5] + r[6] for r in rows]


def test_rebilling_2016_after_the_2017_change_gives_2016s_answer():
    after = ss.contributions([6_000_000], [EE], D(2017, 1, 1))
    before = ss.contributions([6_000_000], [EE], D(2016, 12, 1))
    assert (before.insured[0], before.employer[0]) == (110_000, 120_000)
    assert (after.insured[0], after.employer[0]) == (247_500, 270_000)


# (parameter, day before the change, its value, day the change starts, new value)
BOUNDARIES = [
    ("social_security.insurable_wage.ceiling", D(2016, 12, 31), 2_000_000, D(2017, 1, 1),
     4_500_000),
    ("labour.minimum_wage", D(2024, 9, 30), 1_600_000, D(2024, 10, 1), 2_500_000),
    ("labour.minimum_wage", D(2015, 2, 8), 626_000, D(2015, 2, 9), 900_000),
    ("labour.minimum_wage", D(2022, 7, 31), 1_100_000, D(2022, 8, 1), 1_200_000),
    ("social_security.contribution_rates.enterprise_employee.insured", D(2013, 12, 31), 0.045,
     D(2014, 1, 1), 0.055),
    ("social_security.contribution_rates.enterprise_employee.employer", D(2013, 12, 31), 0.05,
     D(2014, 1, 1), 0.06),
]


@pytest.mark.parametrize(("name", "before", "old", "start", "new"), BOUNDARIES)
def test_parameters_at_boundary_dates(name, before, old, start, new):
    assert value_at(name, before) == old
    assert value_at(name, start) == new
    node = parameters_at(before)
    for part in name.split("."):
        node = node[part]
    assert node == old


def test_minimum_wage_history_matches_the_facts_table():
    minimum_wage = {p.name: p for p in list_parameters()}["labour.minimum_wage"]
    assert [(v.start, v.value) for v in minimum_wage.values] == [
        (D(2011, 11, 23), 626_000),
        (D(2015, 2, 9), 900_000),
        (D(2018, 5, 1), 1_100_000),
        (D(2022, 8, 1), 1_200_000),
        (D(2023, 5, 1), 1_300_000),
        (D(2023, 10, 1), 1_600_000),
        (D(2024, 10, 1), 2_500_000),
    ]
    assert minimum_wage.values[-1].end is None
    assert minimum_wage.values[0].end == D(2015, 2, 9)


def test_every_value_has_a_reference_and_a_unit_and_provisional_ones_a_reason():
    parameters = list_parameters()
    assert len(parameters) >= 20
    for parameter in parameters:
        assert parameter.description, parameter.name
        assert parameter.unit, parameter.name
        for entry in parameter.values:
            assert len(entry.reference) > 10, (parameter.name, entry.start)
            if entry.provisional:
                assert entry.provisional_reason.startswith(("NOT FOUND", "UNCERTAIN")), (
                    parameter.name,
                    entry.start,
                )


def test_money_is_whole_kip_and_rates_are_shares():
    for parameter in list_parameters():
        for entry in parameter.values:
            if parameter.unit == "currency-LAK":
                assert isinstance(entry.value, int), parameter.name
            if parameter.unit == "/1":
                assert 0 <= entry.value <= 1, parameter.name


def test_values_the_sources_leave_open_are_flagged_provisional():
    today = D(2025, 3, 1)
    for name in (
        "social_security.contribution_rates.police_military.insured",
        "social_security.contribution_rates.police_military.employer",
        "social_security.voluntary.state_subsidy",
        "social_security.late_payment_surcharge",
        "social_security.due_day",
        "social_security.voluntary.lapse_after_unpaid_months",
        "social_security.insurable_wage.ceiling",
        "social_security.contribution_rounding_unit",
        "social_security.insurable_wage.floor.raise_pay_below_floor",
    ):
        assert entry_at(name, today).provisional, name
    # The 2013 law's in-force date is NOT FOUND: the first month under it is provisional.
    assert entry_at("social_security.contribution_rates.enterprise_employee.insured",
                    D(2014, 1, 1)).provisional
    # Values the sources give for their dates are not flagged.
    for name, when in (
        ("labour.minimum_wage", today),
        ("social_security.insurable_wage.ceiling", D(2017, 6, 1)),
        ("social_security.contribution_rates.enterprise_employee.employer", today),
        ("social_security.contribution_rates.civil_servant.insured", today),
    ):
        assert not entry_at(name, when).provisional, name


def test_provisional_parameters_used_by_a_result():
    result = ss.contributions([3_000_000, 2_000_000], [EE, PM], D(2025, 3, 1))
    used = {use.name: use for use in provisional_parameters_used(result.parameter_names,
                                                                  D(2025, 3, 1))}
    assert "social_security.contribution_rates.police_military.insured" in used
    assert "social_security.insurable_wage.ceiling" in used
    assert used["social_security.insurable_wage.ceiling"].value == 4_500_000
    assert "UNCERTAIN" in used["social_security.insurable_wage.ceiling"].reason
    assert "labour.minimum_wage" not in used
    assert "social_security.contribution_rates.enterprise_employee.insured" not in used
    enterprise_only = ss.contributions([3_000_000], [EE], D(2025, 3, 1))
    assert not any("police_military" in name for name in enterprise_only.parameter_names)


def test_voluntary_income_classes_and_contribution():
    classes = ss.voluntary_income_classes(D(2023, 11, 1))
    assert classes[0] == 1_200_000 and classes[-1] == 2_700_000
    assert ss.voluntary_income_classes(D(2019, 1, 1))[0] == 1_100_000
    result = ss.voluntary_contribution([1_200_000, 2_700_000], D(2023, 11, 1))
    assert result.insured.tolist() == [108_000, 243_000]
    assert result.employer.tolist() == [0, 0]  # State subsidy: provisional 0
    with pytest.raises(RulesError) as error:
        ss.voluntary_contribution([1_200_000, 1_150_000], D(2023, 11, 1))
    assert error.value.row == 1 and error.value.field == "declared_income"
    assert "ລາຍຮັບ" in error.value.lao


def test_voluntary_lapse_after_the_provisional_number_of_months():
    assert ss.is_lapsed([0, 5, 6, 12], D(2025, 3, 1)).tolist() == [False, False, True, True]


def test_due_date_days_late_and_surcharge():
    assert ss.due_date(D(2025, 3, 1)) == D(2025, 4, 15)
    assert ss.due_date(D(2024, 12, 1)) == D(2025, 1, 15)
    assert ss.days_late(D(2025, 3, 1), D(2025, 4, 15)) == 0
    assert ss.days_late(D(2025, 3, 1), D(2025, 4, 25)) == 10
    # The legal rate is NOT FOUND: the provisional placeholder charges nothing.
    assert ss.late_payment_surcharge([450_000], [30], D(2025, 3, 1)).tolist() == [0]


def test_surcharge_arithmetic_with_a_rate_an_officer_might_enter():
    # 0.1% a day on 450,000 for 30 days = 13,500; 0.1% a day on 1,005 for 1 day = 1.005 -> 1
    per_day = 1_000  # parts per million
    amounts = np.array([450_000, 1_005, 1_500], dtype=np.int64)
    days = np.array([30, 1, 1], dtype=np.int64)
    assert ss.round_share(amounts, days * per_day, 1).tolist() == [13_500, 1, 2]


BAD_INPUTS = [
    ("negative wage", [3_000_000, -5], [EE, EE], D(2025, 3, 1), 1, "wage"),
    ("absurd wage", [10**13], [EE], D(2025, 3, 1), 0, "wage"),
    ("unknown category", [3_000_000, 1], [EE, "army"], D(2025, 3, 1), 1, "category"),
    ("civil servant before any rate", [3_000_000], [CS], D(2010, 1, 1), 0, "category"),
    ("month not a first day", [3_000_000], [EE], D(2025, 3, 15), None, "month"),
    ("before any parameter", [3_000_000], [EE], D(2000, 1, 1), None, "date"),
]


@pytest.mark.parametrize(
    ("case", "wages", "categories", "month", "row", "field"),
    BAD_INPUTS,
    ids=[bad[0] for bad in BAD_INPUTS],
)
def test_bad_input_names_row_and_field_in_both_languages(
    case, wages, categories, month, row, field
):
    with pytest.raises(RulesError) as error:
        ss.contributions(wages, categories, month)
    assert error.value.row == row
    assert error.value.field == field
    assert error.value.english and error.value.lao != error.value.english


def test_fractional_wages_are_refused():
    with pytest.raises(RulesError, match="whole kip"):
        ss.contributions(np.array([3_000_000.5]), [EE], D(2025, 3, 1))


def _reference_contribution(wage: int, category: str, month: datetime.date) -> tuple[int, ...]:
    """Independent one-worker computation with exact fractions, straight from the parameters."""
    if category == VOL:
        rate = Fraction(str(value_at("social_security.voluntary.rate", month)))
        return wage, int(Fraction(wage) * rate + Fraction(1, 2)), 0
    floor = Fraction(str(value_at("social_security.insurable_wage.floor.minimum_wage_share",
                                  month))) * value_at("labour.minimum_wage", month)
    base = min(max(wage, int(floor + Fraction(1, 2))),
               value_at("social_security.insurable_wage.ceiling", month))
    shares = [
        int(Fraction(base) * Fraction(str(value_at(ss.rate_name(category, side), month)))
            + Fraction(1, 2))
        for side in ("insured", "employer")
    ]
    return base, *shares


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 20_000_000), st.sampled_from(ss.CATEGORIES)),
        min_size=1,
        max_size=40,
    ),
    month=st.sampled_from([D(2016, 6, 1), D(2019, 1, 1), D(2023, 11, 1), D(2025, 3, 1)]),
)
def test_vectorised_equals_one_by_one_and_an_exact_reference(rows, month):
    wages = np.array([wage for wage, _ in rows], dtype=np.int64)
    categories = np.array([category for _, category in rows])
    together = ss.contributions(wages, categories, month)
    for position, (wage, category) in enumerate(rows):
        alone = ss.contributions([wage], [category], month)
        expected = _reference_contribution(wage, category, month)
        assert (
            together.insurable_wage[position], together.insured[position],
            together.employer[position],
        ) == (alone.insurable_wage[0], alone.insured[0], alone.employer[0]) == expected


def test_rules_package_does_not_import_django():
    for path in Path(ss.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("django") for alias in node.names), path
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("django"), path
    assert PARAMETERS_DIRECTORY.is_dir()
