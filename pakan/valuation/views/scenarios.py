"""Scenario pages: the list (the actuarial home page), a scenario with its assumptions and its
runs, and creating, editing, copying and deleting one."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pakan.valuation import selectors
from pakan.valuation.forms import RunForm, ScenarioForm
from pakan.valuation.messages import RegistryValidationError
from pakan.valuation.models import Scenario
from pakan.valuation.services import catalogue
from pakan.valuation.services import scenarios as scenario_services
from pakan.valuation.views.common import show_refusal, valuation_page

RECENT_RUNS = 10


@valuation_page
@require_http_methods(["GET"])
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "valuation/home.html", {
        "scenarios": selectors.scenarios(user),
        "recent_runs": selectors.runs(user)[:RECENT_RUNS],
        "kinds": Scenario.Kind.choices,
    })


def _scenario_form_page(request: HttpRequest, form: ScenarioForm, *, kind: str,
                        scenario: Scenario | None, status: int = 200) -> HttpResponse:
    return render(request, "valuation/scenario_form.html", {
        "form": form, "kind": kind, "kind_label": Scenario.Kind(kind).label,
        "scenario": scenario,
    }, status=status)


@valuation_page
@require_http_methods(["GET", "POST"])
def scenario_new(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Scenario.Kind.values:
        raise Http404
    form = ScenarioForm(request.POST or None, kind=kind)
    if request.method == "POST":
        try:
            scenario = scenario_services.create_scenario(
                request.user, name=form.value("name"), kind=kind,
                description=form.value("description"), typed=form.typed_overrides(),
                overrides_text=form.value("overrides_text"))
        except RegistryValidationError as refusal:
            form.show_errors(refusal.errors)
            return _scenario_form_page(request, form, kind=kind, scenario=None, status=400)
        messages.success(request, _("The scenario is saved."))
        return redirect("valuation:scenario", scenario.pk)
    return _scenario_form_page(request, form, kind=kind, scenario=None)


@valuation_page
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenarios(request.user).get(pk=scenario_id)
    form = ScenarioForm(request.POST or None, kind=scenario.kind, scenario=scenario)
    if request.method == "POST":
        try:
            scenario_services.update_scenario(
                request.user, scenario, name=form.value("name"),
                description=form.value("description"), typed=form.typed_overrides(),
                overrides_text=form.value("overrides_text"))
        except RegistryValidationError as refusal:
            form.show_errors(refusal.errors)
            return _scenario_form_page(request, form, kind=scenario.kind, scenario=scenario,
                                       status=400)
        messages.success(request, _("The scenario is saved."))
        return redirect("valuation:scenario", scenario.pk)
    return _scenario_form_page(request, form, kind=scenario.kind, scenario=scenario)


def scenario_page(request: HttpRequest, scenario: Scenario, run_form: RunForm | None = None,
                  status: int = 200) -> HttpResponse:
    user = request.user
    extracts = selectors.finished_extracts(user) if scenario.kind == Scenario.Kind.FUND else []
    return render(request, "valuation/scenario.html", {
        "scenario": scenario,
        "assumptions": catalogue.scenario_rows(scenario.kind, scenario.overrides),
        "run_form": run_form or RunForm(scenario=scenario, extracts=extracts),
        "runs": selectors.runs(user).filter(scenario=scenario),
    }, status=status)


@valuation_page
@require_http_methods(["GET"])
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    return scenario_page(request, selectors.scenarios(request.user).get(pk=scenario_id))


@valuation_page
@require_POST
def scenario_copy(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenarios(request.user).get(pk=scenario_id)
    copy = scenario_services.copy_scenario(request.user, scenario)
    messages.success(request, _("The scenario is copied; change the copy as you wish."))
    return redirect("valuation:scenario_edit", copy.pk)


@valuation_page
@require_POST
def scenario_delete(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenarios(request.user).get(pk=scenario_id)
    try:
        scenario_services.delete_scenario(request.user, scenario)
    except RegistryValidationError as refusal:
        show_refusal(request, refusal)
        return redirect("valuation:scenario", scenario.pk)
    messages.success(request, _("The scenario is deleted."))
    return redirect("valuation:home")
