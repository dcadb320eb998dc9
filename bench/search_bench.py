"""Registry search by name among 1,000,000 people: latency percentiles (target p95 < 100 ms).

Builds its own PostgreSQL database (created and dropped here), fills it with `pakan synth`
people through the ordinary bulk import, then runs realistic queries — a name as typed with a
transliteration variant, a name in Lao script, two words, a national ID — through the same
selector the pages and the API use, for a central officer and for a district officer.
The slow way is timed in the same run: a case-insensitive substring scan of the raw names
(what a naive `icontains` search does), on the same queries.

Usage: .venv/bin/python bench/search_bench.py [--people 1000000] [--queries 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import percentile

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("PAKAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def summary(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2),
    }


def variant(name: str, rng: random.Random) -> str:
    """How an officer might type a name: a transliteration variant, lower case, a prefix."""
    swaps = [("Ph", "P"), ("ph", "p"), ("ou", "u"), ("X", "S"), ("x", "s"), ("v", "w"),
             ("th", "t"), ("y", "i")]
    rng.shuffle(swaps)
    for old, new in swaps[:2]:
        name = name.replace(old, new)
    if rng.random() < 0.3 and len(name) > 5:
        name = name[: rng.randint(4, len(name))]
    return name.lower() if rng.random() < 0.5 else name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DATABASE",
                        help="load into this database once and keep it for later runs")
    arguments = parser.parse_args()
    database = arguments.keep or f"pakan_bench_search_{os.getpid()}"
    exists = subprocess.run(["psql", f"{SERVER}/{database}", "-qc", "SELECT 1"],
                            capture_output=True).returncode == 0
    arguments.reuse = bool(arguments.keep and exists)
    if not arguments.reuse:
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {database}"],
                       check=True)
    os.environ["DATABASE_URL"] = f"{SERVER}/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    sys.path.insert(0, str(ROOT))
    try:
        result = run(arguments)
    finally:
        from django.db import connections

        connections.close_all()
        if not arguments.keep:
            subprocess.run(["psql", f"{SERVER}/postgres", "-qc",
                            f"DROP DATABASE IF EXISTS {database}"], check=False)
    print(json.dumps(result, indent=2))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "search.json").write_text(json.dumps(result, indent=2) + "\n")


def run(arguments) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from pakan.accounts.models import Role, User
    from pakan.registry.geography import load_official_geography, upsert_units
    from pakan.registry.importing import import_file
    from pakan.registry.models import AdminUnit, Person
    from pakan.registry.selectors import search_people
    from pakan.synth.population import villages_for, write_people_csv

    load_seconds = 0.0
    if not arguments.reuse:
        call_command("migrate", verbosity=0)
        load_official_geography()
        upsert_units(villages_for(arguments.people, arguments.seed))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "people.csv"
            write_people_csv(path, arguments.people, arguments.seed)
            started = time.perf_counter()
            outcome = import_file(path, "people")
            load_seconds = time.perf_counter() - started
        assert outcome.accepted, outcome.errors[:5]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    User.objects.filter(username__in=["central", "district"]).delete()
    central = User.objects.create(username="central", role=Role.CENTRAL_OFFICER,
                                  scope_unit=AdminUnit.objects.get(code="LA"))
    busiest_district = (Person.objects.values("village__parent").order_by()
                        .annotate(n=django.db.models.Count("id")).order_by("-n").first())
    district = User.objects.create(username="district", role=Role.DISTRICT_OFFICER,
                                   scope_unit_id=busiest_district["village__parent"])
    rng = random.Random(arguments.seed)
    sample = list(Person.objects.order_by("?").values_list(
        "given_name_latin", "family_name_latin", "given_name_lo", "family_name_lo",
        "national_id")[: arguments.queries])
    queries = []
    for given, family, given_lo, family_lo, national_id in sample:
        kind = rng.random()
        if kind < 0.35:
            queries.append(variant(given, rng) + " " + variant(family, rng))
        elif kind < 0.6:
            queries.append(variant(family, rng))
        elif kind < 0.85:
            queries.append(f"{given_lo} {family_lo}")
        else:
            queries.append(national_id or variant(given, rng))

    def timed(user, query: str) -> tuple[float, int]:
        started = time.perf_counter()
        found = len(list(search_people(user, query, limit=50)))
        return time.perf_counter() - started, found

    for query in queries[:20]:  # warm the cache as a live server would be
        timed(central, query)
    central_latencies, hits = [], 0
    for query in queries:
        seconds, found = timed(central, query)
        central_latencies.append(seconds)
        hits += found > 0
    district_latencies = [timed(district, query)[0] for query in queries]

    naive_latencies = []
    for query in queries[:50]:
        started = time.perf_counter()
        words = query.split()
        naive = Person.objects.all()
        for word in words:
            naive = naive.filter(django.db.models.Q(given_name_latin__icontains=word)
                                 | django.db.models.Q(family_name_latin__icontains=word)
                                 | django.db.models.Q(given_name_lo__icontains=word)
                                 | django.db.models.Q(family_name_lo__icontains=word))
        list(naive[:50])
        naive_latencies.append(time.perf_counter() - started)

    central_summary = summary(central_latencies)
    naive_summary = summary(naive_latencies)
    return {
        "benchmark": "registry search by name",
        "people": Person.objects.count(),
        "queries": len(queries),
        "queries_with_hits_share": round(hits / len(queries), 3),
        "load_seconds": round(load_seconds, 1),
        "central_officer": central_summary,
        "district_officer": summary(district_latencies),
        "naive_icontains_scan_50_queries": naive_summary,
        "speedup_p95_vs_naive": round(naive_summary["p95_ms"] / central_summary["p95_ms"], 1),
        "target_p95_ms": 100,
        "meets_target": central_summary["p95_ms"] < 100,
    }


if __name__ == "__main__":
    main()
