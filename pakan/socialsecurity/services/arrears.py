"""Arrears: the monthly late-payment surcharge run, and instalment agreements.

Surcharge. For a period (a calendar month that has ended) every overdue invoice bears the
surcharge of `pakan.rules.social_security.late_payment_surcharge` on what it still owed each
day of the period after its due date, at the rate valid for the invoice's contribution month.
What was owed changes on the days allocations were made, so each invoice's period is cut into
stretches of constant debt and the rule is applied to all stretches of all invoices at once.
Each surcharge is an invoice (kind surcharge, `surcharge_of` the overdue invoice) issued through
`issue_invoices` under the key (period, invoice): running a period twice charges nothing twice.
The rate in the rules is a provisional placeholder of 0, so today the run issues nothing and
records that the value it used is provisional (the page must say so). Invoices covered by an
active instalment agreement bear no surcharge.

Instalments. An agreement spreads chosen open invoices over a schedule whose instalments sum
exactly to what those invoices still owe. Payments keep being allocated oldest first; what the
covered invoices receive after the agreement counts towards the schedule, in order.
`check_instalment_defaults` completes agreements paid in full and defaults those with an
instalment unpaid past its due date plus a grace period.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

import numpy as np
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from pakan.accounts.scope import require_change_permission
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.rules import social_security as rules
from pakan.rules.legal_parameters import entry_at, value_at
from pakan.rules.months import month_end
from pakan.socialsecurity.models import (
    Allocation,
    BillingRun,
    Employer,
    Instalment,
    InstalmentAgreement,
    Invoice,
)
from pakan.socialsecurity.selectors.accounts import with_outstanding
from pakan.socialsecurity.selectors.register import employer_for
from pakan.socialsecurity.services.invoicing import invoice_key, issue_invoices
from pakan.socialsecurity.services.payments import _chunks, allocate_for_debtors, lock_debtors
from pakan.socialsecurity.validation import refuse

SURCHARGED_KINDS = (Invoice.Kind.CONTRIBUTION, Invoice.Kind.CORRECTION,
                    Invoice.Kind.ASSESSMENT, Invoice.Kind.VOLUNTARY)
# Dated, provisional rules (the sources give neither): pakan/rules/parameters/social_security/
# instalments/.
INSTALMENT_GRACE_DAYS = "social_security.instalments.grace_days"
MAX_INSTALMENTS = "social_security.instalments.maximum_instalments"
ONE_DAY = datetime.timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# Surcharges


def _candidates(period_start: datetime.date, period_end: datetime.date) -> list[tuple]:
    invoices = (Invoice.objects.filter(kind__in=SURCHARGED_KINDS, total__gt=0,
                                       due_on__lt=period_end, issued_on__lte=period_end)
                .exclude(settled_on__lt=period_start)
                .exclude(instalment_agreements__status=InstalmentAgreement.Status.ACTIVE)
                .values_list("pk", "employer_id", "member_id", "village_id", "month", "due_on",
                             "total").order_by("pk"))
    return list(invoices)


def _allocations_by_invoice(invoice_ids: list[int],
                            period_end: datetime.date) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = defaultdict(list)
    for chunk in _chunks(invoice_ids):
        for invoice_id, on, amount in Allocation.objects.filter(
                invoice_id__in=chunk, allocated_on__lte=period_end).values_list(
                "invoice_id", "allocated_on", "amount"):
            found[invoice_id].append((on, amount))
    return found


def late_stretches(total: int, due_on: datetime.date, allocations: list[tuple],
                   period_start: datetime.date,
                   period_end: datetime.date) -> list[tuple[int, int]]:
    """(kip owed, days) for each stretch of the period in which the invoice was overdue with a
    constant debt. Money allocated on a day stops the surcharge on it from that day."""
    first_late = max(due_on + ONE_DAY, period_start)
    if first_late > period_end:
        return []
    owed = total - sum(amount for on, amount in allocations if on <= first_late)
    changes = sorted({on for on, _ in allocations if first_late < on <= period_end})
    stretches = []
    start = first_late
    for change in [*changes, period_end + ONE_DAY]:
        if owed > 0 and change > start:
            stretches.append((owed, (change - start).days))
        owed = total - sum(amount for on, amount in allocations if on <= change)
        start = change
    return stretches


def surcharge_amounts(candidates: list[tuple], allocations: dict[int, list[tuple]],
                      period_start: datetime.date, period_end: datetime.date) -> dict[int, int]:
    """Surcharge per invoice id, the rule applied once per contribution month to every stretch
    of every invoice of that month."""
    by_month: dict[datetime.date, tuple[list[int], list[int], list[int]]] = defaultdict(
        lambda: ([], [], []))
    for pk, _, _, _, month, due_on, total in candidates:
        for owed, days in late_stretches(total, due_on, allocations.get(pk, []),
                                         period_start, period_end):
            ids, amounts, day_counts = by_month[month]
            ids.append(pk)
            amounts.append(owed)
            day_counts.append(days)
    surcharges: dict[int, int] = defaultdict(int)
    for month, (ids, amounts, day_counts) in by_month.items():
        charged = rules.late_payment_surcharge(np.array(amounts, dtype=np.int64),
                                               np.array(day_counts, dtype=np.int64), month)
        for pk, amount in zip(ids, charged.tolist(), strict=True):
            surcharges[pk] += int(amount)
    return surcharges


def _parameters_used(months: set[datetime.date]) -> dict:
    used = {}
    for month in sorted(months):
        entry = entry_at(rules.SURCHARGE, month)
        used[f"{rules.SURCHARGE}@{month:%Y-%m}"] = {
            "value": entry.value, "start": entry.start.isoformat(),
            "provisional": entry.provisional}
    return used


def run_surcharges(month: datetime.date, *, actor=None,
                   today: datetime.date | None = None) -> BillingRun:
    """Charge the late-payment surcharge for one ended month (the period). Its key is
    (surcharge, month) and each invoice's key (period, overdue invoice): a rerun, or a run after
    a crash, issues only what is missing. The run's `parameters_used` says which rate it used
    and whether that value is provisional."""
    today = today or timezone.localdate()
    if month.day != 1:
        raise refuse("month", "surcharge_bad_month")
    period_end = month_end(month)
    if period_end >= today:
        raise refuse("month", "surcharge_month_not_over", end=period_end)
    run, _ = BillingRun.objects.get_or_create(
        kind=BillingRun.Kind.SURCHARGE, month=month,
        defaults={"started_by": actor if getattr(actor, "is_authenticated", False) else None})
    candidates = _candidates(month, period_end)
    allocations = _allocations_by_invoice([row[0] for row in candidates], period_end)
    amounts = surcharge_amounts(candidates, allocations, month, period_end)
    invoices = [_surcharge_invoice(row, amounts.get(row[0], 0), month, period_end, run)
                for row in candidates if amounts.get(row[0], 0) > 0]
    issued = issue_invoices(invoices, created_by=actor)
    allocate_for_debtors({invoice.employer_id for invoice in issued if invoice.employer_id},
                         {invoice.member_id for invoice in issued
                          if invoice.member_id and not invoice.employer_id})
    totals = Invoice.objects.filter(billing_run=run).aggregate(total=Sum("total"))
    run.status = BillingRun.Status.FINISHED
    run.finished_at = timezone.now()
    run.number_of_invoices = Invoice.objects.filter(billing_run=run).count()
    run.total_amount = int(totals["total"] or 0)
    run.parameters_used = _parameters_used({row[4] for row in candidates} or {month})
    run.save()
    return run


def _surcharge_invoice(row: tuple, amount: int, month: datetime.date,
                       period_end: datetime.date, run: BillingRun) -> Invoice:
    pk, employer_id, member_id, village_id, _, _, _ = row
    for_employer = employer_id is not None
    return Invoice(
        kind=Invoice.Kind.SURCHARGE, employer_id=employer_id,
        member_id=None if for_employer else member_id, village_id=village_id, month=month,
        billing_run=run, surcharge_of_id=pk,
        employer_amount=amount if for_employer else 0,
        insured_amount=0 if for_employer else amount, total=amount,
        issued_on=period_end + ONE_DAY, due_on=rules.due_date(month),
        ledger_key=invoice_key(Invoice.Kind.SURCHARGE, f"{month:%Y-%m}",
                               employer_id=employer_id if for_employer else None,
                               member_id=None if for_employer else member_id,
                               suffix=f"of:{pk}"))


# ---------------------------------------------------------------------------------------------
# Instalment agreements


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def schedule_amounts(total: int, number_of_instalments: int) -> list[int]:
    """Equal instalments in whole kip; the first ones carry the remainder, one kip each, so
    the schedule sums exactly to the total."""
    base, remainder = divmod(total, number_of_instalments)
    return [base + (1 if position < remainder else 0)
            for position in range(number_of_instalments)]


def create_instalment_agreement(actor, employer: Employer, invoices, number_of_instalments: int,
                                first_due_on: datetime.date, *,
                                agreed_on: datetime.date | None = None,
                                note: str = "") -> InstalmentAgreement:
    """Agree to spread these open invoices of the employer over monthly instalments."""
    require_change_permission(actor)
    employer = employer_for(actor, employer.pk)
    agreed_on = agreed_on or timezone.localdate()
    invoice_ids = sorted({invoice.pk for invoice in invoices})
    if not invoice_ids:
        raise refuse("invoices", "instalment_no_invoices")
    limit = value_at(MAX_INSTALMENTS, agreed_on)
    if (isinstance(number_of_instalments, bool) or not isinstance(number_of_instalments, int)
            or not 1 <= number_of_instalments <= limit):
        raise refuse("number_of_instalments", "instalment_bad_count", limit=limit)
    if first_due_on < agreed_on:
        raise refuse("first_due_on", "instalment_first_due_past")
    with transaction.atomic():
        lock_debtors([employer.pk])
        chosen = list(with_outstanding(Invoice.objects.filter(pk__in=invoice_ids)))
        total = _check_invoices(employer, invoice_ids, chosen)
        if total < number_of_instalments:
            raise refuse("number_of_instalments", "instalment_too_many_for_amount",
                         total=f"{total:,}", count=number_of_instalments)
        agreement = InstalmentAgreement.objects.create(
            employer=employer, agreed_on=agreed_on, total_amount=total,
            number_of_instalments=number_of_instalments, status_since=agreed_on,
            note=note[:500], agreed_by=actor)
        agreement.invoices.set(chosen)
        Instalment.objects.bulk_create([
            Instalment(agreement=agreement, sequence=position + 1,
                       due_on=_add_months(first_due_on, position), amount=amount)
            for position, amount in enumerate(schedule_amounts(total, number_of_instalments))])
        record_change(actor, AuditEvent.Action.CREATE, agreement)
    return agreement


def _check_invoices(employer: Employer, invoice_ids: list[int], chosen: list[Invoice]) -> int:
    by_id = {invoice.pk: invoice for invoice in chosen}
    covered = set(InstalmentAgreement.invoices.through.objects.filter(
        invoice_id__in=invoice_ids,
        instalmentagreement__status=InstalmentAgreement.Status.ACTIVE)
        .values_list("invoice_id", flat=True))
    for pk in invoice_ids:
        invoice = by_id.get(pk)
        if (invoice is None or invoice.employer_id != employer.pk or invoice.total <= 0
                or invoice.settled_on is not None or invoice.outstanding <= 0):
            number = invoice.number if invoice is not None else str(pk)
            raise refuse("invoices", "instalment_invoice_not_open", number=number)
        if pk in covered:
            raise refuse("invoices", "instalment_invoice_covered", number=invoice.number)
    return sum(int(invoice.outstanding) for invoice in chosen)


def check_instalment_defaults(as_of: datetime.date, *, actor=None) -> dict[str, int]:
    """Complete the active agreements paid in full by `as_of`, default those with an
    instalment still unpaid more than the grace days (a dated rule) after its due date. A few
    queries for all agreements; returns how many changed."""
    active = InstalmentAgreement.objects.filter(status=InstalmentAgreement.Status.ACTIVE)
    totals = dict(active.values_list("pk", "total_amount"))
    paid = dict(Allocation.objects.filter(
        invoice__instalment_agreements__status=InstalmentAgreement.Status.ACTIVE,
        allocated_on__gte=F("invoice__instalment_agreements__agreed_on"),
        allocated_on__lte=as_of).order_by()
        .values("invoice__instalment_agreements").annotate(total=Sum("amount"))
        .values_list("invoice__instalment_agreements", "total"))
    overdue_before = as_of - datetime.timedelta(days=value_at(INSTALMENT_GRACE_DAYS, as_of))
    owed_by_now: dict[int, int] = defaultdict(int)
    for agreement_id, amount in Instalment.objects.filter(
            agreement_id__in=list(totals), due_on__lt=overdue_before).values_list(
            "agreement_id", "amount"):
        owed_by_now[agreement_id] += amount
    completed = [pk for pk, total in totals.items() if paid.get(pk, 0) >= total]
    defaulted = [pk for pk in totals if pk not in completed
                 and paid.get(pk, 0) < owed_by_now.get(pk, 0)]
    with transaction.atomic():
        for status, ids in ((InstalmentAgreement.Status.COMPLETED, completed),
                            (InstalmentAgreement.Status.DEFAULTED, defaulted)):
            if not ids:
                continue
            # Few agreements change on a day; each change is audited with its before and after.
            for agreement in InstalmentAgreement.objects.select_for_update().filter(pk__in=ids):
                before = snapshot(agreement)
                agreement.status, agreement.status_since = status, as_of
                agreement.save(update_fields=["status", "status_since"])
                record_change(actor, AuditEvent.Action.UPDATE, agreement, before, note=status)
    return {"completed": len(completed), "defaulted": len(defaulted)}
