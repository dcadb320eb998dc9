"""Celery tasks of the registry: thin wrappers around services.

An import itself runs as a pakan.jobs job (pakan.jobs.tasks.run_job calls
pakan.registry.importing.run_import_job), so the page and the command line share its progress.
What is left here is the one piece of an import that may be retried on its own: checking the
people an import created against the registry for likely duplicates, when that check failed
right after the import had committed.
"""

from celery import shared_task


@shared_task(
    name="pakan.registry.queue_duplicates_after_import",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def queue_duplicates_after_import(first_person_id: int, last_person_id: int) -> int:
    from pakan.registry.deduplication import queue_likely_duplicates

    return queue_likely_duplicates(first_person_id, last_person_id)
