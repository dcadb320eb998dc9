"""Officer pages of compliance and inspections: the lists that find the gaps, the risk
ranking per province, inspection plans, and each case from visit to closure."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pakan.accounts.scope import require_change_permission
from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.rules.legal_parameters import RulesError
from pakan.socialsecurity.forms import CloseInspectionForm, FindingForm, VisitForm
from pakan.socialsecurity.models import Inspection
from pakan.socialsecurity.selectors import compliance as compliance_selectors
from pakan.socialsecurity.selectors import inspections as inspection_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.services import inspections as inspection_services
from pakan.socialsecurity.services.declarations import parse_kip
from pakan.socialsecurity.validation import error
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    parse_month,
    query_without_page,
    stream,
    today,
)

LIST_LIMIT = 200
COMPLIANCE_LISTS = ("stopped", "vanished", "drops", "unregistered", "risk")
INSPECTION_EXPORT_HEADER = ("id", "employer_nssf_registration_number", "employer_name_en",
                            "plan", "risk_score", "status", "planned_on", "visited_on",
                            "closed_on", "outcome")
RISK_EXPORT_HEADER = ("province_code", "province_rank", "nssf_registration_number", "name_en",
                      "score", "computed_on")


def _previous_month() -> datetime.date:
    return (today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _compliance_rows(user, which: str, month, province: str):
    if which == "stopped":
        return compliance_selectors.stopped_declaring(user, month)
    if which == "vanished":
        return compliance_selectors.vanished_workers(user, month)
    if which == "drops":
        return compliance_selectors.wage_drops(user, month)
    if which == "unregistered":
        return compliance_selectors.unregistered_enterprises(user)
    return compliance_selectors.risk_ranking(user, province_code=province or None)


def _risk_export(rows) -> list:
    return ([row.province_code, row.province_rank, row.employer.nssf_registration_number,
             row.employer.name_en, row.score, row.computed_on] for row in rows)


@officer_page
@require_http_methods(["GET"])
def compliance(request: HttpRequest) -> HttpResponse:
    user = request.user
    which = request.GET.get("list", "risk")
    if which not in COMPLIANCE_LISTS:
        which = "risk"
    month = parse_month(request.GET.get("month")) or _previous_month()
    province = request.GET.get("province", "")[:4]
    problem = None
    try:
        rows = _compliance_rows(user, which, month, province)
    except RulesError as refused:
        problem, rows = refused, []
    fmt = export_format(request)
    if fmt and which == "risk" and problem is None:
        return audited_export(request, "socialsecurity.riskscore", _risk_export(stream(rows)),
                              RISK_EXPORT_HEADER, fmt, "risk-ranking")
    context = {"which": which, "month": month, "province": province, "problem": problem,
               "provinces": page_selectors.provinces(), "page": page_of(request, rows),
               "query": query_without_page(request), "lists": COMPLIANCE_LISTS}
    return render(request, "socialsecurity/compliance.html", context)


@officer_page
@require_http_methods(["GET"])
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = inspection_selectors.inspections_in_scope(user).select_related("inspector").order_by(
        "-planned_on", "-id")
    status = request.GET.get("status", "")
    if status in Inspection.Status.values:
        rows = rows.filter(status=status)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.inspection",
                              ([row.pk, row.employer.nssf_registration_number,
                                row.employer.name_en, row.plan.name if row.plan else "",
                                row.risk_score, row.status, row.planned_on, row.visited_on,
                                row.closed_on, row.outcome] for row in stream(rows)),
                              INSPECTION_EXPORT_HEADER, fmt, "inspections")
    context = {"page": page_of(request, rows), "query": query_without_page(request),
               "status": status, "statuses": Inspection.Status.choices,
               "plans": inspection_selectors.plans_in_scope(user)[:LIST_LIMIT],
               "counts": inspection_selectors.cases_by_status(user)}
    return render(request, "socialsecurity/inspections.html", context)


def _visit(user, inspection: Inspection, form) -> str:
    problems: list[FieldError] = []
    visited_on = form.date("visited_on", problems)
    if problems:
        raise RegistryValidationError(problems)
    inspection_services.record_visit(user, inspection, visited_on=visited_on,
                                     notes=form.value("visit_notes"))
    return _("The visit has been recorded.")


def _kip(form, name: str, problems: list[FieldError], required: bool) -> int:
    text = form.value(name)
    if not text:
        if required:
            problems.append(error(name, "required"))
        return 0
    value, _code = parse_kip(text)
    if value is None:
        problems.append(error(name, "portal_bad_amount"))
        return 0
    return value


def _finding(user, inspection: Inspection, form) -> str:
    problems: list[FieldError] = []
    months = {}
    for name in ("first_month", "last_month"):
        months[name] = parse_month(form.required(name, problems))
        if form.value(name) and months[name] is None:
            problems.append(error(name, "portal_bad_month"))
    actual = _kip(form, "actual_wage", problems, required=True)
    declared = _kip(form, "declared_wage", problems, required=False)
    number = form.required("social_security_number", problems).upper()
    member = page_selectors.filter_members(user).filter(social_security_number=number).first() \
        if number else None
    if number and member is None:
        problems.append(error("social_security_number", "portal_unknown_member"))
    if problems:
        raise RegistryValidationError(problems)
    inspection_services.add_finding(user, inspection, kind=form.value("kind"),
                                    first_month=months["first_month"],
                                    last_month=months["last_month"], actual_wage=actual,
                                    declared_wage=declared, member=member,
                                    note=form.value("note"))
    return _("The finding has been recorded.")


def _assess(user, inspection: Inspection, form) -> str:
    invoice = inspection_services.assess_inspection(user, inspection)
    if invoice is None:
        return _("Nothing to assess: the case has no findings.")
    return _("Assessment invoice %(number)s of %(total)s kip has been issued.") % {
        "number": invoice.number, "total": f"{invoice.total:,}"}


def _close(user, inspection: Inspection, form) -> str:
    problems: list[FieldError] = []
    closed_on = form.date("closed_on", problems) if form.value("closed_on") else today()
    outcome = form.required("outcome", problems)
    if problems:
        raise RegistryValidationError(problems)
    inspection_services.close_inspection(user, inspection, closed_on=closed_on, outcome=outcome)
    return _("The case has been closed.")


CASE_ACTIONS: dict[str, tuple[Callable, type | None]] = {
    "visit": (_visit, VisitForm),
    "finding": (_finding, FindingForm),
    "assess": (_assess, None),
    "close": (_close, CloseInspectionForm),
}
# Which actions each status allows (the services check the same and refuse the rest).
OPEN_ACTIONS = {
    Inspection.Status.PLANNED: ("visit", "close"),
    Inspection.Status.VISITED: ("finding", "assess", "close"),
    Inspection.Status.ASSESSED: ("close",),
    Inspection.Status.CLOSED: (),
}


def _case_forms(user, inspection: Inspection, data=None, action: str = "") -> dict:
    if not user.can_change_registry:
        return {}
    forms = {}
    for name in OPEN_ACTIONS[inspection.status]:
        form_class = CASE_ACTIONS[name][1]
        if form_class is not None:
            forms[name] = form_class(data if name == action else None, prefix=name)
    return forms


def _case_context(user, inspection: Inspection, forms: dict, open_form: str = "") -> dict:
    return {"inspection": inspection,
            "findings": inspection_selectors.findings_of(user, inspection.pk),
            "history": inspection_selectors.case_history(user, inspection.pk),
            "assessments": inspection.assessments.order_by("id"),
            "forms": forms, "open_form": open_form,
            "may_assess": user.can_change_registry
            and "assess" in OPEN_ACTIONS[inspection.status]}


@officer_page
@require_http_methods(["GET", "POST"])
def inspection_case(request: HttpRequest, inspection_id: int) -> HttpResponse:
    user = request.user
    inspection = inspection_selectors.inspection_for(user, inspection_id)
    if request.method == "GET":
        return render(request, "socialsecurity/inspection.html",
                      _case_context(user, inspection, _case_forms(user, inspection)))
    require_change_permission(user)
    action = request.POST.get("action", "")
    if action not in OPEN_ACTIONS[inspection.status]:
        return HttpResponseBadRequest()
    forms = _case_forms(user, inspection, request.POST, action)
    try:
        notice = CASE_ACTIONS[action][0](user, inspection, forms.get(action))
    except RegistryValidationError as problem:
        if action in forms:
            forms[action].show_errors(problem.errors)
        else:
            for item in problem.errors:
                messages.error(request, f"{item.reason_lo} / {item.reason_en}")
        return render(request, "socialsecurity/inspection.html",
                      _case_context(user, inspection, forms, action), status=400)
    messages.success(request, notice)
    return redirect("socialsecurity:inspection", inspection_id=inspection.pk)
