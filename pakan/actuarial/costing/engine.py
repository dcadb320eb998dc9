"""Run a costing: validate every input, then cost each benefit year by year (ILO RAP method)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np

from pakan.actuarial.costing.benefits import FloorBenefit
from pakan.actuarial.costing.inputs import (
    MacroAssumptions,
    MacroPaths,
    PopulationByAge,
    ProvisionalInput,
    rate_path,
    validate_macro,
    validate_population,
)
from pakan.actuarial.costing.validation import (
    MAXIMUM_HORIZON,
    check_covers,
    check_year,
    refuse,
)

#: Costs are refused above 2**53 kip, beyond which float64 arithmetic cannot count every kip.
LARGEST_EXACT_KIP = 2**53


@dataclass(frozen=True, eq=False)
class CostingScenario:
    """What to cost: macro paths, the benefits (names unique), an optional last year, and the
    inputs used without a source (carried into every result)."""

    macro: MacroAssumptions
    benefits: tuple[FloorBenefit, ...]
    final_year: int | None = None
    provisional_inputs: tuple[ProvisionalInput, ...] = ()


@dataclass(frozen=True, eq=False)
class BenefitCost:
    """One benefit's results, one value per year of `years`.

    Identity (to rounding to whole kip):
    cost_kip = target_population x eligible_share x take_up x amount_kip
               x payments_per_beneficiary x (1 + administration_share) + fixed administration.
    """

    name: str
    label_english: str
    label_lao: str
    years: np.ndarray
    target_population: np.ndarray
    eligible: np.ndarray
    take_up: np.ndarray
    beneficiaries: np.ndarray
    amount_kip: np.ndarray
    payments_per_beneficiary: float
    administration_share: np.ndarray
    benefit_cost_kip: np.ndarray
    administration_cost_kip: np.ndarray
    cost_kip: np.ndarray
    share_of_gdp: np.ndarray
    share_of_government_spending: np.ndarray


@dataclass(frozen=True, eq=False)
class CostingResult:
    """Every benefit's results and their totals over `years`. `total_beneficiaries` counts a
    person once per benefit received (a child with a grant and a school meal counts twice)."""

    years: np.ndarray
    benefits: Mapping[str, BenefitCost]
    gdp_kip: np.ndarray
    government_spending_kip: np.ndarray
    total_cost_kip: np.ndarray
    total_beneficiaries: np.ndarray
    total_share_of_gdp: np.ndarray
    total_share_of_government_spending: np.ndarray
    provisional_inputs: tuple[ProvisionalInput, ...] = field(default=())

    def rows(self) -> list[dict[str, object]]:
        """One row per benefit and year, then one "total" row per year, for tables and exports."""
        table: list[dict[str, object]] = []
        for result in self.benefits.values():
            for index, year in enumerate(self.years):
                table.append(
                    {
                        "benefit": result.name,
                        "year": int(year),
                        "beneficiaries": float(result.beneficiaries[index]),
                        "amount_kip": int(result.amount_kip[index]),
                        "cost_kip": int(result.cost_kip[index]),
                        "share_of_gdp": float(result.share_of_gdp[index]),
                        "share_of_government_spending": float(
                            result.share_of_government_spending[index]
                        ),
                    }
                )
        for index, year in enumerate(self.years):
            table.append(
                {
                    "benefit": "total",
                    "year": int(year),
                    "beneficiaries": float(self.total_beneficiaries[index]),
                    "amount_kip": None,
                    "cost_kip": int(self.total_cost_kip[index]),
                    "share_of_gdp": float(self.total_share_of_gdp[index]),
                    "share_of_government_spending": float(
                        self.total_share_of_government_spending[index]
                    ),
                }
            )
        return table


def run_costing(
    population: PopulationByAge,
    scenario: CostingScenario,
    *,
    benefits: Iterable[str] | None = None,
    first_year: int | None = None,
    final_year: int | None = None,
) -> CostingResult:
    """Cost the scenario's benefits (or those named in `benefits`) for each year from
    `first_year` (default: the population's first year) to `final_year` (default: the
    scenario's, else the population's last year). Every input is checked before any cost is
    computed; the first fault raises an `ActuarialInputError`."""
    population = validate_population(population)
    years = _costing_years(population, scenario, first_year, final_year)
    macro = validate_macro(scenario.macro)
    check_covers(macro.years, years, "macro.years")
    selected = _select_benefits(scenario.benefits, benefits)
    for benefit in selected:
        benefit.validate(population, years, macro)
    rows = years - population.years[0]
    results = {
        benefit.name: cost_benefit(benefit, population, rows, years, macro) for benefit in selected
    }
    return _with_totals(results, years, macro, scenario.provisional_inputs)


def _costing_years(
    population: PopulationByAge,
    scenario: CostingScenario,
    first_year: int | None,
    final_year: int | None,
) -> np.ndarray:
    first = population.years[0] if first_year is None else check_year(first_year, "first_year")
    last = final_year if final_year is not None else scenario.final_year
    last = population.years[-1] if last is None else check_year(last, "final_year")
    if last < first:
        refuse(
            "final_year",
            f"must not be before the first year ({first}), got {last}",
            f"ຕ້ອງບໍ່ກ່ອນປີທຳອິດ ({first}), ແຕ່ໄດ້ຮັບ {last}",
        )  # own wording
    if last - first > MAXIMUM_HORIZON:
        refuse(
            "final_year",
            f"the horizon {first}-{last} is {last - first} years; at most "
            f"{MAXIMUM_HORIZON} years are allowed",
            f"ໄລຍະຄາດຄະເນ {first}-{last} ແມ່ນ {last - first} ປີ; ອະນຸຍາດບໍ່ເກີນ {MAXIMUM_HORIZON} ປີ",
        )  # own wording
    years = np.arange(first, last + 1, dtype=np.int64)
    check_covers(population.years, years, "population.years")
    return years


def _select_benefits(
    available: tuple[FloorBenefit, ...], names: Iterable[str] | None
) -> tuple[FloorBenefit, ...]:
    if not isinstance(available, tuple | list) or not all(
        isinstance(benefit, FloorBenefit) for benefit in available
    ):
        refuse(
            "scenario.benefits", "must be a list of floor benefits", "ຕ້ອງເປັນລາຍການເງິນອຸດໜູນ"
        )  # own wording
    by_name: dict[str, FloorBenefit] = {}
    for benefit in available:
        if benefit.name in by_name:
            refuse(
                "scenario.benefits",
                f"the benefit name {benefit.name!r} is used twice",
                f"ຊື່ເງິນອຸດໜູນ {benefit.name!r} ຖືກໃຊ້ສອງເທື່ອ",
            )  # own wording
        by_name[benefit.name] = benefit
    if names is None:
        return tuple(by_name.values())
    names = [names] if isinstance(names, str) else list(names)
    for name in names:
        if name not in by_name:
            refuse_unknown_name("benefits", "benefit", "ເງິນອຸດໜູນ", name, by_name)
    return tuple(by_name[name] for name in dict.fromkeys(names))


def refuse_unknown_name(
    field: str, kind: str, lao_kind: str, name: object, known: Iterable[str]
) -> NoReturn:
    choices = ", ".join(sorted(known))
    refuse(
        field,
        f"unknown {kind} {name!r}; known: {choices}",
        f"ບໍ່ຮູ້ຈັກ{lao_kind} {name!r}; ທີ່ມີ: {choices}",
    )  # own wording


def cost_benefit(
    benefit: FloorBenefit,
    population: PopulationByAge,
    rows: np.ndarray,
    years: np.ndarray,
    macro: MacroPaths,
) -> BenefitCost:
    """The RAP cost of one (validated) benefit in each of `years`."""
    target = benefit.target_population(population, rows, years)
    eligible = target * benefit.eligible_factor(years)
    take_up = rate_path(benefit.take_up, years, benefit.field("take_up"))
    beneficiaries = eligible * take_up
    amount_kip = benefit.amount.amounts_kip(years, macro)
    payments = benefit.payments_per_beneficiary
    benefit_cost = beneficiaries * amount_kip * payments
    administration_share = rate_path(
        benefit.administration_share, years, benefit.field("administration_share")
    )
    administration_cost = benefit_cost * administration_share
    if benefit.administration_fixed_kip is not None:
        administration_cost = administration_cost + (
            benefit.administration_fixed_kip.amounts_kip(years, macro)
        )
    _check_countable(benefit_cost + administration_cost, benefit.field("cost"))
    benefit_cost_kip = np.rint(benefit_cost).astype(np.int64)
    administration_cost_kip = np.rint(administration_cost).astype(np.int64)
    cost_kip = benefit_cost_kip + administration_cost_kip
    macro_rows = macro.rows(years)
    return BenefitCost(
        name=benefit.name,
        label_english=benefit.label_english,
        label_lao=benefit.label_lao,
        years=years,
        target_population=target,
        eligible=eligible,
        take_up=take_up,
        beneficiaries=beneficiaries,
        amount_kip=amount_kip,
        payments_per_beneficiary=payments,
        administration_share=administration_share,
        benefit_cost_kip=benefit_cost_kip,
        administration_cost_kip=administration_cost_kip,
        cost_kip=cost_kip,
        share_of_gdp=cost_kip / macro.gdp_kip[macro_rows],
        share_of_government_spending=cost_kip / macro.government_spending_kip[macro_rows],
    )


def _check_countable(cost: np.ndarray, field: str) -> None:
    if np.any(cost > LARGEST_EXACT_KIP):
        year_index = int(np.argmax(cost > LARGEST_EXACT_KIP))
        refuse(
            field,
            f"the cost exceeds {LARGEST_EXACT_KIP:,} kip (position {year_index}); check the "
            f"amounts, inflation and population units",
            f"ຄ່າໃຊ້ຈ່າຍເກີນ {LARGEST_EXACT_KIP:,} ກີບ (ຕຳແໜ່ງ {year_index}); ກວດເບິ່ງຈຳນວນເງິນ, "
            f"ອັດຕາເງິນເຟີ້ ແລະ ຫົວໜ່ວຍຂອງປະຊາກອນ",
        )  # own wording


def _with_totals(
    results: dict[str, BenefitCost],
    years: np.ndarray,
    macro: MacroPaths,
    provisional_inputs: tuple[ProvisionalInput, ...],
) -> CostingResult:
    macro_rows = macro.rows(years)
    gdp = macro.gdp_kip[macro_rows]
    spending = macro.government_spending_kip[macro_rows]
    total_cost = np.zeros(years.size, dtype=np.int64)
    total_beneficiaries = np.zeros(years.size)
    for result in results.values():
        total_cost = total_cost + result.cost_kip
        total_beneficiaries = total_beneficiaries + result.beneficiaries
    return CostingResult(
        years=years,
        benefits=results,
        gdp_kip=gdp,
        government_spending_kip=spending,
        total_cost_kip=total_cost,
        total_beneficiaries=total_beneficiaries,
        total_share_of_gdp=total_cost / gdp,
        total_share_of_government_spending=total_cost / spending,
        provisional_inputs=tuple(provisional_inputs),
    )
