"""Officer pages of arrears: the amounts overdue by age, by province (table and chart) and by
employer, the fund's collections against billing month by month, and instalment agreements."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pakan.socialsecurity.selectors import accounts as account_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    parse_day,
    query_without_page,
    today,
)

BUCKETS = [label for label, _first, _last in account_selectors.AGE_BUCKETS]
PROVINCE_EXPORT_HEADER = ("province_code", "province_name_en", "province_name_lo", *BUCKETS,
                          "total")
EMPLOYER_EXPORT_HEADER = ("nssf_registration_number", "name_en", "name_lo", *BUCKETS, "total")
AGREEMENT_EXPORT_HEADER = ("employer_nssf_registration_number", "agreed_on", "total_amount",
                           "number_of_instalments", "status", "status_since", "note")


def arrears_chart(by_province: list[dict], language: str) -> dict:
    """Stacked bars, one per province, one colour per age bucket (plotly's data shape)."""
    names = [row["name_lo"] if language == "lo" else row["name_en"] for row in by_province]
    return {"buckets": BUCKETS, "provinces": names,
            "bucket_labels": [_("%(bucket)s days") % {"bucket": label} for label in BUCKETS],
            "series": [[row[label] for row in by_province] for label in BUCKETS]}


@officer_page
@require_http_methods(["GET"])
def arrears(request: HttpRequest) -> HttpResponse:
    user = request.user
    as_of = parse_day(request.GET.get("as_of")) or today()
    by_province = account_selectors.arrears_by_province(user, as_of)
    fmt = export_format(request)
    view = request.GET.get("by", "province")
    if fmt and view == "employer":
        return audited_export(request, "socialsecurity.arrears",
                              ([row["nssf_registration_number"], row["name_en"], row["name_lo"],
                                *[row[label] for label in BUCKETS], row["total"]]
                               for row in account_selectors.arrears_by_employer(user, as_of)),
                              EMPLOYER_EXPORT_HEADER, fmt, f"arrears-by-employer-{as_of}")
    if fmt:
        return audited_export(request, "socialsecurity.arrears",
                              ([row["province_code"], row["name_en"], row["name_lo"],
                                *[row[label] for label in BUCKETS], row["total"]]
                               for row in by_province),
                              PROVINCE_EXPORT_HEADER, fmt, f"arrears-by-province-{as_of}")
    context = {
        "as_of": as_of,
        "buckets": BUCKETS,
        "totals": account_selectors.arrears_by_age(user, as_of),
        "by_province": by_province,
        "employers": page_of(request, account_selectors.arrears_by_employer(user, as_of)),
        "query": query_without_page(request),
        "chart": arrears_chart(by_province, request.LANGUAGE_CODE),
        "collections": {**page_selectors.collections_against_billing(user, as_of),
                        "billed_label": _("Billed"), "collected_label": _("Collected")},
    }
    return render(request, "socialsecurity/arrears.html", context)


@officer_page
@require_http_methods(["GET"])
def agreements(request: HttpRequest) -> HttpResponse:
    rows = (account_selectors.instalment_agreements_in_scope(request.user)
            .prefetch_related("instalments").order_by("-agreed_on", "-id"))
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.instalmentagreement",
                              ([row.employer.nssf_registration_number, row.agreed_on,
                                row.total_amount, row.number_of_instalments, row.status,
                                row.status_since, row.note] for row in rows),
                              AGREEMENT_EXPORT_HEADER, fmt, "instalment-agreements")
    return render(request, "socialsecurity/agreements.html",
                  {"page": page_of(request, rows), "query": query_without_page(request)})
