"""Scenarios: named sets of overrides applied to a base set of assumptions, run side by side.

An override names a parameter from `PARAMETERS` (optionally qualified by a category, scheme
or branch after a dot, e.g. "contribution_rate.voluntary", "pension_age.public") and gives its
new value. A name that does not exist is refused, with the list of the ones that do, before
anything runs; a value is checked by the same constructors as any other input.

    Scenario("raise the pension age", {"pension_age": {2030: [60, 58], 2040: [62, 62]}})
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pakan.actuarial.engine import project
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.model import Assumptions
from pakan.actuarial.paths import over_years
from pakan.actuarial.pension_formula import PensionFormula
from pakan.actuarial.results import ProjectionResult


@dataclass(frozen=True)
class Scenario:
    name: str
    overrides: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""


Applier = Callable[[Assumptions, Any, str | None], Assumptions]


@dataclass(frozen=True)
class Parameter:
    description: str
    apply: Applier
    qualified_by: str | None = None  # "category", "scheme", "branch" or None


def _replace(assumptions: Assumptions, **parts: Any) -> Assumptions:
    return dataclasses.replace(assumptions, **parts)


def _fund(assumptions: Assumptions, **changes: Any) -> Assumptions:
    return _replace(assumptions, fund=dataclasses.replace(assumptions.fund, **changes))


def _chosen(names: Iterable[str], qualifier: str | None) -> list[str]:
    return list(names) if qualifier is None else [qualifier]


def _contribution_rate(assumptions: Assumptions, value: Any, category: str | None):
    rates = dict(assumptions.fund.contribution_rates)
    for name in _chosen(rates, category):
        rates[name] = value
    return _fund(assumptions, contribution_rates=rates)


def _wages(assumptions: Assumptions, **changes: Any) -> Assumptions:
    return _replace(assumptions, wages=dataclasses.replace(assumptions.wages, **changes))


def _ceiling(assumptions: Assumptions, value: Any, category: str | None):
    ceilings = dict(assumptions.wages.ceiling_monthly)
    for name in _chosen(ceilings, category):
        ceilings[name] = value
    return _wages(assumptions, ceiling_monthly=ceilings)


def _formula(attribute: str) -> Applier:
    def apply(assumptions: Assumptions, value: Any, scheme: str | None) -> Assumptions:
        schemes = dict(assumptions.pension.schemes)
        for name in _chosen(schemes, scheme):
            schemes[name] = dataclasses.replace(schemes[name], **{attribute: value})
        return _replace(assumptions, pension=dataclasses.replace(
            assumptions.pension, schemes=schemes))
    return apply


def _accrual(assumptions: Assumptions, value: Any, scheme: str | None) -> Assumptions:
    schemes = dict(assumptions.pension.schemes)
    for name in _chosen(schemes, scheme):
        old = schemes[name]
        schemes[name] = PensionFormula.linear(
            value, old.pension_age, old.minimum_years, old.reference_wage_years,
            old.maximum_rate)
    return _replace(assumptions, pension=dataclasses.replace(assumptions.pension,
                                                             schemes=schemes))


def _economy(attribute: str) -> Applier:
    def apply(assumptions: Assumptions, value: Any, _: str | None) -> Assumptions:
        return _replace(assumptions, economy=dataclasses.replace(
            assumptions.economy, **{attribute: value}))
    return apply


def _fund_field(attribute: str) -> Applier:
    def apply(assumptions: Assumptions, value: Any, _: str | None) -> Assumptions:
        return _fund(assumptions, **{attribute: value})
    return apply


def _short_term(assumptions: Assumptions, value: Any, branch: str | None) -> Assumptions:
    rates = dict(assumptions.fund.short_term_cost_rates)
    for name in _chosen(rates, branch):
        rates[name] = value
    return _fund(assumptions, short_term_cost_rates=rates)


def _coverage_scale(assumptions: Assumptions, value: Any, category: str | None):
    labour = assumptions.labour
    expanded = labour.expand(assumptions.first_year, assumptions.horizon_years + 1)["coverage"]
    factor = over_years("coverage_scale", value, assumptions.first_year,
                        assumptions.horizon_years + 1)[:, None, None]
    coverage = {}
    for position, name in enumerate(labour.categories):
        chosen = category is None or category == name
        coverage[name] = expanded[:, position] * (factor if chosen else 1.0)
    return _replace(assumptions, labour=dataclasses.replace(labour, coverage=coverage))


def _demography(attribute: str, part: str) -> Applier:
    def apply(assumptions: Assumptions, value: Any, _: str | None) -> Assumptions:
        demography = assumptions.demography
        changed = dataclasses.replace(getattr(demography, part), **{attribute: value})
        return _replace(assumptions, demography=dataclasses.replace(
            demography, **{part: changed}))
    return apply


def _horizon(assumptions: Assumptions, value: Any, _: str | None) -> Assumptions:
    return _replace(assumptions, horizon_years=value)


PARAMETERS: dict[str, Parameter] = {
    "contribution_rate": Parameter(
        "total contribution rate (share of the insurable wage)", _contribution_rate, "category"),
    "insurable_wage_ceiling": Parameter(
        "monthly insurable wage ceiling, base-year kip", _ceiling, "category"),
    "ceiling_follows_wages": Parameter(
        "whether the ceiling rises with average wages (true/false)",
        lambda a, v, _: _wages(a, ceiling_follows_wages=v)),
    "pension_age": Parameter(
        "pension age: a number, [male, female], or a {year: value} path",
        _formula("pension_age"), "scheme"),
    "accrual_rate": Parameter(
        "pension = accrual x credited years x reference wage (replaces the rate schedule)",
        _accrual, "scheme"),
    "minimum_contribution_years": Parameter(
        "fewest credited years that give a pension", _formula("minimum_years"), "scheme"),
    "maximum_replacement_rate": Parameter(
        "highest pension rate", _formula("maximum_rate"), "scheme"),
    "reference_wage_years": Parameter(
        "years averaged for the reference wage", _formula("reference_wage_years"), "scheme"),
    "indexation_wage_share": Parameter(
        "weight of wage growth (vs prices) in the indexation of pensions",
        _fund_field("indexation_wage_share")),
    "indexation_pass_through": Parameter(
        "share of the index passed on to pensions", _fund_field("indexation_pass_through")),
    "initial_reserve": Parameter("reserve on 1 January of the base year, kip",
                                 _fund_field("initial_reserve")),
    "administrative_cost_rate": Parameter(
        "administrative cost as a share of benefit expenditure",
        _fund_field("administrative_cost_rate")),
    "short_term_cost_rate": Parameter(
        "cost rate of a short-term branch (share of the insurable wage bill)",
        _short_term, "branch"),
    "coverage_scale": Parameter(
        "factor on coverage rates: a number or a {year: value} path", _coverage_scale,
        "category"),
    "wage_growth": Parameter("nominal wage growth path", _economy("wage_growth")),
    "inflation": Parameter("price inflation path", _economy("inflation")),
    "investment_return": Parameter("nominal investment return path",
                                   _economy("investment_return")),
    "total_fertility_rate": Parameter(
        "total fertility rate path", _demography("total_fertility_rate", "fertility")),
    "mortality_improvement": Parameter(
        "annual rate of decline of death rates", _demography("annual_improvement",
                                                               "mortality")),
    "horizon_years": Parameter("projection years (at most 100)", _horizon),
}


def _qualifiers(assumptions: Assumptions, kind: str | None) -> tuple[str, ...]:
    if kind == "category":
        return assumptions.labour.categories
    if kind == "scheme":
        return assumptions.pension.scheme_names
    if kind == "branch":
        return tuple(assumptions.fund.short_term_cost_rates)
    return ()


def known_parameters(assumptions: Assumptions) -> list[str]:
    """Every override name the assumptions accept, qualified ones included."""
    names = []
    for name, parameter in PARAMETERS.items():
        names.append(name)
        names.extend(f"{name}.{q}" for q in _qualifiers(assumptions, parameter.qualified_by))
    return names


def _unknown(scenario: Scenario, name: str, assumptions: Assumptions) -> ActuarialInputError:
    return ActuarialInputError(
        f"scenario {scenario.name!r}: the parameter {name!r} does not exist; known parameters: "
        f"{', '.join(known_parameters(assumptions))}",
        f"ສະຖານະການ {scenario.name!r}: ບໍ່ມີພາລາມິເຕີ {name!r}",  # own wording
        field=f"scenario.{scenario.name}.{name}",
    )


def apply_scenario(base: Assumptions, scenario: Scenario) -> Assumptions:
    """The base assumptions with the scenario's overrides, checked before anything runs."""
    assumptions = base
    for name, value in scenario.overrides.items():
        stem, _, qualifier = str(name).partition(".")
        parameter = PARAMETERS.get(stem)
        if parameter is None or (qualifier and qualifier not in _qualifiers(
                base, parameter.qualified_by)):
            raise _unknown(scenario, name, base)
        try:
            assumptions = parameter.apply(assumptions, value, qualifier or None)
        except ActuarialInputError as error:
            raise ActuarialInputError(
                f"scenario {scenario.name!r}, {name}: {error.english}",
                f"ສະຖານະການ {scenario.name!r}, {name}: {error.lao}",  # own wording
                field=f"scenario.{scenario.name}.{name}",
            ) from error
        except (TypeError, ValueError) as error:
            raise ActuarialInputError(
                f"scenario {scenario.name!r}, {name}: the value {value!r} cannot be used ({error})",
                f"ສະຖານະການ {scenario.name!r}, {name}: ຄ່າ {value!r} ໃຊ້ບໍ່ໄດ້",  # own wording
                field=f"scenario.{scenario.name}.{name}",
            ) from error
    return dataclasses.replace(assumptions, name=scenario.name)


