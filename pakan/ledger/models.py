"""Double-entry tables: accounts, postings (transactions) and their entries.

Sign convention: one signed `amount` column in whole kip, debit positive and credit negative.
A posting balances when its entries sum to zero, and an account's balance is the plain sum of its
entries (positive = net debit). One column keeps every check and every balance a single SUM.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")
        EQUITY = "equity", _("Equity")

    code = models.CharField(max_length=120, unique=True)
    name_en = models.CharField(max_length=200)
    name_lo = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Who the account belongs to, without a foreign key to apps that may not exist yet:
    # ("socialsecurity.employer", 123), ("registry.person", 456)...
    owner_type = models.CharField(max_length=60, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)
    # Materialised AdminUnit path ("/LA/01/0101/") for place-scoped reports; blank = national.
    scope_path = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="ledger_account_owner")]

    def __str__(self) -> str:
        return self.code


class Transaction(models.Model):
    """One balanced posting. `key` names what was posted and for which period, so a rerun
    of the same batch finds its earlier work instead of posting it again."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    description = models.CharField(max_length=300, blank=True)
    effective_date = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # One-to-one: the database itself refuses a second reversal of the same posting.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )

    class Meta:
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return self.key


class Entry(models.Model):
    """One line of a posting. Append-only: corrections are reversals, never edits."""

    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(help_text="Whole kip; debit positive, credit negative.")
    # Copied from the transaction so balances "as of" a date and statements read one index.
    effective_date = models.DateField()

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["effective_date", "transaction_id", "id"]
        indexes = [
            models.Index(fields=["account", "effective_date", "transaction"],
                         name="ledger_entry_account_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_entry_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"
