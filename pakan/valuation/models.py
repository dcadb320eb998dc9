"""The actuarial work's tables: data extracts from the live fund, named scenarios, and runs.

The numbers themselves are computed by the pure package `pakan.actuarial`; this app stores what
went in and what came out, so any run can be reproduced: the scenario's assumptions as they were,
the extract it started from, and the code's version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ValuationExtract(models.Model):
    """The insured and pensioners as the fund holds them on a valuation date, without names or
    ids (age, sex, category, months contributed, wages, pensions in payment), and their experience
    statistics (contribution density, entry and exit rates, new pensions by age)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    valuation_date = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    insured = models.PositiveIntegerField(default=0)
    pensioners = models.PositiveIntegerField(default=0)
    # The arrays, as a numpy .npz file, and its hash: the run that used it can be re-run on
    # exactly the same numbers even after the live fund has moved on.
    data_file = models.FileField(upload_to="valuation/extracts/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    statistics = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The background job making it (its progress bar), when it was started from a page.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")

    class Meta:
        ordering = ["-valuation_date", "-id"]

    def __str__(self) -> str:
        return f"extract {self.valuation_date} ({self.status})"


class Scenario(models.Model):
    """A named set of assumptions: a base (the Lao base assumptions of the code) and the
    overrides an actuary chose (a contribution rate, the ceiling, the pension age...)."""

    class Kind(models.TextChoices):
        FUND = "fund", _("Valuation of the social security fund")
        COSTING = "costing", _("Costing of social protection floor benefits")

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    description = models.TextField(blank=True)
    overrides = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ValuationRun(models.Model):
    """One run of a scenario, stored with everything needed to reproduce it."""

    class Kind(models.TextChoices):
        DETERMINISTIC = "deterministic", _("Deterministic projection")
        STOCHASTIC = "stochastic", _("Stochastic runs")
        COSTING = "costing", _("Costing")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="runs")
    extract = models.ForeignKey(ValuationExtract, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(max_length=13, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # The scenario's assumptions as they were when the run started (the scenario may change
    # later), the run's own settings (horizon, number of runs, seed), and the code's version.
    assumptions = models.JSONField(default=dict)
    run_settings = models.JSONField(default=dict, blank=True)
    code_version = models.JSONField(default=dict)
    summary = models.JSONField(default=dict, blank=True)
    results_file = models.FileField(upload_to="valuation/runs/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The background job that computes it (progress bar), the run it repeats (a re-run), and
    # the hash of its results file, so a re-run can say whether it gave the same numbers.
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reruns")
    results_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="costing") | Q(extract__isnull=True),
                                   name="valuation_costing_needs_no_extract"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} {self.kind} ({self.status})"
