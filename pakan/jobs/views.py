"""A job's page: a progress bar while it runs, then its outcome; and the error report.

Only the user who started a job, or a system administrator, may see it; for anyone else it does
not exist (404), so job numbers reveal nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pakan.accounts.models import Role
from pakan.jobs.models import Job
from pakan.jobs.selectors import jobs_started_by
from pakan.jobs.services import progress_of
from pakan.tabular.export import CONTENT_TYPES, export_response

FINISHED = (Job.Status.SUCCEEDED, Job.Status.FAILED, Job.Status.REFUSED)
ERROR_COLUMNS = ("line", "column", "value", "reason_en", "reason_lo")
ERRORS_SHOWN = 500
REPORT_FORMATS = ("csv", "xlsx")
IMPORT_JOB_PREFIX = "pakan.registry.importing."


def _job_for(user, job_id: int) -> Job:
    jobs = Job.objects.all() if user.role == Role.SYSTEM_ADMIN else jobs_started_by(user)
    job = jobs.filter(pk=job_id).select_related("created_by").first()
    if job is None:
        raise Http404
    return job


def _progress(job: Job) -> dict:
    done, total = progress_of(job)
    if job.status == Job.Status.SUCCEEDED and total:
        done = total
    percent = int(100 * done / total) if total else (100 if job.status in FINISHED else 0)
    return {"status": job.status, "done": done, "total": total, "percent": min(percent, 100)}


@login_required
@require_GET
def detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request.user, job_id)
    result = job.result or {}
    shown = (result.get("errors") or [])[:ERRORS_SHOWN]
    error_count = result.get("error_count") or len(shown)
    context = {
        "job": job,
        "is_import": job.kind.startswith(IMPORT_JOB_PREFIX),
        "progress": _progress(job),
        "finished": job.status in FINISHED,
        "result": result,
        "errors": shown,
        "error_count": error_count,
        "errors_cut": error_count > len(shown),
    }
    return render(request, "jobs/detail.html", context)


@login_required
@require_GET
@never_cache
def progress(request: HttpRequest, job_id: int) -> JsonResponse:
    """What the progress bar polls: {"status", "done", "total", "percent"}."""
    return JsonResponse(_progress(_job_for(request.user, job_id)))


def _error_rows(job: Job) -> Iterator[list]:
    for problem in (job.result or {}).get("errors", []):
        yield [problem.get(column, "") for column in ERROR_COLUMNS]


def _stored_report(job: Job, fmt: str) -> Path | None:
    """The report the job wrote in this format, if it is still there."""
    stored = ((job.result or {}).get("report_files") or {}).get(fmt)
    if not stored and job.report_file.endswith(f".{fmt}"):
        stored = job.report_file
    path = Path(stored) if stored else None
    return path if path is not None and path.is_file() else None


@login_required
@require_GET
def report(request: HttpRequest, job_id: int, fmt: str) -> HttpResponse:
    """The error report as CSV or XLSX: every error the import found (the page shows the first
    ones), each with line, column, value and the reason in English and Lao."""
    job = _job_for(request.user, job_id)
    if fmt not in REPORT_FORMATS or job.status != Job.Status.REFUSED:
        raise Http404
    filename = f"import-{job.pk}-errors.{fmt}"
    stored = _stored_report(job, fmt)
    if stored is not None:  # written by the import through the same neutralising writer
        return FileResponse(stored.open("rb"), as_attachment=True, filename=filename,
                            content_type=CONTENT_TYPES[fmt])
    return export_response(_error_rows(job), ERROR_COLUMNS, fmt, filename)
