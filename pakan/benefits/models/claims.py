"""Claims: a request for one benefit, for one event, from filing to decision and appeal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Branch(models.TextChoices):
    """The benefit branches of the Law on Social Security (names as in the glossary)."""

    OLD_AGE = "old_age", _("Old-age pension")
    INVALIDITY = "invalidity", _("Invalidity benefit")
    SURVIVORS = "survivors", _("Survivors' benefit")
    FUNERAL = "funeral", _("Funeral grant")
    SICKNESS = "sickness", _("Sickness benefit")
    MATERNITY = "maternity", _("Maternity benefit")
    EMPLOYMENT_INJURY = "employment_injury", _("Employment injury benefit")
    UNEMPLOYMENT = "unemployment", _("Unemployment benefit")


class Bank(models.TextChoices):
    """Banks the fund pays benefits through; one payment file per bank and payroll month."""

    BCEL = "BCEL", _("Banque pour le Commerce Extérieur Lao")
    LDB = "LDB", _("Lao Development Bank")
    APB = "APB", _("Agricultural Promotion Bank")
    NBB = "NBB", _("Nayoby Bank")
    JDB = "JDB", _("Joint Development Bank")
    CASH = "CASH", _("Cash at the district NSSF office")


class RejectionReason(models.TextChoices):
    """The list an officer picks a rejection reason from; the page shows it in both languages."""

    NOT_INSURED = "not_insured", _("Not insured on the date of the event")
    NOT_ENOUGH_CONTRIBUTIONS = "not_enough_contributions", _("Not enough months of contributions")
    BELOW_AGE = "below_age", _("Below the age the branch requires")
    PERSON_DEAD = "person_dead", _("The person had died before the event")
    NOT_A_DEPENDANT = "not_a_dependant", _("Not a dependant the law covers")
    EVENT_NOT_COVERED = "event_not_covered", _("The event is not one the branch covers")
    DOCUMENTS_MISSING = "documents_missing", _("Required documents are missing")
    DUPLICATE = "duplicate", _("A claim for the same event was already made")
    FILED_TOO_LATE = "filed_too_late", _("Filed after the time limit")
    OTHER = "other", _("Other reason (explained in the note)")


class Claim(models.Model):
    """A claim for one branch's benefit for one event of one insured member.

    `member` is the insured person whose contribution record the benefit is computed from;
    `claimant` the registry person who claims (the member, or a survivor). The officer who files
    a claim can never decide it (a database constraint, besides the service's check).
    """

    class Status(models.TextChoices):
        FILED = "filed", _("Filed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        APPEALED = "appealed", _("Under appeal")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Channel(models.TextChoices):
        OFFICE = "office", _("At an NSSF office")
        SELF_SERVICE = "self_service", _("Self-service")
        API = "api", _("Mobile app (API)")

    member = models.ForeignKey("socialsecurity.InsuredMember", on_delete=models.PROTECT,
                               related_name="claims")
    claimant = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                                 related_name="benefit_claims")
    branch = models.CharField(max_length=20, choices=Branch.choices)
    event_date = models.DateField()
    # Branch-specific facts the rules need (children born, work-related, incapacity category,
    # relationship of a survivor, days of leave...), as the rules' input names.
    event_details = models.JSONField(default=dict, blank=True)
    filed_on = models.DateField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="claims_filed")
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.OFFICE)
    # Where the claimant wants the benefit paid, given at filing (or at the decision); copied
    # to the award on approval. Cash at the district office needs no account.
    bank = models.CharField(max_length=4, choices=Bank.choices, default=Bank.CASH)
    bank_account = models.CharField(max_length=34, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FILED)
    # Checks against the contribution record and the registry at filing, and the rules'
    # assessment with its explanation (see pakan.rules.benefits): kept as computed.
    checks = models.JSONField(default=list, blank=True)
    assessment = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="claims_decided")
    decided_on = models.DateField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=30, choices=RejectionReason.choices,
                                        blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-filed_on", "-id"]
        indexes = [
            models.Index(fields=["member", "branch"], name="claim_member_branch"),
            models.Index(fields=["status", "filed_on"], name="claim_status_filed"),
        ]
        constraints = [
            # One live claim per event: a second one for the same member, claimant, branch and
            # date is refused while the first is not rejected or withdrawn.
            models.UniqueConstraint(
                fields=["member", "claimant", "branch", "event_date"],
                condition=Q(status__in=["filed", "approved", "appealed"]),
                name="claim_one_live_per_event"),
            models.CheckConstraint(condition=Q(decided_by__isnull=True)
                                   | ~Q(decided_by=F("filed_by")),
                                   name="claim_maker_is_not_checker"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="claim_rejection_has_reason"),
            models.CheckConstraint(condition=Q(event_date__lte=F("filed_on")),
                                   name="claim_event_not_after_filing"),
            models.CheckConstraint(condition=Q(bank="CASH") | ~Q(bank_account=""),
                                   name="claim_bank_has_account"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.branch} {self.status}"

    @property
    def number(self) -> str:
        return f"CLM-{self.filed_on:%Y}-{self.pk:07d}"


class ClaimDocument(models.Model):
    """A document attached to a claim (medical or death certificate, separation letter...)."""

    class Kind(models.TextChoices):
        MEDICAL_CERTIFICATE = "medical_certificate", _("Medical certificate")
        DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        SEPARATION_LETTER = "separation_letter", _("Proof of separation from the employer")
        ACCIDENT_REPORT = "accident_report", _("Work accident report")
        FAMILY_BOOK = "family_book", _("Family book")
        IDENTITY = "identity", _("Identity card")
        BANK_ACCOUNT = "bank_account", _("Bank account details")
        OTHER = "other", _("Other")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    file = models.FileField(upload_to="claims/%Y/%m/")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["claim", "sha256"],
                                               name="claim_document_once")]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.kind} {self.original_name}"


class ClaimStep(models.Model):
    """One step taken on a claim, in order: the claim's own history (the audit trail has the
    field-level before and after as well)."""

    class Action(models.TextChoices):
        FILED = "filed", _("Filed")
        DOCUMENT_ADDED = "document_added", _("Document added")
        CHECKED = "checked", _("Checked")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        NOTIFIED = "notified", _("Notified")
        APPEALED = "appealed", _("Appealed")
        REDECIDED = "redecided", _("Decided again on appeal")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OPENED_BY_DEATH = "opened_by_death", _("Opened after a death in the registry")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["claim", "at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.action} {self.at:%Y-%m-%d}"


class Notification(models.Model):
    """A message to a person about their claim or award, in Lao and English. The channel
    delivers it (the self-service inbox always; SMS when a gateway is configured)."""

    class Channel(models.TextChoices):
        INBOX = "inbox", _("Self-service inbox")
        SMS = "sms", _("SMS")

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT,
                               related_name="benefit_notifications")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="notifications")
    award = models.ForeignKey("benefits.Award", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="notifications")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.INBOX)
    text_en = models.TextField()
    text_lo = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "created_at"], name="notification_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.created_at:%Y-%m-%d} {self.text_en[:40]}"
