"""Compliance and inspections: the risk score of every employer, inspection plans drawn from
it, visits, findings, the assessment of back contributions, and closure.

A case moves planned → visited → assessed → closed (a planned case may be closed without a
visit, a visited one without findings may be closed without an assessment). Every move is an
InspectionStatusChange row and an audit record; any other move is refused in English and Lao.

The assessment computes, for each month a finding covers, the contributions with that month's
own rules (rates, ceiling, floor): in full for an undeclared worker, the difference between the
actual and the declared wage's contributions for an under-declared one. It is ONE invoice of
kind assessment for the inspection, dated to the last month found, issued through
invoicing.issue_invoices under a key that names the inspection, so assessing twice adds
nothing.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from pakan.accounts.scope import require_change_permission, require_unit_in_scope
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.registry.models import AdminUnit, Person
from pakan.rules import social_security as rules
from pakan.rules.legal_parameters import RulesError
from pakan.socialsecurity.messages.inspections import STATUS_LO
from pakan.socialsecurity.models import (
    ContributionRecord,
    Employer,
    Inspection,
    InspectionFinding,
    InspectionPlan,
    InspectionStatusChange,
    InsuredMember,
    Invoice,
    RiskScore,
)
from pakan.socialsecurity.selectors.compliance import (
    add_months,
    compliance_parameters,
    stopped_declaring_all,
    vanished_workers_all,
    wage_drops_all,
)
from pakan.socialsecurity.services.contribution_records import (  # noqa: F401 (re-export)
    mark_assessment_contributions_paid,
)
from pakan.socialsecurity.services.invoicing import invoice_key, issue_invoices
from pakan.socialsecurity.services.register import check_monthly_wage
from pakan.socialsecurity.validation import MAX_REASON_LENGTH, refuse

Status = Inspection.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.VISITED, Status.CLOSED}),
    Status.VISITED: frozenset({Status.ASSESSED, Status.CLOSED}),
    Status.ASSESSED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# Largest plan in one go: a province's inspectors cannot visit more in a period.
MAXIMUM_PLAN_SIZE = 1000
# PROVISIONAL: how far back an assessment may reach is NOT FOUND in the sources; five years.
MAXIMUM_FINDING_MONTHS = 60
INSERT_BATCH = 5000


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _recorder(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# Risk scores --------------------------------------------------------------------------------

def compute_risk_scores(on: datetime.date) -> int:
    """Score every active employer on a day from the last finished month's signals, its
    sector and size: one RiskScore per employer and day (recomputing the day replaces it).
    Returns the number of employers scored."""
    month = add_months(_month_of(on), -1)
    parameters = compliance_parameters(on)
    employers = list(Employer.objects.filter(status=Employer.Status.ACTIVE)
                     .values_list("pk", "sector", "size_class").order_by("pk"))
    if not employers:
        return 0
    stopped = dict(stopped_declaring_all(month).values_list("pk", "last_declared_month"))
    vanished = _counts(vanished_workers_all(month).values_list("employer_id", flat=True))
    drops = _counts(wage_drops_all(month).values_list("declaration__employer_id", flat=True))
    ids = np.array([row[0] for row in employers], dtype=np.int64)
    stopped_points = np.where(np.isin(ids, list(stopped)), parameters.stopped_declaring_points, 0)
    vanished_count = np.array([vanished.get(pk, 0) for pk in ids], dtype=np.int64)
    drop_count = np.array([drops.get(pk, 0) for pk in ids], dtype=np.int64)
    vanished_points = np.minimum(vanished_count * parameters.vanished_worker_points,
                                 parameters.vanished_workers_maximum)
    drop_points = np.minimum(drop_count * parameters.wage_drop_points,
                             parameters.wage_drops_maximum)
    sector_points = np.array([parameters.sector_points[row[1]] for row in employers])
    size_points = np.array([parameters.size_points[row[2]] for row in employers])
    scores = np.clip(stopped_points + vanished_points + drop_points + sector_points
                     + size_points, 0, 100)
    rows = []
    for position, (pk, sector, size_class) in enumerate(employers):
        last = stopped.get(pk)
        rows.append(RiskScore(employer_id=pk, computed_on=on, score=int(scores[position]),
                              signals={
            "month": f"{month:%Y-%m}",
            "stopped_declaring": pk in stopped,
            "last_declared_month": f"{last:%Y-%m}" if last else None,
            "vanished_workers": int(vanished_count[position]),
            "wage_drops": int(drop_count[position]),
            "sector": sector, "size_class": size_class,
            "points": {"stopped_declaring": int(stopped_points[position]),
                       "vanished_workers": int(vanished_points[position]),
                       "wage_drops": int(drop_points[position]),
                       "sector": int(sector_points[position]),
                       "size": int(size_points[position])},
        }))
    RiskScore.objects.bulk_create(rows, batch_size=INSERT_BATCH, update_conflicts=True,
                                  unique_fields=["employer", "computed_on"],
                                  update_fields=["score", "signals"])
    return len(rows)


def _counts(employer_ids) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for employer_id in employer_ids.iterator():
        counts[employer_id] += 1
    return counts


# Plans --------------------------------------------------------------------------------------

@transaction.atomic
def create_inspection_plan(actor, place: AdminUnit, period: tuple[datetime.date, datetime.date],
                           top_n: int, *, name: str = "") -> InspectionPlan:
    """Plan inspections of the `top_n` highest-risk active employers in a place (latest risk
    scores), leaving out those inspected within `recently_inspected_months` of the period's
    start and those with a case still open."""
    require_change_permission(actor)
    require_unit_in_scope(actor, place)
    period_start, period_end = period
    if isinstance(top_n, bool) or not isinstance(top_n, int) or not 1 <= top_n <= \
            MAXIMUM_PLAN_SIZE:
        raise refuse("top_n", "inspection_bad_top_n", limit=MAXIMUM_PLAN_SIZE)
    if period_end < period_start:
        raise refuse("period_end", "inspection_bad_period")
    candidates = _candidates(place, period_start)[:top_n]
    chosen = list(candidates.values_list("employer_id", "score"))
    if not chosen:
        raise refuse("place", "inspection_no_candidates")
    plan = InspectionPlan.objects.create(
        name=(name or f"{place.name_en} {period_start:%Y-%m-%d}–{period_end:%Y-%m-%d}")[:200],
        place=place, period_start=period_start, period_end=period_end,
        created_by=_recorder(actor))
    record_change(actor, AuditEvent.Action.CREATE, plan)
    inspections = Inspection.objects.bulk_create([Inspection(
        employer_id=employer_id, plan=plan, risk_score=score, status=Status.PLANNED,
        planned_on=period_start) for employer_id, score in chosen], batch_size=INSERT_BATCH)
    if any(inspection.pk is None for inspection in inspections):
        inspections = list(plan.inspections.all())
    InspectionStatusChange.objects.bulk_create([InspectionStatusChange(
        inspection=inspection, status=Status.PLANNED, effective_on=period_start,
        note=f"plan {plan.pk}", recorded_by=_recorder(actor)) for inspection in inspections])
    AuditEvent.objects.bulk_create([AuditEvent(
        actor=_recorder(actor), action=AuditEvent.Action.CREATE,
        object_type=Inspection._meta.label_lower, object_id=inspection.pk,
        after={"employer_id": inspection.employer_id, "status": Status.PLANNED,
               "risk_score": inspection.risk_score, "plan_id": plan.pk},
        note="planned") for inspection in inspections])
    return plan


def _candidates(place: AdminUnit, period_start: datetime.date):
    parameters = compliance_parameters(period_start)
    recent_since = add_months(_month_of(period_start), -parameters.recently_inspected_months)
    inspected = Inspection.objects.filter(employer_id=OuterRef("employer_id")).filter(
        Q(planned_on__gte=recent_since) | Q(visited_on__gte=recent_since)
        | ~Q(status=Status.CLOSED))
    latest_day = Subquery(RiskScore.objects.filter(employer_id=OuterRef("employer_id"))
                          .order_by("-computed_on").values("computed_on")[:1])
    return (RiskScore.objects
            .filter(employer__village__path__startswith=place.path,
                    employer__status=Employer.Status.ACTIVE, computed_on=latest_day)
            .exclude(Exists(inspected))
            .order_by("-score", "employer_id"))


# The case -----------------------------------------------------------------------------------

def _lock(actor, inspection: Inspection) -> Inspection:
    inspection = (Inspection.objects.select_for_update().select_related("employer__village")
                  .get(pk=inspection.pk))
    require_change_permission(actor)
    require_unit_in_scope(actor, inspection.employer.village)
    return inspection


def _move(actor, inspection: Inspection, status: str, on: datetime.date, note: str = "",
          extra: dict | None = None) -> InspectionStatusChange:
    """Change the case's status (with `extra` fields), its history row and audit record."""
    if status not in TRANSITIONS[inspection.status]:
        raise refuse("status", "inspection_bad_transition", current=inspection.status,
                     requested=status, current_lo=STATUS_LO[inspection.status],
                     requested_lo=STATUS_LO[status])
    before = snapshot(inspection)
    inspection.status = status
    for field, value in (extra or {}).items():
        setattr(inspection, field, value)
    inspection.save(update_fields=["status", *(extra or {})])
    record_change(actor, AuditEvent.Action.UPDATE, inspection, before, note=f"status {status}")
    change = InspectionStatusChange.objects.create(
        inspection=inspection, status=status, effective_on=on, note=note[:500],
        recorded_by=_recorder(actor))
    record_change(actor, AuditEvent.Action.CREATE, change)
    return change


