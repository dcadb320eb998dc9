"""A scenario's overrides: typed text to values, values to JSON and back, and their checks.

What an actuary types beside an assumption is a number (`0.2`, or `20%`), `true` / `false`, or a
JSON list or mapping (`[60, 58]`, `{2030: 60, 2040: 62}`: years may be typed without quotes);
the scenario stores it as JSON.
The packages check the values: every override is applied to the Lao base on its own (so an error
lands beside its own field), then all together, and a costing is run once on the projected base
population (a take-up phased in above 100 % is only found there). Nothing here knows a rule of
its own: the limits (0-100 %, a horizon of at most 100 years, unknown names) are the packages'.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from pakan.actuarial.costing import PhaseIn, PopulationByAge, YearlyPath, run_costing
from pakan.actuarial.costing_assumptions import (
    BASE_YEAR as COSTING_FIRST_YEAR,
)
from pakan.actuarial.costing_assumptions import (
    DEFAULT_FINAL_YEAR,
    CostingScenario,
    lao_base_scenario,
)
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.model import Assumptions
from pakan.actuarial.population import project_population
from pakan.actuarial.scenarios import Scenario, apply_scenario
from pakan.valuation.messages import FieldError, error, from_actuarial
from pakan.valuation.services.catalogue import COSTING, FUND, fund_base

PHASE_IN_KEYS = frozenset({"start_year", "start_rate", "full_year", "full_rate"})
YEAR_KEY = re.compile(r"^\d{4}$")
# {2030: 60} is read as {"2030": 60}: JSON wants quoted keys, people type years bare.
BARE_YEAR_KEY = re.compile(r"([{,]\s*)(\d{4})(\s*:)")
OVERRIDES_FIELD = "overrides"


# --- typed text --------------------------------------------------------------------------------

def parse_value(field: str, text: str) -> tuple[Any, list[FieldError]]:
    """What was typed beside an assumption: None when blank (no override)."""
    text = (text or "").strip()
    if not text:
        return None, []
    if text.endswith("%"):
        try:
            return float(text[:-1].strip().replace(",", "")) / 100.0, []
        except ValueError:
            return None, [error(field, "not_a_value")]
    if text.lower() in ("true", "false"):
        return text.lower() == "true", []
    try:
        return json.loads(BARE_YEAR_KEY.sub(r'\1"\2"\3', text)), []
    except ValueError:
        return None, [error(field, "not_a_value")]


def parse_lines(field: str, text: str) -> tuple[dict[str, Any], list[FieldError]]:
    """Overrides written as text, one `name = value` a line ('#' starts a comment)."""
    found: dict[str, Any] = {}
    problems: list[FieldError] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, separator, typed = line.partition("=")
        if not separator or not name.strip() or not typed.strip():
            problems.append(error(field, "bad_line", line=number))
            continue
        value, errors = parse_value(field, typed)
        if errors:
            problems.append(FieldError(field, errors[0].code,
                                       f"{name.strip()}: {errors[0].reason_en}",
                                       f"{name.strip()}: {errors[0].reason_lo}"))
            continue
        found[name.strip()] = value
    return found, problems


def show_value(value: Any) -> str:
    """A stored override as it is typed back into its input."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


# --- JSON to the packages' values --------------------------------------------------------------

def costing_value(value: Any) -> Any:
    """A JSON override as the costing package takes it: a phase-in, a yearly path, bands."""
    if isinstance(value, Mapping):
        if set(value) == PHASE_IN_KEYS:
            return PhaseIn(**value)
        if value and all(YEAR_KEY.match(str(year)) for year in value):
            years = sorted(int(year) for year in value)
            by_year = {int(year): rate for year, rate in value.items()}
            return YearlyPath(np.array(years), np.array([by_year[y] for y in years], dtype=float))
    if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
        return tuple(tuple(item) for item in value)
    return value


def costing_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    return {name: costing_value(value) for name, value in overrides.items()}


# --- building the packages' inputs -------------------------------------------------------------

def apply_to(base: Assumptions, scenario_name: str, overrides: Mapping[str, Any]) -> Assumptions:
    """`base` with the overrides (the package checks every value)."""
    return apply_scenario(base, Scenario(scenario_name, dict(overrides)))


def fund_assumptions(scenario_name: str, overrides: Mapping[str, Any]) -> Assumptions:
    """The Lao base valuation with the overrides."""
    return apply_to(fund_base(), scenario_name, overrides)


def costing_scenario(overrides: Mapping[str, Any], final_year: int) -> CostingScenario:
    return lao_base_scenario(costing_overrides(overrides), final_year=final_year)


@functools.cache
def base_population(final_year: int) -> PopulationByAge:
    """The Lao base population projected to `final_year`, people alive during each year: the
    population every floor costing is run on."""
    demography = fund_base().demography
    first_year = demography.base_population.year
    projection = project_population(demography, max(1, final_year - first_year + 1))
    return PopulationByAge.from_january_stocks(
        projection.first_year, projection.population[0], projection.births[0])


def run_costing_scenario(overrides: Mapping[str, Any], final_year: int):
    scenario = costing_scenario(overrides, final_year)
    return run_costing(base_population(final_year), scenario, first_year=COSTING_FIRST_YEAR,
                       final_year=final_year)


# --- checks ------------------------------------------------------------------------------------

def _owner(field: str, names: list[str], fallback: str) -> str:
    """The override a package error is about: the longest name the error's field starts with."""
    field = field.removeprefix("overrides.")
    matching = [name for name in names if field == name or field.startswith(f"{name}.")]
    return max(matching, key=len) if matching else fallback


def check(kind: str, overrides: Mapping[str, Any], *, scenario_name: str = "scenario",
          final_year: int = DEFAULT_FINAL_YEAR) -> list[FieldError]:
    """Every refusal of these overrides, each beside the override it concerns."""
    names = list(overrides)
    problems: list[FieldError] = []
    for name, value in overrides.items():
        try:
            _build(kind, {name: value}, scenario_name, final_year)
        except ActuarialInputError as problem:
            problems.append(from_actuarial(name, problem))
    if problems:
        return problems
    try:
        _build(kind, overrides, scenario_name, final_year)
        if kind == COSTING:
            run_costing_scenario(overrides, final_year)
    except ActuarialInputError as problem:
        prefix = f"scenario.{scenario_name}."
        field = problem.field.removeprefix(prefix)
        return [from_actuarial(_owner(field, names, OVERRIDES_FIELD), problem)]
    return []


def _build(kind: str, overrides: Mapping[str, Any], scenario_name: str, final_year: int):
    if kind == FUND:
        return fund_assumptions(scenario_name, overrides)
    return costing_scenario(overrides, final_year)
