"""The monthly payroll of awards in payment: runs, lines, bank files out and returned files in,
and the pension indexations applied.

How a run works is in pakan.benefits.services.payroll and docs/benefits-payroll.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pakan.benefits.models.awards import Award, Bank


class PayrollRun(models.Model):
    """One month's payroll. The month is its key: a second run of the same month, or a run after
    a crash, finishes the first and pays nobody twice. A finished run is closed: calling it again
    changes nothing."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    month = models.DateField(unique=True, help_text=_("First day of the month paid."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    paid_on = models.DateField(null=True, blank=True,
                               help_text=_("The day the bank files pay; dates the postings."))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The month's payroll: the lines that pay the month.
    lines = models.PositiveIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0, help_text=_("Whole kip."))
    # Returned payments of earlier months paid again through this run's bank files.
    repaid_lines = models.PositiveIntegerField(default=0)
    repaid_amount = models.BigIntegerField(default=0, help_text=_("Whole kip."))
    # The national payroll register as the run wrote it (every line, with the totals).
    register_csv = models.FileField(upload_to="payroll/%Y/%m/", blank=True)
    register_xlsx = models.FileField(upload_to="payroll/%Y/%m/", blank=True)
    # Indexation dates this run applied before paying (pakan.benefits.services.indexation).
    indexations_applied = models.JSONField(default=list, blank=True)
    # Set, with the month's postings of benefits due, when every line is written: from then on
    # the lines are the ledger's sub-ledger and a later call adds none.
    lines_complete = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"payroll {self.month:%Y-%m} ({self.status})"


class PayrollLine(models.Model):
    """One award paid in one payroll month: the payroll register's row, and the sub-ledger of the
    run's postings (benefits due per branch, paid per bank).

    Its life: paid (sent to the bank) -> returned (the bank sent it back) -> repaid (paid again
    to corrected bank details, through a later run's bank files, `repaid_in`, or by an officer
    outside the payroll) -> returned again if that payment bounces too, and so on. The line stays
    in the month it pays; `returns` counts the times it came back."""

    class Status(models.TextChoices):
        PAID = "paid", _("Sent to the bank")
        RETURNED = "returned", _("Returned by the bank")
        REPAID = "repaid", _("Paid again")
        CANCELLED = "cancelled", _("Cancelled")

    # A national run writes 100,000 lines at once, so a line carries the least it can
    # (docs/benefits-payroll.md), as the contribution record does:
    # - few indexes: the run is found through the unique (run, award), the award through
    #   (award, run), the reference through both; the optional links below have partial
    #   indexes on their values only;
    # - no foreign-key constraints in the database: checking them locks each referenced row
    #   once per line, and even a constraint on a column the insert leaves empty (returned_file,
    #   repaid_in) queues a check per line, run at commit (a fifth of a second for 100,000
    #   lines). Lines are only written by the payroll's INSERT ... SELECT from the awards, people
    #   and villages it reads in the same statement, and the optional links are only set by the
    #   returned-payment services to the file or run they hold; Django still refuses to delete
    #   what a line refers to (on_delete=PROTECT).
    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="payroll_lines",
                            db_index=False, db_constraint=False)
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payroll_lines",
                              db_index=False, db_constraint=False)
    beneficiary = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                                    related_name="+", db_index=False, db_constraint=False)
    # The beneficiary's village when the line was written: the register's province and district,
    # and the scope a provincial officer reads the register in.
    village = models.ForeignKey("registry.AdminUnit", on_delete=models.PROTECT, related_name="+",
                                db_index=False, db_constraint=False)
    branch = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=Award.Kind.choices,
                            default=Award.Kind.PERIODIC)
    # For a periodic award: the monthly amount applied and the days of the month paid (all of
    # them in a full month; fewer in a first or last month, paid pro rata).
    monthly_amount = models.BigIntegerField(default=0, help_text=_("Whole kip."))
    days_paid = models.PositiveSmallIntegerField(default=0)
    amount = models.BigIntegerField(help_text=_("Whole kip."))
    bank = models.CharField(max_length=4, choices=Bank.choices)
    bank_account = models.CharField(max_length=34, blank=True)
    # The reference printed in the bank file and expected back in a returned-payment file:
    # PR<yyyymm>-<award id>, unique by construction (one line per run and award, one run per
    # month), so it needs no index of its own: a returned file's reference is read back into
    # its month and award (services.payroll.parse_reference) and found through (run, award).
    reference = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    status_reason = models.CharField(max_length=300, blank=True)
    status_changed_on = models.DateField(null=True, blank=True)
    returns = models.PositiveSmallIntegerField(default=0)
    returned_file = models.ForeignKey("benefits.ReturnedPaymentFile", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="returned_lines",
                                      db_index=False, db_constraint=False)
    repaid_in = models.ForeignKey(PayrollRun, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="repayments", db_index=False,
                                  db_constraint=False)
    repaid_bank = models.CharField(max_length=4, choices=Bank.choices, blank=True)
    repaid_bank_account = models.CharField(max_length=34, blank=True)

    class Meta:
        ordering = ["run", "bank", "id"]
        indexes = [
            models.Index(fields=["award", "run"], name="payroll_line_award"),
            models.Index(fields=["status"], name="payroll_line_returned",
                         condition=Q(status="returned")),
            models.Index(fields=["repaid_in"], name="payroll_line_repaid_in",
                         condition=Q(repaid_in__isnull=False)),
            models.Index(fields=["returned_file"], name="payroll_line_returned_file",
                         condition=Q(returned_file__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "award"], name="payroll_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payroll_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} ({self.status})"

    @property
    def sent_bank(self) -> str:
        """The bank the payment last went to (the corrected one once it was paid again)."""
        return self.repaid_bank or self.bank

    @property
    def sent_bank_account(self) -> str:
        return self.repaid_bank_account if self.repaid_bank else self.bank_account


class BankPaymentFile(models.Model):
    """The payment file written for one bank in one payroll run, with its totals."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="bank_files")
    bank = models.CharField(max_length=4, choices=Bank.choices)
    file = models.FileField(upload_to="payroll/%Y/%m/")
    lines = models.PositiveIntegerField()
    total_amount = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "bank"]
        constraints = [models.UniqueConstraint(fields=["run", "bank"],
                                               name="bank_payment_file_once")]

    def __str__(self) -> str:
        return f"{self.run} {self.bank}: {self.lines} lines, {self.total_amount}"


class ReturnedPaymentFile(models.Model):
    """A file of returned or failed payments a bank sent back; read once (by its hash). Rows
    that match a paid line are applied; the others are held in `report` with their reason."""

    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    returned_on = models.DateField(null=True, blank=True,
                                   help_text=_("The day the money came back; dates the postings."))
    rows = models.PositiveIntegerField()
    matched = models.PositiveIntegerField()
    matched_amount = models.BigIntegerField(default=0, help_text=_("Whole kip."))
    # Rows that could not be reconciled, each with its row number and reason in both languages.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.matched}/{self.rows})"


class PensionIndexation(models.Model):
    """One dated entry of social_security.benefits.pension_indexation applied to the pensions in
    payment. Its date is its key: applying it again adds nothing."""

    effective_on = models.DateField(unique=True)
    rate = models.CharField(max_length=20, help_text=_("The rate as the parameter gives it."))
    source = models.JSONField(default=dict, blank=True)
    awards_indexed = models.PositiveIntegerField(default=0)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_on"]

    def __str__(self) -> str:
        return f"indexation {self.effective_on} {self.rate} ({self.awards_indexed} awards)"
