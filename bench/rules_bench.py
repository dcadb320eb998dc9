"""Social security contributions for 1,000,000 workers in one call (target: under 1 second).

Wages follow a rough Lao shape (most near the 2,500,000 kip minimum wage, a long upper tail,
some below the floor and some above the ceiling); categories are mostly enterprise employees.
Times `pakan.rules.social_security.contributions` for one month, the best of a few runs after a
warm-up that loads the parameters, and compares against one-call-per-worker on a sample.

Usage: .venv/bin/python bench/rules_bench.py [--workers 1000000] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pakan.rules import social_security as ss  # noqa: E402

TARGET_SECONDS = 1.0
MONTH = datetime.date(2025, 3, 1)


def synthetic_workers(count: int, seed: int = 2026) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    wages = np.round(generator.lognormal(np.log(3_000_000), 0.6, count), -3).astype(np.int64)
    categories = generator.choice(
        np.array(ss.CATEGORIES), size=count, p=[0.80, 0.15, 0.03, 0.02]
    )
    return wages, categories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()

    wages, categories = synthetic_workers(arguments.workers)
    ss.contributions(wages[:10], categories[:10], MONTH)  # load the parameters once
    timings = []
    for _ in range(arguments.repeat):
        started = time.perf_counter()
        result = ss.contributions(wages, categories, MONTH)
        timings.append(time.perf_counter() - started)

    sample = min(arguments.sample, arguments.workers)
    started = time.perf_counter()
    for position in range(sample):
        ss.contributions([int(wages[position])], [str(categories[position])], MONTH)
    per_worker_seconds = (time.perf_counter() - started) / sample

    best = min(timings)
    one_by_one_seconds = per_worker_seconds * arguments.workers
    report = {
        "benchmark": "rules",
        "date": datetime.date.today().isoformat(),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "month": MONTH.isoformat(),
        "workers": arguments.workers,
        "seconds_best": round(best, 4),
        "seconds_all": [round(seconds, 4) for seconds in timings],
        "workers_per_second": round(arguments.workers / best),
        "one_call_per_worker_seconds_extrapolated": round(one_by_one_seconds, 1),
        "speedup_over_one_call_per_worker": round(one_by_one_seconds / best),
        "total_insured_kip": int(result.insured.sum()),
        "total_employer_kip": int(result.employer.sum()),
        "share_at_ceiling": round(float((result.insurable_wage == 4_500_000).mean()), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "target_seconds": TARGET_SECONDS,
        "within_target": best < TARGET_SECONDS,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
