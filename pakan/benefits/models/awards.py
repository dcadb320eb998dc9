"""Awards: what an approved claim pays, to whom, from when to when, and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pakan.benefits.models.claims import Bank, Branch

__all__ = ["Award", "AwardAmount", "AwardStatusChange", "Bank", "Recovery"]


class Award(models.Model):
    """One beneficiary's benefit from one decided claim.

    A periodic award is paid every month from `start_on` to `end_on` (open-ended for a pension)
    while it is in payment; its amount per month is the `AwardAmount` valid that month, so an
    indexation adds a dated amount and never rewrites the old one. A lump sum is paid once.
    `explanation` is the rules' reasoning as decided (months counted, the wages that made the
    reference wage, the parameter values with their dates and references, the rules' version),
    kept so the decision can be checked again years later.
    """

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Monthly")
        LUMP_SUM = "lump_sum", _("Lump sum")

    class Status(models.TextChoices):
        IN_PAYMENT = "in_payment", _("In payment")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    claim = models.ForeignKey("benefits.Claim", on_delete=models.PROTECT, related_name="awards")
    member = models.ForeignKey("socialsecurity.InsuredMember", on_delete=models.PROTECT,
                               related_name="awards")
    beneficiary = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                                    related_name="benefit_awards")
    branch = models.CharField(max_length=20, choices=Branch.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    lump_sum_amount = models.BigIntegerField(default=0, help_text=_("Whole kip."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_PAYMENT)
    status_since = models.DateField()
    explanation = models.JSONField(default=dict)
    rules_version = models.CharField(max_length=40)
    bank = models.CharField(max_length=4, choices=Bank.choices, default=Bank.CASH)
    bank_account = models.CharField(max_length=34, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["beneficiary", "start_on", "id"]
        indexes = [
            models.Index(fields=["status", "kind", "start_on"], name="award_payable"),
            models.Index(fields=["beneficiary"], name="award_beneficiary"),
            models.Index(fields=["member", "branch"], name="award_member_branch"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=F(
                "start_on")), name="award_end_after_start"),
            models.CheckConstraint(condition=Q(lump_sum_amount__gte=0),
                                   name="award_lump_sum_not_negative"),
            models.CheckConstraint(condition=Q(kind="periodic") | Q(lump_sum_amount__gt=0),
                                   name="award_lump_sum_has_amount"),
            models.CheckConstraint(condition=Q(bank="CASH") | ~Q(bank_account=""),
                                   name="award_bank_has_account"),
        ]

    def __str__(self) -> str:
        return f"award {self.pk} {self.branch} to {self.beneficiary_id} ({self.status})"


class AwardAmount(models.Model):
    """A periodic award's monthly amount from a date on: the first at the decision, then one per
    indexation or re-decision. The amount for a month is the latest one starting on or before
    the month's first day."""

    class Reason(models.TextChoices):
        DECISION = "decision", _("Decision")
        INDEXATION = "indexation", _("Indexation")
        REDECISION = "redecision", _("Decided again")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="amounts")
    effective_from = models.DateField()
    monthly_amount = models.BigIntegerField(help_text=_("Whole kip per month."))
    reason = models.CharField(max_length=10, choices=Reason.choices)
    # The parameter entry an indexation applied (name and start date), or the re-decision's claim
    # step, so an amount can always be traced to what made it.
    source = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["award", "effective_from"],
                                    name="award_amount_once_per_date"),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0),
                                   name="award_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.award_id} from {self.effective_from}: {self.monthly_amount}"


class AwardStatusChange(models.Model):
    """Every suspension, resumption and end of an award, with its reason and who did it
    (None when the system did it, e.g. after a death recorded in the registry)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=10, choices=Award.Status.choices)
    effective_on = models.DateField()
    reason = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.award_id} {self.status} on {self.effective_on}"


class Recovery(models.Model):
    """Benefits paid for months that were not due (after a death, say), to be recovered."""

    class Status(models.TextChoices):
        OPEN = "open", _("To recover")
        RECOVERED = "recovered", _("Recovered")
        WRITTEN_OFF = "written_off", _("Written off")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="recoveries")
    amount = models.BigIntegerField(help_text=_("Whole kip."))
    first_month = models.DateField()
    last_month = models.DateField()
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    established_on = models.DateField()
    ledger_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "first_month"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(condition=Q(last_month__gte=F("first_month")),
                                   name="recovery_months_in_order"),
        ]

    def __str__(self) -> str:
        return f"recovery {self.pk} of award {self.award_id}: {self.amount}"
