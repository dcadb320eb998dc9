"""Actuarial valuation benchmarks (issue 5): the Lao base scenario (pakan.actuarial.lao_assumptions)
projected 75 years by single age and sex.

(a) deterministic valuation: `engine.project` on the base assumptions, --repeat times after a
    warm-up; target under 0.5 s. Building the assumptions (the life-table fit, reading the
    legal parameters) is timed apart.
(b) stochastic valuation: --runs runs (investment returns, wage growth and mortality random),
    vectorised over runs in chunks of --chunk-size, in --workers processes; target under 30 s
    on 2 cores and peak memory under 2 GB. It runs in a child process so its memory is its own:
    the peak reported is the child's peak resident set plus --workers times the largest
    worker's (an upper bound: pages shared after fork are counted in each).

The figures depend on what else the machine is doing: the load average before and after is
reported with them.

Usage: .venv/bin/python bench/actuarial_bench.py [--runs 1000] [--workers 2] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "actuarial.json"
TARGET_DETERMINISTIC_SECONDS = 0.5
TARGET_STOCHASTIC_SECONDS = 30.0
TARGET_PEAK_RSS_MB = 2048
HORIZON_YEARS = 75
VOLATILITY = {
    "investment_return_volatility": 0.06,
    "wage_growth_volatility": 0.02,
    "wage_growth_persistence": 0.5,
    "mortality_volatility": 0.02,
}

sys.path.insert(0, str(ROOT))
from common import machine  # noqa: E402


def deterministic(repeat: int) -> dict:
    from pakan.actuarial import lao_assumptions
    from pakan.actuarial.engine import project

    started = time.perf_counter()
    assumptions = lao_assumptions.assumptions(horizon_years=HORIZON_YEARS)
    build_seconds = time.perf_counter() - started
    result = project(assumptions)  # warm-up
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = project(assumptions)
        timings.append(time.perf_counter() - started)
    series = result.series
    return {
        "build_assumptions_seconds": round(build_seconds, 3),
        "seconds_best": round(min(timings), 4),
        "seconds_median": round(statistics.median(timings), 4),
        "seconds_all": [round(seconds, 4) for seconds in timings],
        "target_seconds": TARGET_DETERMINISTIC_SECONDS,
        "meets_target": min(timings) < TARGET_DETERMINISTIC_SECONDS,
        "years": HORIZON_YEARS,
        "general_average_premium": round(float(result.general_average_premium()[0]), 4),
        "reserve_depletion_year": result.depletion_year()[0],
        "payg_cost_rate_2024_2050_2098": [
            round(float(series["payg_cost_rate"][0, year - 2024]), 4)
            for year in (2024, 2050, 2098)
        ],
    }


def stochastic_child(runs: int, workers: int, chunk_size: int) -> dict:
    """Runs in its own process; prints its figures as JSON."""
    from pakan.actuarial import lao_assumptions
    from pakan.actuarial.stochastic import StochasticAssumptions, run_stochastic

    assumptions = lao_assumptions.assumptions(horizon_years=HORIZON_YEARS)
    settings = StochasticAssumptions(runs=runs, seed=2026, chunk_size=chunk_size,
                                     workers=workers, **VOLATILITY)
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    result = run_stochastic(assumptions, settings)
    wall = time.perf_counter() - started_wall
    bands = result.bands("reserve_ratio")
    return {
        "seconds": round(wall, 3),
        "cpu_seconds_main_process": round(time.process_time() - started_cpu, 3),
        "cpu_seconds_workers": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime, 3),
        "peak_rss_mb_main": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_mb_largest_worker": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "general_average_premium_p5_p50_p95": [
            round(float(value), 4) for value in result.general_average_premium((5, 50, 95))],
        "reserve_ratio_2050_p5_p50_p95": [
            round(float(bands[index, 2050 - 2024]), 3) for index in (0, 2, 4)],
        "depletion_probability_by_2050": round(float(
            result.depletion_probability()[2050 - 2024]), 3),
    }


def stochastic(runs: int, workers: int, chunk_size: int) -> dict:
    command = [sys.executable, __file__, "--stochastic-child", "--runs", str(runs),
               "--workers", str(workers), "--chunk-size", str(chunk_size)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    figures = json.loads(completed.stdout)
    peak = figures["peak_rss_mb_main"] + workers * figures["peak_rss_mb_largest_worker"] \
        if workers > 1 else figures["peak_rss_mb_main"]
    figures.update({
        "runs": runs,
        "workers": workers,
        "chunk_size": chunk_size,
        "volatility": VOLATILITY,
        "peak_rss_mb_upper_bound": round(peak, 1),
        "target_seconds": TARGET_STOCHASTIC_SECONDS,
        "target_peak_rss_mb": TARGET_PEAK_RSS_MB,
        "meets_target": figures["seconds"] < TARGET_STOCHASTIC_SECONDS
        and peak < TARGET_PEAK_RSS_MB,
    })
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--stochastic-child", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.stochastic_child:
        print(json.dumps(stochastic_child(arguments.runs, arguments.workers,
                                          arguments.chunk_size)))
        return

    load_before = os.getloadavg()
    report = {
        "benchmark": "actuarial",
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "load_average_before": [round(value, 2) for value in load_before],
        "deterministic_75_years": deterministic(arguments.repeat),
        "stochastic": stochastic(arguments.runs, arguments.workers, arguments.chunk_size),
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
    }
    text = json.dumps(report, indent=2)
    print(text)
    if arguments.output:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
