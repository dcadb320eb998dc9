"""Officer pages of monthly declarations: the list by month and status, and one declaration
with its lines (accepted) or its row-by-row report (refused). The employer's own pages are in
portal.py and share the detail rendering here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pakan.socialsecurity.forms import DeclarationFilterForm
from pakan.socialsecurity.models import Declaration
from pakan.socialsecurity.selectors import declarations as declaration_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    parse_month,
    query_without_page,
    stream,
)

DECLARATION_EXPORT_HEADER = (
    "id", "employer_nssf_registration_number", "employer_name_en", "month", "status", "channel",
    "number_of_lines", "total_wages", "file_name", "submitted_at", "submitted_by",
    "supersedes", "number_of_errors",
)
LINE_EXPORT_HEADER = ("line_number", "social_security_number", "name_lo", "name_latin",
                      "monthly_wage")
ERROR_EXPORT_HEADER = ("row", "field", "code", "reason_en", "reason_lo")  # ERROR_COLUMNS


def declaration_export_row(declaration: Declaration) -> list:
    return [declaration.pk, declaration.employer.nssf_registration_number,
            declaration.employer.name_en, declaration.month.strftime("%Y-%m"),
            declaration.status, declaration.channel, declaration.number_of_lines,
            declaration.total_wages, declaration.file_name, declaration.submitted_at,
            declaration.submitted_by.username if declaration.submitted_by else "",
            declaration.supersedes_id or "", len(declaration.errors or [])]


def report_rows(declaration: Declaration) -> list[dict]:
    """The refused declaration's errors in one shape, whatever key spelling the part used."""
    rows = []
    for problem in declaration.errors or []:
        rows.append({"row": problem.get("row") or problem.get("line") or "",
                     "field": problem.get("field") or problem.get("column") or "",
                     "code": problem.get("code", ""),
                     "value": problem.get("value", ""),
                     "reason_en": problem.get("reason_en") or problem.get("en") or "",
                     "reason_lo": problem.get("reason_lo") or problem.get("lo") or ""})
    return rows


def detail_response(request: HttpRequest, declaration: Declaration, *, template: str,
                    extra: dict | None = None) -> HttpResponse:
    """The page of one declaration, or its lines / its error report as a download."""
    fmt = export_format(request)
    name = f"declaration-{declaration.pk}"
    if fmt and declaration.status == Declaration.Status.REFUSED:
        return audited_export(request, "socialsecurity.declaration",
                              declaration_selectors.error_rows(declaration),
                              ERROR_EXPORT_HEADER, fmt, f"{name}-errors")
    if fmt:
        return audited_export(request, "socialsecurity.declarationline",
                              ([line.line_number, line.member.social_security_number,
                                line.member.person.full_name_lo,
                                line.member.person.full_name_latin, line.monthly_wage]
                               for line in declaration_selectors.lines_of(declaration)),
                              LINE_EXPORT_HEADER, fmt, f"{name}-lines")
    context = {"declaration": declaration, "lines": declaration_selectors.lines_of(declaration),
               "report": report_rows(declaration), **(extra or {})}
    return render(request, template, context)


@officer_page
@require_http_methods(["GET"])
def declaration_list(request: HttpRequest) -> HttpResponse:
    month = parse_month(request.GET.get("month"))
    declarations = page_selectors.filter_declarations(
        request.user, month=month, status=request.GET.get("status", ""))
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.declaration",
                              (declaration_export_row(row) for row in stream(declarations)),
                              DECLARATION_EXPORT_HEADER, fmt, "declarations")
    context = {"form": DeclarationFilterForm(request.GET or None),
               "page": page_of(request, declarations), "query": query_without_page(request)}
    return render(request, "socialsecurity/declarations.html", context)


@officer_page
@require_http_methods(["GET"])
def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = declaration_selectors.declaration_for(request.user, declaration_id)
    return detail_response(request, declaration, template="socialsecurity/declaration.html",
                           extra={"base": "base.html"})
