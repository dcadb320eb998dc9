"""Benchmark of the registry import against PostgreSQL: Pakan's import, the COPY floor, and
one ORM save per row.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakan_bench \
        .venv/bin/python bench/import_bench.py

The script creates the database named in DATABASE_URL (dropping it first if it is there), once
per run (--repeat, 3 by default), and drops it at the end (--keep to look at it afterwards). It
writes a synthetic population of --people rows (pakan.synth.population.write_people_csv, with
its villages loaded first), then times, in each run:

(a) pakan.registry.importing.import_file on that file into the empty registry (an initial
    national load): every check, the load, the audit trail, the commit, and the duplicate
    check after the commit (reported apart), in a child process whose peak resident memory
    (ru_maxrss) is read when it ends, with the seconds of each step of the import
    (ImportOutcome.phase_seconds); then the same for a further --increment people (the first
    rows of the file with new identifiers) into the registry that now holds the million, the
    everyday case where indexes are kept up row by row. Before each import the server writes
    its dirty pages out (CHECKPOINT), so that every run starts from the same state;
(b) a raw COPY of the same file into a bare table of text columns: the floor, what PostgreSQL
    alone needs to take the bytes in;
(c) Person(...).save() once per row, on a sample of --orm-sample rows: what a per-row import
    does (no validation, no audit, in one transaction: the kindest case for it).

The machine is shared and its speed moves from one run to the next, so the run of median
speed is reported at the top and every run is listed under "runs". The JSON is printed and
saved to bench/results/import.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "import.json"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/pakan_bench"
TARGET_PEOPLE_PER_SECOND = 100_000
TARGET_PEAK_RSS_MB = 1024

sys.path.insert(0, str(ROOT))
from common import (  # noqa: E402
    machine,
    measured_child,
    postgres_version,
    psycopg_url,
    recreate_database,
    setup_django,
)

# --- (a) the import, in a child process --------------------------------------------------------


def child_import(path: Path) -> None:
    """Runs in the child: import the file, print timings and peak memory as JSON."""
    from pakan.registry import importing

    progress_calls = []
    started = time.perf_counter()
    outcome = importing.import_file(
        path, "people", progress=lambda done, total: progress_calls.append(done)
    )
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "accepted": outcome.accepted,
                "error_count": outcome.error_count,
                "first_errors": [error.as_dict() for error in outcome.errors[:5]],
                "rows": outcome.rows,
                "created_people": outcome.created_people,
                "created_households": outcome.created_households,
                "duplicates_queued": outcome.duplicates_queued,
                "seconds": seconds,
                "duplicate_check_seconds": outcome.phase_seconds.get("duplicate_check", 0.0),
                "phase_seconds": outcome.phase_seconds,
                "progress_calls": len(progress_calls),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def increment_file(path: Path, rows: int, work: Path) -> Path:
    """The first `rows` people of the file again, as new people: new ID and family book."""
    import polars as pl

    frame = pl.read_csv(path, n_rows=rows, infer_schema=False)
    frame = frame.with_columns(
        (pl.lit("X") + pl.col(name)).alias(name) for name in ("national_id", "family_book_number")
    )
    target = work / f"increment_{rows}.csv"
    frame.write_csv(target)
    return target


def import_figures(imported: dict) -> dict:
    people = imported["created_people"]
    seconds = imported["seconds"]
    core_seconds = seconds - imported["duplicate_check_seconds"]
    return {
        **{
            name: imported[name]
            for name in (
                "rows",
                "created_people",
                "created_households",
                "duplicates_queued",
                "duplicate_check_seconds",
                "peak_rss_mb",
                "process_wall_seconds",
                "phase_seconds",
            )
        },
        "seconds": seconds,
        "people_per_second": people / seconds,
        "seconds_without_duplicate_check": core_seconds,
        "people_per_second_without_duplicate_check": people / core_seconds,
    }




def run_import(database_url: str, var_dir: Path, path: Path) -> dict:
    result = measured_child(__file__, ["--child-import", str(path)], database_url, var_dir,
                            "import")
    if not result["accepted"]:
        raise SystemExit(f"the benchmark file was refused: {result['first_errors']}")
    return result


# --- (b) the floor: COPY into a bare table ----------------------------------------------------


def raw_copy(database_url: str, path: Path) -> dict:
    import psycopg

    with path.open(encoding="utf-8") as handle:
        header = next(csv.reader([handle.readline()]))
    columns = ", ".join(f'"{name}" text' for name in header)
    with psycopg.connect(psycopg_url(database_url)) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_raw_people")
        connection.execute(f"CREATE TABLE bench_raw_people ({columns})")
        connection.commit()
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            path.open("rb") as source,
            cursor.copy("COPY bench_raw_people FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := source.read(1024 * 1024):
                copy.write(chunk)
        connection.commit()
        seconds = time.perf_counter() - started
        rows = connection.execute("SELECT count(*) FROM bench_raw_people").fetchone()[0]
        connection.execute("DROP TABLE bench_raw_people")
        connection.commit()
    return {"rows": rows, "seconds": seconds, "rows_per_second": rows / seconds}


# --- (c) one ORM save per row -----------------------------------------------------------------


def orm_per_row(path: Path, sample: int) -> dict:
    from django.db import connection, transaction

    from pakan.registry.models import AdminUnit, Person
    from pakan.registry.names import lao_key, latin_key

    villages = dict(
        AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).values_list("code", "id")
    )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for _, row in zip(range(sample), csv.DictReader(handle), strict=False)]

    def number(text: str) -> int | None:
        return int(text) if text else None

    def day(text: str) -> datetime.date | None:
        return datetime.date.fromisoformat(text) if text else None

    started = time.perf_counter()
    with transaction.atomic():
        for row in rows:
            Person(
                national_id=row["national_id"] or None,
                family_book_number=row["family_book_number"],
                given_name_lo=row["given_name_lo"],
                family_name_lo=row["family_name_lo"],
                given_name_latin=row["given_name_latin"],
                family_name_latin=row["family_name_latin"],
                sex=row["sex"],
                date_of_birth=day(row["date_of_birth"]),
                date_of_death=day(row["date_of_death"]),
                village_id=villages[row["village_code"]],
                relationship_to_head=row["relationship_to_head"],
                difficulty_seeing=number(row["difficulty_seeing"]),
                difficulty_hearing=number(row["difficulty_hearing"]),
                difficulty_walking=number(row["difficulty_walking"]),
                difficulty_remembering=number(row["difficulty_remembering"]),
                difficulty_self_care=number(row["difficulty_self_care"]),
                difficulty_communicating=number(row["difficulty_communicating"]),
                uxo_survivor=row["uxo_survivor"] == "1",
                phone=row["phone"],
                given_key_latin=latin_key(row["given_name_latin"]),
                family_key_latin=latin_key(row["family_name_latin"]),
                given_key_lo=lao_key(row["given_name_lo"]),
                family_key_lo=lao_key(row["family_name_lo"]),
            ).save()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # leave the registry empty for the import
    # The rolled-back rows are still in the table's pages until a vacuum: the import is
    # measured against an empty registry, as at a first national load.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {Person._meta.db_table}")
    return {"rows": len(rows), "seconds": seconds, "rows_per_second": len(rows) / seconds}


# --- the run -----------------------------------------------------------------------------------


def prepare(people: int, seed: int, work: Path, generated: dict | None) -> tuple[Path, dict]:
    """Schema, official geography and the synthetic villages; the file is written once."""
    from django.core.management import call_command

    from pakan.registry.geography import load_official_geography, upsert_units
    from pakan.synth.population import villages_for, write_people_csv

    call_command("migrate", verbosity=0)
    load_official_geography()
    upsert_units(villages_for(people, seed))
    path = work / f"people_{people}.csv"
    if generated is not None:
        return path, generated
    started = time.perf_counter()
    summary = write_people_csv(path, people, seed)
    return path, {
        "rows": summary.rows,
        "households": summary.households,
        "villages": summary.villages,
        "bytes": path.stat().st_size,
        "generate_seconds": time.perf_counter() - started,
    }


def cpu_yardstick() -> float:
    """Seconds for a fixed piece of work (Python and polars, both cores): the speed of this
    shared machine at the time of a run, to read the spread between runs against."""
    import polars as pl

    started = time.perf_counter()
    sum(number * number for number in range(3_000_000))
    frame = pl.DataFrame({"value": pl.int_range(2_000_000, eager=True).hash(seed=1)})
    frame.sort("value").with_columns(pl.col("value").cast(pl.String)).write_csv()
    return time.perf_counter() - started


def one_run(arguments: argparse.Namespace, database_url: str, work: Path, generated) -> dict:
    """Every measurement once, on a database created for it."""
    from django.db import connections

    yardstick = cpu_yardstick()
    connections.close_all()
    recreate_database(database_url)
    path, generated = prepare(arguments.people, arguments.seed, work, generated)
    floor = raw_copy(database_url, path)
    orm = orm_per_row(path, arguments.orm_sample)
    version = postgres_version()
    connections.close_all()
    initial = import_figures(run_import(database_url, work, path))
    increment = import_figures(
        run_import(database_url, work, increment_file(path, arguments.increment, work))
    )
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": os.getloadavg()[0],
        "cpu_yardstick_seconds": yardstick,
        "postgresql": version,
        "file": generated,
        "import": initial,
        "import_increment": increment,
        "raw_copy": floor,
        "orm_save_per_row": orm,
    }


def spread(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def measure(arguments: argparse.Namespace, database_url: str) -> dict:
    about = machine()
    runs: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="pakan-import-bench-") as work_name:
        work = Path(work_name)
        setup_django(database_url, work)
        for _ in range(arguments.repeat):
            runs.append(one_run(arguments, database_url, work, runs[0]["file"] if runs else None))
    rates = [run["import"]["people_per_second_without_duplicate_check"] for run in runs]
    # The run of median speed stands for all; every run is listed below it.
    typical = sorted(
        runs, key=lambda run: run["import"]["people_per_second_without_duplicate_check"]
    )[len(runs) // 2]
    seconds = typical["import"]["seconds_without_duplicate_check"]
    rate = typical["import"]["people_per_second_without_duplicate_check"]
    return {
        "benchmark": "registry import",
        "date": typical["date"],
        "machine": {**about, "postgresql": typical["postgresql"]},
        "file": typical["file"],
        "import": typical["import"],
        "import_increment": typical["import_increment"],
        "raw_copy": typical["raw_copy"],
        "orm_save_per_row": typical["orm_save_per_row"],
        # The import's own work; the duplicate check after the commit is counted apart above.
        "ratios": {
            "import_time_over_raw_copy_time": seconds / typical["raw_copy"]["seconds"],
            "import_speed_over_orm_speed": rate / typical["orm_save_per_row"]["rows_per_second"],
        },
        "targets": {
            "people_per_second": TARGET_PEOPLE_PER_SECOND,
            "people_per_second_met": rate >= TARGET_PEOPLE_PER_SECOND,
            "people_per_second_met_in_runs": sum(r >= TARGET_PEOPLE_PER_SECOND for r in rates),
            "peak_rss_mb": TARGET_PEAK_RSS_MB,
            "peak_rss_met": max(run["import"]["peak_rss_mb"] for run in runs) < TARGET_PEAK_RSS_MB,
        },
        "summary": {
            "runs": len(runs),
            "import_people_per_second_without_duplicate_check": spread(rates),
            "import_seconds_without_duplicate_check": spread(
                [run["import"]["seconds_without_duplicate_check"] for run in runs]
            ),
            "increment_people_per_second_without_duplicate_check": spread(
                [
                    run["import_increment"]["people_per_second_without_duplicate_check"]
                    for run in runs
                ]
            ),
            "duplicate_check_seconds": spread(
                [run["import"]["duplicate_check_seconds"] for run in runs]
            ),
        },
        "runs": [
            {
                "date": run["date"],
                "load_average_at_start": run["load_average_at_start"],
                "cpu_yardstick_seconds": run["cpu_yardstick_seconds"],
                "import": run["import"],
                "import_increment": run["import_increment"],
                "raw_copy_seconds": run["raw_copy"]["seconds"],
                "orm_rows_per_second": run["orm_save_per_row"]["rows_per_second"],
            }
            for run in runs
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--orm-sample", type=int, default=10_000)
    parser.add_argument("--increment", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="runs, each on a new database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if arguments.child_import:
        setup_django(database_url, Path(os.environ["PAKAN_VAR_DIR"]))
        child_import(arguments.child_import)
        return
    try:
        results = measure(arguments, database_url)
    finally:
        if not arguments.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(database_url, drop_only=True)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
