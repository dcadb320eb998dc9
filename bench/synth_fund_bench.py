"""Synthetic fund: grow the register and 24 months of history from a registry that already holds
a synthetic population (`manage.py synth --people N` first), and time it.

Prints one JSON object (seconds for the register and the history, what was made, peak memory of
this process, the load average before and after, since the figures depend on what else the
machine runs) and saves it to bench/results/synth_fund.json (or --output). It never drops or
empties a database: point DATABASE_URL at a database made for the benchmark.

Usage: DATABASE_URL=postgres://.../pakan_bench_fund .venv/bin/python bench/synth_fund_bench.py
       [--seed 2026] [--months 24] [--today YYYY-MM-DD] [--output FILE]
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

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    parser.add_argument("--output", type=Path,
                        default=ROOT / "bench" / "results" / "synth_fund.json")
    arguments = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    import django

    django.setup()
    from django.db import connection

    from pakan.registry.models import Person
    from pakan.socialsecurity.models import (
        Declaration,
        DeclarationLine,
        Employer,
        Invoice,
        Payment,
    )
    from pakan.synth.fund import grow_fund

    if Employer.objects.exists():
        raise SystemExit("employers exist already: load a fresh population first")
    people = Person.objects.count()
    load_before = os.getloadavg()
    started = time.perf_counter()
    summary = grow_fund(arguments.seed, today=arguments.today, months=arguments.months,
                        say=lambda text: print(f"{time.perf_counter() - started:8.1f} s  {text}",
                                               file=sys.stderr, flush=True))
    seconds = time.perf_counter() - started
    register = summary.register
    result = {
        "benchmark": "synth_fund",
        "date": datetime.date.today().isoformat(),
        "database": connection.vendor,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "people": people,
        "seed": arguments.seed,
        "months": arguments.months,
        "seconds": round(seconds, 1),
        "seconds_register": round(summary.seconds.get("register", 0.0), 1),
        "seconds_history": round(summary.seconds.get("history", 0.0), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "employers": register.employers if register else None,
        "insured_members": register.members if register else None,
        "employment_spells": register.employment_spells if register else None,
        "dependants": register.dependants if register else None,
        "declarations": Declaration.objects.count(),
        "declaration_lines": DeclarationLine.objects.count(),
        "invoices": Invoice.objects.count(),
        "payments": Payment.objects.count(),
        "history": summary.history,
    }
    text = json.dumps(result, indent=2)
    print(text)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
