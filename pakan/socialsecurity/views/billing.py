"""Officer pages of billing: the runs (start a month's run as a job, follow its progress bar,
read its figures and the provisional legal values it used) and the invoices."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pakan.jobs.models import Job
from pakan.jobs.services import progress_of
from pakan.jobs.views import FINISHED
from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.rules.legal_parameters import RulesError
from pakan.socialsecurity.forms import BillingRunForm, InvoiceFilterForm
from pakan.socialsecurity.models import BillingRun, Invoice
from pakan.socialsecurity.selectors import accounts as account_selectors
from pakan.socialsecurity.selectors import billing as billing_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.services import billing as billing_services
from pakan.socialsecurity.validation import error
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    parse_month,
    query_without_page,
    stream,
)

INVOICE_EXPORT_HEADER = (
    "number", "kind", "month", "debtor_nssf_registration_number", "debtor_social_security_number",
    "debtor_name", "number_of_workers", "insured_amount", "employer_amount", "state_subsidy",
    "total", "paid", "outstanding", "issued_on", "due_on", "settled_on",
)
RUN_EXPORT_HEADER = ("kind", "month", "status", "started_at", "finished_at",
                     "number_of_invoices", "number_of_workers", "total_amount")


def invoice_export_row(invoice: Invoice) -> list:
    employer, member = invoice.employer, invoice.member
    name = employer.name_en if employer else (member.person.full_name_latin if member else "")
    return [invoice.number, invoice.kind, invoice.month.strftime("%Y-%m"),
            employer.nssf_registration_number if employer else "",
            member.social_security_number if member and not employer else "", name,
            invoice.number_of_workers, invoice.insured_amount, invoice.employer_amount,
            invoice.state_subsidy, invoice.total, invoice.paid, invoice.outstanding,
            invoice.issued_on, invoice.due_on, invoice.settled_on]


def invoice_export(request: HttpRequest, invoices, filename: str) -> HttpResponse | None:
    fmt = export_format(request)
    if not fmt:
        return None
    return audited_export(request, "socialsecurity.invoice",
                          (invoice_export_row(row) for row in stream(invoices)),
                          INVOICE_EXPORT_HEADER, fmt, filename)


@officer_page
@require_http_methods(["GET"])
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = page_selectors.filter_invoices(
        request.user, month=parse_month(request.GET.get("month")),
        kind=request.GET.get("kind", ""), open_only=request.GET.get("open") == "on")
    exported = invoice_export(request, invoices, "invoices")
    if exported is not None:
        return exported
    return render(request, "socialsecurity/invoices.html",
                  {"form": InvoiceFilterForm(request.GET or None),
                   "page": page_of(request, invoices), "query": query_without_page(request)})


def _start(user, form: BillingRunForm) -> Job:
    problems: list[FieldError] = []
    text = form.required("month", problems)
    month = parse_month(text) if text else None
    if text and month is None:
        problems.append(error("month", "portal_bad_month"))
    if problems:
        raise RegistryValidationError(problems)
    try:
        return billing_services.start_billing_job(user, month)
    except RulesError as problem:
        raise RegistryValidationError([FieldError("month", "portal_bad_month", problem.english,
                                                  problem.lao)]) from None


@officer_page
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_start = page_selectors.may_start_billing(user)
    form = BillingRunForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        try:
            job = _start(user, form)
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("The billing of %(month)s has started.") % {
                "month": job.parameters.get("month", "")})
            return redirect("socialsecurity:billing_month", month=job.parameters["month"])
    runs = billing_selectors.billing_runs(user).order_by("-month", "kind")
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.billingrun",
                              ([run.kind, run.month.strftime("%Y-%m"), run.status,
                                run.started_at, run.finished_at, run.number_of_invoices,
                                run.number_of_workers, run.total_amount]
                               for run in stream(runs)),
                              RUN_EXPORT_HEADER, fmt, "billing-runs")
    context = {"form": form, "may_start": may_start, "page": page_of(request, runs),
               "query": query_without_page(request), "open_form": "start" if status == 400
               else ""}
    return render(request, "socialsecurity/billing_runs.html", context, status=status)


def job_progress(job: Job) -> dict:
    """What the progress bar shows, as the jobs page computes it."""
    done, total = progress_of(job)
    if job.status == Job.Status.SUCCEEDED and total:
        done = total
    percent = int(100 * done / total) if total else (100 if job.status in FINISHED else 0)
    return {"status": job.status, "done": done, "total": total, "percent": min(percent, 100)}


def _job_of_month(month_text: str) -> Job | None:
    return Job.objects.filter(key=billing_services.billing_job_key(
        parse_month(month_text))).select_related("created_by").first()


@officer_page
@require_http_methods(["GET"])
def run_month(request: HttpRequest, month: str) -> HttpResponse:
    """One month's contribution run: the job's progress bar while it runs, then the figures,
    the totals by province and the legal values used (provisional ones called out)."""
    first_day = parse_month(month)
    if first_day is None:
        return render(request, "404.html", status=404)
    user = request.user
    run = billing_selectors.billing_runs(user).filter(
        kind=BillingRun.Kind.CONTRIBUTIONS, month=first_day).first()
    job = _job_of_month(first_day.strftime("%Y-%m"))
    if run is None and job is None:
        return render(request, "404.html", status=404)
    job_finished = job is None or job.status in FINISHED
    # Only the one who started the job (or an administrator) may poll its progress.
    may_poll = job is not None and not job_finished and (
        job.created_by_id == user.pk or user.role == "system_admin")
    invoices = billing_selectors.invoices_of_run(user, run) if run else Invoice.objects.none()
    exported = invoice_export(request, account_selectors.with_outstanding(
        invoices), f"billing-{month}") if run else None
    if exported is not None:
        return exported
    context = {
        "month": first_day, "run": run, "job": job, "job_finished": job_finished,
        "may_poll": may_poll, "progress": job_progress(job) if job else None,
        "by_province": billing_selectors.run_totals_by_province(user, run) if run else [],
        "parameters": sorted((run.parameters_used or {}).items()) if run else [],
        "provisional": billing_services.provisional_parameters(run) if run else [],
        "waiting": billing_selectors.declarations_waiting_for_billing(first_day),
        "may_start": page_selectors.may_start_billing(user),
        "form": BillingRunForm(initial={"month": first_day.strftime("%Y-%m")}),
    }
    return render(request, "socialsecurity/billing_run.html", context)
