"""Officer page of voluntary members (the list, exportable). The member's own pages are in
portal.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pakan.socialsecurity.models import VoluntaryEnrolment
from pakan.socialsecurity.selectors import voluntary as voluntary_selectors
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    query_without_page,
    stream,
)

ENROLMENT_EXPORT_HEADER = ("social_security_number", "name_lo", "name_latin", "village_code",
                           "occupation", "declared_income", "start_on", "end_on", "status",
                           "status_since")


def enrolment_export_row(enrolment: VoluntaryEnrolment) -> list:
    person = enrolment.member.person
    return [enrolment.member.social_security_number, person.full_name_lo,
            person.full_name_latin, person.village.code, enrolment.occupation,
            enrolment.declared_income, enrolment.start_on, enrolment.end_on, enrolment.status,
            enrolment.status_since]


@officer_page
@require_http_methods(["GET"])
def enrolments(request: HttpRequest) -> HttpResponse:
    rows = voluntary_selectors.enrolments_in_scope(request.user).order_by(
        "member__social_security_number", "-start_on")
    status = request.GET.get("status", "")
    if status in VoluntaryEnrolment.Status.values:
        rows = rows.filter(status=status)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.voluntaryenrolment",
                              (enrolment_export_row(row) for row in stream(rows)),
                              ENROLMENT_EXPORT_HEADER, fmt, "voluntary-members")
    return render(request, "socialsecurity/voluntary.html",
                  {"page": page_of(request, rows), "query": query_without_page(request),
                   "status": status, "statuses": VoluntaryEnrolment.Status.choices})
