"""Stochastic runs: investment returns, wage growth and mortality as seeded random paths, all
runs projected together (the engine's runs axis), with percentile bands of the results.

For run r and year t, with standard normal draws e (independent across runs, years and kinds):

    investment return   i(r, t) = i(t) + (1 + i(t)) (exp(s_i e) - 1)         (lognormal 1 + i)
    wage growth         d(r, t) = phi d(r, t-1) + s_w e,  d(r, 0) = 0             (AR(1))
                        g(r, t) = g(t) + (1 + g(t)) (exp(d(r, t)) - 1)
    mortality           k(r, t) = k(r, t-1) + s_m e,  k(r, 0) = 0                  (random walk)
                        m(r, t, s, x) = m(t, s, x) exp(k(r, t))

so the median path is the deterministic one and, with every volatility 0, each run *is* the
deterministic projection (tested). A random walk in the level of mortality is a random
improvement: the year's improvement is rho - (k(t) - k(t-1)).

The draws are made once for all runs in a fixed order, so a seed gives the same runs whatever
the chunk size or the number of worker processes. Runs are projected `chunk_size` at a time
(the arrays then stay in the processor's cache) and, with `workers` > 1, chunks go to that
many processes.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pakan.actuarial import checks
from pakan.actuarial.engine import RunPaths, project
from pakan.actuarial.model import Assumptions, prepare
from pakan.actuarial.results import ProjectionResult

PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
BANDED = ("reserve_end", "payg_cost_rate", "reserve_ratio", "pension_cost_rate",
          "demographic_ratio")
MAXIMUM_RUNS = 100_000


@dataclass(frozen=True)
class StochasticAssumptions:
    """Volatilities are yearly standard deviations (0.05 = 5 points of log return)."""

    runs: int = 1000
    seed: int = 0
    investment_return_volatility: float = 0.0
    wage_growth_volatility: float = 0.0
    wage_growth_persistence: float = 0.0
    mortality_volatility: float = 0.0
    chunk_size: int = 50
    workers: int = 1

    def __post_init__(self) -> None:
        checks.whole_number("stochastic.runs", self.runs, 1, MAXIMUM_RUNS)
        checks.whole_number("stochastic.seed", self.seed, 0, 2**63 - 1)
        checks.within("stochastic.investment_return_volatility",
                      self.investment_return_volatility, 0.0, 1.0)
        checks.within("stochastic.wage_growth_volatility", self.wage_growth_volatility, 0.0, 1.0)
        checks.within("stochastic.wage_growth_persistence", self.wage_growth_persistence,
                      0.0, 0.99)
        checks.within("stochastic.mortality_volatility", self.mortality_volatility, 0.0, 0.5)
        checks.whole_number("stochastic.chunk_size", self.chunk_size, 1, MAXIMUM_RUNS)
        checks.whole_number("stochastic.workers", self.workers, 1, 64)


def random_paths(assumptions: Assumptions, stochastic: StochasticAssumptions) -> RunPaths:
    """All runs' paths, drawn in a fixed order from the seed."""
    prepared = prepare(assumptions)
    runs, years = stochastic.runs, prepared.years
    generator = np.random.default_rng(stochastic.seed)
    return_draws = generator.standard_normal((runs, years))
    wage_draws = generator.standard_normal((runs, years + 1))
    mortality_draws = generator.standard_normal((runs, years))

    returns = prepared.investment_return[None, :]
    returns = returns + (1.0 + returns) * np.expm1(
        stochastic.investment_return_volatility * return_draws)

    deviation = np.zeros((runs, years + 1))
    for year in range(1, years + 1):
        deviation[:, year] = (stochastic.wage_growth_persistence * deviation[:, year - 1]
                              + stochastic.wage_growth_volatility * wage_draws[:, year])
    growth = prepared.wage_growth[None, :]
    growth = growth + (1.0 + growth) * np.expm1(deviation)

    level = np.zeros((runs, years))
    level[:, 1:] = np.cumsum(stochastic.mortality_volatility * mortality_draws[:, 1:], axis=1)
    return RunPaths(np.exp(level), growth, returns)


def _chunk(paths: RunPaths, start: int, stop: int) -> RunPaths:
    return RunPaths(paths.mortality_shock[start:stop], paths.wage_growth[start:stop],
                    paths.investment_return[start:stop])


def _project_chunk(arguments: tuple[Assumptions, RunPaths]) -> dict[str, NDArray]:
    assumptions, paths = arguments
    return project(assumptions, paths, detail=False).series


@dataclass(frozen=True)
class StochasticResult:
    result: ProjectionResult  # every run's series, `[run, year]`
    stochastic: StochasticAssumptions

    def bands(self, indicator: str, percentiles: tuple[int, ...] = PERCENTILES) -> NDArray:
        """Percentiles over runs, `[percentile, year]`."""
        values = self.result.indicator(indicator)
        return np.nanpercentile(values, percentiles, axis=0)

    def band_table(self, indicator: str, percentiles: tuple[int, ...] = PERCENTILES) -> list[dict]:
        bands = self.bands(indicator, percentiles)
        return [
            {"year": int(year), **{f"p{p}": float(bands[i, position])
                                   for i, p in enumerate(percentiles)}}
            for position, year in enumerate(self.result.years)
        ]

    def depletion_probability(self) -> NDArray:
        """Share of runs whose reserve has run out by each year `[year]`."""
        negative = self.result.series["reserve_end"] < 0
        return np.maximum.accumulate(negative, axis=1).mean(axis=0)

    def general_average_premium(self, percentiles: tuple[int, ...] = PERCENTILES) -> NDArray:
        return np.percentile(self.result.general_average_premium(), percentiles)


def run_stochastic(assumptions: Assumptions, stochastic: StochasticAssumptions) -> StochasticResult:
    """Project every run (in chunks, in `workers` processes) and collect their series."""
    paths = random_paths(assumptions, stochastic)
    bounds = [(start, min(start + stochastic.chunk_size, stochastic.runs))
              for start in range(0, stochastic.runs, stochastic.chunk_size)]
    work = [(assumptions, _chunk(paths, start, stop)) for start, stop in bounds]
    if stochastic.workers > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=stochastic.workers) as pool:
            parts = list(pool.map(_project_chunk, work))
    else:
        parts = [_project_chunk(item) for item in work]
    series = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    first = prepare(assumptions).first_year
    result = ProjectionResult(
        name=assumptions.name, first_year=first, categories=assumptions.labour.categories,
        series=series,
    )
    return StochasticResult(result, stochastic)
