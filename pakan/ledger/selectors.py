"""Reads from the ledger. Every balance is a sum of entries at the moment it is asked for;
no running total is stored anywhere, so there is nothing to drift out of step."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from pakan.ledger.models import Account, Entry


def balance(account: Account | int, as_of: datetime.date | None = None) -> int:
    """Net debit of one account (negative = net credit), counting entries up to `as_of`."""
    entries = Entry.objects.filter(account=account)
    if as_of is not None:
        entries = entries.filter(effective_date__lte=as_of)
    return int(entries.aggregate(total=Coalesce(Sum("amount"), 0))["total"])


def balances(accounts: Iterable[Account | int],
             as_of: datetime.date | None = None) -> dict[int, int]:
    """Balances of many accounts in one query, keyed by account id (0 for accounts unused)."""
    account_ids = [account.pk if isinstance(account, Account) else account for account in accounts]
    entries = Entry.objects.filter(account_id__in=account_ids)
    if as_of is not None:
        entries = entries.filter(effective_date__lte=as_of)
    totals = dict(entries.values("account_id").annotate(total=Sum("amount"))
                  .values_list("account_id", "total"))
    return {account_id: int(totals.get(account_id) or 0) for account_id in account_ids}


@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    balance: int

    @property
    def debit(self) -> int:
        return max(self.balance, 0)

    @property
    def credit(self) -> int:
        return max(-self.balance, 0)


@dataclass(frozen=True)
class TrialBalance:
    rows: list[TrialBalanceRow]

    @property
    def total_debit(self) -> int:
        return sum(row.debit for row in self.rows)

    @property
    def total_credit(self) -> int:
        return sum(row.credit for row in self.rows)

    @property
    def total(self) -> int:
        """Zero whenever every posting balanced; anything else is a defect to investigate."""
        return sum(row.balance for row in self.rows)


def trial_balance(as_of: datetime.date | None = None, scope_path: str = "") -> TrialBalance:
    """Every account with its balance, in one query; optionally only accounts under a place."""
    entry_filter = Q(entries__effective_date__lte=as_of) if as_of is not None else Q()
    accounts = Account.objects.annotate(
        balance=Coalesce(Sum("entries__amount", filter=entry_filter), 0)
    ).order_by("code")
    if scope_path:
        accounts = accounts.filter(scope_path__startswith=scope_path)
    return TrialBalance([TrialBalanceRow(account, int(account.balance)) for account in accounts])


@dataclass(frozen=True)
class StatementLine:
    effective_date: datetime.date
    key: str
    kind: str
    description: str
    amount: int
    running_balance: int


@dataclass(frozen=True)
class Statement:
    account: Account
    start: datetime.date
    end: datetime.date
    opening_balance: int
    lines: list[StatementLine]

    @property
    def closing_balance(self) -> int:
        return self.lines[-1].running_balance if self.lines else self.opening_balance


def statement(account: Account, start: datetime.date, end: datetime.date) -> Statement:
    """Statement of account: balance brought forward, each entry in the period in posting
    order, and the balance after each one. Two indexed queries whatever the history length."""
    opening = balance(account, as_of=start - datetime.timedelta(days=1))
    rows = (Entry.objects.filter(account=account, effective_date__gte=start,
                                 effective_date__lte=end)
            .order_by("effective_date", "transaction_id", "id")
            .values_list("effective_date", "transaction__key", "transaction__kind",
                         "transaction__description", "amount"))
    lines: list[StatementLine] = []
    running = opening
    for effective_date, key, kind, description, amount in rows:
        running += amount
        lines.append(StatementLine(effective_date, key, kind, description, amount, running))
    return Statement(account, start, end, opening, lines)
