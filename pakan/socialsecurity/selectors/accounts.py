"""What payers owe and paid: balances, statements of account, open invoices, arrears by age,
payments — always within the reader's scope.

A balance is the ledger balance of the payer's receivable account (billed minus paid; negative is
a credit held for the payer), never a figure kept beside it. Which invoice is still open, and for
how long, comes from the allocations. Staff see what lies in their province or district; an
employer account sees its own enterprise only; unidentified payments belong to no place and are
shown to staff working for the whole country.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.ledger import selectors as ledger_selectors
from pakan.ledger.models import Account
from pakan.registry.models import AdminUnit
from pakan.rules.legal_parameters import ProvisionalUse, provisional_parameters_used
from pakan.rules.social_security import SURCHARGE
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import (
    Allocation,
    Employer,
    Instalment,
    InstalmentAgreement,
    InsuredMember,
    Invoice,
    Payment,
)
from pakan.socialsecurity.selectors.register import employer_for, employer_of_user, member_for

# Days past the due date: (label, first day, last day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 1, 30), ("31-90", 31, 90), ("91-180", 91, 180), ("180+", 181, None))
PROVINCE_PATH_LENGTH = len("/LA/01/")

KIND_LAO = {
    Invoice.Kind.CONTRIBUTION: "ເງິນສົມທົບປະຈຳເດືອນ",
    Invoice.Kind.CORRECTION: "ແກ້ໄຂການແຈ້ງເງິນເດືອນ",
    Invoice.Kind.ASSESSMENT: "ການປະເມີນຫຼັງການກວດກາ",
    Invoice.Kind.VOLUNTARY: "ເງິນສົມທົບແບບສະໝັກໃຈ",
    Invoice.Kind.SURCHARGE: "ເງິນປັບໃໝ ຈ່າຍຊ້າ",
}


# ---------------------------------------------------------------------------------------------
# Balances and open invoices


def _receivable_code(employer: Employer | None, member: InsuredMember | None) -> str:
    return accounting.debtor_account_code(employer_id=employer.pk if employer else None,
                                          member_id=member.pk if member else None)


def balance_of(employer: Employer | None = None, member: InsuredMember | None = None,
               as_of: datetime.date | None = None) -> int:
    """Billed minus paid (ledger balance of the receivable); negative = credit held."""
    account = Account.objects.filter(code=_receivable_code(employer, member)).first()
    return ledger_selectors.balance(account, as_of) if account else 0


def _allocated_until(as_of: datetime.date | None) -> Subquery:
    allocations = Allocation.objects.filter(invoice=OuterRef("pk"))
    if as_of is not None:
        allocations = allocations.filter(allocated_on__lte=as_of)
    return Subquery(allocations.order_by().values("invoice").annotate(sum=Sum("amount"))
                    .values("sum"), output_field=IntegerField())


def with_outstanding(invoices: QuerySet[Invoice],
                     as_of: datetime.date | None = None) -> QuerySet[Invoice]:
    """Invoices annotated with `paid` and `outstanding` (as of a date: allocations made by
    then); credit notes (negative) have nothing outstanding."""
    return invoices.annotate(paid=Coalesce(_allocated_until(as_of), Value(0)),
                             outstanding=F("total") - F("paid"))


def open_invoices(employer: Employer | None = None, member: InsuredMember | None = None,
                  ) -> QuerySet[Invoice]:
    """The payer's invoices not yet settled, oldest due first, with what is still owed."""
    invoices = Invoice.objects.filter(total__gt=0, settled_on__isnull=True)
    if employer is not None:
        invoices = invoices.filter(employer=employer)
    elif member is not None:
        invoices = invoices.filter(member=member, employer__isnull=True)
    else:
        raise ValueError("open_invoices needs an employer or a member")
    return with_outstanding(invoices).order_by("due_on", "pk")


# ---------------------------------------------------------------------------------------------
# Lists within scope


def _is_national(user) -> bool:
    return scope_path(user) is not None and user.scope_unit.parent_id is None


def invoices_in_scope(user) -> QuerySet[Invoice]:
    invoices = Invoice.objects.select_related("employer", "member")
    if scope_path(user) is not None:
        return restrict(invoices, user)
    own = employer_of_user(user)
    return invoices.filter(employer=own) if own else invoices.none()


def payments_in_scope(user) -> QuerySet[Payment]:
    """Payments of payers in scope (and, for national staff, the unidentified ones too)."""
    payments = Payment.objects.select_related("employer", "member", "bank_statement")
    if scope_path(user) is not None:
        in_place = restrict(payments, user)
        if _is_national(user):
            return payments.filter(Q(pk__in=in_place.values("pk")) | Q(village__isnull=True))
        return in_place
    own = employer_of_user(user)
    return payments.filter(employer=own) if own else payments.none()


def unidentified_payments(user) -> QuerySet[Payment]:
    """Money held in suspense, waiting for an officer to find its payer."""
    if not _is_national(user):
        return Payment.objects.none()
    return (Payment.objects.filter(status=Payment.Status.UNIDENTIFIED)
            .select_related("bank_statement").order_by("received_on", "pk"))


