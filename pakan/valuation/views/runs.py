"""Run pages: start a run of a scenario, follow its progress, read its results (tables and
charts), download them (PDF report, XLSX tables), re-run or delete it, and compare runs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from pakan.jobs.services import progress_of
from pakan.valuation import reports, selectors
from pakan.valuation.forms import RunForm
from pakan.valuation.messages import RegistryValidationError, error
from pakan.valuation.models import ValuationRun
from pakan.valuation.results import comparison
from pakan.valuation.services import catalogue
from pakan.valuation.services import runs as run_services
from pakan.valuation.views.common import show_refusal, valuation_page
from pakan.valuation.views.scenarios import scenario_page

UNFINISHED = (ValuationRun.Status.QUEUED, ValuationRun.Status.RUNNING)
REPORT_TYPES = {"pdf": "application/pdf", "xlsx": reports.XLSX_CONTENT_TYPE}
RUNS_SHOWN = 200


@valuation_page
@require_POST
def run_start(request: HttpRequest, scenario_id: int) -> HttpResponse:
    user = request.user
    scenario = selectors.scenarios(user).get(pk=scenario_id)
    extracts = selectors.finished_extracts(user)
    form = RunForm(request.POST, scenario=scenario, extracts=extracts)
    try:
        run = run_services.start_run(user, scenario, kind=form.value("kind"),
                                     settings=form.settings(),
                                     extract_id=form.value("extract") if "extract" in form.fields
                                     else None)
    except RegistryValidationError as refusal:
        form.show_errors(refusal.errors)
        return scenario_page(request, scenario, run_form=form, status=400)
    return redirect("valuation:run", run.pk)


def _progress(run: ValuationRun) -> dict:
    if run.job is None:
        done, total = (1, 1) if run.status not in UNFINISHED else (0, 1)
    else:
        done, total = progress_of(run.job)
    if run.status == ValuationRun.Status.DONE:
        done = total = max(total, 1)
    percent = int(100 * done / total) if total else 0
    return {"status": run.status, "done": done, "total": total, "percent": min(percent, 100)}


@valuation_page
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.runs(request.user).get(pk=run_id)
    finished = run.status == ValuationRun.Status.DONE
    return render(request, "valuation/run.html", {
        "run": run,
        "progress": _progress(run),
        "unfinished": run.status in UNFINISHED,
        "results": selectors.run_results(run) if finished else None,
        "assumptions": catalogue.snapshot_rows(run.assumptions),
        "reruns": run.reruns.all(),
    })


@valuation_page
@require_GET
@never_cache
def run_progress(request: HttpRequest, run_id: int) -> JsonResponse:
    """What the progress bar polls: {"status", "done", "total", "percent"}."""
    return JsonResponse(_progress(selectors.runs(request.user).get(pk=run_id)))


@valuation_page
@require_POST
def run_rerun(request: HttpRequest, run_id: int) -> HttpResponse:
    original = selectors.runs(request.user).get(pk=run_id)
    try:
        run = run_services.rerun(request.user, original)
    except RegistryValidationError as refusal:
        show_refusal(request, refusal)
        return redirect("valuation:run", original.pk)
    return redirect("valuation:run", run.pk)


@valuation_page
@require_POST
def run_delete(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.runs(request.user).get(pk=run_id)
    scenario_id = run.scenario_id
    try:
        run_services.delete_run(request.user, run)
    except RegistryValidationError as refusal:
        show_refusal(request, refusal)
        return redirect("valuation:run", run.pk)
    messages.success(request, _("The run is deleted."))
    return redirect("valuation:scenario", scenario_id)


@valuation_page
@require_GET
def run_report(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    run = selectors.runs(request.user).get(pk=run_id)
    if fmt not in REPORT_TYPES or run.status != ValuationRun.Status.DONE:
        raise Http404
    results = selectors.run_results(run)
    if fmt == "pdf":
        content = reports.run_pdf(request, run, results)
    else:
        content = reports.run_xlsx(run, results)
    response = HttpResponse(content, content_type=REPORT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, f"valuation-run-{run.pk}.{fmt}")
    return response


@valuation_page
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    return render(request, "valuation/runs.html", {
        "runs": selectors.runs(request.user)[:RUNS_SHOWN],
    })


def _compared_runs(request: HttpRequest) -> list[ValuationRun]:
    chosen = []
    for value in request.GET.getlist("run"):
        if value.isdigit() and int(value) not in chosen:
            chosen.append(int(value))
    found = {run.pk: run for run in selectors.runs(request.user).filter(
        pk__in=chosen, status=ValuationRun.Status.DONE)}
    compared = [found[pk] for pk in chosen if pk in found]
    if len(compared) < 2 or len({run.kind for run in compared}) != 1:
        raise RegistryValidationError([error("run", "compare_needs_runs")])
    return compared


@valuation_page
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    try:
        compared = _compared_runs(request)
    except RegistryValidationError as refusal:
        show_refusal(request, refusal)
        return redirect("valuation:runs")
    results = comparison(compared, {run.pk: selectors.stored_arrays(run) for run in compared})
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.comparison_xlsx(compared, results),
                                content_type=reports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, "valuation-comparison.xlsx")
        return response
    return render(request, "valuation/compare.html", {
        "runs": compared, "results": results, "query": request.GET.urlencode(),
    })
