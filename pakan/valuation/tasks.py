"""Background work of the actuarial pages: thin wrappers around services.

A run is a pakan.jobs job (services.runs.start_run creates it, keyed "valuation-run:<id>";
pakan.jobs.tasks.run_job calls `valuation_run_job` below in a Celery worker, or in a thread of
the web process when no broker is configured), so its page shows a progress bar.
"""

from __future__ import annotations


def valuation_run_job(job, progress) -> dict:
    """Runner of a run's job: job.parameters = {"run": <ValuationRun id>}."""
    from pakan.valuation.services.runs import execute_run, job_outcome

    run = execute_run(int(job.parameters["run"]), progress)
    return job_outcome(run)
