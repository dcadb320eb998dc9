"""Benefit rules for 1,000,000 members in one call (target: old age under 3 seconds).

Synthetic members: births 1955–1995, both sexes, mostly enterprise employees, each with a
record of 0 to --longest months (one in ten up to 420: a long career) with a 6-month gap early
on, ending between 2015 and 2025, wages from 1.2 to 4.5 million kip. Times
`ContributionHistory(...)` (checks and the sorted key, once per data set), then
`assess("old_age", ...)` at each member's 60th birthday
and `assess("sickness", ...)` on one date, best of --repeat runs; then checks --sample rows
against one-member calls (equal results) and extrapolates one call per member.

Usage: .venv/bin/python bench/benefit_rules_bench.py [--members 1000000] [--longest 120]
       [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pakan.rules.benefits import RULES_VERSION, ContributionHistory, assess  # noqa: E402
from pakan.rules.benefits.history import add_years  # noqa: E402

TARGET_SECONDS = 3.0
CATEGORIES = np.array(["enterprise_employee", "civil_servant", "police_military", "voluntary"])


def synthetic_members(count: int, longest: int, seed: int = 2026) -> dict[str, np.ndarray]:
    generator = np.random.default_rng(seed)
    lengths = generator.integers(0, longest + 1, count)
    career = generator.random(count) < 0.1  # one in ten has a long career, up to 35 years
    lengths[career] = generator.integers(longest, 421, career.sum())
    members = np.repeat(np.arange(count, dtype=np.int64), lengths)
    starts = np.cumsum(lengths) - lengths
    position = np.arange(members.size) - starts[members]
    last = generator.integers(np.datetime64("2015-01", "M").astype(int),
                              np.datetime64("2025-07", "M").astype(int), count)
    gap = np.where(position < lengths[members] // 3, 6, 0)  # a 6-month gap early in a career
    months = (last[members] - lengths[members] + position - gap).astype("datetime64[M]")
    return {
        "birth_date": (np.datetime64("1955-01-01") + generator.integers(0, 40 * 365, count)
                       ).astype("datetime64[D]"),
        "sex": np.where(generator.random(count) < 0.5, "M", "F").astype("<U1"),
        "category": generator.choice(CATEGORIES, size=count, p=[0.80, 0.15, 0.03, 0.02]
                                     ).astype("<U20"),
        "record_member": members,
        "record_month": months,
        "record_wage": generator.integers(1_200_000, 4_500_001, members.size),
    }


def best_of(repeat: int, call) -> tuple[float, list[float], object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        timings.append(time.perf_counter() - started)
    return min(timings), timings, result


def one_member(history: ContributionHistory, row: int) -> ContributionHistory:
    records = slice(*np.searchsorted(history.record_member, [row, row + 1]))
    return ContributionHistory.single(
        birth_date=history.birth_date[row], sex=str(history.sex[row]),
        category=str(history.category[row]), months=history.record_month[records],
        wages=history.record_wage[records])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--longest", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args()

    data = synthetic_members(arguments.members, arguments.longest)
    started = time.perf_counter()
    history = ContributionHistory(**data)
    build_seconds = time.perf_counter() - started
    sixtieth = add_years(history.birth_date, 60)
    sick_on = np.datetime64("2025-08-01")
    days = {"days": 30}

    old_age_best, old_age_all, old_age = best_of(
        arguments.repeat, lambda: assess("old_age", history, sixtieth))
    sickness_best, _, sickness = best_of(
        arguments.repeat, lambda: assess("sickness", history, sick_on, days))

    generator = np.random.default_rng(1)
    sample = generator.choice(arguments.members, min(arguments.sample, arguments.members),
                              replace=False)
    started = time.perf_counter()
    mismatches = 0
    for row in sample.tolist():
        alone = assess("old_age", one_member(history, row), sixtieth[row:row + 1])
        mismatches += int(alone.monthly_amount[0] != old_age.monthly_amount[row]
                          or alone.lump_sum[0] != old_age.lump_sum[row]
                          or alone.refusal[0] != old_age.refusal[row])
    per_member = (time.perf_counter() - started) / sample.size

    report = {
        "benchmark": "benefit_rules",
        "date": datetime.date.today().isoformat(),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "load_average": [round(value, 2) for value in os.getloadavg()]},
        "rules_version": RULES_VERSION,
        "members": arguments.members,
        "records": int(history.record_member.size),
        "history_build_seconds": round(build_seconds, 3),
        "old_age_seconds_best": round(old_age_best, 3),
        "old_age_seconds_all": [round(value, 3) for value in old_age_all],
        "old_age_by_variant": {str(key) or "refused": int(value) for key, value in zip(
            *np.unique(old_age.variant, return_counts=True), strict=True)},
        "sickness_seconds_best": round(sickness_best, 3),
        "sickness_qualifying": int(sickness.qualifies.sum()),
        "sample_rows_checked": int(sample.size),
        "sample_mismatches": mismatches,
        "one_call_per_member_seconds_extrapolated": round(per_member * arguments.members, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "target_seconds": TARGET_SECONDS,
        "within_target": old_age_best < TARGET_SECONDS and mismatches == 0,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text + "\n")


if __name__ == "__main__":
    main()