def instalment_agreements_in_scope(user) -> QuerySet[InstalmentAgreement]:
    agreements = InstalmentAgreement.objects.select_related("employer")
    if scope_path(user) is not None:
        return restrict(agreements, user)
    own = employer_of_user(user)
    return agreements.filter(employer=own) if own else agreements.none()


def _payer_in_scope(user, employer: Employer | None, member: InsuredMember | None) -> None:
    if employer is not None:
        employer_for(user, employer.pk)
    elif member is not None:
        member_for(user, member.pk)
    else:
        raise OutOfScope


# ---------------------------------------------------------------------------------------------
# Statement of account


@dataclass(frozen=True)
class AccountLine:
    date: datetime.date
    kind: str  # invoice, payment, reversal, credit_note
    reference: str  # invoice number or bank reference
    description_en: str
    description_lo: str
    debit: int  # billed
    credit: int  # paid
    balance: int  # running: positive = owed, negative = credit held


@dataclass(frozen=True)
class AccountStatement:
    start: datetime.date
    end: datetime.date
    opening_balance: int
    lines: list[AccountLine] = field(default_factory=list)

    @property
    def closing_balance(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening_balance

    @property
    def total_billed(self) -> int:
        return sum(line.debit for line in self.lines)

    @property
    def total_paid(self) -> int:
        return sum(line.credit for line in self.lines)


def statement_of_account(employer: Employer | None = None, member: InsuredMember | None = None,
                         *, start: datetime.date, end: datetime.date,
                         user=None) -> AccountStatement:
    """The payer's receivable between two dates: balance brought forward, every invoice,
    payment and reversal described, and the balance after each. A handful of indexed queries
    (scope, account, opening balance, entries, the payer's invoices and payments) whatever the
    length of the history or the size of the ledger. With `user`, the payer must be in that
    user's scope."""
    if user is not None:
        _payer_in_scope(user, employer, member)
    account = Account.objects.filter(code=_receivable_code(employer, member)).first()
    if account is None:
        return AccountStatement(start, end, 0)
    ledger_statement = ledger_selectors.statement(account, start, end)
    invoices, payments = _documents(employer, member, end)
    # Labels are lazy translations: turned into text once per statement, not once per line.
    labels = {value: str(label) for value, label in (*Invoice.Kind.choices,
                                                     *Payment.Method.choices)}
    lines = [_described(line, invoices, payments, labels) for line in ledger_statement.lines]
    return AccountStatement(start, end, ledger_statement.opening_balance, lines)


def _documents(employer: Employer | None, member: InsuredMember | None,
               end: datetime.date) -> tuple[dict, dict]:
    payer = {"employer": employer} if employer else {"member": member, "employer__isnull": True}
    invoices = {row[0]: row[1:] for row in Invoice.objects.filter(
        issued_on__lte=end, **payer).values_list("ledger_key", "pk", "kind", "month")}
    payments = {row[0]: row[1:] for row in Payment.objects.filter(
        received_on__lte=end, **payer).values_list(
        "ledger_key", "method", "bank", "bank_reference", "payer_reference")}
    return invoices, payments


def _described(line, invoices: dict, payments: dict, labels: dict[str, str]) -> AccountLine:
    debit, credit = max(line.amount, 0), max(-line.amount, 0)
    key = line.key
    reversal = key.endswith(":reversal")
    base = key.removesuffix(":reversal").removesuffix(":assigned")
    if key in invoices:
        pk, kind, month = invoices[key]
        number = f"{kind[0].upper()}{month:%Y%m}-{pk:08d}"
        label = labels[kind]
        credit_note = line.amount < 0
        return AccountLine(line.effective_date, "credit_note" if credit_note else "invoice",
                           number, f"{label} {month:%Y-%m}, invoice {number}",
                           f"{KIND_LAO[kind]} {month:%m/%Y}, ໃບແຈ້ງໜີ້ {number}",
                           debit, credit, line.running_balance)
    if base in payments:
        method, bank, bank_reference, payer_reference = payments[base]
        reference = bank_reference or payer_reference
        shown = f" {bank} {bank_reference}".rstrip() if bank_reference else ""
        if reversal:
            return AccountLine(line.effective_date, "reversal", reference,
                               f"Payment reversed{shown}", f"ຍົກເລີກການຈ່າຍເງິນ{shown}",
                               debit, credit, line.running_balance)
        label = labels[method]
        return AccountLine(line.effective_date, "payment", reference,
                           f"Payment received ({label}){shown}", f"ໄດ້ຮັບເງິນ{shown}",
                           debit, credit, line.running_balance)
    return AccountLine(line.effective_date, line.kind, "", line.description, line.description,
                       debit, credit, line.running_balance)


# ---------------------------------------------------------------------------------------------
# Arrears by age


def _bucket_sums(as_of: datetime.date) -> dict[str, Sum]:
    sums = {}
    for label, first_day, last_day in AGE_BUCKETS:
        due = Q(due_on__lte=as_of - datetime.timedelta(days=first_day))
        if last_day is not None:
            due &= Q(due_on__gte=as_of - datetime.timedelta(days=last_day))
        sums[label] = Coalesce(Sum(Case(When(due, then=F("outstanding")), default=Value(0),
                                        output_field=IntegerField())), Value(0))
    return sums


def overdue_invoices(user, as_of: datetime.date) -> QuerySet[Invoice]:
    """Invoices in scope past their due date on `as_of` with something still owed then."""
    invoices = invoices_in_scope(user).filter(
        Q(settled_on__isnull=True) | Q(settled_on__gt=as_of),
        total__gt=0, issued_on__lte=as_of, due_on__lt=as_of)
    return with_outstanding(invoices, as_of).filter(outstanding__gt=0)


def arrears_by_age(user, as_of: datetime.date) -> dict[str, int]:
    """Outstanding kip by days past due: {"0-30": ..., "31-90": ..., "91-180": ..., "180+": ...,
    "total": ...} over every invoice the user may see."""
    sums = overdue_invoices(user, as_of).order_by().aggregate(**_bucket_sums(as_of))
    buckets = {label: int(sums[label] or 0) for label, _, _ in AGE_BUCKETS}
    buckets["total"] = sum(buckets.values())
    return buckets


def arrears_by_employer(user, as_of: datetime.date) -> list[dict]:
    """One row per employer in arrears: the buckets and the total, largest total first."""
    rows = (overdue_invoices(user, as_of).filter(employer__isnull=False).order_by()
            .values("employer_id", "employer__nssf_registration_number", "employer__name_en",
                    "employer__name_lo")
            .annotate(**_bucket_sums(as_of)))
    result = []
    for row in rows:
        buckets = {label: int(row[label]) for label, _, _ in AGE_BUCKETS}
        result.append({"employer_id": row["employer_id"],
                       "nssf_registration_number": row["employer__nssf_registration_number"],
                       "name_en": row["employer__name_en"], "name_lo": row["employer__name_lo"],
                       **buckets, "total": sum(buckets.values())})
    result.sort(key=lambda row: (-row["total"], row["nssf_registration_number"]))
    return result


def arrears_by_province(user, as_of: datetime.date) -> list[dict]:
    """One row per province (for the chart): the buckets and the total, by province code."""
    rows = (overdue_invoices(user, as_of).order_by()
            .annotate(province_path=Substr("village__path", 1, PROVINCE_PATH_LENGTH))
            .values("province_path").annotate(**_bucket_sums(as_of)))
    rows = list(rows)
    provinces = {unit.path: unit for unit in AdminUnit.objects.filter(
        path__in=[row["province_path"] for row in rows])}
    result = []
    for row in rows:
        unit = provinces.get(row["province_path"])
        buckets = {label: int(row[label]) for label, _, _ in AGE_BUCKETS}
        result.append({"province_code": unit.code if unit else row["province_path"],
                       "name_en": unit.name_en if unit else "", "name_lo": unit.name_lo
                       if unit else "", **buckets, "total": sum(buckets.values())})
    result.sort(key=lambda row: row["province_code"])
    return result


# ---------------------------------------------------------------------------------------------
# Surcharge and instalments


def surcharge_provisional_notice(month: datetime.date) -> list[ProvisionalUse]:
    """The surcharge parameter as used for a month, when provisional: a page showing
    surcharges must say so (the rate in the rules is a placeholder until the law is found)."""
    return provisional_parameters_used([SURCHARGE], month)


@dataclass(frozen=True)
class InstalmentLine:
    sequence: int
    due_on: datetime.date
    amount: int
    paid: int
    status: str  # paid, part_paid, due, overdue


def paid_towards(agreement: InstalmentAgreement, as_of: datetime.date | None = None) -> int:
    """Kip allocated to the agreement's invoices since it was agreed (up to `as_of`)."""
    allocations = Allocation.objects.filter(invoice__instalment_agreements=agreement,
                                            allocated_on__gte=agreement.agreed_on)
    if as_of is not None:
        allocations = allocations.filter(allocated_on__lte=as_of)
    paid = allocations.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
    return min(int(paid), agreement.total_amount)


def instalment_schedule(agreement: InstalmentAgreement,
                        as_of: datetime.date) -> list[InstalmentLine]:
    """The schedule with what is paid of each instalment: payments fill instalments in order."""
    left = paid_towards(agreement, as_of)
    lines = []
    for instalment in Instalment.objects.filter(agreement=agreement).order_by("sequence"):
        paid = min(left, instalment.amount)
        left -= paid
        if paid == instalment.amount:
            status = "paid"
        elif instalment.due_on < as_of:
            status = "overdue"
        else:
            status = "part_paid" if paid else "due"
        lines.append(InstalmentLine(instalment.sequence, instalment.due_on, instalment.amount,
                                    paid, status))
    return lines
