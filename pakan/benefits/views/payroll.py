"""Officer pages of the pension payroll: the runs (start a month as a job with a progress bar, see
its figures, bank files and register), the returned-payment files (import one, read its report)
and paying a returned payment again.

Who sees what (pakan.benefits.selectors.payroll): any staff account sees the runs and their
totals; the register and the returned lines follow the place rule, so a provincial officer reads
the register of their own province only; bank files and returned files are national. Only
central staff start a run, import a returned file or pay a payment again.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from pakan.accounts.scope import scope_path
from pakan.audit.services import record_export
from pakan.benefits import payroll_files
from pakan.benefits.models import Bank, PayrollLine
from pakan.benefits.models.payroll import PensionIndexation
from pakan.benefits.selectors import payroll as payroll_selectors
from pakan.benefits.services import payroll as payroll_services
from pakan.benefits.services import returned_payments
from pakan.benefits.validation import error
from pakan.jobs.models import Job
from pakan.registry.forms import DATE_INPUT, ServiceForm
from pakan.registry.validation import RegistryValidationError
from pakan.socialsecurity.forms import MONTH_INPUT, UPLOAD_INPUT
from pakan.socialsecurity.views.billing import job_progress
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    parse_day,
    parse_month,
    query_without_page,
    show_problems,
    stream,
)
from pakan.socialsecurity.views.payments import saved_upload
from pakan.tabular.export import CONTENT_TYPES

RUN_EXPORT_HEADER = ("month", "status", "lines", "total_amount", "repaid_lines",
                     "repaid_amount", "paid_on", "started_at", "finished_at")
REGISTER_FORMATS = ("csv", "xlsx")
RETURNED_SHOWN = 200


class PayrollRunForm(ServiceForm):
    required_fields = ("month",)
    month = forms.CharField(label=gettext_lazy("Month to pay"), required=False,
                            widget=MONTH_INPUT)
    paid_on = forms.CharField(label=gettext_lazy("Payment date (default today)"),
                              required=False, widget=DATE_INPUT)


class ReturnedFileForm(ServiceForm):
    required_fields = ("file",)
    file = forms.FileField(label=gettext_lazy("Returned-payment file of a bank (CSV or XLSX)"),
                           required=False, widget=UPLOAD_INPUT)


class PayAgainForm(ServiceForm):
    bank = forms.CharField(label=gettext_lazy("Corrected bank"), required=False,
                           widget=forms.Select(choices=[("", "—"), *Bank.choices]))
    bank_account = forms.CharField(label=gettext_lazy("Corrected account number"),
                                   required=False, max_length=34)


def _start(user, form: PayrollRunForm) -> Job:
    problems = []
    text = form.required("month", problems)
    month = parse_month(text) if text else None
    if text and month is None:
        problems.append(error("month", "payroll_bad_month", value=text))
    paid_on = None
    if form.value("paid_on"):
        paid_on = form.date("paid_on", problems)
    if problems:
        raise RegistryValidationError(problems)
    return payroll_services.start_payroll_job(user, month, paid_on=paid_on)


@officer_page
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_run = payroll_selectors.may_run_payroll(user)
    form = PayrollRunForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied
        try:
            job = _start(user, form)
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("The payroll of %(month)s has started.") % {
                "month": job.parameters.get("month", "")})
            return redirect("benefits:payroll_run", month=job.parameters["month"])
    runs = payroll_selectors.payroll_runs(user).order_by("-month")
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "benefits.payrollrun",
                              ([f"{run.month:%Y-%m}", run.status, run.lines, run.total_amount,
                                run.repaid_lines, run.repaid_amount, run.paid_on,
                                run.started_at, run.finished_at] for run in stream(runs)),
                              RUN_EXPORT_HEADER, fmt, "payroll-runs")
    context = {
        "form": form, "may_run": may_run, "page": page_of(request, runs),
        "query": query_without_page(request),
        "indexations": PensionIndexation.objects.order_by("-effective_on")[:20],
        "returned_files": payroll_selectors.returned_files(user)[:20],
        "returned_form": ReturnedFileForm(),
        "returned_waiting": payroll_selectors.returned_lines(user).count(),
    }
    return render(request, "benefits/payroll_runs.html", context, status=status)


def _job_of_month(month: datetime.date) -> Job | None:
    return Job.objects.filter(key=payroll_services.payroll_job_key(month)).select_related(
        "created_by").first()


@officer_page
@require_http_methods(["GET"])
def run_month(request: HttpRequest, month: str) -> HttpResponse:
    """One month's payroll: the job's progress while it runs, then its figures, the totals by
    province and bank, the files to download and the payments the banks sent back."""
    first_day = parse_month(month)
    if first_day is None:
        raise Http404
    user = request.user
    run = payroll_selectors.payroll_runs(user).filter(month=first_day).first()
    job = _job_of_month(first_day)
    if run is None and job is None:
        raise Http404
    job_finished = job is None or job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED,
                                                  Job.Status.REFUSED)
    may_poll = job is not None and not job_finished and (
        job.created_by_id == user.pk or user.role == "system_admin")
    national = payroll_selectors.is_national(user)
    returned = (payroll_selectors.returned_lines(user).filter(run=run)[:RETURNED_SHOWN]
                if run else [])
    context = {
        "month": first_day, "run": run, "job": job, "job_finished": job_finished,
        "may_poll": may_poll, "progress": job_progress(job) if job else None,
        "by_province": payroll_selectors.run_totals_by_province(user, run) if run else [],
        "by_bank": payroll_selectors.run_totals_by_bank(run) if run and national else [],
        "bank_files": payroll_selectors.bank_files_of_run(user, run) if run else [],
        "national": national, "returned": returned,
        "may_run": payroll_selectors.may_run_payroll(user),
        "pay_again_form": PayAgainForm(),
        "form": PayrollRunForm(initial={"month": first_day.strftime("%Y-%m")}),
    }
    return render(request, "benefits/payroll_run.html", context)


@officer_page
@require_http_methods(["GET"])
def register(request: HttpRequest, month: str, fmt: str) -> HttpResponse:
    """The payroll register: the stored national one for national staff, the lines of their
    own province or district (with its totals) for everyone else."""
    first_day = parse_month(month)
    if first_day is None or fmt not in REGISTER_FORMATS:
        raise Http404
    user = request.user
    run = payroll_selectors.payroll_runs(user).filter(month=first_day).first()
    if run is None or not run.lines_complete:
        raise Http404
    filename = f"payroll-register-{month}.{fmt}"
    record_export(user, "benefits.payrollline", {"month": month, "format": fmt},
                  note=filename)
    stored = run.register_xlsx if fmt == "xlsx" else run.register_csv
    if payroll_selectors.is_national(user) and stored:
        return FileResponse(stored.open("rb"), as_attachment=True, filename=filename,
                            content_type=CONTENT_TYPES[fmt])
    table = payroll_files.register_table(payroll_selectors.run_lines_table(
        run, place_prefix=scope_path(user) or ""))
    content = (payroll_files.register_xlsx(table, run) if fmt == "xlsx"
               else payroll_files.register_csv(table))
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@officer_page
@require_http_methods(["GET"])
def bank_file(request: HttpRequest, file_id: int) -> HttpResponse:
    record = payroll_selectors.bank_file_for(request.user, file_id)
    filename = f"payroll-{record.run.month:%Y-%m}-{record.bank}.csv"
    record_export(request.user, "benefits.bankpaymentfile", {"file": record.pk},
                  note=filename)
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=filename,
                        content_type=CONTENT_TYPES["csv"])


@officer_page
@require_POST
def import_returns(request: HttpRequest) -> HttpResponse:
    """Upload a bank's returned-payment file: the matching rows are applied, the others held
    and listed on the file's page."""
    user = request.user
    if not payroll_selectors.may_run_payroll(user):
        raise PermissionDenied
    form = ReturnedFileForm(request.POST, request.FILES)
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise RegistryValidationError([error("file", "required")])
        with saved_upload(uploaded) as path:
            record = returned_payments.import_returned_payments(path, uploaded.name,
                                                                actor=user)
    except RegistryValidationError as problem:
        form.show_errors(problem.errors)
        return render(request, "benefits/payroll_returns_refused.html",
                      {"form": form, "errors": problem.errors}, status=400)
    messages.success(request, _("%(matched)s of %(rows)s returned payments applied.") % {
        "matched": record.matched, "rows": record.rows})
    return redirect("benefits:payroll_returned_file", file_id=record.pk)


@officer_page
@require_http_methods(["GET"])
def returned_file(request: HttpRequest, file_id: int) -> HttpResponse:
    record = payroll_selectors.returned_file_for(request.user, file_id)
    return render(request, "benefits/payroll_returned_file.html", {
        "record": record, "held": record.report.get("held", []),
        "applied": record.report.get("applied", [])})


@officer_page
@require_POST
def pay_again(request: HttpRequest, line_id: int) -> HttpResponse:
    """Pay a returned payment again now (outside the bank files), to corrected details."""
    user = request.user
    line: PayrollLine = payroll_selectors.line_for(user, line_id)
    form = PayAgainForm(request.POST)
    try:
        returned_payments.pay_returned_again(
            line.pk, actor=user, bank=form.value("bank") or None,
            bank_account=form.value("bank_account"),
            paid_on=parse_day(request.POST.get("paid_on")))
    except RegistryValidationError as problem:
        show_problems(request, problem)
    else:
        messages.success(request, _("The payment %(reference)s is paid again.") % {
            "reference": line.reference})
    return redirect("benefits:payroll_run", month=f"{line.run.month:%Y-%m}")
