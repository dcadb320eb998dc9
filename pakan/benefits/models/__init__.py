"""The benefits' tables, one module per part of the work:

- claims: a claim for a benefit of one branch, its documents, every step taken on it, and the
  notifications sent about it;
- awards: what a decided claim pays (periodic or lump sum), its dated amounts (indexation), its
  status history and any overpayment to recover;
- payroll: the monthly pension payroll run, its lines, the bank payment files it wrote and the
  returned-payment files read back.
"""

from pakan.benefits.models.awards import Award, AwardAmount, AwardStatusChange, Recovery
from pakan.benefits.models.claims import (
    Bank,
    Branch,
    Claim,
    ClaimDocument,
    ClaimStep,
    Notification,
    RejectionReason,
)
from pakan.benefits.models.payroll import (
    BankPaymentFile,
    PayrollLine,
    PayrollRun,
    ReturnedPaymentFile,
)

__all__ = [
    "Award", "AwardAmount", "AwardStatusChange", "Bank", "BankPaymentFile", "Branch", "Claim",
    "ClaimDocument", "ClaimStep", "Notification", "PayrollLine", "PayrollRun", "Recovery",
    "RejectionReason", "ReturnedPaymentFile",
]
