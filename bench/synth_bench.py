"""Synthetic population: 1,000,000 people to CSV (target under 60 s on a 2-core machine).

Writes the file to a temporary directory with pakan.synth.population.write_people_csv, then
prints one JSON object: time, speed, peak memory (ru_maxrss of this process), and checks of the
shape of what was written (shares under 15 and 65+, household size, villages, duplicates).
The JSON is also saved to bench/results/synth.json (or --output).

Usage: .venv/bin/python bench/synth_bench.py [--people 1000000] [--seed 2026] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "synth.json")
    arguments = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    import django

    django.setup()
    from pakan.synth.population import write_people_csv

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "people.csv"
        started = time.perf_counter()
        summary = write_people_csv(path, arguments.people, arguments.seed)
        seconds = time.perf_counter() - started
        file_megabytes = path.stat().st_size / 2**20
    peak_rss_megabytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    result = {
        "benchmark": "synth",
        "date": datetime.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "people": arguments.people,
        "seed": arguments.seed,
        "seconds": round(seconds, 2),
        "people_per_second": round(arguments.people / seconds),
        "peak_rss_mb": round(peak_rss_megabytes, 1),
        "file_mb": round(file_megabytes, 1),
        "target_seconds": TARGET_SECONDS,
        "within_target": seconds < TARGET_SECONDS,
        "checks": {
            "share_under_15": round(summary.share_under_15, 4),
            "share_65_plus": round(summary.share_65_plus, 4),
            "mean_household_size": round(summary.mean_household_size, 3),
            "households": summary.households,
            "villages": summary.villages,
            "villages_used": summary.villages_used,
            "near_duplicates": summary.near_duplicates,
            "deceased": summary.deceased,
            "uxo_survivors": summary.uxo_survivors,
            "share_with_functional_difficulty": round(
                summary.share_with_functional_difficulty, 4),
            "with_national_id": summary.with_national_id,
            "split_members": summary.split_members,
        },
    }
    text = json.dumps(result, indent=2)
    print(text)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
