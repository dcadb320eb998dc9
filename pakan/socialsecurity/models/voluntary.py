"""Voluntary and self-employed members: enrolment at a declared income class, lapse after too
many unpaid months (pakan.rules: social_security.voluntary.lapse_months) and reinstatement.
The member's category on those dates is a 'voluntary' membership spell (register.MembershipSpell);
this table adds what only voluntary members have.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class VoluntaryEnrolment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")
        ENDED = "ended", _("Ended")

    class Occupation(models.TextChoices):
        SELF_EMPLOYED = "self_employed", _("Self-employed")
        INFORMAL_WORKER = "informal_worker", _("Informal worker")
        FORMER_EMPLOYEE = "former_employee", _("Former employee continuing voluntarily")
        OTHER = "other", _("Other")

    member = models.ForeignKey("socialsecurity.InsuredMember", on_delete=models.PROTECT,
                               related_name="voluntary_enrolments")
    membership_spell = models.OneToOneField("socialsecurity.MembershipSpell",
                                            on_delete=models.PROTECT,
                                            related_name="voluntary_enrolment")
    occupation = models.CharField(max_length=16, choices=Occupation.choices)
    declared_income = models.BigIntegerField(help_text=_("Income class, whole kip per month."))
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["member", "-start_on"]
        indexes = [models.Index(fields=["status"], name="voluntary_status")]
        constraints = [
            models.CheckConstraint(condition=Q(declared_income__gt=0),
                                   name="voluntary_income_positive"),
            models.UniqueConstraint(fields=["member"], condition=~Q(status="ended"),
                                    name="voluntary_one_open_enrolment"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} voluntary {self.declared_income:,} ({self.status})"


class VoluntaryStatusChange(models.Model):
    """The history of an enrolment: enrolled, income class changed, lapsed, reinstated, ended."""

    class Event(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        INCOME_CHANGED = "income_changed", _("Income class changed")
        LAPSED = "lapsed", _("Lapsed")
        REINSTATED = "reinstated", _("Reinstated")
        ENDED = "ended", _("Ended")

    enrolment = models.ForeignKey(VoluntaryEnrolment, on_delete=models.CASCADE,
                                  related_name="status_changes")
    event = models.CharField(max_length=16, choices=Event.choices)
    effective_on = models.DateField()
    declared_income = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enrolment", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.event} {self.effective_on}"
