"""The monthly payroll of awards in payment: runs, lines, bank files out and returned files in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pakan.benefits.models.awards import Award, Bank


class PayrollRun(models.Model):
    """One month's payroll. The month is its key: a second run of the same month, or a run after
    a crash, finishes the first and pays nobody twice."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    month = models.DateField(unique=True, help_text=_("First day of the month paid."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lines = models.PositiveIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0, help_text=_("Whole kip."))
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"payroll {self.month:%Y-%m} ({self.status})"


class PayrollLine(models.Model):
    """One award paid in one payroll month: the payroll register's row."""

    class Status(models.TextChoices):
        PAID = "paid", _("Sent to the bank")
        RETURNED = "returned", _("Returned by the bank")
        REPAID = "repaid", _("Paid again")
        CANCELLED = "cancelled", _("Cancelled")

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="payroll_lines")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payroll_lines",
                              db_index=False)
    beneficiary = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                                    related_name="+", db_index=False)
    branch = models.CharField(max_length=20)
    amount = models.BigIntegerField(help_text=_("Whole kip."))
    bank = models.CharField(max_length=4, choices=Bank.choices)
    bank_account = models.CharField(max_length=34, blank=True)
    # The reference printed in the bank file and expected back in a returned-payment file.
    reference = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PAID)
    status_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run", "bank", "id"]
        indexes = [models.Index(fields=["award", "run"], name="payroll_line_award")]
        constraints = [
            models.UniqueConstraint(fields=["run", "award"], name="payroll_line_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payroll_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} ({self.status})"


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
    """A file of returned or failed payments a bank sent back; read once (by its hash)."""

    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField()
    matched = models.PositiveIntegerField()
    # Rows that could not be reconciled, each with its row number and reason in both languages.
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.matched}/{self.rows})"
