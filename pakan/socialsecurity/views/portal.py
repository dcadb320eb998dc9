"""The employer portal and the member self-service pages.

An employer account sees only its own enterprise: every page reads through the same scoped
selectors as the officers' pages, with the enterprise taken from the account, never from the
address, so there is no id to change in a URL that could reach another employer's data. A
declaration id of another enterprise answers 404.

A member account sees its own contribution record and voluntary invoices (mobile-first
layout).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.socialsecurity.forms import DeclarationUploadForm, MemberPaymentForm
from pakan.socialsecurity.models import Declaration, Employer, InsuredMember
from pakan.socialsecurity.selectors import declarations as declaration_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.selectors import voluntary as voluntary_selectors
from pakan.socialsecurity.selectors.register import members_of_employer
from pakan.socialsecurity.services import declarations as declaration_services
from pakan.socialsecurity.services import voluntary as voluntary_services
from pakan.socialsecurity.services.declarations import parse_kip
from pakan.socialsecurity.validation import error
from pakan.socialsecurity.views import statements
from pakan.socialsecurity.views.common import (
    member_page,
    page_of,
    parse_month,
    portal_page,
    today,
)
from pakan.socialsecurity.views.declarations import detail_response
from pakan.socialsecurity.views.payments import saved_upload

SHOWN = 24


def _previous_month() -> datetime.date:
    return (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@portal_page
@require_http_methods(["GET"])
def dashboard(request: HttpRequest, employer: Employer) -> HttpResponse:
    as_of = today()
    context = {
        "employer": employer,
        "balance": statements.balance(employer=employer),
        "open_invoices": page_selectors.filter_invoices(request.user, employer=employer,
                                                        open_only=True)[:SHOWN],
        "arrears": page_selectors.arrears_of_employer(request.user, employer, as_of),
        "buckets": page_selectors.AGE_BUCKETS,
        "declarations": page_selectors.filter_declarations(request.user,
                                                           employer=employer)[:6],
    }
    return render(request, "socialsecurity/portal/dashboard.html", context)


def _form_lines(request: HttpRequest, workers) -> list[dict]:
    """The wages typed in the form, one line per worker with a wage (blank = not declared)."""
    lines = []
    for row, member in enumerate(workers, start=1):
        wage = request.POST.get(f"wage-{member.pk}", "").strip()
        if wage:
            lines.append({"social_security_number": member.social_security_number,
                          "monthly_wage": wage, "row": row})
    return lines


def _declare(request: HttpRequest, employer: Employer, month, workers) -> Declaration:
    corrects = request.POST.get("corrects") == "on"
    if request.POST.get("how") == "form":
        lines = _form_lines(request, workers)
        if not lines:
            raise RegistryValidationError([error("lines", "portal_no_workers")])
        return declaration_services.submit_declaration(
            request.user, employer, month, lines, channel=Declaration.Channel.FORM,
            corrects=corrects)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise RegistryValidationError([error("file", "required")])
    with saved_upload(uploaded) as path:
        return declaration_services.submit_declaration_file(
            request.user, employer, month, path, uploaded.name, corrects=corrects)


@portal_page
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, employer: Employer) -> HttpResponse:
    """Upload a CSV/XLSX file or fill in the wages of the current workers. A refused
    declaration is stored with its report; the employer lands on it either way."""
    month = parse_month(request.POST.get("month") or request.GET.get("month")) \
        or _previous_month()
    workers = list(members_of_employer(employer, month).prefetch_related("employment_spells"))
    form = DeclarationUploadForm(request.POST or None, request.FILES or None,
                                 initial={"month": month.strftime("%Y-%m")})
    status = 200
    if request.method == "POST":
        problems: list[FieldError] = []
        if parse_month(request.POST.get("month")) is None:
            problems.append(error("month", "portal_bad_month"))
        try:
            if problems:
                raise RegistryValidationError(problems)
            declaration = _declare(request, employer, month, workers)
        except declaration_services.DeclarationRefused as refused:
            messages.error(request, _("The declaration was refused; see the reasons below."))
            return redirect("socialsecurity:portal_declaration",
                            declaration_id=refused.declaration.pk)
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("The declaration has been accepted."))
            return redirect("socialsecurity:portal_declaration",
                            declaration_id=declaration.pk)
    wages = {spell.member_id: spell.monthly_wage for member in workers
             for spell in member.employment_spells.all() if spell.employer_id == employer.pk}
    context = {"employer": employer, "form": form, "month": month,
               "workers": [(member, wages.get(member.pk, "")) for member in workers],
               "already": declaration_selectors.current_declaration(employer, month)}
    return render(request, "socialsecurity/portal/declare.html", context, status=status)


@portal_page
@require_http_methods(["GET"])
def declarations(request: HttpRequest, employer: Employer) -> HttpResponse:
    rows = page_selectors.filter_declarations(request.user, employer=employer)
    return render(request, "socialsecurity/portal/declarations.html",
                  {"employer": employer, "page": page_of(request, rows), "query": ""})


@portal_page
@require_http_methods(["GET"])
def declaration(request: HttpRequest, employer: Employer, declaration_id: int) -> HttpResponse:
    found = declaration_selectors.declaration_for(request.user, declaration_id)
    return detail_response(request, found, template="socialsecurity/portal/declaration.html",
                           extra={"employer": employer})


@portal_page
@require_http_methods(["GET"])
def invoices(request: HttpRequest, employer: Employer) -> HttpResponse:
    from pakan.socialsecurity.views.billing import invoice_export

    rows = page_selectors.filter_invoices(request.user, employer=employer)
    exported = invoice_export(request, rows, f"invoices-{employer.nssf_registration_number}")
    if exported is not None:
        return exported
    return render(request, "socialsecurity/portal/invoices.html",
                  {"employer": employer, "page": page_of(request, rows), "query": ""})


@portal_page
@require_http_methods(["GET"])
def payments(request: HttpRequest, employer: Employer) -> HttpResponse:
    from pakan.socialsecurity.views.common import audited_export, export_format, stream
    from pakan.socialsecurity.views.payments import PAYMENT_EXPORT_HEADER, payment_export_row

    rows = page_selectors.filter_payments(request.user, employer=employer)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.payment",
                              (payment_export_row(row) for row in stream(rows)),
                              PAYMENT_EXPORT_HEADER, fmt,
                              f"payments-{employer.nssf_registration_number}")
    return render(request, "socialsecurity/portal/payments.html",
                  {"employer": employer, "page": page_of(request, rows), "query": ""})


@portal_page
@require_http_methods(["GET"])
def statement(request: HttpRequest, employer: Employer) -> HttpResponse:
    return statements.statement_response(request, employer,
                                         template="socialsecurity/portal/statement.html",
                                         base="socialsecurity/portal/base.html")


# Member self-service -------------------------------------------------------------------------

def _member_payment(request: HttpRequest, member: InsuredMember, form: MemberPaymentForm):
    problems: list[FieldError] = []
    amount, _code = parse_kip(form.required("amount", problems))
    if form.value("amount") and amount is None:
        problems.append(error("amount", "portal_bad_amount"))
    if problems:
        raise RegistryValidationError(problems)
    return voluntary_services.record_voluntary_payment(
        request.user, member, amount=amount, received_on=today(), method=form.value("method"),
        payer_reference=form.value("payer_reference"))


@member_page
@require_http_methods(["GET", "POST"])
def member_home(request: HttpRequest, member: InsuredMember) -> HttpResponse:
    """The member's record on a phone: contributions month by month, voluntary invoices,
    what is owed, and paying it (mobile money or a transfer quoted by reference)."""
    form = MemberPaymentForm(request.POST if request.method == "POST" else None, prefix="pay")
    status = 200
    if request.method == "POST":
        try:
            _member_payment(request, member, form)
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        except PermissionDenied:
            # The payments service takes money from staff only, for now.
            form.show_errors([error("amount", "portal_pay_at_office")])
            status = 400
        else:
            messages.success(request, _("Thank you: your payment has been recorded."))
            return redirect("socialsecurity:member_home")
    context = {
        "member": member,
        "person": member.person,
        "months": page_selectors.contribution_months(member),
        "invoices": page_selectors.filter_invoices(request.user, member=member)[:SHOWN],
        "enrolment": voluntary_selectors.own_enrolment(request.user),
        "balance": statements.balance(member=member),
        "form": form,
        "open_form": "pay" if status == 400 else "",
    }
    return render(request, "socialsecurity/portal/member.html", context, status=status)
