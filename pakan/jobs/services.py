"""Starting background jobs and reporting their progress.

A job's runner is a function `runner(job, progress)` named by its dotted path in `Job.kind`.
With a Celery broker configured the job goes to a worker; without one (the embedded default) it
runs in a thread of this process, so the page that started it can still poll its progress bar.
Live progress goes through the cache, because the runner's own transaction hides its writes
from other connections until it commits.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.utils import timezone

from pakan.jobs.models import Job

ProgressCallback = Callable[[int, int], None]


class Progress:
    """Callable that records done/total for a job, and optionally echoes it (for the CLI)."""

    def __init__(self, job: Job, echo: ProgressCallback | None = None) -> None:
        self.job = job
        self.echo = echo

    def __call__(self, done: int, total: int) -> None:
        cache.set(progress_cache_key(self.job.pk), (done, total), timeout=24 * 3600)
        if self.echo is not None:
            self.echo(done, total)


def progress_cache_key(job_id: int) -> str:
    return f"pakan:job:{job_id}:progress"


def create_job(
    kind: str,
    *,
    user=None,
    parameters: dict[str, Any] | None = None,
    input_file: str = "",
    scope_path: str = "",
    key: str | None = None,
) -> Job:
    if not kind.startswith(tuple(settings.PAKAN_JOB_RUNNER_PREFIXES)):
        raise ValueError(f"job runner must live in the pakan package: {kind}")
    return Job.objects.create(
        kind=kind,
        key=key,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        parameters=parameters or {},
        input_file=input_file,
        scope_path=scope_path,
    )


def start_keyed_job(kind: str, key: str, *, user=None,
                    parameters: dict[str, Any] | None = None) -> Job:
    """The one job of `key` (a month's billing, a month's payroll), started or started again.

    While it waits or runs, starting again returns it as it is; once it has ended (finished, or
    failed half way) the same job is queued again with these parameters, and its runner does
    only what is left."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(key=key).first()
        if job is not None and job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
            return job
        if job is None:
            job = create_job(kind, user=user, parameters=parameters, key=key)
        else:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.QUEUED, parameters=parameters or {}, message="", done=0,
                total=0, started_at=None, finished_at=None,
                created_by=user if getattr(user, "is_authenticated", False) else None)
            job.refresh_from_db()
        dispatch(job)
    job.refresh_from_db()
    return job


def progress_of(job: Job) -> tuple[int, int]:
    live = cache.get(progress_cache_key(job.pk))
    if job.status in (Job.Status.QUEUED, Job.Status.RUNNING) and live:
        return live
    return job.done, job.total


def run_job_now(job_id: int, echo: ProgressCallback | None = None) -> Job:
    """Run a job in this process and thread; the Celery task and the CLI both end up here."""
    job = Job.objects.get(pk=job_id)
    if job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return job  # already finished: running it again changes nothing
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    job.status = Job.Status.RUNNING
    module_name, function_name = job.kind.rsplit(".", 1)
    runner = getattr(import_module(module_name), function_name)
    try:
        outcome = runner(job, Progress(job, echo))
    except Exception as error:  # the job records why it failed; the worker stays up
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            message=f"{error}\n{traceback.format_exc(limit=5)}"[:4000],
            finished_at=timezone.now(),
        )
        raise
    finish(job, outcome)
    job.refresh_from_db()
    return job


def finish(job: Job, outcome: dict[str, Any]) -> None:
    """Store a runner's outcome: {'status', 'done', 'total', 'message', 'result', 'report_file'}."""
    Job.objects.filter(pk=job.pk).update(
        status=outcome.get("status", Job.Status.SUCCEEDED),
        done=outcome.get("done", 0),
        total=outcome.get("total", 0),
        message=outcome.get("message", ""),
        result=outcome.get("result", {}),
        report_file=outcome.get("report_file", ""),
        finished_at=timezone.now(),
    )
    cache.delete(progress_cache_key(job.pk))


def dispatch(job: Job) -> None:
    """Send the job to a worker (broker configured) or to a thread (embedded default)."""
    if settings.CELERY_BROKER_URL:
        from pakan.jobs.tasks import run_job

        transaction.on_commit(lambda: run_job.delay(job.pk))
    elif getattr(settings, "PAKAN_JOBS_SYNCHRONOUS", False):
        transaction.on_commit(lambda: _run_quietly(job.pk))
    else:
        transaction.on_commit(
            lambda: threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True).start()
        )


def _run_quietly(job_id: int) -> None:
    with contextlib.suppress(Exception):  # the failure is recorded on the job by run_job_now
        run_job_now(job_id)


def _run_in_thread(job_id: int) -> None:
    try:
        _run_quietly(job_id)
    finally:
        close_old_connections()  # the thread's own connection, not the request's
