"""Reading billing runs and the invoices they issued, within the reader's scope.

A billing run is national (it bills every employer of a month), so any staff account may see
the list of runs and their totals; the invoices themselves follow the place rule (staff by the
debtor's village, an employer account its own invoices only, anyone else nothing).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet, Sum

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.socialsecurity.models import BillingRun, ContributionRecord, Declaration, Invoice
from pakan.socialsecurity.selectors.register import employer_of_user


def billing_runs(user) -> QuerySet[BillingRun]:
    if scope_path(user) is None:
        return BillingRun.objects.none()
    return BillingRun.objects.select_related("started_by", "job")


def billing_run_for(user, run_id: int) -> BillingRun:
    run = billing_runs(user).filter(pk=run_id).first()
    if run is None:
        raise OutOfScope
    return run


def invoices_in_scope(user) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("employer", "member", "village")
    if scope_path(user) is not None:
        return restrict(invoices, user)
    own = employer_of_user(user)
    return invoices.filter(employer=own) if own else invoices.none()


def invoices_of_run(user, run: BillingRun) -> QuerySet[Invoice]:
    return invoices_in_scope(user).filter(billing_run=run).order_by("employer_id", "id")


def invoices_of_month(user, month: datetime.date,
                      kind: str | None = None) -> QuerySet[Invoice]:
    invoices = invoices_in_scope(user).filter(month=month)
    return invoices.filter(kind=kind) if kind else invoices


def run_totals_by_province(user, run: BillingRun) -> list[dict]:
    """Invoices, workers and amount of a run per province (the village's district's parent),
    within the reader's scope."""
    rows = (invoices_of_run(user, run).order_by()
            .values("village__parent__parent__name_en", "village__parent__parent__name_lo")
            .annotate(invoices=Count("id"), workers=Sum("number_of_workers"),
                      amount=Sum("total")))
    return sorted(rows, key=lambda row: row["village__parent__parent__name_en"] or "")


def declarations_waiting_for_billing(month: datetime.date) -> int:
    """Accepted declarations of the month that no invoice covers yet (late ones and
    corrections, for the "bill again" button)."""
    return Declaration.objects.filter(month=month, status=Declaration.Status.ACCEPTED,
                                      invoice__isnull=True).count()


def contribution_records_of_month(user, month: datetime.date) -> QuerySet[ContributionRecord]:
    records = ContributionRecord.objects.filter(month=month).select_related("member", "employer")
    if scope_path(user) is not None:
        return restrict(records, user)
    own = employer_of_user(user)
    return records.filter(employer=own) if own else records.none()
