"""Computing a run from its snapshot: the packages called, their results flattened to named
arrays (the run's `.npz`) and a small summary (the run's JSON).

Nothing here reads the database: the same snapshot (kind, overrides, settings, the extract's
model inputs) gives the same arrays, which is what "re-run" relies on. Stochastic runs are
projected a chunk at a time, exactly as `pakan.actuarial.stochastic.run_stochastic` does it
(all draws made first from the seed, then the engine's runs axis), so the page can show a
progress bar; the numbers do not depend on the chunk size (tested against the package).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from pakan.actuarial.engine import RunPaths, project
from pakan.actuarial.model import Assumptions
from pakan.actuarial.results import TABLE_COLUMNS, ProjectionResult
from pakan.actuarial.stochastic import (
    PERCENTILES,
    StochasticAssumptions,
    StochasticResult,
    random_paths,
)
from pakan.valuation.services import overrides as override_values

Progress = Callable[[int, int], None]

DETERMINISTIC = "deterministic"
STOCHASTIC = "stochastic"
COSTING = "costing"

SERIES = (*TABLE_COLUMNS, "pension_cost_rate")
BANDED = ("reserve_end", "payg_cost_rate", "reserve_ratio", "pension_cost_rate",
          "demographic_ratio")
KEPT_BY_RUN = ("reserve_end", "payg_cost_rate")
SUMMARY_YEARS = (2030, 2050)
BENEFIT_ARRAYS = ("target_population", "eligible", "take_up", "beneficiaries", "amount_kip",
                  "benefit_cost_kip", "administration_cost_kip", "cost_kip", "share_of_gdp",
                  "share_of_government_spending")
TOTAL_ARRAYS = ("gdp_kip", "government_spending_kip", "total_cost_kip", "total_beneficiaries",
                "total_share_of_gdp", "total_share_of_government_spending")

STOCHASTIC_DEFAULTS: dict[str, Any] = {
    "runs": 1000,
    "seed": 1,
    "investment_return_volatility": 0.06,
    "wage_growth_volatility": 0.02,
    "wage_growth_persistence": 0.5,
    "mortality_volatility": 0.02,
    "chunk_size": 50,
}


@dataclass(frozen=True)
class Computed:
    arrays: dict[str, np.ndarray]
    summary: dict[str, Any]


def arrays_sha256(arrays: Mapping[str, np.ndarray]) -> str:
    """A hash of the results' numbers (names, types, shapes and bytes): equal hashes, equal
    results, whatever the file's zip timestamps."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _none_if_nan(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _at(series: np.ndarray, first_year: int, year: int) -> float | None:
    position = year - first_year
    return _none_if_nan(series[position]) if 0 <= position < series.size else None


def _summary_years(first_year: int, last_year: int) -> list[int]:
    return sorted({year for year in (first_year, *SUMMARY_YEARS, last_year)
                   if first_year <= year <= last_year})


# --- deterministic valuation -------------------------------------------------------------------

def deterministic(assumptions: Assumptions, progress: Progress) -> Computed:
    progress(0, 1)
    result = project(assumptions)
    arrays = {f"series__{name}": result.indicator(name)[0] for name in SERIES}
    arrays["years"] = result.years.astype(np.int64)
    arrays["population_stocks"] = result.population.population[0]  # [year 0..T, sex, age]
    first_year, last_year = int(result.years[0]), int(result.years[-1])
    gap = float(result.general_average_premium()[0])
    summary = {
        "first_year": first_year,
        "last_year": last_year,
        "general_average_premium": _none_if_nan(gap),
        "reserve_depletion_year": result.depletion_year()[0],
        "by_year": {
            str(year): {name: _at(result.indicator(name)[0], first_year, year)
                        for name in ("payg_cost_rate", "average_contribution_rate",
                                     "reserve_ratio", "reserve_end", "active_insured",
                                     "pensioners", "demographic_ratio", "population")}
            for year in _summary_years(first_year, last_year)
        },
    }
    progress(1, 1)
    return Computed(arrays, summary)


# --- stochastic runs ---------------------------------------------------------------------------

def stochastic_assumptions(settings: Mapping[str, Any]) -> StochasticAssumptions:
    """The run's settings as the package's checked object (workers stay 1: a job's worker
    process may not start processes of its own, and results do not depend on it)."""
    chosen = {**STOCHASTIC_DEFAULTS, **{k: v for k, v in settings.items()
                                        if k in STOCHASTIC_DEFAULTS}}
    return StochasticAssumptions(**chosen, workers=1)


