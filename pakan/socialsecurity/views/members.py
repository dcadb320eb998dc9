"""Officer pages of insured members: the list and the member's record (membership, employment,
dependants, the contribution record month by month)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from pakan.audit.services import record_view
from pakan.socialsecurity.forms import MemberFilterForm
from pakan.socialsecurity.models import ContributionRecord, InsuredMember
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.selectors.register import contribution_history, member_for
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    not_blank,
    officer_page,
    page_of,
    query_without_page,
    stream,
)

MEMBER_EXPORT_HEADER = (
    "social_security_number", "registry_number", "national_id", "name_lo", "name_latin", "sex",
    "date_of_birth", "village_code",
)
CONTRIBUTION_EXPORT_HEADER = (
    "month", "employer_nssf_registration_number", "source", "insurable_wage", "insured_amount",
    "employer_amount", "paid", "paid_on",
)


def member_export_row(member: InsuredMember) -> list:
    person = member.person
    return [member.social_security_number, person.pk, not_blank(person.national_id),
            person.full_name_lo, person.full_name_latin, person.sex, person.date_of_birth,
            person.village.code]


def contribution_export_row(record: ContributionRecord) -> list:
    return [record.month, record.employer.nssf_registration_number if record.employer else "",
            record.source, record.insurable_wage, record.insured_amount, record.employer_amount,
            record.paid, record.paid_on]


@officer_page
@require_http_methods(["GET"])
def member_list(request: HttpRequest) -> HttpResponse:
    members = page_selectors.filter_members(request.user, query=request.GET.get("q", "")[:200])
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.insuredmember",
                              (member_export_row(row) for row in stream(members)),
                              MEMBER_EXPORT_HEADER, fmt, "insured-members")
    context = {"form": MemberFilterForm(request.GET or None), "page": page_of(request, members),
               "query": query_without_page(request)}
    return render(request, "socialsecurity/members.html", context)


@officer_page
@require_http_methods(["GET"])
def member_record(request: HttpRequest, member_id: int) -> HttpResponse:
    """The member's full record; its opening is logged, like a person's in the registry."""
    member = member_for(request.user, member_id)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.contributionrecord",
                              (contribution_export_row(row) for row in
                               contribution_history(member)),
                              CONTRIBUTION_EXPORT_HEADER, fmt,
                              f"contributions-{member.social_security_number}")
    record_view(request.user, member)
    return render(request, "socialsecurity/member.html", member_context(member))


def member_context(member: InsuredMember) -> dict:
    return {
        "member": member,
        "person": member.person,
        "memberships": member.membership_spells.all(),
        "employments": member.employment_spells.select_related("employer"),
        "dependants": member.dependants.select_related("person"),
        "months": page_selectors.contribution_months(member),
        "voluntary": member.voluntary_enrolments.all(),
    }
