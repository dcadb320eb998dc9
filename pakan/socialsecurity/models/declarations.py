"""The employers' monthly declarations: which insured workers they employed in a month, at what
wage. A declaration is accepted whole or refused whole; a correction is a new declaration that
supersedes the accepted one, never an edit. Refused declarations are kept with their row-by-row
report, so the employer and the officer see what was tried and why it was refused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Declaration(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        SUPERSEDED = "superseded", _("Superseded by a correction")
        REFUSED = "refused", _("Refused")

    class Channel(models.TextChoices):
        UPLOAD = "upload", _("File upload")
        FORM = "form", _("Form")
        API = "api", _("API")

    employer = models.ForeignKey("socialsecurity.Employer", on_delete=models.PROTECT,
                                 related_name="declarations")
    month = models.DateField(help_text=_("First day of the declared month."))
    status = models.CharField(max_length=10, choices=Status.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    # The accepted declaration this one corrects; set only on accepted corrections.
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    number_of_lines = models.PositiveIntegerField(default=0)
    total_wages = models.BigIntegerField(default=0, help_text=_("Whole kip."))
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    # Refused declarations: [{"row": 3, "field": "monthly_wage", "code": ..., "en": ..., "lo": ...}]
    errors = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "employer", "-submitted_at"]
        indexes = [
            models.Index(fields=["month", "status"], name="declaration_month_status"),
            models.Index(fields=["employer", "month"], name="declaration_employer_month"),
        ]
        constraints = [
            # At most one current (accepted) declaration per employer and month.
            models.UniqueConstraint(fields=["employer", "month"],
                                    condition=Q(status="accepted"),
                                    name="declaration_one_accepted_per_month"),
            models.CheckConstraint(condition=Q(total_wages__gte=0),
                                   name="declaration_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.month:%Y-%m} {self.status}"


class DeclarationLine(models.Model):
    """One worker on an accepted declaration. Refused declarations keep no lines."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField()
    member = models.ForeignKey("socialsecurity.InsuredMember", on_delete=models.PROTECT,
                               related_name="declaration_lines")
    monthly_wage = models.BigIntegerField(help_text=_("Whole kip for the month."))

    class Meta:
        ordering = ["declaration", "line_number"]
        indexes = [models.Index(fields=["member"], name="declaration_line_member")]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "member"],
                                    name="declaration_line_member_once"),
            models.CheckConstraint(condition=Q(monthly_wage__gte=0),
                                   name="declaration_line_wage_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}:{self.line_number} {self.member_id}"