def _check_not_future(field: str, value: datetime.date, today: datetime.date) -> None:
    if value > today:
        raise refuse(field, "future_date")


@transaction.atomic
def record_visit(actor, inspection: Inspection, *, visited_on: datetime.date, notes: str = "",
                 today: datetime.date | None = None) -> Inspection:
    inspection = _lock(actor, inspection)
    _move_check(inspection, Status.VISITED)
    _check_not_future("visited_on", visited_on, _today(today))
    if visited_on < inspection.planned_on:
        raise refuse("visited_on", "inspection_before_planned",
                     planned=inspection.planned_on.isoformat())
    _move(actor, inspection, Status.VISITED, visited_on, note="visit",
          extra={"visited_on": visited_on, "visit_notes": notes or ""})
    return inspection


@dataclass(frozen=True)
class _Worker:
    member: InsuredMember | None
    person: Person | None


def _worker(kind: str, member: InsuredMember | None, person: Person | None) -> _Worker:
    if member is None and person is None:
        raise refuse("person", "inspection_worker_required")
    if member is not None and person is not None and member.person_id != person.pk:
        raise refuse("person", "inspection_person_mismatch")
    if member is None:
        member = InsuredMember.objects.filter(person=person).first()
    if kind == InspectionFinding.Kind.UNDER_DECLARED_WAGE and member is None:
        raise refuse("member", "inspection_member_required")
    return _Worker(member, person if member is None else member.person)


