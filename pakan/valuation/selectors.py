"""Reading the actuarial work: who may, scenarios, runs and their stored results.

The valuation works on the whole fund and the whole population, never on one province's
people: it is for actuaries and for national staff (a central officer or a system
administrator whose scope is the whole country). Staff with a province or district scope, and
every other role, do not see these pages.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet

from pakan.accounts.models import Role
from pakan.accounts.scope import scope_path
from pakan.valuation.models import Scenario, ValuationExtract, ValuationRun

NATIONAL_ROLES = (Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER)


def may_use_valuation(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ACTUARY:
        return True
    national = scope_path(user) is not None and user.scope_unit.parent_id is None
    return national and user.role in NATIONAL_ROLES


def require_valuation_access(user) -> None:
    if not may_use_valuation(user):
        raise PermissionDenied


def scenarios(user) -> QuerySet[Scenario]:
    require_valuation_access(user)
    return Scenario.objects.annotate(run_count=Count("runs")).select_related("created_by")


def runs(user) -> QuerySet[ValuationRun]:
    require_valuation_access(user)
    return ValuationRun.objects.select_related("scenario", "extract", "created_by", "job",
                                               "rerun_of")


def finished_extracts(user) -> QuerySet[ValuationExtract]:
    require_valuation_access(user)
    return ValuationExtract.objects.filter(status=ValuationExtract.Status.DONE)


def extracts(user) -> QuerySet[ValuationExtract]:
    require_valuation_access(user)
    return ValuationExtract.objects.select_related("created_by")


def stored_arrays(run: ValuationRun) -> dict[str, np.ndarray]:
    """The arrays of a finished run's results file (empty when it has none)."""
    if not run.results_file:
        return {}
    with run.results_file.open("rb") as stored:
        content = stored.read()
    with np.load(io.BytesIO(content), allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def run_results(run: ValuationRun) -> dict[str, Any]:
    """A run's results as tables and series for the pages and reports (see
    `pakan.valuation.results`)."""
    from pakan.valuation.results import results_of

    return results_of(run, stored_arrays(run))
