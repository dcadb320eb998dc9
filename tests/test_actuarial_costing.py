"""Costing of floor benefits (ILO RAP): identities, hand-worked cases, indexation, phasing and
refused inputs. Pure numpy: no database."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pakan.actuarial.costing import (
    ChildGrant,
    ConstantInUsd,
    CostingScenario,
    DisabilityAllowance,
    IndexedToPrices,
    MacroAssumptions,
    MaternityGrant,
    PhaseIn,
    PopulationByAge,
    SchoolMeals,
    ShareOfReference,
    SocialPension,
    YearlyPath,
    engine,
    run_costing,
)
from pakan.actuarial.errors import ActuarialInputError

LAO_SCRIPT = re.compile("[\u0e80-\u0eff]")
YEARS = np.arange(2025, 2028)


def rising_population(
    years: np.ndarray = YEARS,
    births: np.ndarray | None = None,
) -> PopulationByAge:
    """10 x (age + 1) women and 20 x (age + 1) men at every age, every year: both sexes together
    are 30 x (age + 1), so any band sum can be worked by hand."""
    ages = np.arange(101)
    female = np.tile(10.0 * (ages + 1), (years.size, 1))
    return PopulationByAge(years=years, female=female, male=2 * female, births=births)


def flat_macro(
    years: np.ndarray = YEARS, *, inflation: object = 0.0, gdp_kip: float = 1e12, **extra: object
) -> MacroAssumptions:
    if "government_spending_kip" not in extra:
        extra.setdefault("government_spending_share_of_gdp", 0.2)
    return MacroAssumptions(
        years=years, gdp_kip=np.full(years.size, gdp_kip), inflation=inflation, **extra
    )


def cost(*benefits, population=None, macro=None, **options):
    scenario = CostingScenario(macro=macro or flat_macro(), benefits=tuple(benefits))
    return run_costing(population or rising_population(), scenario, **options)


def kip(amount: float, base_year: int = 2025) -> IndexedToPrices:
    return IndexedToPrices(base_amount_kip=amount, base_year=base_year)


def assert_refused(call, field: str) -> ActuarialInputError:
    with pytest.raises(ActuarialInputError) as caught:
        call()
    error = caught.value
    assert error.field == field, (error.field, error.english)
    assert error.english and LAO_SCRIPT.search(error.lao), error.lao
    return error


# --- Hand-worked cases, one per benefit -------------------------------------------------------


def test_child_grant_hand_worked():
    # Under 3: 30 x (1 + 2 + 3) = 180 children; x 0.5 eligible x 0.5 take-up = 45.
    # 45 x 150,000 kip x 12 = 81,000,000 kip; administration 10 % = 8,100,000.
    result = cost(
        ChildGrant(amount=kip(150_000), eligible_share=0.5, take_up=0.5, administration_share=0.1)
    ).benefits["child_grant"]
    np.testing.assert_allclose(result.target_population, [180, 180, 180])
    np.testing.assert_allclose(result.beneficiaries, [45, 45, 45])
    assert result.benefit_cost_kip.tolist() == [81_000_000] * 3
    assert result.administration_cost_kip.tolist() == [8_100_000] * 3
    assert result.cost_kip.tolist() == [89_100_000] * 3
    assert result.cost_kip.dtype == np.int64
    np.testing.assert_allclose(result.share_of_gdp, 89_100_000 / 1e12)


def test_maternity_grant_hand_worked_from_entered_births():
    # 1,000 births x 0.8 take-up = 800; 6 payments of 150,000 = 900,000 per birth.
    births = YearlyPath(years=np.arange(2020, 2031), values=np.full(11, 1000.0))
    result = cost(
        MaternityGrant(amount=kip(150_000), payments_per_birth=6, take_up=0.8, births=births)
    ).benefits["maternity_grant"]
    assert result.cost_kip.tolist() == [720_000_000] * 3


def test_maternity_grant_births_from_projection_or_fertility_rates():
    projected = rising_population(births=np.array([100.0, 200.0, 300.0]))
    from_projection = cost(MaternityGrant(amount=kip(1_000_000)), population=projected)
    assert from_projection.benefits["maternity_grant"].cost_kip.tolist() == [
        100_000_000,
        200_000_000,
        300_000_000,
    ]
    # 0.1 births per woman at ages 20-29: 0.1 x 10 x (21 + ... + 30) = 255 births a year.
    fertility = np.zeros(101)
    fertility[20:30] = 0.1
    from_rates = cost(
        MaternityGrant(amount=kip(1_000_000), fertility_rates=fertility), population=projected
    )
    np.testing.assert_allclose(from_rates.benefits["maternity_grant"].target_population, 255)
    assert from_rates.benefits["maternity_grant"].cost_kip.tolist() == [255_000_000] * 3


def test_social_pension_hand_worked():
    # 65+: 30 x (66 + ... + 101) = 30 x 3,006 = 90,180; less 25 % with a contributory pension
    # = 67,635; x 0.5 take-up = 33,817.5; x 100,000 x 12 = 40,581,000,000; admin 5 %.
    result = cost(
        SocialPension(
            amount=kip(100_000),
            pension_age=65,
            contributory_pension_share=0.25,
            take_up=0.5,
            administration_share=0.05,
        )
    ).benefits["social_pension"]
    np.testing.assert_allclose(result.target_population, 90_180)
    np.testing.assert_allclose(result.eligible, 67_635)
    assert result.benefit_cost_kip.tolist() == [40_581_000_000] * 3
    assert result.cost_kip.tolist() == [42_610_050_000] * 3


def test_disability_allowance_hand_worked():
    # Ages 15-64 at 10 % prevalence: 0.1 x 30 x (16 + ... + 65) = 0.1 x 30 x 2,025 = 6,075.
    # x 200,000 x 12 = 14,580,000,000 kip.
    result = cost(
        DisabilityAllowance(
            amount=kip(200_000), prevalence=np.full(101, 0.1), age_from=15, age_to=65
        )
    ).benefits["disability_allowance"]
    np.testing.assert_allclose(result.target_population, 6_075)
    assert result.cost_kip.tolist() == [14_580_000_000] * 3


def test_school_meals_hand_worked():
    # Ages 6-10: 30 x (7 + 8 + 9 + 10 + 11) = 1,350; x 0.8 enrolled = 1,080; x 0.5 covered = 540
    # pupils; 540 x 180 days x 5,000 kip = 486,000,000; administration 10 % = 48,600,000.
    result = cost(
        SchoolMeals(
            amount=kip(5_000), enrolment=0.8, take_up=0.5, school_days=180, administration_share=0.1
        )
    ).benefits["school_meals"]
    np.testing.assert_allclose(result.beneficiaries, 540)
    assert result.cost_kip.tolist() == [534_600_000] * 3


# --- Identities ------------------------------------------------------------------------------


def five_benefits() -> tuple:
    rising = PhaseIn(2025, 0.2, 2027, 0.9)
    return (
        ChildGrant(
            amount=kip(150_333), eligible_share=0.183, take_up=rising, administration_share=0.05
        ),
        MaternityGrant(
            amount=kip(150_000),
            payments_per_birth=6,
            eligible_share=0.3,
            take_up=0.7,
            administration_share=0.07,
        ),
        SocialPension(
            amount=kip(192_000),
            contributory_pension_share=0.05,
            take_up=rising,
            administration_share=0.05,
        ),
        DisabilityAllowance(
            amount=kip(192_000),
            prevalence=np.linspace(0, 0.1, 101),
            take_up=0.6,
            administration_share=0.05,
        ),
        SchoolMeals(
            amount=kip(4_000),
            enrolment=0.9,
            take_up=rising,
            administration_share=YearlyPath(YEARS, np.array([0.1, 0.12, 0.15])),
        ),
    )


def test_cost_identity_per_benefit_and_year():
    population = rising_population(births=np.array([1234.5, 1300.0, 1277.7]))
    result = cost(
        *five_benefits(),
        population=population,
        macro=flat_macro(inflation=np.array([0.0, 0.215, 0.13])),
    )
    assert len(result.benefits) == 5
    for benefit in result.benefits.values():
        rap_cost = (
            benefit.eligible
            * benefit.take_up
            * benefit.amount_kip
            * benefit.payments_per_beneficiary
            * (1 + benefit.administration_share)
        )
        assert np.all(np.abs(benefit.cost_kip - rap_cost) <= 1), benefit.name
        assert np.array_equal(
            benefit.cost_kip, benefit.benefit_cost_kip + benefit.administration_cost_kip
        )
        np.testing.assert_allclose(benefit.beneficiaries, benefit.eligible * benefit.take_up)
        assert benefit.cost_kip.dtype == np.int64


def test_totals_and_shares_of_gdp_and_government_spending():
    macro = flat_macro(gdp_kip=5e11, government_spending_share_of_gdp=0.25)
    result = cost(
        *five_benefits()[:2],
        *five_benefits()[3:],
        macro=macro,
        population=rising_population(births=np.full(3, 500.0)),
    )
    summed = sum(benefit.cost_kip for benefit in result.benefits.values())
    assert np.array_equal(result.total_cost_kip, summed)
    np.testing.assert_allclose(result.total_share_of_gdp, result.total_cost_kip / 5e11)
    np.testing.assert_allclose(
        result.total_share_of_government_spending, result.total_cost_kip / (0.25 * 5e11)
    )
    for benefit in result.benefits.values():
        np.testing.assert_allclose(benefit.share_of_gdp, benefit.cost_kip / 5e11)
    rows = result.rows()
    assert len(rows) == 5 * 3
    assert rows[-1]["benefit"] == "total" and rows[-1]["cost_kip"] == result.total_cost_kip[-1]


def test_government_spending_entered_in_kip():
    spending = np.array([1e11, 2e11, 4e11])
    result = cost(
        ChildGrant(amount=kip(150_000)), macro=flat_macro(government_spending_kip=spending)
    )
    child = result.benefits["child_grant"]
    np.testing.assert_allclose(child.share_of_government_spending, child.cost_kip / spending)


# --- Indexation and phasing -------------------------------------------------------------------


def test_indexation_compounds_inflation_from_the_base_year():
    years = np.arange(2025, 2029)
    macro = flat_macro(years, inflation=np.array([0.5, 0.10, 0.20, 0.05]))
    population = rising_population(years)
    from_first = cost(ChildGrant(amount=kip(1_000_000)), population=population, macro=macro)
    # 2026: x 1.1; 2027: x 1.1 x 1.2; 2028: x 1.1 x 1.2 x 1.05 (2025's value is not used).
    assert from_first.benefits["child_grant"].amount_kip.tolist() == [
        1_000_000,
        1_100_000,
        1_320_000,
        1_386_000,
    ]
    from_middle = cost(
        ChildGrant(amount=kip(1_200_000, base_year=2027)), population=population, macro=macro
    )
    assert from_middle.benefits["child_grant"].amount_kip.tolist() == [
        909_091,
        1_000_000,
        1_200_000,
        1_260_000,
    ]


def test_indexation_base_year_before_the_costing_years():
    macro = flat_macro(np.arange(2023, 2028), inflation=np.array([0.0, 0.5, 0.2, 0.0, 0.0]))
    result = cost(ChildGrant(amount=kip(100_000, base_year=2023)), macro=macro)
    assert result.benefits["child_grant"].amount_kip.tolist() == [180_000] * 3


def test_amount_as_share_of_a_reference_and_in_dollars():
    poverty_line = YearlyPath(YEARS, np.array([192_000.0, 220_000.0, 250_000.0]))
    macro = flat_macro(inflation=0.3, kip_per_usd=np.array([21_680.0, 25_000.0, 30_000.0]))
    result = cost(
        SocialPension(amount=ShareOfReference(share=0.5, reference_kip=poverty_line)),
        ChildGrant(amount=ConstantInUsd(amount_usd=12)),
        macro=macro,
    )
    assert result.benefits["social_pension"].amount_kip.tolist() == [96_000, 110_000, 125_000]
    assert result.benefits["child_grant"].amount_kip.tolist() == [260_160, 300_000, 360_000]


def test_take_up_phasing():
    years = np.arange(2025, 2033)
    phase = PhaseIn(start_year=2026, start_rate=0.2, full_year=2030, full_rate=0.6)
    result = cost(
        ChildGrant(amount=kip(100_000), take_up=phase),
        population=rising_population(years),
        macro=flat_macro(years),
    )
    child = result.benefits["child_grant"]
    np.testing.assert_allclose(child.take_up, [0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.6, 0.6])
    np.testing.assert_allclose(child.beneficiaries, 180 * child.take_up)
    assert child.cost_kip[0] == 0
    assert np.all(np.diff(child.cost_kip[1:6]) > 0)


def test_take_up_entered_year_by_year():
    take_up = YearlyPath(np.arange(2020, 2030), np.linspace(0, 0.9, 10))
    result = cost(SchoolMeals(amount=kip(1_000), take_up=take_up))
    np.testing.assert_allclose(result.benefits["school_meals"].take_up, [0.5, 0.6, 0.7])


def test_zero_take_up_costs_only_fixed_administration():
    nothing = cost(ChildGrant(amount=kip(150_000), take_up=0.0, administration_share=0.1))
    assert nothing.benefits["child_grant"].cost_kip.tolist() == [0, 0, 0]
    macro = flat_macro(inflation=0.1)
    fixed = cost(
        ChildGrant(
            amount=kip(150_000),
            take_up=0.0,
            administration_share=0.1,
            administration_fixed_kip=kip(50_000_000),
        ),
        macro=macro,
    )
    child = fixed.benefits["child_grant"]
    assert child.benefit_cost_kip.tolist() == [0, 0, 0]
    assert child.cost_kip.tolist() == [50_000_000, 55_000_000, 60_500_000]


def test_select_benefits_and_horizon():
    years = np.arange(2025, 2126)
    scenario = CostingScenario(
        macro=flat_macro(years), benefits=(ChildGrant(amount=kip(1)), SchoolMeals(amount=kip(1)))
    )
    result = run_costing(rising_population(years), scenario, benefits=["school_meals"])
    assert list(result.benefits) == ["school_meals"]
    assert result.years[0] == 2025 and result.years[-1] == 2125  # 100 years ahead: allowed
    short = run_costing(rising_population(years), scenario, first_year=2030, final_year=2040)
    assert short.years.tolist() == list(range(2030, 2041))


# --- Refused inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("benefit", "field"),
    [
        (ChildGrant(amount=kip(1), take_up=1.5), "child_grant.take_up"),
        (
            ChildGrant(amount=kip(1), take_up=PhaseIn(2025, 0.1, 2030, -0.1)),
            "child_grant.take_up.full_rate",
        ),
        (
            ChildGrant(amount=kip(1), take_up=PhaseIn(2030, 0.1, 2025, 0.5)),
            "child_grant.take_up.full_year",
        ),
        (ChildGrant(amount=kip(1), eligible_share=-0.1), "child_grant.eligible_share"),
        (
            ChildGrant(
                amount=kip(1), administration_share=YearlyPath(YEARS, np.array([0, 1.2, 0]))
            ),
            "child_grant.administration_share",
        ),
        (ChildGrant(amount=kip(-5)), "child_grant.amount.base_amount_kip"),
        (ChildGrant(amount=kip(5, base_year=2019)), "child_grant.amount.base_year"),
        (ChildGrant(amount=kip(5), age_from=5, age_to=3), "child_grant.age_to"),
        (ChildGrant(amount=kip(5), payments_per_year=0), "child_grant.payments_per_year"),
        (ChildGrant(amount=150_000), "child_grant.amount"),
        (ChildGrant(amount=ConstantInUsd(12)), "child_grant.amount.amount_usd"),
        (SocialPension(amount=kip(1), pension_age=120), "social_pension.pension_age"),
        (
            SocialPension(amount=kip(1), contributory_pension_share=2),
            "social_pension.contributory_pension_share",
        ),
        (
            DisabilityAllowance(amount=kip(1), prevalence=np.full(100, 0.1)),
            "disability_allowance.prevalence",
        ),
        (
            DisabilityAllowance(amount=kip(1), prevalence=np.full(101, 10.0)),
            "disability_allowance.prevalence",
        ),
        (MaternityGrant(amount=kip(1)), "maternity_grant.births"),
        (
            MaternityGrant(amount=kip(1), fertility_rates=np.full(101, 2.1)),
            "maternity_grant.fertility_rates",
        ),
        (
            MaternityGrant(amount=kip(1), births=YearlyPath(YEARS, np.array([1.0, -1.0, 1.0]))),
            "maternity_grant.births",
        ),
        (
            MaternityGrant(amount=kip(1), births=YearlyPath(np.arange(2026, 2029), np.ones(3))),
            "maternity_grant.births",
        ),
        (SchoolMeals(amount=kip(1), enrolment=1.01), "school_meals.enrolment"),
        (SchoolMeals(amount=kip(1), school_days=400), "school_meals.school_days"),
    ],
)
def test_bad_benefit_refused(benefit, field):
    assert_refused(lambda: cost(benefit), field)


def test_bad_rate_message_names_the_value_in_both_languages():
    error = assert_refused(
        lambda: cost(ChildGrant(amount=kip(1), take_up=1.5)), "child_grant.take_up"
    )
    assert "100%" in error.english and "1.5" in error.english
    assert "100%" in error.lao and "1.5" in error.lao
    assert str(error).startswith("child_grant.take_up: ")


def test_bad_rate_in_a_path_names_the_year():
    take_up = YearlyPath(YEARS, np.array([0.1, 1.2, 0.1]))
    error = assert_refused(
        lambda: cost(ChildGrant(amount=kip(1), take_up=take_up)), "child_grant.take_up"
    )
    assert "year 2026" in error.english and "ປີ 2026" in error.lao


@pytest.mark.parametrize(
    ("population", "field"),
    [
        (PopulationByAge(YEARS, -np.ones((3, 101)), np.ones((3, 101))), "population.female"),
        (PopulationByAge(YEARS, np.ones((3, 101)), np.ones((4, 101))), "population.male"),
        (PopulationByAge(YEARS, np.ones((3, 100)), np.ones((3, 100))), "population.female"),
        (
            PopulationByAge(np.array([2025, 2027, 2028]), np.ones((3, 101)), np.ones((3, 101))),
            "population.years",
        ),
        (
            PopulationByAge(
                YEARS, np.ones((3, 101)), np.ones((3, 101)), births=np.array([1, -1, 1])
            ),
            "population.births",
        ),
        (
            PopulationByAge(YEARS, np.ones((3, 101)), np.ones((3, 101)), births=np.ones(2)),
            "population.births",
        ),
        (PopulationByAge(YEARS, np.full((3, 101), np.nan), np.ones((3, 101))), "population.female"),
    ],
)
def test_bad_population_refused(population, field):
    assert_refused(lambda: cost(ChildGrant(amount=kip(1)), population=population), field)


@pytest.mark.parametrize(
    ("macro", "field"),
    [
        (flat_macro(np.arange(2026, 2030)), "macro.years"),
        (
            MacroAssumptions(YEARS, np.ones(2), 0.0, government_spending_share_of_gdp=0.2),
            "macro.gdp_kip",
        ),
        (flat_macro(gdp_kip=0.0), "macro.gdp_kip"),
        (flat_macro(inflation=21.5), "macro.inflation"),
        (flat_macro(inflation=np.array([0.0, -1.0, 0.0])), "macro.inflation"),
        (
            flat_macro(government_spending_share_of_gdp=1.4),
            "macro.government_spending_share_of_gdp",
        ),
        (MacroAssumptions(YEARS, np.ones(3), 0.0), "macro.government_spending_kip"),
        (
            flat_macro(government_spending_kip=np.ones(3), government_spending_share_of_gdp=0.2),
            "macro.government_spending_kip",
        ),
        (flat_macro(kip_per_usd=-21_000.0), "macro.kip_per_usd"),
    ],
)
def test_bad_macro_refused(macro, field):
    assert_refused(lambda: cost(ChildGrant(amount=kip(1)), macro=macro), field)


def test_horizon_beyond_100_years_refused():
    years = np.arange(2025, 2127)
    scenario = CostingScenario(macro=flat_macro(years), benefits=(ChildGrant(amount=kip(1)),))
    error = assert_refused(lambda: run_costing(rising_population(years), scenario), "final_year")
    assert "101 years" in error.english


def test_final_year_outside_the_population_refused():
    assert_refused(lambda: cost(ChildGrant(amount=kip(1)), final_year=2030), "population.years")
    assert_refused(lambda: cost(ChildGrant(amount=kip(1)), final_year=2020), "final_year")


def test_unknown_and_duplicate_benefit_names_refused():
    error = assert_refused(
        lambda: cost(ChildGrant(amount=kip(1)), benefits=["child_grants"]), "benefits"
    )
    assert "child_grants" in error.english and "child_grant" in error.lao
    assert_refused(
        lambda: cost(ChildGrant(amount=kip(1)), ChildGrant(amount=kip(2))), "scenario.benefits"
    )


def test_costs_too_large_to_count_to_the_kip_refused():
    assert_refused(lambda: cost(ChildGrant(amount=kip(1e15))), "child_grant.cost")


def test_inputs_are_all_checked_before_anything_is_costed(monkeypatch):
    costed = []
    monkeypatch.setattr(engine, "cost_benefit", lambda *arguments: costed.append(arguments))
    good = SchoolMeals(amount=kip(4_000))
    bad = ChildGrant(amount=kip(1), take_up=1.5)
    assert_refused(lambda: cost(good, bad), "child_grant.take_up")
    assert costed == []


def test_population_from_january_stocks_averages_consecutive_years():
    stocks = np.zeros((3, 2, 101))  # 1 January 2025, 2026, 2027; sex 0 male, 1 female
    stocks[:, 0, 0] = [100.0, 200.0, 400.0]
    stocks[:, 1, 0] = [10.0, 20.0, 40.0]
    births = np.array([[60.0, 40.0], [70.0, 50.0]])  # [year, sex]
    population = PopulationByAge.from_january_stocks(2025, stocks, births)
    assert population.years.tolist() == [2025, 2026]
    assert population.male[:, 0].tolist() == [150.0, 300.0]
    assert population.female[:, 0].tolist() == [15.0, 30.0]
    assert population.births.tolist() == [100.0, 120.0]
    with pytest.raises(ActuarialInputError) as caught:
        PopulationByAge.from_january_stocks(2025, np.zeros((3, 101)))
    assert caught.value.field == "population.stocks"
