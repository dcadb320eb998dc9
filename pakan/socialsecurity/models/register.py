"""The National Social Security Fund's tables: employers, insured members, their membership,
employment and dependants, and each member's lifetime contribution record.

Spells (membership, employment, dependants) run from `start_on` to `end_on` inclusive; an open
spell has no end. The rule that spells must not overlap is checked in the services, under a
lock on the member, because it is a rule between rows that a portable constraint cannot state.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from pakan.rules.social_security import (
    CIVIL_SERVANT,
    ENTERPRISE_EMPLOYEE,
    POLICE_MILITARY,
    VOLUNTARY,
)


class Sector(models.TextChoices):
    """ISIC Rev. 4 sections, the ones that matter for an enterprise register."""

    AGRICULTURE = "A", _("Agriculture, forestry and fishing")
    MINING = "B", _("Mining and quarrying")
    MANUFACTURING = "C", _("Manufacturing")
    ENERGY = "D", _("Electricity, gas, steam and air conditioning")
    WATER = "E", _("Water supply, sewerage, waste management")
    CONSTRUCTION = "F", _("Construction")
    TRADE = "G", _("Wholesale and retail trade, repair of vehicles")
    TRANSPORT = "H", _("Transportation and storage")
    ACCOMMODATION = "I", _("Accommodation and food service")
    INFORMATION = "J", _("Information and communication")
    FINANCE = "K", _("Financial and insurance activities")
    REAL_ESTATE = "L", _("Real estate activities")
    PROFESSIONAL = "M", _("Professional, scientific and technical activities")
    ADMINISTRATIVE = "N", _("Administrative and support service activities")
    PUBLIC_ADMINISTRATION = "O", _("Public administration and defence")
    EDUCATION = "P", _("Education")
    HEALTH = "Q", _("Human health and social work")
    ARTS = "R", _("Arts, entertainment and recreation")
    OTHER_SERVICES = "S", _("Other service activities")


class SizeClass(models.TextChoices):
    """Size by number of workers; the bounds are in services.SIZE_CLASS_BOUNDS (provisional)."""

    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class MemberCategory(models.TextChoices):
    """The rules' category names (pakan.rules.social_security.CATEGORIES)."""

    ENTERPRISE_EMPLOYEE = ENTERPRISE_EMPLOYEE, _("Enterprise employee")
    CIVIL_SERVANT = CIVIL_SERVANT, _("Civil servant")
    POLICE_MILITARY = POLICE_MILITARY, _("Police or military")
    VOLUNTARY = VOLUNTARY, _("Voluntary")


class Employer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    # Number in the Ministry of Industry and Commerce enterprise register.
    enterprise_number = models.CharField(max_length=20, unique=True)
    nssf_registration_number = models.CharField(max_length=20, unique=True)
    name_lo = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    sector = models.CharField(max_length=1, choices=Sector.choices)
    number_of_workers = models.PositiveIntegerField()
    size_class = models.CharField(max_length=8, choices=SizeClass.choices)
    village = models.ForeignKey(
        "registry.AdminUnit", on_delete=models.PROTECT, related_name="employers"
    )
    contact_person = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateField()
    registered_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["nssf_registration_number"]
        indexes = [
            models.Index(fields=["status"], name="employer_status"),
            models.Index(fields=["sector", "size_class"], name="employer_sector_size"),
        ]

    def __str__(self) -> str:
        return f"{self.nssf_registration_number} {self.name_en}"


class EmployerStatusChange(models.Model):
    """One dated change of an employer's status, with its reason: the status history."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE,
                                 related_name="status_changes")
    status = models.CharField(max_length=10, choices=Employer.Status.choices)
    effective_on = models.DateField()
    reason = models.CharField(max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["employer", "effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.status} from {self.effective_on}"


class EmployerUser(models.Model):
    """Links an employer-user account to the one enterprise it may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="employer_link")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="users")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.employer_id}"


class MemberUser(models.Model):
    """Links an insured-member account (self-service, the mobile app) to its own member record."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="member_link")
    member = models.OneToOneField("socialsecurity.InsuredMember", on_delete=models.PROTECT,
                                  related_name="user_link")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user_id} → {self.member_id}"


class InsuredMember(models.Model):
    """A registry person as a member of the fund. Category lives on the membership spells."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT,
                                  related_name="insured_member")
    social_security_number = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["social_security_number"]

    def __str__(self) -> str:
        return self.social_security_number


