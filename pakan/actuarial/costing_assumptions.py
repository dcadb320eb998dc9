"""Lao base assumptions for costing the social protection floor, each with its source.

Sources are the numbered references of `shared/domain/lao-facts.md` (section and [n]). A value
that no source gives is *provisional*: it carries the reason it was chosen, and every costing
built from it lists it in `CostingResult.provisional_inputs`, so nobody mistakes it for a fact.
An officer with a better figure overrides it by name (`lao_base_scenario(overrides={...})`);
an overridden value is no longer provisional.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from pakan.actuarial import checks
from pakan.actuarial.costing.amounts import IndexedToPrices
from pakan.actuarial.costing.benefits import (
    BENEFIT_KINDS,
    ChildGrant,
    DisabilityAllowance,
    FloorBenefit,
    MaternityGrant,
    SchoolMeals,
    SocialPension,
)
from pakan.actuarial.costing.engine import CostingScenario, refuse_unknown_name
from pakan.actuarial.costing.inputs import (
    MacroAssumptions,
    PhaseIn,
    ProvisionalInput,
    YearlyPath,
    grow_from_base,
    rates_by_single_age,
)
from pakan.actuarial.costing.validation import (
    AGE_COUNT,
    MAXIMUM_HORIZON,
    check_age,
    check_age_band,
    check_growth_rates,
    check_non_negative,
    check_number,
    check_positive,
    check_rate,
    check_year,
    refuse,
)

#: The first year of the macro paths: the first year with a sourced inflation figure.
MACRO_FIRST_YEAR = 2023
#: The year the base GDP, exchange rate and benefit amounts are expressed in.
BASE_YEAR = 2025
#: Issue 5 asks for results per year to 2040.
DEFAULT_FINAL_YEAR = 2040

# Kinds of value, each with its check (see `_check_value`).
RATE = "rate"  # a fraction 0..1
RATE_PATH = "rate path"  # a fraction, a PhaseIn or a YearlyPath
GROWTH = "growth rate"  # above -1, at most 1
AMOUNT_KIP = "amount in kip"  # non-negative
POSITIVE = "positive number"
YEAR = "year"
AGE = "age"  # 0..100
AGE_END = "age (excluded)"  # 1..101
PAYMENTS = "payments a year"  # above 0, at most 366
AGE_SCHEDULE = "rate by age"  # (age_from, age_to, rate) bands or 101 fractions


@dataclass(frozen=True)
class Assumption:
    """One named input. `provisional_reason` is empty when `source` gives the value itself."""

    name: str
    value: object
    kind: str
    unit: str
    source: str
    provisional_reason: str = ""

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_reason)


_POOR_SHARE_REASON = (
    "NSPS targets the poorest districts (§6 [56]); the share of children and births there is "
    "NOT FOUND, so the 2018 national poverty headcount (18.3%, LECS, §4 [45]) stands in"
)
_MECG_TAKE_UP_REASON = (
    "take-up NOT FOUND. 109,000 maternal and child welfare beneficiaries (§4 [8]) against "
    "about 85,000 poor under-3s (7.44M people in 2022 x 31% aged 0-14 / 15 ages x 3 ages x "
    "18.3%, §7 [64], §4 [45]) suggests wide reach where the programmes run: 50% in 2025, "
    "rising to 90% by the Vision 2030 year"
)
_NEW_PROGRAMME_REASON = (
    "no such Lao programme exists (§4: amounts NOT FOUND): launch assumed in 2026 at {start}, "
    "rising to {full} by the Vision 2030 year"
)
_AMOUNT_BASE_YEAR_REASON = (
    "the amount is itself a placeholder, read as the {year} level and indexed to prices from there"
)
_MECG_BASE_YEAR_REASON = (
    "the MECG amount dates from the 2021 pilot (§4 [31]) and no later uprating was found: it is "
    "read as the {year} level and indexed to prices from there"
)
_POVERTY_LINE_AMOUNT_REASON = (
    "amount NOT FOUND (§4); set at the Decree 285/PM poverty line, 192,000 kip a person a "
    "month (2009, §4 [42][43]), not uprated since 2009 because no price series for 2009-2024 "
    "is in the domain facts"
)
_ADMINISTRATION_REASON = (
    "no Lao administration cost ratio found; a round placeholder ({share:.0%} of benefits) "
    "to be replaced by the MoLSW / MoES figure"
)


def _sourced(name: str, value: object, kind: str, unit: str, source: str) -> Assumption:
    return Assumption(name, value, kind, unit, source)


def _provisional(
    name: str, value: object, kind: str, unit: str, reason: str, source: str = "provisional"
) -> Assumption:
    return Assumption(name, value, kind, unit, source, reason)


MACRO_ASSUMPTIONS: tuple[Assumption, ...] = (
    _provisional(
        "macro.nominal_gdp_2025_kip",
        420e12,
        POSITIVE,
        "kip",
        "nominal GDP level NOT FOUND in the domain facts; a placeholder of the right "
        "order (about USD 19 billion at 21,680 kip/USD); replace with the LSB figure",
    ),
    _sourced(
        "macro.real_gdp_growth_2023",
        0.037,
        GROWTH,
        "fraction a year",
        "lao-facts §7 [68]: GDP growth 3.7% (2023)",
    ),
    _sourced(
        "macro.real_gdp_growth_2024",
        0.04,
        GROWTH,
        "fraction a year",
        "lao-facts §7 [68][70]: GDP growth about 4% (2024)",
    ),
    _provisional(
        "macro.real_gdp_growth_long_run",
        0.04,
        GROWTH,
        "fraction a year",
        "no forecast after 2024 in the domain facts; the 2024 rate is held from 2025",
    ),
    _sourced(
        "macro.inflation_2023",
        0.31,
        GROWTH,
        "fraction a year",
        "lao-facts §7 [68]: inflation 31% average in 2023",
    ),
    _provisional(
        "macro.inflation_2024",
        0.23,
        GROWTH,
        "fraction a year",
        "the 2024 annual average is not given: about 25% for Jan-Sep and 16.9% in "
        "Dec 2024 (§7 [69][70]); 23% taken for the year",
    ),
    _sourced(
        "macro.inflation_2025",
        0.215,
        GROWTH,
        "fraction a year",
        "lao-facts §7 [70]: ADB forecast of 21.5% for 2025",
    ),
    _provisional(
        "macro.inflation_long_run",
        0.05,
        GROWTH,
        "fraction a year",
        "no forecast after 2025; inflation assumed to fall in a straight line to 5% "
        "by macro.inflation_long_run_year and stay there",
    ),
    _provisional(
        "macro.inflation_long_run_year",
        2030,
        YEAR,
        "year",
        "the year inflation reaches its long-run rate: an assumption",
    ),
    _provisional(
        "macro.government_spending_share_of_gdp",
        0.15,
        RATE,
        "fraction of GDP",
        "government expenditure NOT FOUND in the domain facts; a placeholder share "
        "to be replaced by the budget law figures",
    ),
    _sourced(
        "macro.kip_per_usd_2025",
        21_680.0,
        POSITIVE,
        "kip per US dollar",
        "lao-facts §7 [69]: about 21,500-21,860 kip/USD (BCEL, Jan 2025); midpoint",
    ),
    _provisional(
        "macro.us_inflation",
        0.02,
        GROWTH,
        "fraction a year",
        "used only to move the exchange rate with relative prices after 2025 "
        "(kip per USD grows by (1 + Lao inflation) / (1 + US inflation)); assumption",
    ),
)

CHILD_GRANT_ASSUMPTIONS: tuple[Assumption, ...] = (
    _sourced(
        "child_grant.age_from",
        0,
        AGE,
        "years",
        "lao-facts §6 [56]: NSPS aims at benefits for under-3s",
    ),
    _sourced(
        "child_grant.age_to",
        3,
        AGE_END,
        "years (excluded)",
        "lao-facts §6 [56]: NSPS aims at benefits for under-3s",
    ),
    _sourced(
        "child_grant.amount.base_amount_kip",
        150_000,
        AMOUNT_KIP,
        "kip a month",
        "lao-facts §4 [31][32]: MECG pilot, LAK 150,000 a month",
    ),
    _provisional(
        "child_grant.amount.base_year",
        BASE_YEAR,
        YEAR,
        "year",
        _MECG_BASE_YEAR_REASON.format(year=BASE_YEAR),
    ),
    _sourced(
        "child_grant.payments_per_year",
        12,
        PAYMENTS,
        "payments a year",
        "lao-facts §4 [31][32]: a monthly amount (paid 300,000 every two months)",
    ),
    _provisional("child_grant.eligible_share", 0.183, RATE_PATH, "fraction", _POOR_SHARE_REASON),
    _provisional(
        "child_grant.take_up",
        PhaseIn(2025, 0.5, 2030, 0.9),
        RATE_PATH,
        "fraction",
        _MECG_TAKE_UP_REASON,
    ),
    _provisional(
        "child_grant.administration_share",
        0.05,
        RATE_PATH,
        "fraction of benefits",
        _ADMINISTRATION_REASON.format(share=0.05),
    ),
)

MATERNITY_GRANT_ASSUMPTIONS: tuple[Assumption, ...] = (
    _sourced(
        "maternity_grant.amount.base_amount_kip",
        150_000,
        AMOUNT_KIP,
        "kip a month",
        "lao-facts §4 [31][32]: MECG pays pregnant women LAK 150,000 a month",
    ),
    _provisional(
        "maternity_grant.amount.base_year",
        BASE_YEAR,
        YEAR,
        "year",
        _MECG_BASE_YEAR_REASON.format(year=BASE_YEAR),
    ),
    _provisional(
        "maternity_grant.payments_per_birth",
        6,
        PAYMENTS,
        "payments per birth",
        "MECG pays pregnant women from the 2nd trimester (§4 [33]): about 6 monthly "
        "payments per pregnancy; the number actually paid is NOT FOUND",
    ),
    _provisional(
        "maternity_grant.eligible_share", 0.183, RATE_PATH, "fraction", _POOR_SHARE_REASON
    ),
    _provisional(
        "maternity_grant.take_up",
        PhaseIn(2025, 0.5, 2030, 0.9),
        RATE_PATH,
        "fraction",
        _MECG_TAKE_UP_REASON,
    ),
    _provisional(
        "maternity_grant.administration_share",
        0.05,
        RATE_PATH,
        "fraction of benefits",
        _ADMINISTRATION_REASON.format(share=0.05),
    ),
)

SOCIAL_PENSION_ASSUMPTIONS: tuple[Assumption, ...] = (
    _provisional(
        "social_pension.pension_age",
        65,
        AGE,
        "years",
        "no Lao social pension exists; 65 is assumed, five years above the "
        "contributory pension age of 60 (§9.4); 60 is the obvious alternative",
    ),
    _provisional(
        "social_pension.amount.base_amount_kip",
        192_000,
        AMOUNT_KIP,
        "kip a month",
        _POVERTY_LINE_AMOUNT_REASON,
    ),
    _provisional(
        "social_pension.amount.base_year",
        BASE_YEAR,
        YEAR,
        "year",
        _AMOUNT_BASE_YEAR_REASON.format(year=BASE_YEAR),
    ),
    _provisional(
        "social_pension.payments_per_year",
        12,
        PAYMENTS,
        "payments a year",
        "design choice: monthly, like the MECG (§4 [31])",
    ),
    _provisional(
        "social_pension.contributory_pension_share",
        0.05,
        RATE_PATH,
        "fraction",
        "share of older people with an NSSF pension: pensioner numbers are NOT FOUND "
        "(§7); a placeholder",
    ),
    _provisional(
        "social_pension.eligible_share",
        1.0,
        RATE_PATH,
        "fraction",
        "design choice: universal (no means test) for everyone without a contributory pension",
    ),
    _provisional(
        "social_pension.take_up",
        PhaseIn(2026, 0.3, 2030, 0.9),
        RATE_PATH,
        "fraction",
        _NEW_PROGRAMME_REASON.format(start="30%", full="90%"),
    ),
    _provisional(
        "social_pension.administration_share",
        0.05,
        RATE_PATH,
        "fraction of benefits",
        _ADMINISTRATION_REASON.format(share=0.05),
    ),
)

DISABILITY_ALLOWANCE_ASSUMPTIONS: tuple[Assumption, ...] = (
    _provisional(
        "disability_allowance.prevalence",
        ((0, 15, 0.005), (15, 40, 0.01), (40, 60, 0.02), (60, AGE_COUNT, 0.05)),
        AGE_SCHEDULE,
        "fraction of the population at each age",
        "prevalence of severe disability by age is NOT FOUND for Lao PDR (§4 gives "
        "only UXO survivors, about 15,000 in 2012 [39]); a placeholder rising with "
        "age",
    ),
    _provisional(
        "disability_allowance.age_from",
        15,
        AGE,
        "years",
        "design choice: working ages only, so no one also receives the child grant or "
        "the social pension",
    ),
    _provisional(
        "disability_allowance.age_to",
        65,
        AGE_END,
        "years (excluded)",
        "design choice: up to the social pension age (65, itself provisional)",
    ),
    _provisional(
        "disability_allowance.amount.base_amount_kip",
        192_000,
        AMOUNT_KIP,
        "kip a month",
        _POVERTY_LINE_AMOUNT_REASON,
    ),
    _provisional(
        "disability_allowance.amount.base_year",
        BASE_YEAR,
        YEAR,
        "year",
        _AMOUNT_BASE_YEAR_REASON.format(year=BASE_YEAR),
    ),
    _provisional(
        "disability_allowance.payments_per_year",
        12,
        PAYMENTS,
        "payments a year",
        "design choice: monthly, like the MECG (§4 [31])",
    ),
    _provisional(
        "disability_allowance.eligible_share",
        1.0,
        RATE_PATH,
        "fraction",
        "design choice: every person with a severe disability in the age band",
    ),
    _provisional(
        "disability_allowance.take_up",
        PhaseIn(2026, 0.3, 2030, 0.8),
        RATE_PATH,
        "fraction",
        _NEW_PROGRAMME_REASON.format(start="30%", full="80%"),
    ),
    _provisional(
        "disability_allowance.administration_share",
        0.05,
        RATE_PATH,
        "fraction of benefits",
        _ADMINISTRATION_REASON.format(share=0.05),
    ),
)

SCHOOL_MEALS_ASSUMPTIONS: tuple[Assumption, ...] = (
    _provisional(
        "school_meals.age_from",
        6,
        AGE,
        "years",
        "primary-school ages are not in the domain facts; primary taken as 5 grades from age 6",
    ),
    _provisional(
        "school_meals.age_to",
        11,
        AGE_END,
        "years (excluded)",
        "primary-school ages are not in the domain facts; primary taken as 5 grades from age 6",
    ),
    _provisional(
        "school_meals.enrolment",
        0.9,
        RATE_PATH,
        "fraction",
        "primary enrolment rate NOT FOUND in the domain facts; a placeholder",
    ),
    _provisional(
        "school_meals.school_days",
        180,
        PAYMENTS,
        "meals a year",
        "school calendar NOT FOUND in the domain facts; about 36 weeks of 5 days",
    ),
    _provisional(
        "school_meals.amount.base_amount_kip",
        4_000,
        AMOUNT_KIP,
        "kip a meal",
        "cost per meal NOT FOUND in the domain facts; a placeholder of about "
        "USD 0.18 at 21,680 kip/USD",
    ),
    _provisional(
        "school_meals.amount.base_year",
        BASE_YEAR,
        YEAR,
        "year",
        _AMOUNT_BASE_YEAR_REASON.format(year=BASE_YEAR),
    ),
    _provisional(
        "school_meals.eligible_share",
        1.0,
        RATE_PATH,
        "fraction",
        "design choice: every enrolled pupil in a covered school",
    ),
    _provisional(
        "school_meals.take_up",
        PhaseIn(2025, round(41 / 148, 4), 2030, 0.5),
        RATE_PATH,
        "fraction of enrolled pupils covered",
        "starts at 41 of 148 districts (27.7%) covered today (§4/§6 [8], §5 [46]) used "
        "as the pupil share; NSPS aims at all state schools in poor-district villages "
        "(§6 [56]) but gives no share: 50% by 2030 assumed",
    ),
    _provisional(
        "school_meals.administration_share",
        0.10,
        RATE_PATH,
        "fraction of benefits",
        _ADMINISTRATION_REASON.format(share=0.10),
    ),
)

BENEFIT_ASSUMPTIONS: dict[str, tuple[Assumption, ...]] = {
    "child_grant": CHILD_GRANT_ASSUMPTIONS,
    "maternity_grant": MATERNITY_GRANT_ASSUMPTIONS,
    "social_pension": SOCIAL_PENSION_ASSUMPTIONS,
    "disability_allowance": DISABILITY_ALLOWANCE_ASSUMPTIONS,
    "school_meals": SCHOOL_MEALS_ASSUMPTIONS,
}


def lao_base_assumptions() -> dict[str, Assumption]:
    """Every Lao base assumption by name."""
    every = MACRO_ASSUMPTIONS + tuple(
        assumption for group in BENEFIT_ASSUMPTIONS.values() for assumption in group
    )
    return {assumption.name: assumption for assumption in every}


def lao_base_scenario(
    overrides: Mapping[str, object] | None = None,
    *,
    benefits: Iterable[str] | None = None,
    final_year: int = DEFAULT_FINAL_YEAR,
) -> CostingScenario:
    """The Lao floor package (all five benefits, or those named) on the Lao base assumptions,
    with `overrides` replacing assumptions by name. Macro paths run from 2023 to `final_year`.
    An unknown benefit or assumption name, or a value of the wrong kind, is refused here."""
    names = _benefit_names(benefits)
    assumptions = _apply_overrides(lao_base_assumptions(), overrides or {})
    final_year = _check_final_year(final_year)
    values = {name: assumption.value for name, assumption in assumptions.items()}
    used_groups = [MACRO_ASSUMPTIONS] + [BENEFIT_ASSUMPTIONS[name] for name in names]
    provisional = tuple(
        ProvisionalInput(
            name=assumptions[item.name].name,
            value=describe_value(assumptions[item.name].value),
            reason=assumptions[item.name].provisional_reason,
        )
        for group in used_groups
        for item in group
        if assumptions[item.name].provisional
    )
    builders = {
        "child_grant": _child_grant,
        "maternity_grant": _maternity_grant,
        "social_pension": _social_pension,
        "disability_allowance": _disability_allowance,
        "school_meals": _school_meals,
    }
    return CostingScenario(
        macro=lao_macro(values, final_year),
        benefits=tuple(builders[name](values) for name in names),
        final_year=final_year,
        provisional_inputs=provisional,
    )


def _benefit_names(benefits: Iterable[str] | None) -> list[str]:
    if benefits is None:
        return list(BENEFIT_KINDS)
    names = [benefits] if isinstance(benefits, str) else list(benefits)
    for name in names:
        if name not in BENEFIT_KINDS:
            refuse_unknown_name("benefits", "benefit", "ເງິນອຸດໜູນ", name, BENEFIT_KINDS)
    return list(dict.fromkeys(names))


def _apply_overrides(
    assumptions: dict[str, Assumption], overrides: Mapping[str, object]
) -> dict[str, Assumption]:
    changed = dict(assumptions)
    for name, value in overrides.items():
        if name not in assumptions:
            refuse_unknown_name(
                f"overrides.{name}", "assumption", "ສົມມຸດຕິຖານ", name, assumptions
            )  # own wording: ສົມມຸດຕິຖານ = assumption
        _check_value(value, assumptions[name].kind, name)
        changed[name] = replace(
            assumptions[name], value=value, source="entered", provisional_reason=""
        )
    return changed


def _check_value(value: object, kind: str, field: str) -> None:
    """Refuse a value of the wrong kind or out of range, naming the assumption."""
    if kind == RATE:
        check_rate(value, field)
    elif kind == RATE_PATH:
        if isinstance(value, PhaseIn | YearlyPath):
            return  # checked year by year when costed, under the same name
        check_rate(value, field)
    elif kind == GROWTH:
        check_growth_rates(np.array([check_number(value, field)]), field)
    elif kind == AMOUNT_KIP:
        check_non_negative(value, field)
    elif kind == POSITIVE:
        check_positive(value, field)
    elif kind == YEAR:
        check_year(value, field)
    elif kind == AGE:
        check_age(value, field)
    elif kind == AGE_END:
        check_age(value, field, maximum=AGE_COUNT)
    elif kind == PAYMENTS:
        check_positive(value, field)
    elif kind == AGE_SCHEDULE:
        rates_by_age(value, field)


def rates_by_age(schedule: object, field: str) -> np.ndarray:
    """101 fractions from either 101 values or bands (age_from, age_to excluded, rate)."""
    if (
        isinstance(schedule, tuple | list)
        and schedule
        and all(isinstance(band, tuple | list) for band in schedule)
    ):
        rates = np.zeros(AGE_COUNT)
        for position, band in enumerate(schedule):
            band_field = f"{field}[{position}]"
            if len(band) != 3:
                refuse(
                    band_field,
                    "a band is (age_from, age_to, rate)",
                    "ແຕ່ລະຊ່ວງແມ່ນ (ອາຍຸເລີ່ມ, ອາຍຸສິ້ນສຸດ, ອັດຕາ)",
                )  # own wording
            age_from, age_to = check_age_band(band[0], band[1], band_field)
            rates[age_from:age_to] = check_rate(band[2], f"{band_field}.rate")
        return rates
    return rates_by_single_age(schedule, field)


def _check_final_year(final_year: object) -> int:
    return checks.whole_number("final_year", final_year, BASE_YEAR, BASE_YEAR + MAXIMUM_HORIZON)


def lao_macro(values: Mapping[str, object], final_year: int) -> MacroAssumptions:
    """GDP, inflation, government spending and the exchange rate from 2023 to `final_year`.

    Nominal GDP grows by (1 + real growth) x (1 + inflation): the GDP deflator is taken equal to
    consumer prices. Kip per US dollar moves with relative prices (Lao over US inflation).
    """
    years = np.arange(MACRO_FIRST_YEAR, final_year + 1, dtype=np.int64)
    long_run_year = int(values["macro.inflation_long_run_year"])
    if long_run_year <= BASE_YEAR:
        refuse(
            "macro.inflation_long_run_year",
            f"must be after {BASE_YEAR}, got {long_run_year}",
            f"ຕ້ອງຫຼັງປີ {BASE_YEAR}, ແຕ່ໄດ້ຮັບ {long_run_year}",
        )  # own wording
    inflation = np.interp(
        years,
        [2023, 2024, BASE_YEAR, long_run_year],
        [
            float(values["macro.inflation_2023"]),
            float(values["macro.inflation_2024"]),
            float(values["macro.inflation_2025"]),
            float(values["macro.inflation_long_run"]),
        ],
    )
    real_growth = np.where(
        years == 2023,
        float(values["macro.real_gdp_growth_2023"]),
        np.where(
            years == 2024,
            float(values["macro.real_gdp_growth_2024"]),
            float(values["macro.real_gdp_growth_long_run"]),
        ),
    )
    nominal_growth = (1.0 + real_growth) * (1.0 + inflation) - 1.0
    exchange_growth = (1.0 + inflation) / (1.0 + float(values["macro.us_inflation"])) - 1.0
    return MacroAssumptions(
        years=years,
        gdp_kip=grow_from_base(
            years, BASE_YEAR, float(values["macro.nominal_gdp_2025_kip"]), nominal_growth
        ),
        inflation=inflation,
        government_spending_share_of_gdp=float(values["macro.government_spending_share_of_gdp"]),
        kip_per_usd=grow_from_base(
            years, BASE_YEAR, float(values["macro.kip_per_usd_2025"]), exchange_growth
        ),
    )


def _common(values: Mapping[str, object], prefix: str) -> dict[str, object]:
    """The fields every floor benefit has, read from `<prefix>.<field>` assumptions."""
    return {
        "amount": IndexedToPrices(
            base_amount_kip=values[f"{prefix}.amount.base_amount_kip"],
            base_year=values[f"{prefix}.amount.base_year"],
        ),
        "eligible_share": values[f"{prefix}.eligible_share"],
        "take_up": values[f"{prefix}.take_up"],
        "administration_share": values[f"{prefix}.administration_share"],
    }


def _child_grant(values: Mapping[str, object]) -> FloorBenefit:
    return ChildGrant(
        age_from=values["child_grant.age_from"],
        age_to=values["child_grant.age_to"],
        payments_per_year=values["child_grant.payments_per_year"],
        **_common(values, "child_grant"),
    )


def _maternity_grant(values: Mapping[str, object]) -> FloorBenefit:
    return MaternityGrant(
        payments_per_birth=values["maternity_grant.payments_per_birth"],
        **_common(values, "maternity_grant"),
    )


def _social_pension(values: Mapping[str, object]) -> FloorBenefit:
    return SocialPension(
        pension_age=values["social_pension.pension_age"],
        contributory_pension_share=values["social_pension.contributory_pension_share"],
        payments_per_year=values["social_pension.payments_per_year"],
        **_common(values, "social_pension"),
    )


def _disability_allowance(values: Mapping[str, object]) -> FloorBenefit:
    return DisabilityAllowance(
        prevalence=rates_by_age(
            values["disability_allowance.prevalence"], "disability_allowance.prevalence"
        ),
        age_from=values["disability_allowance.age_from"],
        age_to=values["disability_allowance.age_to"],
        payments_per_year=values["disability_allowance.payments_per_year"],
        **_common(values, "disability_allowance"),
    )


def _school_meals(values: Mapping[str, object]) -> FloorBenefit:
    return SchoolMeals(
        age_from=values["school_meals.age_from"],
        age_to=values["school_meals.age_to"],
        enrolment=values["school_meals.enrolment"],
        school_days=values["school_meals.school_days"],
        **_common(values, "school_meals"),
    )


def describe_value(value: object) -> str:
    if isinstance(value, PhaseIn):
        return (
            f"{value.start_rate:.1%} in {value.start_year}, rising to "
            f"{value.full_rate:.1%} by {value.full_year}"
        )
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 1e6 else f"{value:g}"
    return repr(value) if isinstance(value, tuple) else str(value)
