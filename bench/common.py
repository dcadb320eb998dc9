"""What every benchmark shares: its database made afresh and checkpointed, Django set up on it,
and beside its figures the machine it ran on, the PostgreSQL it measured, and percentiles of a
list of timings. Imported by the scripts in this folder (each runs with bench/ first on
sys.path)."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def setup_django(database_url: str, var_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["PAKAN_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pakan.settings")
    import django

    django.setup()


def psycopg_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(scheme="postgresql"))


def recreate_database(database_url: str, drop_only: bool = False) -> None:
    """Drop the benchmark's database and (unless `drop_only`) create it empty."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database, e.g. "
                         "postgres://postgres@127.0.0.1:5432/pakan_bench")
    server = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def checkpoint(database_url: str) -> None:
    """Write the server's dirty pages out before a measured run, so that every run starts from
    the same state instead of inheriting the WAL of the step before (a checkpoint that falls
    inside a run slows it down). Needs a superuser; skipped otherwise."""
    import psycopg

    with (
        psycopg.connect(psycopg_url(database_url), autocommit=True) as connection,
        contextlib.suppress(psycopg.errors.InsufficientPrivilege),
    ):
        connection.execute("CHECKPOINT")


def measured_child(script: str, arguments: list[str], database_url: str, var_dir: Path,
                   what: str, environment: dict[str, str] | None = None) -> dict:
    """Run `script` again as a child process on the benchmark's database, after a checkpoint,
    and return the JSON of its last line of output, with `process_wall_seconds` added. The
    child's own peak memory (ru_maxrss) is then the measured code's alone."""
    checkpoint(database_url)
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, script, *arguments],
        env={**os.environ, "DATABASE_URL": database_url, "PAKAN_VAR_DIR": str(var_dir),
             **(environment or {})},
        capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"{what} child failed:\n{finished.stderr[-4000:]}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    result["process_wall_seconds"] = time.perf_counter() - started
    return result


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def machine() -> dict:
    memory = _command("free", "-g").splitlines()
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    cpu = next((line.split(":", 1)[1].strip() for line in lines
                if line.startswith("model name")), platform.processor())
    return {
        "cpus": int(_command("nproc").strip() or os.cpu_count() or 0),
        "cpu_model": cpu,
        "memory_total_gb": int(memory[1].split()[1]) if len(memory) > 1 else None,
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: a value that was measured, never an interpolation."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class PhaseTimer:
    """Adds up the time spent in functions wrapped in place (a job's phases); a nested call
    counts in its caller's phase too."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed)