class MembershipSpell(models.Model):
    member = models.ForeignKey(InsuredMember, on_delete=models.CASCADE,
                               related_name="membership_spells")
    category = models.CharField(max_length=20, choices=MemberCategory.choices)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["member", "start_on"]
        indexes = [models.Index(fields=["member", "start_on"], name="membership_member_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F(
                "start_on")), name="membership_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.category} {self.start_on}–{self.end_on or ''}"


class EmploymentSpell(models.Model):
    member = models.ForeignKey(InsuredMember, on_delete=models.PROTECT,
                               related_name="employment_spells")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT,
                                 related_name="employment_spells")
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    monthly_wage = models.BigIntegerField(help_text=_("Whole kip per month."))

    class Meta:
        ordering = ["member", "start_on"]
        indexes = [
            models.Index(fields=["employer", "start_on"], name="employment_employer_start"),
            models.Index(fields=["member", "start_on"], name="employment_member_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F(
                "start_on")), name="employment_end_after_start"),
            models.CheckConstraint(condition=Q(monthly_wage__gte=0),
                                   name="employment_wage_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} at {self.employer_id} {self.start_on}–{self.end_on or ''}"


class Dependant(models.Model):
    """A family member covered for health care through an insured member."""

    class Relationship(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")

    member = models.ForeignKey(InsuredMember, on_delete=models.CASCADE,
                               related_name="dependants")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                               related_name="dependant_of")
    relationship = models.CharField(max_length=8, choices=Relationship.choices)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["member", "start_on"]
        indexes = [models.Index(fields=["person"], name="dependant_person")]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F(
                "start_on")), name="dependant_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.relationship}) of {self.member_id}"


class ContributionRecord(models.Model):
    """One month of one member's contributions from one employer (or none, for voluntary
    payments): the lifetime record every benefit is computed from. Billing fills it."""

    class Source(models.TextChoices):
        DECLARATION = "declaration", _("Monthly declaration")
        VOLUNTARY = "voluntary", _("Voluntary payment")
        ASSESSMENT = "assessment", _("Assessment after inspection")

    # The largest table (a million rows a month, kept for 40 years), so it carries the least a
    # month's billing must write for each row (docs/social-security-declarations-billing.md):
    # - two indexes: the unique key (member, month, employer or 0), which also serves "all months
    #   of a member", and (employer, month);
    # - no foreign-key constraints in the database: checking them locks the member's and the
    #   employer's rows once per inserted record. Rows are only written by billing, voluntary
    #   billing and assessments, from declaration lines, memberships and findings whose own keys
    #   are checked; Django still refuses to delete a member or employer that has records
    #   (on_delete=PROTECT is enforced by the ORM).
    member = models.ForeignKey(InsuredMember, on_delete=models.PROTECT, db_index=False,
                               db_constraint=False, related_name="contribution_records")
    month = models.DateField(help_text=_("First day of the contribution month."))
    employer = models.ForeignKey(Employer, null=True, blank=True, on_delete=models.PROTECT,
                                 db_index=False, db_constraint=False,
                                 related_name="contribution_records")
    insurable_wage = models.BigIntegerField()
    insured_amount = models.BigIntegerField()
    employer_amount = models.BigIntegerField(default=0)
    source = models.CharField(max_length=12, choices=Source.choices)
    paid = models.BooleanField(default=False)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["member", "month", "employer"]
        indexes = [
            models.Index(fields=["employer", "month"], name="contribution_employer_month"),
        ]
        constraints = [
            # One record per member, month and employer, and one without an employer (a
            # voluntary month): the same rule on PostgreSQL of any version and on SQLite.
            models.UniqueConstraint(F("member"), F("month"), Coalesce("employer", Value(0)),
                                    name="contribution_member_month_employer_once"),
            models.CheckConstraint(
                condition=Q(insurable_wage__gte=0) & Q(insured_amount__gte=0)
                & Q(employer_amount__gte=0),
                name="contribution_amounts_not_negative"),
            models.CheckConstraint(condition=Q(paid=False) | Q(paid_on__isnull=False),
                                   name="contribution_paid_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.employer_id or 'voluntary'}"