def _months(first_month: datetime.date, last_month: datetime.date) -> list[datetime.date]:
    count = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    return [add_months(first_month, step) for step in range(count)]


def _check_months(inspection: Inspection, first_month: datetime.date,
                  last_month: datetime.date, actual_wage: int) -> None:
    for field, month in (("first_month", first_month), ("last_month", last_month)):
        if month.day != 1:
            raise refuse(field, "inspection_not_month_start")
    if last_month < first_month:
        raise refuse("last_month", "end_before_start")
    if last_month > _month_of(inspection.visited_on):
        raise refuse("last_month", "inspection_month_after_visit",
                     visit=f"{inspection.visited_on:%Y-%m}")
    months = _months(first_month, last_month)
    if len(months) > MAXIMUM_FINDING_MONTHS:
        raise refuse("first_month", "inspection_too_many_months", limit=MAXIMUM_FINDING_MONTHS)
    for month in months:
        try:
            rules.contributions([actual_wage], [rules.ENTERPRISE_EMPLOYEE], month)
        except RulesError as error:
            raise refuse("first_month", "inspection_no_rules", month=f"{month:%Y-%m}",
                         reason=error.english, reason_lo=error.lao) from None


@transaction.atomic
def add_finding(actor, inspection: Inspection, *, kind: str, first_month: datetime.date,
                last_month: datetime.date, actual_wage: int, declared_wage: int = 0,
                member: InsuredMember | None = None, person: Person | None = None,
                note: str = "") -> InspectionFinding:
    """Record a worker the employer did not declare (a member, or a person not yet one), or a
    member's wage declared below the actual one, over a run of months."""
    inspection = _lock(actor, inspection)
    if inspection.status != Status.VISITED:
        raise refuse("inspection", "inspection_findings_closed", current=inspection.status,
                     current_lo=STATUS_LO[inspection.status])
    if kind not in InspectionFinding.Kind.values:
        raise refuse("kind", "inspection_bad_kind")
    worker = _worker(kind, member, person)
    check_monthly_wage(actual_wage, "actual_wage")
    if kind == InspectionFinding.Kind.UNDECLARED_WORKER:
        declared_wage = 0
    check_monthly_wage(declared_wage, "declared_wage")
    if actual_wage <= declared_wage:
        raise refuse("actual_wage", "inspection_wage_not_above")
    if len(note or "") > MAX_REASON_LENGTH:
        raise refuse("note", "too_long", limit=MAX_REASON_LENGTH)
    _check_months(inspection, first_month, last_month, actual_wage)
    same_worker = (Q(member=worker.member) if worker.member is not None
                   else Q(person=worker.person))
    if inspection.findings.filter(same_worker, first_month__lte=last_month,
                                  last_month__gte=first_month).exists():
        raise refuse("first_month", "inspection_finding_overlap")
    finding = InspectionFinding.objects.create(
        inspection=inspection, kind=kind, member=worker.member, person=worker.person,
        first_month=first_month, last_month=last_month, declared_wage=declared_wage,
        actual_wage=actual_wage, note=note or "")
    record_change(actor, AuditEvent.Action.CREATE, finding)
    return finding


