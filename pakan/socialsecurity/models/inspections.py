"""Compliance and inspections: the Ministry of Industry and Commerce enterprise register (to find
enterprises with no social security registration), risk scores, inspection plans, visits,
findings, and the history of each case through to closure. A finding becomes an assessment: an
Invoice of kind 'assessment' that points back to its inspection.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pakan.socialsecurity.models.register import Sector


class EnterpriseRegisterEntry(models.Model):
    """An enterprise as the Ministry of Industry and Commerce registers it, imported from its
    register file. Matched to Employer by enterprise_number."""

    enterprise_number = models.CharField(max_length=20, unique=True)
    name_lo = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=1, choices=Sector.choices)
    number_of_workers = models.PositiveIntegerField(default=0)
    village = models.ForeignKey("registry.AdminUnit", on_delete=models.PROTECT,
                                related_name="+")
    registered_on = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enterprise_number"]

    def __str__(self) -> str:
        return f"{self.enterprise_number} {self.name_lo}"


class RiskScore(models.Model):
    """An enterprise's compliance risk on a day, 0 (none) to 100, with the signals behind it."""

    employer = models.ForeignKey("socialsecurity.Employer", on_delete=models.CASCADE,
                                 related_name="risk_scores")
    computed_on = models.DateField()
    score = models.PositiveSmallIntegerField()
    # {"stopped_declaring": 1, "vanished_workers": 3, "wage_drop": 0.4, "sector": "F", ...}
    signals = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_on", "-score"]
        indexes = [models.Index(fields=["computed_on", "score"], name="risk_day_score")]
        constraints = [
            models.UniqueConstraint(fields=["employer", "computed_on"],
                                    name="risk_once_per_employer_day"),
            models.CheckConstraint(condition=Q(score__lte=100), name="risk_score_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.computed_on}: {self.score}"


class InspectionPlan(models.Model):
    """A province's (or district's) inspection plan for a period, drawn from the risk ranking."""

    name = models.CharField(max_length=200)
    place = models.ForeignKey("registry.AdminUnit", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="inspection_plan_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        VISITED = "visited", _("Visited")
        ASSESSED = "assessed", _("Assessed")
        CLOSED = "closed", _("Closed")

    employer = models.ForeignKey("socialsecurity.Employer", on_delete=models.PROTECT,
                                 related_name="inspections")
    plan = models.ForeignKey(InspectionPlan, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    risk_score = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    planned_on = models.DateField()
    visited_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    visit_notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        indexes = [
            models.Index(fields=["status", "planned_on"], name="inspection_status_planned"),
            models.Index(fields=["employer", "planned_on"], name="inspection_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.planned_on} ({self.status})"


class InspectionFinding(models.Model):
    """What the inspector found: a worker who was not declared, or a wage declared too low,
    over a run of months. Assessing turns findings into back contributions."""

    class Kind(models.TextChoices):
        UNDECLARED_WORKER = "undeclared_worker", _("Undeclared worker")
        UNDER_DECLARED_WAGE = "under_declared_wage", _("Under-declared wage")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="findings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    member = models.ForeignKey("socialsecurity.InsuredMember", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    first_month = models.DateField()
    last_month = models.DateField()
    declared_wage = models.BigIntegerField(default=0)
    actual_wage = models.BigIntegerField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(last_month__gte=F("first_month")),
                                   name="finding_last_after_first"),
            models.CheckConstraint(condition=Q(actual_wage__gt=F("declared_wage")),
                                   name="finding_actual_above_declared"),
            models.CheckConstraint(condition=Q(member__isnull=False) | Q(person__isnull=False),
                                   name="finding_names_a_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.kind}"


class InspectionStatusChange(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE,
                                   related_name="status_changes")
    status = models.CharField(max_length=10, choices=Inspection.Status.choices)
    effective_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["inspection", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.status} {self.effective_on}"
