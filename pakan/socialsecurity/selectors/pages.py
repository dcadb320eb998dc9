"""Reads the fund's pages and API need beyond the other parts' selectors: filtered lists, the
self-service account's own record, and the figures behind the charts. Always within scope.

Who sees what: scoped staff see rows whose place lies inside their admin unit (through
pakan.accounts.scope); an employer account sees its own enterprise's rows; an insured-member
account its own; every other account nothing. A single row outside that set raises OutOfScope,
the same answer as for an id that does not exist.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.registry.models import AdminUnit
from pakan.socialsecurity.models import (
    ContributionRecord,
    Declaration,
    Employer,
    InsuredMember,
    Invoice,
    Payment,
)
from pakan.socialsecurity.selectors import accounts as account_selectors
from pakan.socialsecurity.selectors.accounts import AGE_BUCKETS
from pakan.socialsecurity.selectors.declarations import declarations_in_scope
from pakan.socialsecurity.selectors.register import employer_of_user, employers_in_scope
from pakan.socialsecurity.selectors.voluntary import member_of_user

CHART_MONTHS = 24


def is_staff_reader(user) -> bool:
    return scope_path(user) is not None


def _scoped(queryset: QuerySet, user, *, employer_field: str | None = "employer",
            member_field: str | None = None) -> QuerySet:
    """Rows in the user's scope: staff by place, an employer or member account by owner."""
    if is_staff_reader(user):
        return restrict(queryset, user)
    own_employer = employer_of_user(user)
    if own_employer is not None and employer_field:
        return queryset.filter(**{employer_field: own_employer})
    own_member = member_of_user(user)
    if own_member is not None and member_field:
        return queryset.filter(**{member_field: own_member})
    return queryset.none()


def _one(queryset: QuerySet, pk: int):
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise OutOfScope
    return row


# Employers and members ---------------------------------------------------------------------

def provinces() -> QuerySet[AdminUnit]:
    return AdminUnit.objects.filter(level=AdminUnit.Level.PROVINCE).order_by("code")


def filter_employers(user, *, query: str = "", status: str = "", sector: str = "",
                     province: str = "") -> QuerySet[Employer]:
    """Employers in scope matching a text (numbers or either name), status, sector, province."""
    employers = employers_in_scope(user)
    query = query.strip()
    if query:
        employers = employers.filter(
            Q(enterprise_number__icontains=query) | Q(nssf_registration_number__icontains=query)
            | Q(name_en__icontains=query) | Q(name_lo__icontains=query))
    if status:
        employers = employers.filter(status=status)
    if sector:
        employers = employers.filter(sector=sector)
    if province:
        employers = employers.filter(village__path__startswith=f"/LA/{province}/")
    return employers.order_by("nssf_registration_number")


def filter_members(user, *, query: str = "") -> QuerySet[InsuredMember]:
    from pakan.socialsecurity.selectors.register import members_in_scope

    members = members_in_scope(user).select_related("person__village")
    query = query.strip()
    if query:
        members = members.filter(
            Q(social_security_number__icontains=query)
            | Q(person__family_name_latin__icontains=query)
            | Q(person__given_name_latin__icontains=query)
            | Q(person__family_name_lo__icontains=query)
            | Q(person__given_name_lo__icontains=query)
            | Q(person__national_id__iexact=query))
    return members.order_by("social_security_number")


@dataclass
class MonthOfRecord:
    """One month of a member's contribution record, every employer of that month together."""

    month: datetime.date
    lines: list[ContributionRecord] = field(default_factory=list)

    @property
    def insurable_wage(self) -> int:
        return sum(line.insurable_wage for line in self.lines)

    @property
    def amount(self) -> int:
        return sum(line.insured_amount + line.employer_amount for line in self.lines)

    @property
    def paid(self) -> bool:
        return all(line.paid for line in self.lines)


def contribution_months(member: InsuredMember) -> list[MonthOfRecord]:
    """The lifetime record grouped by month, newest first, as a person reads it."""
    months: dict[datetime.date, MonthOfRecord] = {}
    records = (ContributionRecord.objects.filter(member=member).select_related("employer")
               .order_by("-month", "employer_id"))
    for record in records:
        months.setdefault(record.month, MonthOfRecord(record.month)).lines.append(record)
    return list(months.values())


# Declarations, invoices, payments ------------------------------------------------------------

def filter_declarations(user, *, month: datetime.date | None = None, status: str = "",
                        employer: Employer | None = None) -> QuerySet[Declaration]:
    declarations = declarations_in_scope(user)
    if month is not None:
        declarations = declarations.filter(month=month)
    if status:
        declarations = declarations.filter(status=status)
    if employer is not None:
        declarations = declarations.filter(employer=employer)
    return declarations.order_by("-month", "-submitted_at", "-id")


