"""Officer pages of employers: the list (search, filters, export), registration, and the
employer's record with its status actions."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pakan.accounts.scope import require_change_permission
from pakan.registry import services as registry_services
from pakan.registry.selectors import villages_in_scope
from pakan.registry.validation import FieldError, RegistryValidationError
from pakan.socialsecurity import services
from pakan.socialsecurity.forms import (
    EmployerFilterForm,
    EmployerRegistrationForm,
    StatusChangeForm,
)
from pakan.socialsecurity.models import Employer
from pakan.socialsecurity.selectors import accounts as account_selectors
from pakan.socialsecurity.selectors import inspections as inspection_selectors
from pakan.socialsecurity.selectors import pages as page_selectors
from pakan.socialsecurity.selectors.register import employer_for, members_of_employer
from pakan.socialsecurity.views import statements
from pakan.socialsecurity.views.common import (
    audited_export,
    export_format,
    officer_page,
    page_of,
    query_without_page,
    stream,
    today,
)

EMPLOYER_EXPORT_HEADER = (
    "nssf_registration_number", "enterprise_number", "name_lo", "name_en", "sector",
    "number_of_workers", "size_class", "status", "status_since", "registered_on",
    "village_code", "contact_person", "phone", "email",
)
SHOWN_ON_RECORD = 24


def employer_export_row(employer: Employer) -> list:
    return [employer.nssf_registration_number, employer.enterprise_number, employer.name_lo,
            employer.name_en, employer.sector, employer.number_of_workers, employer.size_class,
            employer.status, employer.status_since, employer.registered_on,
            employer.village.code, employer.contact_person, employer.phone, employer.email]


@officer_page
@require_http_methods(["GET"])
def employer_list(request: HttpRequest) -> HttpResponse:
    form = EmployerFilterForm(request.GET or None, provinces=page_selectors.provinces())
    filters = {"query": request.GET.get("q", "")[:200],
               "status": request.GET.get("status", ""),
               "sector": request.GET.get("sector", ""),
               "province": request.GET.get("province", "")[:4]}
    employers = page_selectors.filter_employers(request.user, **filters)
    fmt = export_format(request)
    if fmt:
        return audited_export(request, "socialsecurity.employer",
                              (employer_export_row(row) for row in stream(employers)),
                              EMPLOYER_EXPORT_HEADER, fmt, "employers")
    context = {"form": form, "page": page_of(request, employers),
               "query": query_without_page(request)}
    return render(request, "socialsecurity/employers.html", context)


def _register(user, form: EmployerRegistrationForm) -> Employer:
    problems: list[FieldError] = []
    code = form.required("village_code", problems)
    village = None
    if code:
        try:
            village = registry_services.village_by_code(user, code)
        except RegistryValidationError as problem:
            problems.extend(problem.errors)
    fields = form.values()
    fields.pop("village_code")
    workers = fields.get("number_of_workers", "")
    fields["number_of_workers"] = int(workers) if workers.isdigit() else workers or None
    if problems:
        _, field_errors = services.clean_employer_fields(fields, today())
        raise RegistryValidationError(problems + field_errors)
    return services.register_employer(user, fields, village=village)


@officer_page
@require_http_methods(["GET", "POST"])
def register_employer(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_change_permission(user)
    form = EmployerRegistrationForm(request.POST if request.method == "POST" else None,
                                    villages=villages_in_scope(user))
    status = 200
    if request.method == "POST":
        try:
            employer = _register(user, form)
        except RegistryValidationError as problem:
            form.show_errors(problem.errors)
            status = 400
        else:
            messages.success(request, _("Employer %(number)s has been registered.") % {
                "number": employer.nssf_registration_number})
            return redirect("socialsecurity:employer", employer_id=employer.pk)
    return render(request, "socialsecurity/employer_register.html", {"form": form},
                  status=status)


STATUS_ACTIONS: dict[str, tuple[Callable, str]] = {
    "suspend": (services.suspend_employer, Employer.Status.SUSPENDED),
    "reinstate": (services.reinstate_employer, Employer.Status.ACTIVE),
    "close": (services.close_employer, Employer.Status.CLOSED),
}
ALLOWED_ACTIONS = {
    Employer.Status.ACTIVE: ("suspend", "close"),
    Employer.Status.SUSPENDED: ("reinstate", "close"),
    Employer.Status.CLOSED: (),
}
ACTION_LABELS = {
    "suspend": (_("Suspend"), _("Suspend the employer")),
    "reinstate": (_("Reinstate"), _("Reinstate the employer")),
    "close": (_("Close"), _("Close the employer")),
}


def _status_forms(user, employer: Employer, data=None, action: str = "") -> dict:
    if not user.can_change_registry:
        return {}
    return {name: StatusChangeForm(data if name == action else None, prefix=name)
            for name in ALLOWED_ACTIONS[employer.status]}


def _change_status(user, employer: Employer, action: str, form: StatusChangeForm) -> None:
    problems: list[FieldError] = []
    effective_on = form.date("effective_on", problems)
    reason = form.required("reason", problems)
    if problems:
        raise RegistryValidationError(problems)
    service, _status = STATUS_ACTIONS[action]
    service(user, employer, effective_on=effective_on, reason=reason)


def _employer_context(user, employer: Employer, forms: dict, open_form: str = "") -> dict:
    as_of = today()
    return {
        "employer": employer,
        "status_history": employer.status_changes.select_related("recorded_by"),
        "workers": members_of_employer(employer, as_of).prefetch_related("employment_spells"),
        "declarations": page_selectors.filter_declarations(
            user, employer=employer)[:SHOWN_ON_RECORD],
        "invoices": page_selectors.filter_invoices(user, employer=employer)[:SHOWN_ON_RECORD],
        "payments": page_selectors.filter_payments(user, employer=employer)[:SHOWN_ON_RECORD],
        "balance": statements.balance(employer=employer),
        "arrears": page_selectors.arrears_of_employer(user, employer, as_of),
        "buckets": page_selectors.AGE_BUCKETS,
        "agreements": account_selectors.instalment_agreements_in_scope(user).filter(
            employer=employer).prefetch_related("instalments"),
        "inspections": inspection_selectors.inspections_in_scope(user).filter(
            employer=employer),
        "forms": forms,
        "action_labels": ACTION_LABELS,
        "open_form": open_form,
    }


@officer_page
@require_http_methods(["GET", "POST"])
def employer_record(request: HttpRequest, employer_id: int) -> HttpResponse:
    user = request.user
    employer = employer_for(user, employer_id)
    if request.method == "GET":
        return render(request, "socialsecurity/employer.html",
                      _employer_context(user, employer, _status_forms(user, employer)))
    require_change_permission(user)
    action = request.POST.get("action", "")
    forms = _status_forms(user, employer, request.POST, action)
    if action not in forms:
        return HttpResponseBadRequest()
    try:
        _change_status(user, employer, action, forms[action])
    except RegistryValidationError as problem:
        forms[action].show_errors(problem.errors)
        return render(request, "socialsecurity/employer.html",
                      _employer_context(user, employer, forms, action), status=400)
    messages.success(request, _("The employer's status has been changed."))
    return redirect("socialsecurity:employer", employer_id=employer.pk)
