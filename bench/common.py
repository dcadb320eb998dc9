"""What every benchmark reports beside its figures: the machine it ran on, the PostgreSQL it
measured, and percentiles of a list of timings. Imported by the scripts in this folder
(each runs with bench/ first on sys.path)."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


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
