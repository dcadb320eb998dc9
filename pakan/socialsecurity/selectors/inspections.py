"""Reading inspections, plans, findings, case histories and assessments, within scope.

Staff see the cases of employers inside their province or district; an employer account sees
only the cases about its own enterprise (never another's); anyone else sees nothing. Outside
the reader's reach raises OutOfScope, the same answer as for a missing id.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.socialsecurity.models import (
    Inspection,
    InspectionFinding,
    InspectionPlan,
    InspectionStatusChange,
    Invoice,
)
from pakan.socialsecurity.selectors.register import employer_of_user


def inspections_in_scope(user) -> QuerySet[Inspection]:
    inspections = Inspection.objects.select_related("employer__village", "plan")
    if scope_path(user) is not None:
        return restrict(inspections, user)
    own = employer_of_user(user)
    return inspections.filter(employer=own) if own else inspections.none()


def inspection_for(user, inspection_id: int) -> Inspection:
    inspection = inspections_in_scope(user).filter(pk=inspection_id).first()
    if inspection is None:
        raise OutOfScope
    return inspection


def plans_in_scope(user) -> QuerySet[InspectionPlan]:
    """Plans are the fund's own working papers: staff only, by the plan's place."""
    return restrict(InspectionPlan.objects.select_related("place"), user).annotate(
        number_of_inspections=Count("inspections"))


def plan_for(user, plan_id: int) -> InspectionPlan:
    plan = plans_in_scope(user).filter(pk=plan_id).first()
    if plan is None:
        raise OutOfScope
    return plan


def findings_of(user, inspection_id: int) -> QuerySet[InspectionFinding]:
    inspection = inspection_for(user, inspection_id)
    return inspection.findings.select_related("member", "person").order_by("id")


def case_history(user, inspection_id: int) -> QuerySet[InspectionStatusChange]:
    """Every status of the case, oldest first, with who recorded it."""
    inspection = inspection_for(user, inspection_id)
    return inspection.status_changes.select_related("recorded_by").order_by("effective_on", "id")


def assessments_in_scope(user) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(kind=Invoice.Kind.ASSESSMENT).select_related(
        "employer", "inspection")
    if scope_path(user) is not None:
        return restrict(invoices, user).order_by("-issued_on", "-id")
    own = employer_of_user(user)
    return invoices.filter(employer=own).order_by("-issued_on") if own else invoices.none()


def cases_by_status(user) -> dict[str, int]:
    """How many cases are planned, visited, assessed, closed, for a dashboard line."""
    counts = dict(inspections_in_scope(user).order_by().values("status")
                  .annotate(count=Count("id")).values_list("status", "count"))
    return {status: counts.get(status, 0) for status in Inspection.Status.values}
