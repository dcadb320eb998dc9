"""Lao base assumptions for the floor costing: sources, provisional values, overrides, and the
base scenario run end to end. Pure numpy: no database."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from pakan.actuarial.costing import PhaseIn, PopulationByAge, run_costing
from pakan.actuarial.costing_assumptions import (
    BENEFIT_ASSUMPTIONS,
    describe_value,
    lao_base_assumptions,
    lao_base_scenario,
    rates_by_age,
)
from pakan.actuarial.errors import ActuarialInputError

LAO_SCRIPT = re.compile("[\u0e80-\u0eff]")
YEARS = np.arange(2025, 2041)


def lao_like_population(years: np.ndarray = YEARS) -> PopulationByAge:
    """A stationary population shaped like Lao PDR from the domain facts (§7 [64]): 7.44 million
    people in 2022 of whom 31 % aged 0-14, so about 154,000 a single year at young ages, thinning
    with age; births about 160,000 a year."""
    ages = np.arange(101)
    per_sex = 153_820 / 2 * np.exp(-0.00042 * ages**2)
    female = np.tile(per_sex, (years.size, 1))
    return PopulationByAge(
        years=years, female=female, male=female.copy(), births=np.full(years.size, 160_000.0)
    )


def test_every_assumption_has_a_source_or_a_reason():
    assumptions = lao_base_assumptions()
    assert len(assumptions) >= 40
    for assumption in assumptions.values():
        assert assumption.source, assumption.name
        if not assumption.provisional:
            assert re.search(r"lao-facts §\d+ \[\d+\]", assumption.source), assumption.name


def test_sourced_lao_figures():
    assumptions = lao_base_assumptions()
    mecg = assumptions["child_grant.amount.base_amount_kip"]
    assert mecg.value == 150_000 and not mecg.provisional and "[31]" in mecg.source
    assert assumptions["child_grant.age_to"].value == 3  # NSPS: under-3s
    assert assumptions["macro.inflation_2025"].value == 0.215
    assert not assumptions["macro.inflation_2023"].provisional
    assert not assumptions["macro.kip_per_usd_2025"].provisional


def test_values_not_found_are_provisional():
    assumptions = lao_base_assumptions()
    for name in (
        "social_pension.amount.base_amount_kip",
        "disability_allowance.prevalence",
        "school_meals.amount.base_amount_kip",
        "macro.nominal_gdp_2025_kip",
        "macro.government_spending_share_of_gdp",
        "social_pension.pension_age",
    ):
        assert assumptions[name].provisional, name
        assert len(assumptions[name].provisional_reason) > 20, name


def test_provisional_inputs_listed_with_results():
    result = run_costing(lao_like_population(), lao_base_scenario())
    listed = {item.name for item in result.provisional_inputs}
    expected = {
        name for name, assumption in lao_base_assumptions().items() if assumption.provisional
    }
    assert listed == expected
    reasons = {item.name: item.reason for item in result.provisional_inputs}
    assert "NOT FOUND" in reasons["disability_allowance.prevalence"]


def test_only_the_chosen_benefits_and_their_provisional_inputs():
    scenario = lao_base_scenario(benefits=["child_grant"])
    assert [benefit.name for benefit in scenario.benefits] == ["child_grant"]
    listed = {item.name for item in scenario.provisional_inputs}
    assert "child_grant.eligible_share" in listed
    assert "macro.nominal_gdp_2025_kip" in listed
    assert not any(name.startswith("social_pension.") for name in listed)


def test_overrides_replace_values_and_are_no_longer_provisional():
    scenario = lao_base_scenario(
        overrides={
            "social_pension.pension_age": 60,
            "social_pension.take_up": PhaseIn(2027, 0.5, 2028, 1.0),
            "macro.nominal_gdp_2025_kip": 5e14,
        },
        benefits=["social_pension"],
    )
    pension = scenario.benefits[0]
    assert pension.pension_age == 60
    listed = {item.name for item in scenario.provisional_inputs}
    assert "social_pension.pension_age" not in listed
    assert "macro.nominal_gdp_2025_kip" not in listed
    result = run_costing(lao_like_population(), scenario)
    np.testing.assert_allclose(result.gdp_kip[0], 5e14)
    np.testing.assert_allclose(result.benefits["social_pension"].take_up[:4], [0, 0, 0.5, 1])


def test_lao_macro_paths():
    macro = lao_base_scenario().macro
    years = macro.years.tolist()
    assert years[0] == 2023 and years[-1] == 2040
    inflation = dict(zip(years, macro.inflation, strict=True))
    assert inflation[2023] == pytest.approx(0.31)
    assert inflation[2025] == pytest.approx(0.215)
    assert inflation[2030] == pytest.approx(0.05) and inflation[2040] == pytest.approx(0.05)
    gdp = dict(zip(years, macro.gdp_kip, strict=True))
    assert gdp[2025] == pytest.approx(420e12)
    assert gdp[2026] / gdp[2025] == pytest.approx(1.04 * (1 + inflation[2026]))
    assert gdp[2024] == pytest.approx(gdp[2025] / (1.04 * 1.215))


def test_base_scenario_runs_to_2040_in_whole_kip():
    result = run_costing(lao_like_population(), lao_base_scenario())
    assert result.years.tolist() == list(range(2025, 2041))
    assert set(result.benefits) == set(BENEFIT_ASSUMPTIONS)
    assert result.total_cost_kip.dtype == np.int64
    child = result.benefits["child_grant"]
    assert child.amount_kip[0] == 150_000  # the MECG amount in the base year
    assert child.amount_kip[1] == round(150_000 * (1 + result_inflation(2026)))
    # No social pension or disability allowance before their assumed launch in 2026.
    assert result.benefits["social_pension"].cost_kip[0] == 0
    assert result.benefits["disability_allowance"].cost_kip[0] == 0
    assert np.all(result.total_cost_kip > 0)
    assert np.all(result.total_share_of_gdp < result.total_share_of_government_spending)


def result_inflation(year: int) -> float:
    macro = lao_base_scenario().macro
    return float(macro.inflation[year - int(macro.years[0])])


def test_school_meals_pupils_match_the_published_count():
    """Lao facts §4/§6 [8]: more than 200,000 children in school meals (NSPS 2021-25 review).
    The base coverage (41 of 148 districts) on a Lao-sized population lands near it."""
    result = run_costing(lao_like_population(), lao_base_scenario(benefits=["school_meals"]))
    pupils_2025 = result.benefits["school_meals"].beneficiaries[0]
    assert 170_000 < pupils_2025 < 240_000


@pytest.mark.parametrize(
    ("overrides", "benefits", "field"),
    [
        (
            {"child_grant.amout.base_amount_kip": 1},
            None,
            "overrides.child_grant.amout.base_amount_kip",
        ),
        ({"child_grant.take_up": 1.5}, None, "child_grant.take_up"),
        ({"child_grant.take_up": "high"}, None, "child_grant.take_up"),
        ({"child_grant.amount.base_amount_kip": -1}, None, "child_grant.amount.base_amount_kip"),
        ({"macro.inflation_2025": 21.5}, None, "macro.inflation_2025"),
        ({"macro.nominal_gdp_2025_kip": 0}, None, "macro.nominal_gdp_2025_kip"),
        ({"social_pension.pension_age": 101}, None, "social_pension.pension_age"),
        ({"school_meals.school_days": True}, None, "school_meals.school_days"),
        (
            {"disability_allowance.prevalence": ((0, 15, 1.5),)},
            None,
            "disability_allowance.prevalence[0].rate",
        ),
        ({"disability_allowance.prevalence": [0.1] * 50}, None, "disability_allowance.prevalence"),
        ({"macro.inflation_long_run_year": 2024}, None, "macro.inflation_long_run_year"),
        ({}, ["child_grant", "pension"], "benefits"),
    ],
)
def test_bad_overrides_and_names_refused(overrides, benefits, field):
    with pytest.raises(ActuarialInputError) as caught:
        lao_base_scenario(overrides=overrides, benefits=benefits)
    assert caught.value.field == field
    assert LAO_SCRIPT.search(caught.value.lao)


def test_final_year_beyond_100_years_refused():
    with pytest.raises(ActuarialInputError) as caught:
        lao_base_scenario(final_year=2126)
    assert caught.value.field == "final_year"


def test_rates_by_age_from_bands():
    rates = rates_by_age(((0, 15, 0.005), (60, 101, 0.05)), "prevalence")
    assert rates[14] == 0.005 and rates[15] == 0 and rates[59] == 0 and rates[100] == 0.05


def test_every_assumption_is_documented_with_its_value():
    documentation = (Path(__file__).parents[1] / "docs" / "floor-costing.md").read_text()
    for name, assumption in lao_base_assumptions().items():
        assert f"| `{name}` | {describe_value(assumption.value)} |" in documentation, name