def invoices_in_scope(user) -> QuerySet[Invoice]:
    """Invoices with what is still owed on each (`outstanding`)."""
    invoices = Invoice.objects.select_related("employer", "member__person", "village")
    return account_selectors.with_outstanding(_scoped(invoices, user, member_field="member"))


def filter_invoices(user, *, month: datetime.date | None = None, kind: str = "",
                    open_only: bool = False, employer: Employer | None = None,
                    member: InsuredMember | None = None) -> QuerySet[Invoice]:
    invoices = invoices_in_scope(user)
    if month is not None:
        invoices = invoices.filter(month=month)
    if kind:
        invoices = invoices.filter(kind=kind)
    if open_only:
        invoices = invoices.filter(settled_on__isnull=True, total__gt=0)
    if employer is not None:
        invoices = invoices.filter(employer=employer)
    if member is not None:
        invoices = invoices.filter(member=member)
    return invoices.order_by("-month", "-id")


def invoice_for(user, invoice_id: int) -> Invoice:
    return _one(invoices_in_scope(user), invoice_id)


def payments_in_scope(user) -> QuerySet[Payment]:
    """Staff: the payments part's rule (national staff also see unidentified money); an
    employer or member account: its own payments."""
    if is_staff_reader(user):
        payments = account_selectors.payments_in_scope(user)
    else:
        payments = _scoped(Payment.objects.all(), user, member_field="member")
    return payments.select_related("employer", "member__person", "bank_statement",
                                   "entered_by")


def filter_payments(user, *, status: str = "", employer: Employer | None = None,
                    member: InsuredMember | None = None) -> QuerySet[Payment]:
    payments = payments_in_scope(user)
    if status:
        payments = payments.filter(status=status)
    if employer is not None:
        payments = payments.filter(employer=employer)
    if member is not None:
        payments = payments.filter(member=member)
    return payments.order_by("-received_on", "-id")


def unidentified_payment_for(user, payment_id: int) -> Payment:
    return _one(account_selectors.unidentified_payments(user), payment_id)


# Billing runs ------------------------------------------------------------------------------

def may_start_billing(user) -> bool:
    """A national run is started from the centre (billing.BILLING_ROLES, able to change)."""
    from pakan.socialsecurity.services.billing import BILLING_ROLES

    return is_staff_reader(user) and user.can_change_registry and user.role in BILLING_ROLES


def is_national(user) -> bool:
    return is_staff_reader(user) and user.scope_unit.parent_id is None


# Arrears and charts ------------------------------------------------------------------------

@dataclass
class ArrearsRow:
    """One payer's overdue amounts by age bucket (accounts.AGE_BUCKETS)."""

    buckets: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.buckets.values())


def arrears_of_employer(user, employer: Employer, as_of: datetime.date) -> ArrearsRow:
    """The employer's overdue amounts by age, read like accounts.arrears_by_age (the same
    overdue invoices and buckets), for the employer's record and its portal."""
    overdue = account_selectors.overdue_invoices(user, as_of).filter(employer=employer)
    buckets = {}
    for label, first_day, last_day in AGE_BUCKETS:
        due = Q(due_on__lte=as_of - datetime.timedelta(days=first_day))
        if last_day is not None:
            due &= Q(due_on__gte=as_of - datetime.timedelta(days=last_day))
        buckets[label] = int(overdue.filter(due).aggregate(
            total=Coalesce(Sum("outstanding"), Value(0)))["total"])
    return ArrearsRow(buckets)


def _month_series(rows, months: list[datetime.date]) -> list[int]:
    totals = {row["month"].date() if isinstance(row["month"], datetime.datetime)
              else row["month"]: int(row["total"] or 0) for row in rows}
    return [totals.get(month, 0) for month in months]


def last_months(as_of: datetime.date, count: int = CHART_MONTHS) -> list[datetime.date]:
    month = as_of.replace(day=1)
    months = []
    for _ in range(count):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months[::-1]


def collections_against_billing(user, as_of: datetime.date,
                                count: int = CHART_MONTHS) -> dict:
    """Billed (invoices by month issued) and collected (payments by month received) in scope,
    month by month, for the chart. Reversed payments are left out."""
    months = last_months(as_of, count)
    billed = (invoices_in_scope(user).filter(issued_on__gte=months[0], issued_on__lte=as_of)
              .order_by().annotate(month_of=TruncMonth("issued_on")).values("month_of")
              .annotate(total=Sum("total")).values("total", month=F("month_of")))
    collected = (payments_in_scope(user)
                 .filter(received_on__gte=months[0], received_on__lte=as_of)
                 .exclude(status=Payment.Status.REVERSED)
                 .order_by().annotate(month_of=TruncMonth("received_on")).values("month_of")
                 .annotate(total=Sum("amount")).values("total", month=F("month_of")))
    return {"months": [month.strftime("%Y-%m") for month in months],
            "billed": _month_series(billed, months),
            "collected": _month_series(collected, months)}
