"""The assumptions a scenario can override, each with its base value, unit, source and, where the
base is provisional, why: what the scenario page shows and what a run's snapshot keeps.

The names are the packages' own: `pakan.actuarial.scenarios.known_parameters` for a fund
valuation, `pakan.actuarial.costing_assumptions.lao_base_assumptions` for a floor costing. Base
values come from the Lao base of each package; sources from `lao_assumptions.FIGURES` and, for
values read from the law, from the dated legal parameters (their reference and provisional
flag on the rules date of the base).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np

from pakan.actuarial import lao_assumptions
from pakan.actuarial.costing_assumptions import describe_value, lao_base_assumptions
from pakan.actuarial.model import Assumptions
from pakan.actuarial.scenarios import PARAMETERS, known_parameters

FUND = "fund"
COSTING = "costing"


@dataclass(frozen=True)
class AssumptionRow:
    name: str
    description: str
    base_value: str
    unit: str
    source: str
    provisional_reason: str = ""

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_reason)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@functools.cache
def fund_base() -> Assumptions:
    """The Lao base valuation's assumptions (built once per process: about two seconds)."""
    return lao_assumptions.assumptions()


def rows(kind: str) -> list[AssumptionRow]:
    """Every assumption a scenario of this kind may override, in the packages' order."""
    return list(_fund_rows() if kind == FUND else _costing_rows())


def names(kind: str) -> list[str]:
    return [row.name for row in rows(kind)]


def provisional_rows(kind: str, overrides: Iterable[str]) -> list[AssumptionRow]:
    """The provisional base values a scenario still rests on: those it does not override (an
    unqualified override such as `contribution_rate` covers its qualified rows too)."""
    overridden = set(overrides)
    listed = rows(kind)
    if kind != FUND:
        return [row for row in listed if row.provisional and row.name not in overridden]
    # A fund parameter with qualified rows is listed by them; each is covered by its own
    # override or by the unqualified one that sets them all.
    qualified_stems = {row.name.partition(".")[0] for row in listed if "." in row.name}
    return [
        row for row in listed
        if row.provisional and row.name not in overridden
        and row.name.partition(".")[0] not in overridden
        and row.name not in qualified_stems
    ]


# --- floor costing ----------------------------------------------------------------------------

@functools.cache
def _costing_rows() -> tuple[AssumptionRow, ...]:
    return tuple(
        AssumptionRow(
            name=assumption.name,
            description=assumption.kind,
            base_value=describe_value(assumption.value),
            unit=assumption.unit,
            source=assumption.source,
            provisional_reason=assumption.provisional_reason,
        )
        for assumption in lao_base_assumptions().values()
    )


# --- fund valuation ---------------------------------------------------------------------------

def _percent(value: float) -> str:
    return f"{100 * float(value):.4g}%"


