"""Celery tasks of the fund: thin wrappers around services.

A month's billing runs as a pakan.jobs job (services.billing.start_billing_job creates it,
keyed "billing:YYYY-MM"; pakan.jobs.tasks.run_job calls `billing_job` below), so the page
and the command line share its progress bar. `bill_contributions` is the same run for a
scheduler (celery beat) that has no job page to show.
"""

from __future__ import annotations

import datetime

from celery import shared_task


def billing_job(job, progress) -> dict:
    """Runner of a billing job: job.parameters = {"month": "YYYY-MM", "issued_on": optional}."""
    from pakan.socialsecurity.services.billing import run_billing

    parameters = job.parameters or {}
    month = datetime.date.fromisoformat(f"{parameters['month']}-01")
    issued_on = parameters.get("issued_on")
    run = run_billing(month, actor=job.created_by, progress=progress, job=job,
                      issued_on=datetime.date.fromisoformat(issued_on) if issued_on else None)
    return {
        "status": "succeeded",
        "done": run.number_of_invoices,
        "total": run.number_of_invoices,
        "message": f"{run.number_of_invoices:,} invoices, {run.number_of_workers:,} workers, "
                   f"{run.total_amount:,} kip",
        "result": {"billing_run": run.pk, "month": parameters["month"],
                   "invoices": run.number_of_invoices, "workers": run.number_of_workers,
                   "total_amount": run.total_amount},
    }


@shared_task(name="pakan.socialsecurity.bill_contributions", acks_late=True)
def bill_contributions(month: str) -> int:
    """Bill a month ("YYYY-MM"); safe to deliver twice (the run is keyed by its month)."""
    from pakan.socialsecurity.services.billing import run_billing

    return run_billing(datetime.date.fromisoformat(f"{month}-01")).pk
