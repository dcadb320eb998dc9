"""Runs: start one as a background job, compute it, re-run it, delete it.

A run is stored with everything that made it: the scenario's overrides as they were (a
snapshot: the scenario may change later), the base values and which of them are provisional,
its settings (number of runs, seed, last year), the data extract it started from (with the
extract file's hash), and the code's version (git commit when there is one, the benefit rules'
version, a hash of the actuarial package's source, package versions). Its results are a `.npz`
file of named arrays and a small JSON summary. A re-run computes the same snapshot again and
records whether it gave the same numbers (a hash over the arrays).
"""

from __future__ import annotations

import functools
import hashlib
import io
import platform
import subprocess
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pakan.actuarial.costing_assumptions import DEFAULT_FINAL_YEAR, lao_base_scenario
from pakan.actuarial.errors import ActuarialInputError
from pakan.actuarial.model import Assumptions
from pakan.jobs.models import Job
from pakan.jobs.services import create_job, dispatch
from pakan.valuation.messages import (
    FieldError,
    RegistryValidationError,
    error,
    from_actuarial,
    refuse,
)
from pakan.valuation.models import Scenario, ValuationExtract, ValuationRun
from pakan.valuation.selectors import require_valuation_access
from pakan.valuation.services import catalogue, computation, extract_inputs, overrides

RUN_JOB_KIND = "pakan.valuation.tasks.valuation_run_job"
MAXIMUM_PAGE_RUNS = 10_000
SCENARIO_KIND_OF_RUN = {
    ValuationRun.Kind.DETERMINISTIC: Scenario.Kind.FUND,
    ValuationRun.Kind.STOCHASTIC: Scenario.Kind.FUND,
    ValuationRun.Kind.COSTING: Scenario.Kind.COSTING,
}
PACKAGES = ("pakan", "numpy", "Django", "OpenFisca-Core")
BASES = {
    Scenario.Kind.FUND: "pakan.actuarial.lao_assumptions.assumptions(): the Lao base valuation "
                        "(base year 2024, the law as of 2025-07-01)",
    Scenario.Kind.COSTING: "pakan.actuarial.costing_assumptions.lao_base_scenario(): the Lao "
                           "floor package on the projected Lao base population",
}


# --- the code's version ------------------------------------------------------------------------

