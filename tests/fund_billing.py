"""Invoices for payment tests, issued the one real way (issue_invoices) and followed by the
credit allocation billing does after issuing."""

from __future__ import annotations

import datetime
import itertools

from pakan.socialsecurity.models import Invoice
from pakan.socialsecurity.services.invoicing import invoice_key, issue_invoices
from pakan.socialsecurity.services.payments import allocate_for_debtors

_suffix = itertools.count(1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def bill(employer, month: datetime.date, amount: int, *, kind: str = "contribution",
         due_on: datetime.date | None = None, issued_on: datetime.date | None = None,
         member=None) -> Invoice:
    """Issue one invoice (a negative amount with kind correction is a credit note)."""
    following = next_month(month)
    suffix = "" if kind == "contribution" else f"t{next(_suffix)}"
    debtor = {"employer_id": employer.pk} if employer else {"member_id": member.pk}
    village_id = employer.village_id if employer else member.person.village_id
    insured = amount // 2
    invoice = Invoice(
        kind=kind, employer=employer, member=member if employer is None else None,
        village_id=village_id, month=month, insured_amount=insured,
        employer_amount=amount - insured, total=amount,
        issued_on=issued_on or following, due_on=due_on or following.replace(day=15),
        ledger_key=invoice_key(kind, f"{month:%Y-%m}", suffix=suffix, **debtor))
    issue_invoices([invoice])
    if employer:
        allocate_for_debtors(employer_ids=[employer.pk])
    else:
        allocate_for_debtors(member_ids=[member.pk])
    invoice.refresh_from_db()
    return invoice
