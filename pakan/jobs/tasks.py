from celery import shared_task

from pakan.jobs.services import run_job_now


@shared_task(name="pakan.jobs.run_job", acks_late=True)
def run_job(job_id: int) -> str:
    return run_job_now(job_id).status