def _git(*arguments: str) -> str | None:
    try:
        found = subprocess.run(["git", *arguments], cwd=django_settings.BASE_DIR,
                               capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip()


@functools.cache
def _actuarial_source_sha256() -> str:
    """A hash over the actuarial package's source files: the model's code, even without git."""
    import pakan.actuarial

    root = Path(pakan.actuarial.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def code_version() -> dict[str, Any]:
    from pakan.rules.benefits import RULES_VERSION

    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "git_commit": _git("rev-parse", "HEAD"),
        "git_uncommitted_changes": None if status is None else bool(status),
        "rules_version": str(RULES_VERSION),
        "actuarial_source_sha256": _actuarial_source_sha256(),
        "python": platform.python_version(),
        "packages": versions,
    }


# --- starting a run ----------------------------------------------------------------------------

def _whole_number(field: str, value: Any, problems: list[FieldError]) -> int | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        problems.append(error(field, "not_a_whole_number"))
        return None
    if not number.is_integer():
        problems.append(error(field, "not_a_whole_number"))
        return None
    return int(number)


def _number(field: str, value: Any, problems: list[FieldError]) -> float | None:
    text = str(value).strip()
    try:
        return float(text[:-1]) / 100.0 if text.endswith("%") else float(text)
    except ValueError:
        problems.append(error(field, "not_a_number"))
        return None


def _stochastic_settings(given: Mapping[str, Any], problems: list[FieldError]) -> dict:
    chosen: dict[str, Any] = {}
    for name, default in computation.STOCHASTIC_DEFAULTS.items():
        value = given.get(name)
        if value in (None, ""):
            chosen[name] = default
        elif isinstance(default, int):
            chosen[name] = _whole_number(name, value, problems)
        else:
            chosen[name] = _number(name, value, problems)
    if problems:
        return chosen
    if chosen["runs"] > MAXIMUM_PAGE_RUNS:
        problems.append(error("runs", "too_many_runs", limit=f"{MAXIMUM_PAGE_RUNS:,}"))
        return chosen
    try:
        computation.stochastic_assumptions(chosen)
    except ActuarialInputError as problem:
        problems.append(from_actuarial(problem.field.removeprefix("stochastic."), problem))
    return chosen


def _costing_settings(given: Mapping[str, Any], problems: list[FieldError]) -> dict:
    value = given.get("final_year")
    final_year = DEFAULT_FINAL_YEAR if value in (None, "") else _whole_number(
        "final_year", value, problems)
    if final_year is not None:
        try:
            lao_base_scenario(final_year=final_year)
        except ActuarialInputError as problem:
            problems.append(from_actuarial("final_year", problem))
    return {"final_year": final_year}


def run_settings(kind: str, given: Mapping[str, Any], problems: list[FieldError]) -> dict:
    if kind == ValuationRun.Kind.STOCHASTIC:
        return _stochastic_settings(given, problems)
    if kind == ValuationRun.Kind.COSTING:
        return _costing_settings(given, problems)
    return {}


def _extract(kind: str, extract_id: Any, problems: list[FieldError]) -> ValuationExtract | None:
    if extract_id in (None, ""):
        return None
    if kind == ValuationRun.Kind.COSTING:
        problems.append(error("extract", "extract_not_for_costing"))
        return None
    extract = ValuationExtract.objects.filter(pk=_whole_number("extract", extract_id, [])
                                              or 0).first()
    if extract is None:
        problems.append(error("extract", "unknown_extract"))
    elif extract.status != ValuationExtract.Status.DONE:
        problems.append(error("extract", "extract_not_ready"))
    return extract


def snapshot(scenario: Scenario) -> dict[str, Any]:
    """The scenario as a run keeps it: overrides, the base, and the provisional base values it
    still rests on."""
    return {
        "scenario": {"id": scenario.pk, "name": scenario.name, "kind": scenario.kind,
                     "description": scenario.description},
        "base": BASES[scenario.kind],
        "overrides": dict(scenario.overrides),
        "rows": [row.as_dict() for row in catalogue.rows(scenario.kind)],
        "provisional": [row.name for row in catalogue.provisional_rows(
            scenario.kind, scenario.overrides)],
    }


def _extract_snapshot(extract: ValuationExtract | None) -> dict[str, Any]:
    if extract is None:
        return {}
    return {"id": extract.pk, "valuation_date": extract.valuation_date.isoformat(),
            "sha256": extract.sha256, "insured": extract.insured,
            "pensioners": extract.pensioners}


@transaction.atomic
def start_run(actor, scenario: Scenario, *, kind: str, settings: Mapping[str, Any] | None = None,
              extract_id: Any = None) -> ValuationRun:
    """Check everything, store the run with its snapshot, and queue its job."""
    require_valuation_access(actor)
    scenario = Scenario.objects.get(pk=scenario.pk)  # as saved, not as the caller last saw it
    problems: list[FieldError] = []
    if kind not in SCENARIO_KIND_OF_RUN:
        refuse([error("kind", "unknown_kind")])
    needed = SCENARIO_KIND_OF_RUN[kind]
    if scenario.kind != needed:
        problems.append(error("kind", "wrong_run_kind", kind=ValuationRun.Kind(kind).label,
                              needed=Scenario.Kind(needed).label))
    chosen = run_settings(kind, settings or {}, problems)
    extract = _extract(kind, extract_id, problems)
    if not problems:
        final_year = chosen.get("final_year", DEFAULT_FINAL_YEAR)
        problems += [FieldError("scenario", item.code, f"{item.field}: {item.reason_en}",
                                f"{item.field}: {item.reason_lo}")
                     for item in overrides.check(scenario.kind, scenario.overrides,
                                                 scenario_name=scenario.name,
                                                 final_year=final_year)]
    refuse(problems)
    assumptions = snapshot(scenario)
    assumptions["extract"] = _extract_snapshot(extract)
    run = ValuationRun.objects.create(
        scenario=scenario, extract=extract, kind=kind, assumptions=assumptions,
        run_settings=chosen, code_version=code_version(), created_by=actor)
    return _queue(actor, run)


def _queue(actor, run: ValuationRun) -> ValuationRun:
    job = create_job(RUN_JOB_KIND, user=actor, parameters={"run": run.pk},
                     key=f"valuation-run:{run.pk}")
    run.job = job
    run.save(update_fields=["job"])
    dispatch(job)
    return run


@transaction.atomic
def rerun(actor, original: ValuationRun) -> ValuationRun:
    """The same snapshot, settings and extract computed again by today's code; the new run says
    whether its numbers are the same."""
    require_valuation_access(actor)
    if original.status != ValuationRun.Status.DONE:
        refuse([error("run", "run_not_finished")])
    extract = original.extract
    kept = (original.assumptions or {}).get("extract") or {}
    if extract is not None and kept.get("sha256") != extract.sha256:
        refuse([error("extract", "extract_changed")])
    run = ValuationRun.objects.create(
        scenario=original.scenario, extract=extract, kind=original.kind,
        assumptions=original.assumptions, run_settings=original.run_settings,
        code_version=code_version(), created_by=actor, rerun_of=original)
    return _queue(actor, run)


@transaction.atomic
def delete_run(actor, run: ValuationRun) -> None:
    require_valuation_access(actor)
    run = ValuationRun.objects.select_for_update().get(pk=run.pk)
    if run.status in (ValuationRun.Status.QUEUED, ValuationRun.Status.RUNNING):
        refuse([error("run", "run_running")])
    if run.reruns.exists():
        refuse([error("run", "run_has_reruns")])
    stored = run.results_file.name if run.results_file else ""
    run.delete()
    if stored:
        storage = ValuationRun._meta.get_field("results_file").storage
        transaction.on_commit(lambda: storage.delete(stored))


# --- computing a run (the job's runner calls this) ---------------------------------------------

def fund_assumptions(run: ValuationRun) -> Assumptions:
    snapshot_of_run = run.assumptions
    base = catalogue.fund_base()
    if run.extract is not None:
        base = extract_inputs.with_extract(base, run.extract)
    return overrides.apply_to(base, snapshot_of_run["scenario"]["name"],
                              snapshot_of_run["overrides"])


def compute(run: ValuationRun, progress) -> computation.Computed:
    if run.kind == ValuationRun.Kind.COSTING:
        return computation.costing(run.assumptions["overrides"], run.run_settings, progress)
    assumptions = fund_assumptions(run)
    if run.kind == ValuationRun.Kind.STOCHASTIC:
        return computation.stochastic(assumptions, run.run_settings, progress)
    return computation.deterministic(assumptions, progress)


def _stored_file(arrays: Mapping[str, np.ndarray]) -> ContentFile:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return ContentFile(buffer.getvalue())


def _failed(run: ValuationRun, started: float, reason: str) -> ValuationRun:
    ValuationRun.objects.filter(pk=run.pk).update(
        status=ValuationRun.Status.FAILED, finished_at=timezone.now(),
        seconds=time.perf_counter() - started, error=reason[:4000])
    run.refresh_from_db()
    return run


def execute_run(run_id: int, progress) -> ValuationRun:
    """Compute a queued run and store its results; a refused input marks it failed with the
    package's message in English and Lao."""
    run = ValuationRun.objects.select_related("extract", "rerun_of").get(pk=run_id)
    if run.status == ValuationRun.Status.DONE:
        return run
    ValuationRun.objects.filter(pk=run.pk).update(status=ValuationRun.Status.RUNNING)
    started = time.perf_counter()
    try:
        computed = compute(run, progress)
    except ActuarialInputError as problem:
        return _failed(run, started, f"{problem.field}: {problem.english} / {problem.lao}")
    except RegistryValidationError as refusal:  # the extract's file no longer matches its hash
        return _failed(run, started, "; ".join(
            f"{item.field}: {item.reason_en} / {item.reason_lo}" for item in refusal.errors))
    except Exception:  # a fault: the run says so, the job keeps the traceback
        _failed(run, started, "")
        raise
    summary = dict(computed.summary)
    digest = computation.arrays_sha256(computed.arrays)
    if run.rerun_of is not None:
        summary["reproduces"] = {"run": run.rerun_of.pk,
                                 "identical": digest == run.rerun_of.results_sha256}
    run.results_file.save(f"run-{run.pk}.npz", _stored_file(computed.arrays), save=False)
    ValuationRun.objects.filter(pk=run.pk).update(
        status=ValuationRun.Status.DONE, summary=summary, results_file=run.results_file.name,
        results_sha256=digest, finished_at=timezone.now(),
        seconds=time.perf_counter() - started)
    run.refresh_from_db()
    return run


def job_outcome(run: ValuationRun) -> dict[str, Any]:
    """What the job keeps of its run: its status and a line for the jobs page."""
    done = run.status == ValuationRun.Status.DONE
    return {
        "status": Job.Status.SUCCEEDED if done else Job.Status.FAILED,
        "done": 1 if done else 0,
        "total": 1,
        "message": (f"{run.get_kind_display()} of {run.scenario.name}: done in "
                    f"{run.seconds or 0:.1f} s" if done else run.error),
        "result": {"valuation_run": run.pk},
    }