def project_runs(assumptions: Assumptions, stochastic: StochasticAssumptions,
                 progress: Progress) -> StochasticResult:
    paths = random_paths(assumptions, stochastic)
    parts = []
    for start in range(0, stochastic.runs, stochastic.chunk_size):
        stop = min(start + stochastic.chunk_size, stochastic.runs)
        shock = None if paths.mortality_shock is None else paths.mortality_shock[start:stop]
        chunk = RunPaths(shock, paths.wage_growth[start:stop],
                         paths.investment_return[start:stop])
        parts.append(project(assumptions, chunk, detail=False).series)
        progress(stop, stochastic.runs)
    series = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    result = ProjectionResult(name=assumptions.name, first_year=assumptions.first_year,
                              categories=assumptions.labour.categories, series=series)
    return StochasticResult(result, stochastic)


def stochastic(assumptions: Assumptions, settings: Mapping[str, Any],
               progress: Progress) -> Computed:
    chosen = stochastic_assumptions(settings)
    progress(0, chosen.runs)
    outcome = project_runs(assumptions, chosen, progress)
    result = outcome.result
    years = result.years.astype(np.int64)
    arrays: dict[str, np.ndarray] = {"years": years, "percentiles": np.array(PERCENTILES)}
    for name in BANDED:
        arrays[f"bands__{name}"] = outcome.bands(name)
    for name in KEPT_BY_RUN:
        arrays[f"runs__{name}"] = result.indicator(name)
    gap_by_run = result.general_average_premium()
    arrays["gap_by_run"] = gap_by_run
    arrays["depletion_probability"] = outcome.depletion_probability()
    depletion = [year for year in result.depletion_year() if year is not None]
    first_year, last_year = int(years[0]), int(years[-1])
    summary = {
        "first_year": first_year,
        "last_year": last_year,
        "runs": chosen.runs,
        "seed": chosen.seed,
        "general_average_premium_percentiles": {
            f"p{p}": _none_if_nan(v) for p, v in zip(
                PERCENTILES, np.nanpercentile(gap_by_run, PERCENTILES), strict=True)},
        "depletion_probability_by_last_year": float(arrays["depletion_probability"][-1]),
        "median_depletion_year": int(np.median(depletion)) if len(depletion) * 2 > len(
            gap_by_run) else None,
        "by_year": {
            str(year): {f"{name}_p{p}": _at(arrays[f"bands__{name}"][i], first_year, year)
                        for name in ("reserve_end", "payg_cost_rate")
                        for i, p in enumerate(PERCENTILES)}
            for year in _summary_years(first_year, last_year)
        },
    }
    return Computed(arrays, summary)


# --- floor costing -----------------------------------------------------------------------------

def costing(overrides: Mapping[str, Any], settings: Mapping[str, Any],
            progress: Progress) -> Computed:
    final_year = int(settings["final_year"])
    progress(0, 1)
    result = override_values.run_costing_scenario(overrides, final_year)
    arrays: dict[str, np.ndarray] = {"years": result.years.astype(np.int64)}
    for name in TOTAL_ARRAYS:
        arrays[name] = np.asarray(getattr(result, name))
    population = override_values.base_population(final_year)
    arrays["population_years"] = population.years.astype(np.int64)
    arrays["population_male"] = population.male
    arrays["population_female"] = population.female
    benefits = []
    for name, cost in result.benefits.items():
        benefits.append({"name": name, "label_english": cost.label_english,
                         "label_lao": cost.label_lao,
                         "payments_per_beneficiary": float(cost.payments_per_beneficiary)})
        for part in BENEFIT_ARRAYS:
            arrays[f"benefit__{name}__{part}"] = np.asarray(getattr(cost, part))
    first_year, last_year = int(result.years[0]), int(result.years[-1])
    summary = {
        "first_year": first_year,
        "last_year": last_year,
        "benefits": benefits,
        "provisional_inputs": [dataclasses.asdict(item) for item in result.provisional_inputs],
        "by_year": {
            str(year): {
                "total_cost_kip": int(result.total_cost_kip[year - first_year]),
                "total_share_of_gdp": float(result.total_share_of_gdp[year - first_year]),
                "total_share_of_government_spending": float(
                    result.total_share_of_government_spending[year - first_year]),
                "total_beneficiaries": float(result.total_beneficiaries[year - first_year]),
            }
            for year in _summary_years(first_year, last_year)
        },
    }
    progress(1, 1)
    return Computed(arrays, summary)
