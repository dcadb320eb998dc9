"""The statement of account of an employer (or a voluntary member): on a page, and as a
download in CSV, Excel or PDF. Officers reach it from the employer's record, an employer from its
portal; both go through the same functions, so they read the same figures.

Figures come from the ledger through the payments part's selectors
(selectors.accounts.balance_of / statement_of_account): billed minus paid, debit positive.
"""

from __future__ import annotations

import datetime

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from pakan.audit.services import record_export
from pakan.socialsecurity.models import Employer, InsuredMember
from pakan.socialsecurity.selectors import accounts as account_selectors
from pakan.socialsecurity.selectors.register import employer_for
from pakan.socialsecurity.views.common import (
    EXPORT_FORMATS,
    audited_export,
    officer_page,
    parse_day,
    today,
)

STATEMENT_HEADER = ("date", "description", "reference", "billed", "paid", "balance")
DEFAULT_PERIOD_DAYS = 365
STATEMENT_FORMATS = (*EXPORT_FORMATS, "pdf")


def balance(*, employer: Employer | None = None, member: InsuredMember | None = None) -> int:
    """Billed minus paid: positive = owed, negative = a credit held for the payer."""
    return account_selectors.balance_of(employer=employer, member=member)


def period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    end = parse_day(request.GET.get("end")) or today()
    start = parse_day(request.GET.get("start")) or end - datetime.timedelta(
        days=DEFAULT_PERIOD_DAYS)
    if start > end:
        start, end = end, start
    return start, end


def statement(*, employer: Employer | None = None, member: InsuredMember | None = None,
              start: datetime.date, end: datetime.date):
    return account_selectors.statement_of_account(employer=employer, member=member,
                                                  start=start, end=end)


def _rows(found) -> list[list]:
    """The statement as export rows: the lines in the page language, with both totals."""
    lao = (get_language() or "").startswith("lo")
    rows = [[found.start, "ຍອດຍົກມາ" if lao else "balance brought forward", "", "", "",
             found.opening_balance]]
    for line in found.lines:
        rows.append([line.date, line.description_lo if lao else line.description_en,
                     line.reference, line.debit or "", line.credit or "", line.balance])
    return rows


def _pdf(request: HttpRequest, context: dict, filename: str) -> HttpResponse:
    """The statement as a PDF (WeasyPrint), with the Lao font served by the app itself."""
    from weasyprint import HTML

    context = {**context, "font_regular": finders.find(
        "vendor/fonts/noto-sans-lao-lao-400-normal.woff2"), "font_bold": finders.find(
        "vendor/fonts/noto-sans-lao-lao-700-normal.woff2"), "language": get_language()}
    html = render_to_string("socialsecurity/statement_pdf.html", context, request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.pdf")
    return response


def statement_response(request: HttpRequest, employer: Employer, *, template: str,
                       base: str) -> HttpResponse:
    """The page, or the download the `format` parameter asks for (audited like every export)."""
    start, end = period(request)
    found = statement(employer=employer, start=start, end=end)
    fmt = request.GET.get("format", "")
    filename = f"statement-{employer.nssf_registration_number}-{start}-{end}"
    context = {"employer": employer, "statement": found, "start": start, "end": end,
               "balance": balance(employer=employer), "base": base,
               "generated_on": today()}
    if fmt in EXPORT_FORMATS:
        return audited_export(request, "socialsecurity.statement", _rows(found),
                              STATEMENT_HEADER, fmt, filename)
    if fmt == "pdf":
        record_export(request.user, "socialsecurity.statement",
                      {key: value for key, value in request.GET.items()},
                      note=f"{filename}.pdf")
        return _pdf(request, context, filename)
    return render(request, template, context)


@officer_page
@require_http_methods(["GET"])
def employer_statement(request: HttpRequest, employer_id: int) -> HttpResponse:
    employer = employer_for(request.user, employer_id)
    return statement_response(request, employer, template="socialsecurity/statement.html",
                              base="base.html")
