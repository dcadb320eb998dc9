"""Log-in, log-out and the home page each role lands on."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from pakan.accounts.forms import LoginForm
from pakan.accounts.models import Role
from pakan.accounts.services import LoginThrottled, authenticate_throttled
from pakan.jobs.selectors import jobs_started_by
from pakan.registry.selectors import duplicate_queue, households_in_scope, people_in_scope

IMPORT_JOB_PREFIX = "pakan.registry.importing"
RECENT_IMPORTS = 5

# What each role without registry access will find here once its pillar is built.
ROLE_PROMISES = {
    Role.EMPLOYER_USER: (
        _("Employer"),
        [_("Upload the monthly wage declaration of your workers."),
         _("See your invoice, arrears and payments.")],
    ),
    Role.INSURED_MEMBER: (
        _("Insured person"),
        [_("See your contributions and your coverage."),
         _("Estimate your benefits and file a claim."),
         _("Pay voluntary contributions.")],
    ),
    Role.HEALTH_FACILITY_USER: (
        _("Health facility"),
        [_("Check a patient's coverage at the counter."),
         _("Record visits and claims with the right co-payment or exemption.")],
    ),
    Role.PUBLIC: (
        _("Public"),
        [_("Follow the national social protection strategy and its indicators.")],
    ),
    Role.ACTUARY: (
        _("Actuary / policy analyst"),
        [_("Value the social security fund and try reforms as named scenarios."),
         _("Cost the social protection floor benefits.")],
    ),
}
# The page a role without registry access starts from, once its part is built.
ROLE_START_PAGES = {Role.ACTUARY: "valuation:home"}


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Every attempt goes through the throttled check, so a locked account stays locked even
    when the right password is finally typed."""
    form = LoginForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_throttled(request, form.cleaned_data["username"],
                                          form.cleaned_data["password"])
        except LoginThrottled:
            problem = "locked"
        else:
            if user is not None:
                login(request, user)
                return redirect(_safe_next(request) or "accounts:home")
            problem = "wrong"
    context = {
        "form": form,
        "problem": problem,
        "lock_minutes": math.ceil(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60),
        "session_minutes": settings.SESSION_COOKIE_AGE // 60,
        "next": _safe_next(request) or "",
    }
    return render(request, "accounts/login.html", context, status=429 if problem == "locked"
                  else 200)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_registry_staff:
        return render(request, "accounts/home_staff.html", _staff_home_context(user))
    title, promises = ROLE_PROMISES.get(user.role, (user.get_role_display(), []))
    return render(request, "accounts/home_role.html", {
        "role_title": title,
        "promises": promises,
        "start_page": ROLE_START_PAGES.get(user.role),
        "staff_without_scope": user.role in (Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER,
                                             Role.PROVINCIAL_OFFICER, Role.DISTRICT_OFFICER,
                                             Role.AUDITOR),
    })


def _staff_home_context(user) -> dict:
    place = user.scope_unit
    places_above = []
    unit = place.parent
    while unit is not None:
        places_above.append(unit)
        unit = unit.parent
    return {
        "place": place,
        "places_above": places_above,
        "people_count": people_in_scope(user).count(),
        "household_count": households_in_scope(user).count(),
        "pending_duplicate_count": duplicate_queue(user).count(),
        "recent_imports": jobs_started_by(user).filter(
            kind__startswith=IMPORT_JOB_PREFIX)[:RECENT_IMPORTS],
    }
