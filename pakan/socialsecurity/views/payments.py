"""Officer pages of payments: the list (with entry by hand), importing a bank statement file,
and the unidentified payments waiting for an officer to name their payer."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pakan.accounts.scope import require_change_permission
from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.socialsecurity.forms import (
    AssignPaymentForm,
    BankStatementForm,
    PaymentFilterForm,
    PaymentForm,
)
from pakan.socialsecurity.models import Employer, InsuredMember, Payment
from pakan.socialsecurity.selectors import accounts as account_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.services import payments as payment_services
from pakan.socialsecurity.validation import error
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    query_without_page,
    show_problems,
    stream,
)

PAYMENT_EXPORT_HEADER = (
    "id", "received_on", "amount", "method", "status", "payer_nssf_registration_number",
    "payer_social_security_number", "payer_reference", "bank", "bank_reference",
    "bank_statement", "statement_line", "entered_by", "entered_at",
)


def payment_export_row(payment: Payment) -> list:
    return [payment.pk, payment.received_on, payment.amount, payment.method, payment.status,
            payment.employer.nssf_registration_number if payment.employer else "",
            payment.member.social_security_number if payment.member else "",
            payment.payer_reference, payment.bank, payment.bank_reference,
            payment.bank_statement.file_name if payment.bank_statement else "",
            payment.statement_line or "",
            payment.entered_by.username if payment.entered_by else "", payment.entered_at]


@contextlib.contextmanager
def saved_upload(uploaded: UploadedFile) -> Iterator[Path]:
    """The uploaded file on disk for a service that reads paths, removed afterwards."""
    suffix = Path(uploaded.name or "").suffix.lower()[:8]
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


def payer_by_number(user, number: str, field: str = "payer"
                    ) -> tuple[Employer | None, InsuredMember | None]:
    """The employer (NSSF registration number) or member (social security number) an officer
    typed, among those the officer may see."""
    number = number.strip().upper()
    employer = page_selectors.filter_employers(user).filter(
        nssf_registration_number=number).first()
    if employer is not None:
        return employer, None
    member = page_selectors.filter_members(user).filter(social_security_number=number).first()
    if member is not None:
        return None, member
    raise RegistryValidationError([error(field, "portal_unknown_payer")])


def _enter_payment(user, form: PaymentForm) -> Payment:
    problems: list[FieldError] = []
    number = form.required("payer", problems)
    received_on = form.date("received_on", problems)
    amount_text = form.required("amount", problems).replace(",", "").replace(" ", "")
    employer = member = None
    if number:
        try:
            employer, member = payer_by_number(user, number)
        except RegistryValidationError as problem:
            problems.extend(problem.errors)
    if amount_text and not amount_text.isdigit():
        problems.append(error("amount", "portal_bad_amount"))
    if problems:
        raise RegistryValidationError(problems)
    return payment_services.record_payment(
        user, amount=int(amount_text), received_on=received_on, method=form.value("method"),
        employer=employer, member=member, payer_reference=form.value("payer_reference"),
        bank=form.value("bank"), bank_reference=form.value("bank_reference"))


@officer_page
@require_http_methods(["GET", "POST"])
def payment_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    entry = PaymentForm(request.POST if request.method == "POST" else None, prefix="payment")
    status = 200
    if request.method == "POST":
        require_change_permission(user)
        try:
            payment = _enter_payment(user, entry)
        except RegistryValidationError as problem:
            entry.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("The payment of %(amount)s kip has been recorded.") % {
                "amount": f"{payment.amount:,}"})
            return redirect("socialsecurity:payments")
    payments = page_selectors.filter_payments(user, status=request.GET.get("status", ""))
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.payment",
                              (payment_export_row(row) for row in stream(payments)),
                              PAYMENT_EXPORT_HEADER, fmt, "payments")
    context = {"form": PaymentFilterForm(request.GET or None), "entry": entry,
               "page": page_of(request, payments), "query": query_without_page(request),
               "open_form": "enter" if status == 400 else ""}
    return render(request, "socialsecurity/payments.html", context, status=status)


@officer_page
@require_http_methods(["GET", "POST"])
def import_statement(request: HttpRequest) -> HttpResponse:
    """Upload a bank statement file; every line is posted and matched, or held unidentified."""
    user = request.user
    form = BankStatementForm(request.POST or None, request.FILES or None)
    outcome = statement = None
    status = 200
    if request.method == "POST":
        require_change_permission(user)
        uploaded = request.FILES.get("file")
        try:
            if uploaded is None:
                raise RegistryValidationError([error("file", "required")])
            with saved_upload(uploaded) as path:
                statement = payment_services.import_bank_statement(
                    user, path, uploaded.name, bank=form.value("bank"))
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            outcome = getattr(statement, "outcome", None)
    return render(request, "socialsecurity/payment_import.html",
                  {"form": form, "statement": statement, "outcome": outcome}, status=status)


@officer_page
@require_http_methods(["GET"])
def unidentified(request: HttpRequest) -> HttpResponse:
    payments = account_selectors.unidentified_payments(request.user)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.payment",
                              (payment_export_row(row) for row in stream(payments)),
                              PAYMENT_EXPORT_HEADER, fmt, "unidentified-payments")
    return render(request, "socialsecurity/unidentified.html",
                  {"page": page_of(request, payments), "query": query_without_page(request),
                   "may_assign": request.user.can_change_registry
                   and page_selectors.is_national(request.user)})


@officer_page
@require_POST
def assign(request: HttpRequest, payment_id: int) -> HttpResponse:
    user = request.user
    require_change_permission(user)
    payment = page_selectors.unidentified_payment_for(user, payment_id)
    form = AssignPaymentForm(request.POST)
    if not form.value("payer"):
        return HttpResponseBadRequest()
    try:
        employer, member = payer_by_number(user, form.value("payer"))
        payment_services.assign_payment(user, payment, employer=employer, member=member)
    except RegistryValidationError as problem:
        show_problems(request, problem)
    else:
        messages.success(request, _("The payment has been assigned to its payer."))
    return redirect("socialsecurity:unidentified")
