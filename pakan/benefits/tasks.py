"""Celery tasks of the benefits: thin wrappers around services.

A month's pension payroll runs as a pakan.jobs job (services.payroll.start_payroll_job creates
it, keyed "payroll:YYYY-MM"; pakan.jobs.tasks.run_job calls `payroll_job` below), so the page
and the command line share its progress bar. `pay_pensions` is the same run for a scheduler
(celery beat) that has no job page to show.
"""

from __future__ import annotations

import datetime

from celery import shared_task


def payroll_job(job, progress) -> dict:
    """Runner of a payroll job: job.parameters = {"month": "YYYY-MM", "paid_on": optional}."""
    from pakan.benefits.services.payroll import run_payroll

    parameters = job.parameters or {}
    month = datetime.date.fromisoformat(f"{parameters['month']}-01")
    paid_on = parameters.get("paid_on")
    run = run_payroll(month, actor=job.created_by, progress=progress, job=job,
                      paid_on=datetime.date.fromisoformat(paid_on) if paid_on else None)
    return {
        "status": "succeeded",
        "done": run.lines,
        "total": run.lines,
        "message": f"{run.lines:,} payments, {run.total_amount:,} kip; "
                   f"{run.repaid_lines:,} returned payments paid again",
        "result": {"payroll_run": run.pk, "month": parameters["month"], "lines": run.lines,
                   "total_amount": run.total_amount, "repaid_lines": run.repaid_lines,
                   "repaid_amount": run.repaid_amount},
    }


@shared_task(name="pakan.benefits.pay_pensions", acks_late=True)
def pay_pensions(month: str) -> int:
    """Pay a month ("YYYY-MM") as the system; safe to deliver twice (the run is keyed by its
    month)."""
    from pakan.benefits.services.payroll import run_payroll

    return run_payroll(datetime.date.fromisoformat(f"{month}-01"), actor=None).pk
