"""The actuarial pages under /valuation/: scenarios, runs, reports, comparisons, extracts."""

from django.urls import path

from pakan.valuation.views import extracts, runs, scenarios

urlpatterns = [
    path("", scenarios.home, name="home"),
    path("scenarios/new/<str:kind>/", scenarios.scenario_new, name="scenario_new"),
    path("scenarios/<int:scenario_id>/", scenarios.scenario_detail, name="scenario"),
    path("scenarios/<int:scenario_id>/edit/", scenarios.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:scenario_id>/copy/", scenarios.scenario_copy, name="scenario_copy"),
    path("scenarios/<int:scenario_id>/delete/", scenarios.scenario_delete,
         name="scenario_delete"),
    path("scenarios/<int:scenario_id>/run/", runs.run_start, name="run_start"),
    path("runs/", runs.run_list, name="runs"),
    path("runs/<int:run_id>/", runs.run_detail, name="run"),
    path("runs/<int:run_id>/progress/", runs.run_progress, name="run_progress"),
    path("runs/<int:run_id>/rerun/", runs.run_rerun, name="run_rerun"),
    path("runs/<int:run_id>/delete/", runs.run_delete, name="run_delete"),
    path("runs/<int:run_id>/report.<str:fmt>", runs.run_report, name="run_report"),
    path("compare/", runs.compare, name="compare"),
    path("extracts/", extracts.extracts, name="extracts"),
]
