"""The National Social Protection Strategy (NSPS) as data.

Every text a person reads is stored twice, `<field>_en` and `<field>_lo`. English comes from the
framework file; Lao stays blank until a Lao-speaking editor enters it in the admin (the public
pages then show the English with a visible marker). Goals and activities carry stable codes
("G1", "G1.A1") so that indicators, targets and progress reports can point at them by foreign key
and people can still name them in a spreadsheet.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

GOAL_CODE_PATTERN = r"^G[1-9][0-9]*$"
ACTIVITY_CODE_PATTERN = r"^G[1-9][0-9]*\.A[1-9][0-9]*$"


class Pillar(models.TextChoices):
    """The three pillars of the strategy; each goal develops one of them."""

    HEALTH_INSURANCE = "health_insurance", _("Health insurance")
    SOCIAL_SECURITY = "social_security", _("Social security")
    SOCIAL_WELFARE = "social_welfare", _("Social welfare")


class Strategy(models.Model):
    """One strategy document; renewed for a new period rather than replaced."""

    code = models.CharField(max_length=20, unique=True)
    title_en = models.CharField("title (English)", max_length=200)
    title_lo = models.CharField("title (Lao)", max_length=200, blank=True)
    period_start = models.PositiveSmallIntegerField("first year")
    period_end = models.PositiveSmallIntegerField("last year")
    next_period_start = models.PositiveSmallIntegerField(
        "next period, first year", null=True, blank=True
    )
    next_period_end = models.PositiveSmallIntegerField(
        "next period, last year", null=True, blank=True
    )
    vision_en = models.TextField("vision (English)")
    vision_lo = models.TextField("vision (Lao)", blank=True)
    coordinator_en = models.TextField("coordinator (English)")
    coordinator_lo = models.TextField("coordinator (Lao)", blank=True)
    local_committees_en = models.TextField("local committees (English)")
    local_committees_lo = models.TextField("local committees (Lao)", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "strategies"
        ordering = ["-period_start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="strategy_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.period_start}-{self.period_end}"


class Principle(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="principles")
    code = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField("name (English)", max_length=120)
    name_lo = models.CharField("name (Lao)", max_length=120, blank=True)

    class Meta:
        ordering = ["strategy", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="principle_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name_en


class Institution(models.Model):
    """A ministry or organisation that carries out part of the strategy.

    `code` is a slug of the English name at first load; it never changes afterwards, so an admin
    may correct the names without the loader creating a second institution.
    """

    code = models.SlugField(max_length=120, unique=True)
    name_en = models.CharField("name (English)", max_length=200)
    name_lo = models.CharField("name (Lao)", max_length=200, blank=True)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en


class Goal(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="goals")
    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(GOAL_CODE_PATTERN)],
        help_text="Stable code such as G1; indicators and reports refer to it.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    pillar = models.CharField(max_length=30, choices=Pillar.choices)
    title_en = models.CharField("title (English)", max_length=300)
    title_lo = models.CharField("title (Lao)", max_length=300, blank=True)
    aim_en = models.TextField("aim (English)")
    aim_lo = models.TextField("aim (Lao)", blank=True)
    outcome_en = models.TextField("outcome (English)")
    outcome_lo = models.TextField("outcome (Lao)", blank=True)
    responsible_institutions = models.ManyToManyField(
        Institution, through="GoalResponsibility", related_name="goals"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title_en}"


class GoalResponsibility(models.Model):
    """An institution responsible for a goal; `position` keeps the strategy's order (lead first)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="responsibilities")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="responsibilities"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "responsible institution"
        ordering = ["goal", "position", "institution__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "institution"], name="goal_responsibility_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal.code}: {self.institution.name_en}"


class Activity(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="activities")
    code = models.CharField(
        max_length=16,
        unique=True,
        validators=[RegexValidator(ACTIVITY_CODE_PATTERN)],
        help_text="Stable code such as G1.A1; indicators and reports refer to it.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    title_en = models.CharField("title (English)", max_length=300)
    title_lo = models.CharField("title (Lao)", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["goal__position", "position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title_en}"


class Challenge(models.Model):
    """A difficulty the strategy names; the secretariat will follow each one."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="challenges")
    code = models.CharField(max_length=10)
    position = models.PositiveSmallIntegerField(default=0)
    title_en = models.CharField("title (English)", max_length=300)
    title_lo = models.CharField("title (Lao)", max_length=300, blank=True)

    class Meta:
        ordering = ["strategy", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="challenge_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_en}"
