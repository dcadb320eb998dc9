"""Background work of the extract: thin wrappers around `services`.

An extract started from a page is a pakan.jobs job (`services.start_extract_job` creates it,
keyed "valuation_extract:<id>"; pakan.jobs.tasks.run_job calls `job_runner` below in a Celery
worker, or in a thread of the web process when no broker is configured), so the page shows its
progress bar. `make_valuation_extract` is the same work for a scheduler (celery beat) that has
no page: say, an extract on every 31 December.
"""

from __future__ import annotations

import datetime

from celery import shared_task


def job_runner(job, progress) -> dict:
    """Runner of an extract's job: job.parameters = {"extract": <ValuationExtract id>,
    "valuation_date": "YYYY-MM-DD"}."""
    from pakan.valuation.extract.services import run_extract_job

    return run_extract_job(job, progress)


@shared_task(name="pakan.valuation.make_valuation_extract", acks_late=True)
def make_valuation_extract(valuation_date: str, username: str) -> int:
    """Extract the fund at `valuation_date` ("YYYY-MM-DD") as the account `username` (an
    actuary or national staff); returns the extract's id."""
    from pakan.accounts.models import User
    from pakan.valuation.extract.services import make_extract

    actor = User.objects.get(username=username)
    return make_extract(datetime.date.fromisoformat(valuation_date), actor=actor).pk