# Assessment ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class BackContribution:
    """One worker's back contributions for one month."""

    member_id: int
    month: datetime.date
    insurable_wage: int
    insured_amount: int
    employer_amount: int


def back_contributions(findings: list[InspectionFinding]) -> list[BackContribution]:
    """Per worker and month, with each month's own rules: the whole contributions of an
    undeclared worker; for an under-declared wage, the actual wage's contributions less the
    declared wage's (never below zero). Vectorised per month."""
    by_month: dict[datetime.date, list[InspectionFinding]] = defaultdict(list)
    for finding in findings:
        for month in _months(finding.first_month, finding.last_month):
            by_month[month].append(finding)
    rows = []
    for month in sorted(by_month):
        month_findings = by_month[month]
        categories = [rules.ENTERPRISE_EMPLOYEE] * len(month_findings)
        actual = rules.contributions([f.actual_wage for f in month_findings], categories, month)
        declared = rules.contributions([f.declared_wage for f in month_findings], categories,
                                       month)
        undeclared = np.array([f.kind == InspectionFinding.Kind.UNDECLARED_WORKER
                               for f in month_findings])
        insured = np.where(undeclared, actual.insured,
                           np.maximum(actual.insured - declared.insured, 0))
        employer = np.where(undeclared, actual.employer,
                            np.maximum(actual.employer - declared.employer, 0))
        for position, finding in enumerate(month_findings):
            rows.append(BackContribution(finding.member_id, month,
                                         int(actual.insurable_wage[position]),
                                         int(insured[position]), int(employer[position])))
    return rows


def _resolve_members(findings: list[InspectionFinding]) -> None:
    """Findings about a person who has since been enrolled point at the member; any person
    still not a member stops the assessment, so no back contribution is left unrecorded."""
    missing = [finding for finding in findings if finding.member_id is None]
    if not missing:
        return
    members = dict(InsuredMember.objects.filter(
        person_id__in=[finding.person_id for finding in missing]).values_list("person_id", "pk"))
    still_missing = [finding.person for finding in missing if finding.person_id not in members]
    if still_missing:
        people = ", ".join(f"{person.pk} {person.given_name_latin} {person.family_name_latin}"
                           for person in still_missing)
        raise refuse("findings", "inspection_worker_not_member", people=people)
    for finding in missing:
        finding.member_id = members[finding.person_id]
    InspectionFinding.objects.bulk_update(missing, ["member"])


@transaction.atomic
def assess_inspection(actor, inspection: Inspection, *, assessed_on: datetime.date | None = None,
                      today: datetime.date | None = None) -> Invoice | None:
    """Turn the findings into back contributions: one assessment invoice for the employer and
    the workers' contribution records. Assessing an assessed (or closed) case returns its
    invoice and changes nothing."""
    inspection = _lock(actor, inspection)
    if inspection.status in (Status.ASSESSED, Status.CLOSED):
        return inspection.assessments.order_by("id").first()
    assessed_on = assessed_on or _today(today)
    _move_check(inspection, Status.ASSESSED)
    _check_not_future("assessed_on", assessed_on, _today(today))
    _check_after_last_change(inspection, "assessed_on", assessed_on)
    findings = list(inspection.findings.select_related("person").order_by("id"))
    if not findings:
        raise refuse("inspection", "inspection_no_findings")
    _resolve_members(findings)
    rows = back_contributions(findings)
    invoice = _issue_assessment(actor, inspection, findings, rows, assessed_on)
    _write_records(inspection.employer_id, rows)
    _move(actor, inspection, Status.ASSESSED, assessed_on,
          note=f"assessment {invoice.ledger_key if invoice else 'of 0 kip'}")
    return invoice