def _number(value: float) -> str:
    value = float(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"


def describe_path(first_year: int, values: np.ndarray, show: Callable[[float], str]) -> str:
    """A yearly path as its years up to where it stops changing: "2024 25%, …, 2030 on 5%"."""
    values = np.asarray(values, dtype=float)
    last_change = len(values) - 1
    while last_change > 0 and np.isclose(values[last_change - 1], values[-1]):
        last_change -= 1
    parts = [f"{first_year + i} {show(v)}" for i, v in enumerate(values[:last_change])]
    parts.append(f"{first_year + last_change} on {show(values[last_change])}")
    return ", ".join(parts)


def _by_name(mapping: dict, show: Callable[[float], str]) -> str:
    distinct = {show(value) for value in mapping.values()}
    if len(distinct) == 1:
        return distinct.pop()
    return "; ".join(f"{name} {show(value)}" for name, value in mapping.items())


def _ages(value) -> str:
    male, female = (int(age) for age in np.asarray(value, dtype=float).reshape(-1)[:2])
    return f"{male} (men), {female} (women)"


def _base_value(base: Assumptions, stem: str, qualifier: str | None) -> str:
    fund, wages, schemes = base.fund, base.wages, base.pension.schemes

    def chosen(mapping: dict) -> dict:
        return mapping if qualifier is None else {qualifier: mapping[qualifier]}

    def scheme_values(attribute: str, show: Callable) -> str:
        return _by_name({name: getattr(formula, attribute)
                         for name, formula in chosen(schemes).items()}, show)

    first_year = base.first_year
    economy = {
        "wage_growth": base.economy.wage_growth,
        "inflation": base.economy.inflation,
        "investment_return": base.economy.investment_return,
    }
    describers: dict[str, Callable[[], str]] = {
        "contribution_rate": lambda: _by_name(chosen(fund.contribution_rates), _percent),
        "insurable_wage_ceiling": lambda: _by_name(chosen(wages.ceiling_monthly), _number),
        "ceiling_follows_wages": lambda: str(wages.ceiling_follows_wages).lower(),
        "pension_age": lambda: "; ".join(
            f"{name} {_ages(formula.pension_age)}" for name, formula in chosen(schemes).items()),
        "accrual_rate": lambda: "; ".join(
            f"{name}: {_percent(formula.rate_at_full_years)} after {formula.full_rate_years} "
            f"years, +{_percent(formula.rate_per_year_above)} / "
            f"-{_percent(formula.rate_per_year_below)} a year above / below"
            for name, formula in chosen(schemes).items()),
        "minimum_contribution_years": lambda: scheme_values("minimum_years", _number),
        "maximum_replacement_rate": lambda: scheme_values("maximum_rate", _percent),
        "reference_wage_years": lambda: scheme_values("reference_wage_years", _number),
        "indexation_wage_share": lambda: _percent(fund.indexation_wage_share),
        "indexation_pass_through": lambda: _percent(fund.indexation_pass_through),
        "initial_reserve": lambda: _number(fund.initial_reserve),
        "administrative_cost_rate": lambda: _percent(fund.administrative_cost_rate),
        "short_term_cost_rate": lambda: _by_name(chosen(fund.short_term_cost_rates), _percent),
        "coverage_scale": lambda: "1",
        "total_fertility_rate": lambda: _fertility(base),
        "mortality_improvement": lambda: _percent(
            base.demography.mortality.annual_improvement),
        "horizon_years": lambda: str(base.horizon_years),
    }
    if stem in economy:
        return describe_path(first_year, economy[stem][: base.horizon_years], _percent)
    return describers[stem]()


def _fertility(base: Assumptions) -> str:
    path = base.demography.fertility.total_fertility_rate
    if isinstance(path, dict):
        return ", ".join(f"{year} {value:g}" for year, value in sorted(path.items()))
    return str(path)


UNITS = {
    "contribution_rate": "share of the insurable wage",
    "insurable_wage_ceiling": "kip a month, base-year money",
    "ceiling_follows_wages": "true / false",
    "pension_age": "years: a number, [men, women], or a {year: value} path",
    "accrual_rate": "share of the reference wage per credited year",
    "minimum_contribution_years": "years",
    "maximum_replacement_rate": "share of the reference wage",
    "reference_wage_years": "years",
    "indexation_wage_share": "share",
    "indexation_pass_through": "share",
    "initial_reserve": "kip",
    "administrative_cost_rate": "share of benefit expenditure",
    "short_term_cost_rate": "share of the insurable wage bill",
    "coverage_scale": "factor: a number or a {year: value} path",
    "wage_growth": "fraction a year: a number or a {year: value} path",
    "inflation": "fraction a year: a number or a {year: value} path",
    "investment_return": "fraction a year: a number or a {year: value} path",
    "total_fertility_rate": "children per woman: a number or a {year: value} path",
    "mortality_improvement": "fraction a year",
    "horizon_years": "years (at most 100)",
}

# Where each base value comes from: a figure of lao_assumptions, or legal parameters.
FIGURE_OF = {
    "initial_reserve": "initial_reserve",
    "administrative_cost_rate": "administrative_cost_rate",
    "short_term_cost_rate": "short_term_cost_rates",
    "indexation_wage_share": "indexation",
    "indexation_pass_through": "indexation",
    "coverage_scale": "insured",
    "wage_growth": "real_wage_growth",
    "inflation": "inflation",
    "investment_return": "real_investment_return",
    "total_fertility_rate": "fertility_path",
    "mortality_improvement": "mortality_improvement",
}
OLD_AGE = "social_security.benefits.old_age"
LEGAL_OF_SCHEME_PARAMETER = {
    "pension_age": ("normal_age.male", "normal_age.female"),
    "accrual_rate": ("rate.base", "rate.base_years", "rate.per_year_above",
                     "rate.per_year_below"),
    "minimum_contribution_years": ("reduced_pension.minimum_years",),
    "maximum_replacement_rate": ("rate.maximum",),
    "reference_wage_years": ("reference_wage_months",),
}


def _legal_names(base: Assumptions, stem: str, qualifier: str | None) -> list[str]:
    if stem == "contribution_rate":
        categories = base.labour.categories if qualifier is None else (qualifier,)
        found = []
        for category in categories:
            if category == "voluntary":
                found.append("social_security.voluntary.rate")
            else:
                found += [f"social_security.contribution_rates.{category}.insured",
                          f"social_security.contribution_rates.{category}.employer"]
        return found
    if stem == "insurable_wage_ceiling":
        if qualifier == "voluntary":
            return ["social_security.voluntary.income_classes.maximum"]
        return ["social_security.insurable_wage.ceiling"]
    schemes = base.pension.scheme_names if qualifier is None else (qualifier,)
    return [f"{OLD_AGE}.{scheme}.{part}" for scheme in schemes
            for part in LEGAL_OF_SCHEME_PARAMETER[stem]]


def _legal_source(names: list[str]) -> tuple[str, str]:
    from pakan.rules.legal_parameters import entry_at

    references, reasons = [], []
    for name in names:
        entry = entry_at(name, lao_assumptions.RULES_DATE)
        short = name.removeprefix("social_security.")
        references.append(f"{short} = {entry.value} from {entry.start}: {entry.reference}")
        if entry.provisional:
            reasons.append(f"{short}: {entry.provisional_reason}")
    return " | ".join(dict.fromkeys(references)), " | ".join(dict.fromkeys(reasons))


def _source(base: Assumptions, stem: str, qualifier: str | None) -> tuple[str, str]:
    if stem in FIGURE_OF:
        figure = lao_assumptions.FIGURES[FIGURE_OF[stem]]
        return figure.source, figure.provisional
    if stem in ("contribution_rate", "insurable_wage_ceiling") or stem in (
            LEGAL_OF_SCHEME_PARAMETER):
        return _legal_source(_legal_names(base, stem, qualifier))
    if stem == "ceiling_follows_wages":
        return "model default", "assumed: the ceiling is raised with average wages"
    return "model default: a 75-year valuation (issue 5)", ""


@functools.cache
def _fund_rows() -> tuple[AssumptionRow, ...]:
    base = fund_base()
    found = []
    for name in known_parameters(base):
        stem, _, qualifier = name.partition(".")
        source, reason = _source(base, stem, qualifier or None)
        found.append(AssumptionRow(
            name=name,
            description=PARAMETERS[stem].description + (f" ({qualifier})" if qualifier else ""),
            base_value=_base_value(base, stem, qualifier or None),
            unit=UNITS[stem],
            source=source,
            provisional_reason=reason,
        ))
    return tuple(found)


# --- for display -------------------------------------------------------------------------------

def _shown(value: object) -> str:
    from pakan.valuation.services.overrides import show_value

    return show_value(value)


def scenario_rows(kind: str, overrides: dict) -> list[dict]:
    """Every assumption with the scenario's override (or "") and whether the value used is a
    provisional base value."""
    still_provisional = {row.name for row in provisional_rows(kind, overrides)}
    return [{**row.as_dict(), "override": _shown(overrides[row.name]) if row.name in overrides
             else "", "provisional": row.name in still_provisional} for row in rows(kind)]


def snapshot_rows(snapshot: dict) -> list[dict]:
    """The same, from a run's snapshot: the base values and sources as they were then."""
    overrides = snapshot.get("overrides", {})
    still_provisional = set(snapshot.get("provisional", []))
    listed = {row["name"] for row in snapshot.get("rows", [])}
    found = [{**row, "override": _shown(overrides[row["name"]]) if row["name"] in overrides
              else "", "provisional": row["name"] in still_provisional}
             for row in snapshot.get("rows", [])]
    found += [{"name": name, "description": "", "base_value": "", "unit": "", "source": "",
               "provisional_reason": "", "override": _shown(value), "provisional": False}
              for name, value in overrides.items() if name not in listed]
    return found
