"""The benefits' chart of accounts and the one place that turns benefit money into postings.

- A benefit falls due: an expense of its branch, owed to the beneficiaries (benefits payable).
- A benefit is paid: out of the fund's bank account, off benefits payable.
- A bank payment comes back (returned or failed): into the bank again, and owed again, in its own
  payable account until it is paid again or cancelled.
- A benefit paid for a time it was not due (after a death, say) is an overpayment to recover: a
  receivable, and the branch's expense is reduced.

The fund's bank account is the one contributions arrive in (pakan.socialsecurity.accounting).
"""

from __future__ import annotations

import datetime

from pakan.benefits.models import Branch
from pakan.ledger.models import Account
from pakan.ledger.services import AccountSpec, Line, Posting, ensure_accounts
from pakan.socialsecurity.accounting import BANK, ensure_fund_accounts

BENEFITS_PAYABLE = "nssf:payable:benefits"
RETURNED_PAYMENTS = "nssf:payable:benefits:returned"
OVERPAYMENTS_RECEIVABLE = "nssf:receivable:benefit_overpayments"

BRANCH_NAMES_LO = {
    Branch.OLD_AGE: "ເງິນອຸດໜູນບຳນານ",
    Branch.INVALIDITY: "ເງິນອຸດໜູນເສຍກຳລັງແຮງງານ ຫຼື ເສຍອົງຄະ",
    Branch.SURVIVORS: "ການອຸດໜູນສະມາຊິກຄອບຄົວ",
    Branch.FUNERAL: "ເງິນອຸດໜູນຊາປະນະກິດສົບ",
    Branch.SICKNESS: "ເງິນອຸດໜູນປ່ວຍການ",
    Branch.MATERNITY: "ເງິນອຸດໜູນອອກລູກ",
    Branch.EMPLOYMENT_INJURY: "ອຸປະຕິເຫດແຮງງານ ແລະ ພະຍາດອາຊີບ",
    Branch.UNEMPLOYMENT: "ເງິນອຸດໜູນວ່າງງານ",
}


def expense_account(branch: str) -> str:
    """The expense account of one branch's benefits."""
    return f"nssf:expense:benefits:{Branch(branch).value}"


BENEFIT_ACCOUNTS = (
    AccountSpec(BENEFITS_PAYABLE, "Benefits payable to beneficiaries", Account.Kind.LIABILITY,
                "ເງິນອຸດໜູນທີ່ຕ້ອງເບີກຈ່າຍ"),
    AccountSpec(RETURNED_PAYMENTS, "Benefit payments returned by banks, owed again",
                Account.Kind.LIABILITY, "ເງິນອຸດໜູນທີ່ທະນາຄານສົ່ງຄືນ"),
    AccountSpec(OVERPAYMENTS_RECEIVABLE, "Benefit overpayments to recover", Account.Kind.ASSET,
                "ເງິນອຸດໜູນທີ່ຈ່າຍເກີນ ຕ້ອງຮຽກຄືນ"),
    *(AccountSpec(expense_account(branch), f"Benefits paid: {branch.label}",
                  Account.Kind.EXPENSE, BRANCH_NAMES_LO[branch]) for branch in Branch),
)


def ensure_benefit_accounts() -> dict[str, Account]:
    ensure_fund_accounts()
    return ensure_accounts(BENEFIT_ACCOUNTS)


def benefit_due_posting(*, ledger_key: str, branch: str, amount: int, due_on: datetime.date,
                        description: str = "") -> Posting:
    """A benefit falls due: the branch's expense, owed to the beneficiaries."""
    return Posting(ledger_key, [Line(expense_account(branch), amount),
                                Line(BENEFITS_PAYABLE, -amount)],
                   kind="nssf.benefit.due", effective_date=due_on, description=description)


def benefit_paid_posting(*, ledger_key: str, amount: int, paid_on: datetime.date,
                         description: str = "") -> Posting:
    """Benefits paid out of the fund's bank account."""
    return Posting(ledger_key, [Line(BENEFITS_PAYABLE, amount), Line(BANK, -amount)],
                   kind="nssf.benefit.paid", effective_date=paid_on, description=description)


def payment_returned_posting(*, ledger_key: str, amount: int, returned_on: datetime.date,
                             description: str = "") -> Posting:
    """A bank sent a benefit payment back: the money is in the bank again and owed again."""
    return Posting(ledger_key, [Line(BANK, amount), Line(RETURNED_PAYMENTS, -amount)],
                   kind="nssf.benefit.returned", effective_date=returned_on,
                   description=description)


def returned_paid_again_posting(*, ledger_key: str, amount: int, paid_on: datetime.date,
                                description: str = "") -> Posting:
    """A returned payment paid again (to corrected bank details)."""
    return Posting(ledger_key, [Line(RETURNED_PAYMENTS, amount), Line(BANK, -amount)],
                   kind="nssf.benefit.repaid", effective_date=paid_on, description=description)


def overpayment_posting(*, ledger_key: str, branch: str, amount: int,
                        established_on: datetime.date, description: str = "") -> Posting:
    """Benefits paid that were not due: to recover from the beneficiary or the estate."""
    return Posting(ledger_key, [Line(OVERPAYMENTS_RECEIVABLE, amount),
                                Line(expense_account(branch), -amount)],
                   kind="nssf.benefit.overpayment", effective_date=established_on,
                   description=description)