def _check_after_last_change(inspection: Inspection, field: str, on: datetime.date) -> None:
    last_change = inspection.status_changes.order_by("-effective_on").first()
    if last_change is not None and on < last_change.effective_on:
        raise refuse(field, "inspection_before_last_change",
                     last=last_change.effective_on.isoformat())


def _move_check(inspection: Inspection, status: str) -> None:
    if status not in TRANSITIONS[inspection.status]:
        raise refuse("status", "inspection_bad_transition", current=inspection.status,
                     requested=status, current_lo=STATUS_LO[inspection.status],
                     requested_lo=STATUS_LO[status])


def _issue_assessment(actor, inspection: Inspection, findings: list[InspectionFinding],
                      rows: list[BackContribution], assessed_on: datetime.date) -> Invoice | None:
    month = max(finding.last_month for finding in findings)
    insured = sum(row.insured_amount for row in rows)
    employer_share = sum(row.employer_amount for row in rows)
    invoice = Invoice(
        kind=Invoice.Kind.ASSESSMENT, employer=inspection.employer,
        village_id=inspection.employer.village_id, month=month, inspection=inspection,
        number_of_workers=len({row.member_id for row in rows}), insured_amount=insured,
        employer_amount=employer_share, state_subsidy=0, total=insured + employer_share,
        issued_on=assessed_on, due_on=rules.due_date(_month_of(assessed_on)),
        ledger_key=invoice_key(Invoice.Kind.ASSESSMENT, f"{month:%Y-%m}",
                               employer_id=inspection.employer_id,
                               suffix=f"inspection:{inspection.pk}"))
    issued = issue_invoices([invoice], created_by=_recorder(actor))
    if issued:
        record_change(actor, AuditEvent.Action.CREATE, issued[0])
        return issued[0]
    return Invoice.objects.filter(ledger_key=invoice.ledger_key).first()


def _write_records(employer_id: int, rows: list[BackContribution]) -> None:
    """New records (source assessment) for months nobody declared; a month already on the
    record from a declaration is raised to the actual wage and marked as assessed."""
    rows = [row for row in rows if row.insured_amount or row.employer_amount]
    if not rows:
        return
    existing = {(record.member_id, record.month): record for record in
                ContributionRecord.objects.filter(
                    employer_id=employer_id,
                    member_id__in={row.member_id for row in rows},
                    month__in={row.month for row in rows})}
    new, changed = [], []
    for row in rows:
        record = existing.get((row.member_id, row.month))
        if record is None:
            new.append(ContributionRecord(
                member_id=row.member_id, month=row.month, employer_id=employer_id,
                insurable_wage=row.insurable_wage, insured_amount=row.insured_amount,
                employer_amount=row.employer_amount,
                source=ContributionRecord.Source.ASSESSMENT))
            continue
        record.insurable_wage = max(record.insurable_wage, row.insurable_wage)
        record.insured_amount += row.insured_amount
        record.employer_amount += row.employer_amount
        record.source = ContributionRecord.Source.ASSESSMENT
        changed.append(record)
    ContributionRecord.objects.bulk_create(new, batch_size=INSERT_BATCH)
    ContributionRecord.objects.bulk_update(
        changed, ["insurable_wage", "insured_amount", "employer_amount", "source"],
        batch_size=INSERT_BATCH)


@transaction.atomic
def close_inspection(actor, inspection: Inspection, *, closed_on: datetime.date, outcome: str,
                     today: datetime.date | None = None) -> Inspection:
    """Close a case with its outcome. A visited case with findings is assessed first."""
    inspection = _lock(actor, inspection)
    _move_check(inspection, Status.CLOSED)
    outcome = (outcome or "").strip()
    if not outcome:
        raise refuse("outcome", "required")
    if len(outcome) > MAX_REASON_LENGTH:
        raise refuse("outcome", "too_long", limit=MAX_REASON_LENGTH)
    _check_not_future("closed_on", closed_on, _today(today))
    _check_after_last_change(inspection, "closed_on", closed_on)
    if inspection.status == Status.VISITED and inspection.findings.exists():
        raise refuse("status", "inspection_findings_open")
    _move(actor, inspection, Status.CLOSED, closed_on, note=outcome,
          extra={"closed_on": closed_on, "outcome": outcome})
    return inspection