SUMMARY_INDICATORS = ("payg_cost_rate", "reserve_ratio", "demographic_ratio", "pensioners",
                      "active_insured")


@dataclass(frozen=True)
class ScenarioComparison:
    results: dict[str, ProjectionResult]

    def summary(self, years: Iterable[int] = ()) -> list[dict]:
        """One row per scenario: GAP over the horizon, the depletion year, and the summary
        indicators in the chosen years."""
        rows = []
        for name, result in self.results.items():
            row: dict[str, Any] = {
                "scenario": name,
                "general_average_premium": float(result.general_average_premium()[0]),
                "reserve_depletion_year": result.depletion_year()[0],
            }
            for year in years:
                position = int(year - result.first_year)
                for indicator in SUMMARY_INDICATORS:
                    row[f"{indicator}_{year}"] = float(result.indicator(indicator)[0, position])
            rows.append(row)
        return rows

    def table(self, indicator: str) -> list[dict]:
        """One row per year, one column per scenario."""
        first = next(iter(self.results.values()))
        rows = []
        for position, year in enumerate(first.years):
            row: dict[str, Any] = {"year": int(year)}
            for name, result in self.results.items():
                values = result.indicator(indicator)[0]
                row[name] = float(values[position]) if position < values.size else None
            rows.append(row)
        return rows


def compare_scenarios(base: Assumptions, scenarios: Iterable[Scenario]) -> ScenarioComparison:
    """Run the base and each scenario (all checked first, so a bad one stops everything)."""
    chosen = [dataclasses.replace(base, name=base.name)]
    chosen += [apply_scenario(base, scenario) for scenario in scenarios]
    names = [assumptions.name for assumptions in chosen]
    if len(set(names)) != len(names):
        raise ActuarialInputError(
            f"scenario names must differ: {names}", "ຊື່ສະຖານະການຕ້ອງບໍ່ຊ້ຳກັນ",  # own wording
            field="scenario.name",
        )
    return ScenarioComparison({a.name: project(a, detail=False) for a in chosen})
