"""Collecting contributions: billing runs, invoices, payments and what they settle, bank statement
files, instalment agreements.

Money moves only in the ledger (pakan.ledger): every invoice and every payment is one balanced
posting there, named by `ledger_key`, and an employer's balance is the sum of its postings. The
tables here say *which* invoice a payment settled (Allocation), so arrears can be aged and a
statement explained; they never hold a balance of their own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BillingRun(models.Model):
    """One run that bills a whole month. Its key is (kind, month): a second start finds it."""

    class Kind(models.TextChoices):
        CONTRIBUTIONS = "contributions", _("Employers' contributions")
        VOLUNTARY = "voluntary", _("Voluntary members' contributions")
        SURCHARGE = "surcharge", _("Late-payment surcharge")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=14, choices=Kind.choices)
    month = models.DateField(help_text=_("First day of the billed month."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    number_of_invoices = models.PositiveIntegerField(default=0)
    number_of_workers = models.PositiveIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0)
    # The dated legal values the run used:
    # {"name": {"value": ..., "start": ..., "provisional": bool}}
    parameters_used = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "month"], name="billing_run_kind_month"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month:%Y-%m} ({self.status})"


class Invoice(models.Model):
    """What one debtor owes for one month: an employer (contributions, corrections, assessments,
    surcharges) or a voluntary member. `total` is what the debtor owes; a voluntary member's state
    subsidy is billed to the state beside it, in `state_subsidy`. A surcharge carries its whole
    amount in `employer_amount` (or `insured_amount` for a voluntary member's)."""

    class Kind(models.TextChoices):
        CONTRIBUTION = "contribution", _("Monthly contributions")
        CORRECTION = "correction", _("Correction of a declaration")
        ASSESSMENT = "assessment", _("Assessment after inspection")
        VOLUNTARY = "voluntary", _("Voluntary contribution")
        SURCHARGE = "surcharge", _("Late-payment surcharge")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    # No single-column indexes where a composite or partial one below serves the look-ups:
    # settling an invoice rewrites every index entry of the row, and a bank statement settles
    # tens of thousands at once (docs/social-security-payments.md).
    # No foreign-key constraints in the database on the four columns a month's billing fills
    # (employer, village, declaration, run): checking them costs four row look-ups and locks per
    # invoice at commit, 200,000 for a month. Invoices are written only by
    # services.invoicing, from the rows they name, read in the same transaction; Django still
    # refuses to delete a row an invoice names (on_delete=PROTECT is enforced by the ORM).
    employer = models.ForeignKey("socialsecurity.Employer", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="invoices",
                                 db_index=False, db_constraint=False)
    member = models.ForeignKey("socialsecurity.InsuredMember", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="invoices", db_index=False)
    # The debtor's village, copied at billing: scope and arrears by province read one column.
    village = models.ForeignKey("registry.AdminUnit", on_delete=models.PROTECT,
                                related_name="+", db_constraint=False)
    month = models.DateField(help_text=_("First day of the contribution month."))
    declaration = models.OneToOneField("socialsecurity.Declaration", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="invoice",
                                       db_constraint=False)
    billing_run = models.ForeignKey(BillingRun, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="invoices", db_constraint=False)
    inspection = models.ForeignKey("socialsecurity.Inspection", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="assessments",
                                   db_index=False)
    surcharge_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="surcharges", db_index=False)
    number_of_workers = models.PositiveIntegerField(default=0)
    insured_amount = models.BigIntegerField(default=0)
    employer_amount = models.BigIntegerField(default=0)
    state_subsidy = models.BigIntegerField(default=0)
    total = models.BigIntegerField()
    issued_on = models.DateField()
    due_on = models.DateField()
    # Set when allocations cover the whole total; open invoices are the ones without it.
    settled_on = models.DateField(null=True, blank=True)
    ledger_key = models.CharField(max_length=200)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["employer", "due_on"], name="invoice_employer_due"),
            models.Index(fields=["member", "due_on"], name="invoice_member_due"),
            models.Index(fields=["month", "kind"], name="invoice_month_kind"),
            models.Index(fields=["due_on"], condition=Q(settled_on__isnull=True),
                         name="invoice_open_due"),
            # Few invoices are assessments or surcharges: partial indexes skip the rest.
            models.Index(fields=["inspection"], condition=Q(inspection__isnull=False),
                         name="invoice_inspection"),
            models.Index(fields=["surcharge_of"], condition=Q(surcharge_of__isnull=False),
                         name="invoice_surcharge_of"),
        ]
        constraints = [
            # A constraint rather than unique=True: the same uniqueness without the second,
            # pattern-matching index PostgreSQL gets for a unique text column.
            models.UniqueConstraint(fields=["ledger_key"], name="invoice_ledger_key_unique"),
            models.CheckConstraint(
                condition=Q(employer__isnull=False) | Q(member__isnull=False),
                name="invoice_has_debtor"),
            models.CheckConstraint(
                condition=Q(total=F("insured_amount") + F("employer_amount")),
                name="invoice_total_is_sum_of_shares"),
            # Only a correction may lower what is owed (a credit note).
            models.CheckConstraint(condition=Q(total__gte=0) | Q(kind="correction"),
                                   name="invoice_total_not_negative"),
            models.UniqueConstraint(fields=["employer", "month"],
                                    condition=Q(kind="contribution"),
                                    name="invoice_one_contribution_per_employer_month"),
            models.UniqueConstraint(fields=["member", "month"], condition=Q(kind="voluntary"),
                                    name="invoice_one_voluntary_per_member_month"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The number printed on the invoice and quoted by payers: kind letter, month, id."""
        return f"{self.kind[0].upper()}{self.month:%Y%m}-{self.pk:08d}"


class BankStatement(models.Model):
    """One imported bank statement file. The same file (by content) is recognised, never
    imported twice."""

    bank = models.CharField(max_length=60)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, unique=True)
    statement_date = models.DateField(null=True, blank=True)
    number_of_lines = models.PositiveIntegerField(default=0)
    total_amount = models.BigIntegerField(default=0)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.bank} {self.file_name}"


class Payment(models.Model):
    """Money received. An identified payment is the payer's (employer or voluntary member); one
    whose reference matches nobody is held as unidentified (in a suspense account) until an
    officer assigns it. Whatever it does not settle stays on the payer's account as a credit."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CASH = "cash", _("Cash at the office")
        CHEQUE = "cheque", _("Cheque")
        MOBILE_MONEY = "mobile_money", _("Mobile money")

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        UNIDENTIFIED = "unidentified", _("Unidentified: held in suspense")
        REVERSED = "reversed", _("Reversed")

    employer = models.ForeignKey("socialsecurity.Employer", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="payments")
    member = models.ForeignKey("socialsecurity.InsuredMember", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="payments")
    # The payer's village, for scope; blank while the payer is unknown.
    village = models.ForeignKey("registry.AdminUnit", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    received_on = models.DateField()
    method = models.CharField(max_length=14, choices=Method.choices)
    # What the payer wrote: an invoice number, an NSSF registration or social security number.
    payer_reference = models.CharField(max_length=100, blank=True)
    bank = models.CharField(max_length=60, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    bank_statement = models.ForeignKey(BankStatement, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="payments")
    statement_line = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    ledger_key = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["employer", "received_on"], name="payment_employer_received"),
            models.Index(fields=["member", "received_on"], name="payment_member_received"),
            models.Index(fields=["status"], name="payment_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="unidentified") | Q(employer__isnull=False)
                | Q(member__isnull=False),
                name="payment_identified_has_payer"),
            models.UniqueConstraint(fields=["bank_statement", "statement_line"],
                                    name="payment_statement_line_once"),
            # The same bank transaction in two different files is one payment.
            models.UniqueConstraint(fields=["bank", "bank_reference"],
                                    condition=~Q(bank_reference=""),
                                    name="payment_bank_reference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount:,} kip"


class Allocation(models.Model):
    """Part of a payment (or of a credit note) that settles part of an invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    # No index of their own: allocation_payment and allocation_credit_note below are the same
    # indexes, and every index more is written for each of a statement's ~60,000 allocations.
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="allocations", db_index=False)
    credit_note = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="credit_allocations", db_index=False)
    amount = models.BigIntegerField()
    allocated_on = models.DateField()

    class Meta:
        ordering = ["invoice", "allocated_on", "id"]
        indexes = [
            models.Index(fields=["payment"], name="allocation_payment"),
            models.Index(fields=["credit_note"], name="allocation_credit_note"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_note__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_note__isnull=False)),
                name="allocation_one_source"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:,} kip to invoice {self.invoice_id}"


class InstalmentAgreement(models.Model):
    """An agreement to pay an employer's arrears in instalments, with its own schedule. While it
    is kept, the covered invoices bear no surcharge; a missed instalment defaults it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        DEFAULTED = "defaulted", _("Defaulted")
        CANCELLED = "cancelled", _("Cancelled")

    employer = models.ForeignKey("socialsecurity.Employer", on_delete=models.PROTECT,
                                 related_name="instalment_agreements")
    invoices = models.ManyToManyField(Invoice, related_name="instalment_agreements")
    agreed_on = models.DateField()
    total_amount = models.BigIntegerField()
    number_of_instalments = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-agreed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gt=0),
                                   name="instalment_agreement_total_positive"),
            models.CheckConstraint(condition=Q(number_of_instalments__gte=1),
                                   name="instalment_agreement_at_least_one"),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.total_amount:,} kip in {self.number_of_instalments}"


class Instalment(models.Model):
    agreement = models.ForeignKey(InstalmentAgreement, on_delete=models.CASCADE,
                                  related_name="instalments")
    sequence = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.BigIntegerField()

    class Meta:
        ordering = ["agreement", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "sequence"],
                                    name="instalment_sequence_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} #{self.sequence} {self.due_on}"
