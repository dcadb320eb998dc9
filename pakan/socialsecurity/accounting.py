"""The fund's chart of accounts and the one place that turns its documents into ledger postings.

Billing, payments, assessments, surcharges and voluntary contributions all post through the
functions here, so the accounts an invoice or a payment touches are written down once.

- Each debtor (employer, voluntary member) has a receivable account. Its balance (debit positive)
  is billed minus paid: positive = owed, negative = credit held for the debtor.
- Income accounts per share (insured, employer, state subsidy), surcharge and assessments.
- Money received sits in the bank account; a payment nobody can be matched to sits in suspense
  (a liability) until an officer assigns it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from pakan.ledger.models import Account
from pakan.ledger.services import AccountSpec, Line, Posting, ensure_accounts

BANK = "nssf:bank"
SUSPENSE = "nssf:suspense:unidentified_receipts"
STATE_SUBSIDY_RECEIVABLE = "nssf:receivable:state_subsidy"
INCOME_INSURED_SHARE = "nssf:income:contributions:insured_share"
INCOME_EMPLOYER_SHARE = "nssf:income:contributions:employer_share"
INCOME_STATE_SUBSIDY = "nssf:income:contributions:state_subsidy"
INCOME_SURCHARGE = "nssf:income:late_payment_surcharge"

EMPLOYER_OWNER = "socialsecurity.employer"
MEMBER_OWNER = "socialsecurity.insuredmember"

FUND_ACCOUNTS = (
    AccountSpec(BANK, "NSSF bank accounts", Account.Kind.ASSET, "ບັນຊີທະນາຄານ ປກສ"),
    AccountSpec(SUSPENSE, "Unidentified receipts (suspense)", Account.Kind.LIABILITY,
                "ເງິນຮັບທີ່ບໍ່ຮູ້ຜູ້ຈ່າຍ"),
    AccountSpec(STATE_SUBSIDY_RECEIVABLE, "State subsidy receivable", Account.Kind.ASSET,
                "ເງິນອຸດໜູນຈາກລັດທີ່ຕ້ອງຮັບ"),
    AccountSpec(INCOME_INSURED_SHARE, "Contributions: insured persons' share",
                Account.Kind.INCOME, "ເງິນສົມທົບ: ສ່ວນຂອງຜູ້ປະກັນຕົນ"),
    AccountSpec(INCOME_EMPLOYER_SHARE, "Contributions: employers' share",
                Account.Kind.INCOME, "ເງິນສົມທົບ: ສ່ວນຂອງຜູ້ໃຊ້ແຮງງານ"),
    AccountSpec(INCOME_STATE_SUBSIDY, "Contributions: state subsidy for voluntary members",
                Account.Kind.INCOME, "ເງິນສົມທົບ: ເງິນອຸດໜູນຈາກລັດ"),
    AccountSpec(INCOME_SURCHARGE, "Late-payment surcharges", Account.Kind.INCOME,
                "ເງິນປັບໃໝ ຈ່າຍຊ້າ"),
)


def employer_account_code(employer_id: int) -> str:
    return f"nssf:receivable:employer:{employer_id}"


def member_account_code(member_id: int) -> str:
    return f"nssf:receivable:member:{member_id}"


def debtor_account_code(*, employer_id: int | None, member_id: int | None) -> str:
    if employer_id is not None:
        return employer_account_code(employer_id)
    if member_id is None:
        raise ValueError("a debtor is an employer or a member")
    return member_account_code(member_id)


def employer_account_spec(employer_id: int, scope_path: str) -> AccountSpec:
    return AccountSpec(employer_account_code(employer_id),
                       f"Contributions receivable from employer {employer_id}",
                       Account.Kind.ASSET, f"ເງິນສົມທົບຄ້າງຮັບ ຈາກຜູ້ໃຊ້ແຮງງານ {employer_id}",
                       EMPLOYER_OWNER, employer_id, scope_path)


def member_account_spec(member_id: int, scope_path: str) -> AccountSpec:
    return AccountSpec(member_account_code(member_id),
                       f"Contributions receivable from voluntary member {member_id}",
                       Account.Kind.ASSET, f"ເງິນສົມທົບຄ້າງຮັບ ຈາກຜູ້ປະກັນຕົນ {member_id}",
                       MEMBER_OWNER, member_id, scope_path)


def ensure_fund_accounts() -> dict[str, Account]:
    return ensure_accounts(FUND_ACCOUNTS)


def ensure_debtor_accounts(employers: Iterable[tuple[int, str]] = (),
                           members: Iterable[tuple[int, str]] = ()) -> dict[str, Account]:
    """Open the receivable accounts of many debtors at once: (id, village path) pairs."""
    specs = [employer_account_spec(pk, path) for pk, path in employers]
    specs += [member_account_spec(pk, path) for pk, path in members]
    ensure_fund_accounts()
    return ensure_accounts(specs)


def _nonzero(lines: Iterable[tuple[str, int]]) -> list[Line]:
    return [Line(account, int(amount)) for account, amount in lines if amount]


def invoice_posting(*, ledger_key: str, debtor_account: str, insured_amount: int,
                    employer_amount: int, state_subsidy: int = 0, kind: str,
                    issued_on: datetime.date, description: str = "") -> Posting:
    """An invoice: the debtor owes its total, income is earned per share. A negative correction
    (a credit note) is the same posting with its signs turned over."""
    surcharge = kind == "surcharge"
    lines = _nonzero([
        (debtor_account, insured_amount + employer_amount),
        (INCOME_SURCHARGE if surcharge else INCOME_INSURED_SHARE, -insured_amount),
        (INCOME_SURCHARGE if surcharge else INCOME_EMPLOYER_SHARE, -employer_amount),
        (STATE_SUBSIDY_RECEIVABLE, state_subsidy),
        (INCOME_STATE_SUBSIDY, -state_subsidy),
    ])
    return Posting(ledger_key, lines, kind=f"nssf.invoice.{kind}", effective_date=issued_on,
                   description=description)


def payment_posting(*, ledger_key: str, amount: int, received_on: datetime.date,
                    debtor_account: str | None, description: str = "") -> Posting:
    """Money in: into the bank, off the payer's receivable (or into suspense when unknown)."""
    credited = debtor_account or SUSPENSE
    return Posting(ledger_key, [Line(BANK, amount), Line(credited, -amount)],
                   kind="nssf.payment", effective_date=received_on, description=description)


def assignment_posting(*, ledger_key: str, amount: int, assigned_on: datetime.date,
                       debtor_account: str, description: str = "") -> Posting:
    """An unidentified payment found its payer: out of suspense, off the payer's receivable."""
    return Posting(ledger_key, [Line(SUSPENSE, amount), Line(debtor_account, -amount)],
                   kind="nssf.payment.assigned", effective_date=assigned_on,
                   description=description)
