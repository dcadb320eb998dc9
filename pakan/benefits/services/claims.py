"""Claims from filing to decision: filing (by an officer, or by the insured person through
self-service), documents, approval or rejection by a second officer, appeal and decision again,
withdrawal. Each use case is one transaction that checks the actor and the claim, writes a
`ClaimStep` and an audit record for every change, and notifies the claimant in Lao and English.

The checks and the rules' assessment are in `claim_checks`; the awards an approval creates, and
their later changes, in `awards`. docs/benefits-claims.md describes the workflow.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from pakan.accounts.scope import (
    OutOfScope,
    require_change_permission,
    require_unit_in_scope,
    scope_path,
)
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.benefits.accounting import BRANCH_NAMES_LO
from pakan.benefits.messages.claims import CLAIM_STATUS_LO
from pakan.benefits.models import (
    Award,
    Bank,
    Branch,
    Claim,
    ClaimDocument,
    ClaimStep,
    Notification,
    RejectionReason,
)
from pakan.benefits.selectors.claims import live_claim_for_event
from pakan.benefits.services import awards as award_services
from pakan.benefits.services import claim_checks
from pakan.benefits.validation import MESSAGES, BenefitsValidationError, error
from pakan.registry.models import Person
from pakan.registry.validation import FieldError
from pakan.rules.legal_parameters import value_at
from pakan.socialsecurity.models import InsuredMember
from pakan.socialsecurity.selectors.voluntary import member_of_user

APPEAL_DAYS = "social_security.benefits.appeal_days"
# PROVISIONAL: no limit in the sources; a scan or photo of a certificate fits well within it.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_SIGNATURES = {  # what a file starts with, by the extensions it may carry
    b"%PDF-": (".pdf",),
    b"\xff\xd8\xff": (".jpg", ".jpeg"),
    b"\x89PNG\r\n\x1a\n": (".png",),
}
BANK_ACCOUNT = re.compile(r"^[0-9A-Z-]{6,34}$")
MAX_NOTE_LENGTH = 2000


def refuse(field: str, code: str, **values: object) -> BenefitsValidationError:
    return BenefitsValidationError([error(field, code, **values)])


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def kip(amount: int) -> str:
    return f"{amount:,}"


def branch_names(branch: str) -> dict[str, str]:
    with translation.override("en"):
        english = str(Branch(branch).label)
    return {"branch_en": english.lower(), "branch_lo": BRANCH_NAMES_LO[branch]}


# --- who may act ------------------------------------------------------------------------------

def is_officer(actor) -> bool:
    return scope_path(actor) is not None


def require_officer_for(actor, member: InsuredMember) -> None:
    """Staff who may change records, with the member's village in their area."""
    require_change_permission(actor)
    require_unit_in_scope(actor, member.person.village)


def require_claimant_or_officer(actor, claim: Claim) -> None:
    """The claimant's own self-service account, or an officer in scope acting for them."""
    if is_officer(actor):
        require_officer_for(actor, claim.member)
        return
    own = member_of_user(actor)
    if own is None or own.person_id != claim.claimant_id:
        raise OutOfScope


def _lock(claim: Claim) -> Claim:
    return (Claim.objects.select_for_update(of=("self",))
            .select_related("member__person__village", "claimant", "filed_by", "decided_by")
            .get(pk=claim.pk))


# --- steps and notices ------------------------------------------------------------------------

def add_step(claim: Claim, action: str, actor, *, note: str = "", **details: object) -> ClaimStep:
    return ClaimStep.objects.create(
        claim=claim, action=action, note=note[:MAX_NOTE_LENGTH], details=details,
        actor=actor if getattr(actor, "is_authenticated", False) else None)


def notify(person: Person, code: str, *, claim: Claim | None = None, award: Award | None = None,
           actor=None, **values: object) -> Notification:
    """A notice to a person in both languages (self-service inbox); its sending is a step of
    the claim it concerns."""
    english, lao = MESSAGES[code]
    notice = Notification.objects.create(
        person=person, claim=claim, award=award, channel=Notification.Channel.INBOX,
        text_en=english.format(**values), text_lo=lao.format(**values), sent_at=timezone.now())
    target = claim or (award.claim if award else None)
    if target is not None:
        add_step(target, ClaimStep.Action.NOTIFIED, actor, note=notice.text_en,
                 notification=notice.pk)
    return notice


def mark_read(actor, notification_ids: Iterable[int]) -> int:
    """A member account has seen its notices."""
    own = member_of_user(actor)
    if own is None:
        return 0
    return Notification.objects.filter(pk__in=list(notification_ids), person_id=own.person_id,
                                       read_at__isnull=True).update(read_at=timezone.now())


# --- input that is not the rules' -------------------------------------------------------------

@dataclass(frozen=True)
class DocumentUpload:
    """A document as received (a page's upload or an API's multipart part)."""

    kind: str
    name: str
    content: bytes


def check_document(upload: DocumentUpload, field: str = "documents") -> list[FieldError]:
    """PDF, JPEG or PNG by content and name, not empty, within the size limit."""
    name = PurePath(upload.name or "document").name[:200]
    if upload.kind not in ClaimDocument.Kind.values:
        return [error(field, "claim_bad_document_kind",
                      kinds=", ".join(ClaimDocument.Kind.values))]
    if not upload.content:
        return [error(field, "claim_document_empty", name=name)]
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        return [error(field, "claim_document_too_large", name=name,
                      size=f"{len(upload.content) / 1_048_576:.1f}",
                      limit=MAX_DOCUMENT_BYTES // 1_048_576)]
    extension = PurePath(name).suffix.lower()
    if not any(upload.content.startswith(signature) and extension in extensions
               for signature, extensions in DOCUMENT_SIGNATURES.items()):
        return [error(field, "claim_document_type", name=name)]
    return []


def check_bank(bank: str, bank_account: str) -> list[FieldError]:
    if bank not in Bank.values:
        return [error("bank", "claim_bad_bank", banks=", ".join(Bank.values))]
    if bank == Bank.CASH:
        return []
    if not bank_account:
        return [error("bank_account", "claim_bank_account_required")]
    if not BANK_ACCOUNT.match(bank_account):
        return [error("bank_account", "claim_bad_bank_account")]
    return []


def _audit_document(actor, document: ClaimDocument) -> None:
    """The document's audit record (written here: the shared snapshot cannot hold a file)."""
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=AuditEvent.Action.CREATE, object_type=document._meta.label_lower,
        object_id=document.pk, note=f"document of claim {document.claim_id}"[:200],
        after={"claim_id": document.claim_id, "kind": document.kind,
               "file": document.file.name, "original_name": document.original_name,
               "sha256": document.sha256, "size_bytes": document.size_bytes})


def _save_document(actor, claim: Claim, upload: DocumentUpload) -> ClaimDocument:
    name = PurePath(upload.name or "document").name[:255]
    digest = hashlib.sha256(upload.content).hexdigest()
    if claim.documents.filter(sha256=digest).exists():
        raise refuse("documents", "claim_document_twice", name=name)
    document = ClaimDocument(claim=claim, kind=upload.kind, original_name=name, sha256=digest,
                             size_bytes=len(upload.content), uploaded_by=actor)
    document.file.save(f"{digest[:16]}{PurePath(name).suffix.lower()}",
                       ContentFile(upload.content), save=False)
    document.save()
    _audit_document(actor, document)
    add_step(claim, ClaimStep.Action.DOCUMENT_ADDED, actor, note=name, document=document.pk,
             kind=upload.kind)
    return document


# --- filing -----------------------------------------------------------------------------------

def _resolve_member(actor, member: InsuredMember | Person) -> InsuredMember:
    """The insured member a claim is made on; a registry person who is not one is refused."""
    if isinstance(member, InsuredMember):
        return InsuredMember.objects.select_related("person__village").get(pk=member.pk)
    if is_officer(actor):
        require_unit_in_scope(actor, member.village)
    found = InsuredMember.objects.select_related("person__village").filter(
        person=member).first()
    if found is None:
        raise refuse("member", "claim_not_insured")
    return found


def _require_filer(actor, member: InsuredMember, branch: str, channel: str,
                   claimant: Person | None) -> None:
    if channel not in Claim.Channel.values:
        raise refuse("channel", "claim_bad_channel")
    if is_officer(actor):
        require_officer_for(actor, member)
        if channel == Claim.Channel.SELF_SERVICE:
            raise refuse("channel", "claim_bad_channel")
        return
    own = member_of_user(actor)
    if own is None:
        raise PermissionDenied
    if own.pk != member.pk or channel == Claim.Channel.OFFICE:
        raise refuse("member", "claim_own_claims_only")
    if branch in claim_checks.DEATH_BRANCHES:
        raise refuse("branch", "claim_at_office_only")
    if claimant is not None and claimant.pk != member.person_id:
        raise refuse("claimant", "claim_own_claims_only")


def _check_input(branch: str, facts: Mapping | None, documents: Iterable[DocumentUpload],
                 bank: str, bank_account: str, event_date) -> tuple[dict, list[FieldError]]:
    problems: list[FieldError] = []
    if not isinstance(event_date, datetime.date):
        problems.append(error("event_date", "claim_bad_date" if event_date else
                              "claim_required"))
    cleaned, fact_problems = claim_checks.clean_facts(branch, facts)
    problems += fact_problems
    for upload in documents:
        problems += check_document(upload)
    problems += check_bank(bank, bank_account)
    return cleaned, problems


@transaction.atomic
def file_claim(actor, *, member: InsuredMember | Person, branch: str,
               event_date: datetime.date, claimant: Person | None = None,
               facts: Mapping[str, object] | None = None,
               documents: Iterable[DocumentUpload] = (), channel: str,
               bank: str = Bank.CASH, bank_account: str = "",
               today: datetime.date | None = None) -> Claim:
    """File a claim after its checks. A hard failure refuses it, naming the field, and writes
    nothing; a failure for the officer's judgment is stored as a failed check. The rules'
    assessment and its explanation are stored with the claim."""
    today = _today(today)
    if branch not in Branch.values:
        raise refuse("branch", "claim_bad_branch", branches=", ".join(Branch.values))
    member = _resolve_member(actor, member)
    _require_filer(actor, member, branch, channel, claimant)
    if claimant is None:
        if branch in claim_checks.DEATH_BRANCHES:
            raise refuse("claimant", "claim_claimant_required")
        claimant = member.person
    documents = list(documents)
    bank_account = (bank_account or "").strip().upper()
    cleaned, problems = _check_input(branch, facts, documents, bank, bank_account, event_date)
    if problems:
        raise BenefitsValidationError(problems)
    found = claim_checks.review(claim_checks.ClaimInput(
        member=member, claimant=claimant, branch=branch, event_date=event_date, facts=cleaned,
        today=today, document_kinds=frozenset(upload.kind for upload in documents)))
    if found.refusals:
        raise BenefitsValidationError(found.refusals)
    claim = _create_claim(
        actor, member=member, claimant=claimant, branch=branch, event_date=event_date,
        facts=found.facts, channel=channel, bank=bank, bank_account=bank_account, today=today,
        checks=found.checks_json(), assessment=claim_checks.assessment_json(found.assessed))
    for upload in documents:
        _save_document(actor, claim, upload)
    add_step(claim, ClaimStep.Action.CHECKED, actor,
             failed=[entry.code for entry in found.checks if not entry.passed])
    notify(claimant, "claim_notice_filed", claim=claim, actor=actor, number=claim.number,
           date=today.isoformat(), **branch_names(branch))
    return claim


def _create_claim(actor, *, member: InsuredMember, claimant: Person, branch: str,
                  event_date: datetime.date, facts: dict, channel: str, today: datetime.date,
                  checks: list, assessment: dict, bank: str = Bank.CASH, bank_account: str = "",
                  step: str = ClaimStep.Action.FILED) -> Claim:
    """The claim row, its first step and its audit record. A second live claim for the same
    event that slipped past the check (two officers at once) meets the database's rule."""
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                member=member, claimant=claimant, branch=branch, event_date=event_date,
                event_details=facts, filed_on=today, filed_by=actor, channel=channel,
                bank=bank, bank_account=bank_account, checks=checks, assessment=assessment)
    except IntegrityError:
        live = live_claim_for_event(member, claimant.pk, branch, event_date)
        raise refuse("event_date", "claim_no_other_claim",
                     number=live.number if live else "") from None
    record_change(actor, AuditEvent.Action.CREATE, claim)
    add_step(claim, step, actor, channel=channel)
    return claim


def open_claim(system_actor, *, member: InsuredMember, claimant: Person, branch: str,
               event_date: datetime.date, facts: dict, today: datetime.date) -> Claim:
    """A claim opened by the system (after a death in the registry): every check is recorded,
    none refuses it, and it waits for an officer's decision."""
    found = claim_checks.review(claim_checks.ClaimInput(
        member=member, claimant=claimant, branch=branch, event_date=event_date, facts=facts,
        today=today))
    claim = _create_claim(
        system_actor, member=member, claimant=claimant, branch=branch, event_date=event_date,
        facts=found.facts, channel=Claim.Channel.OFFICE, today=today,
        checks=found.checks_json(), assessment=claim_checks.assessment_json(found.assessed)
        if found.assessed else {}, step=ClaimStep.Action.OPENED_BY_DEATH)
    notify(claimant, "claim_notice_opened_by_death", claim=claim, actor=system_actor,
           number=claim.number, date=event_date.isoformat(),
           name=f"{member.person.full_name_lo} / {member.person.full_name_latin}",
           **branch_names(branch))
    return claim


# --- documents after filing -------------------------------------------------------------------

@transaction.atomic
def add_document(actor, claim: Claim, upload: DocumentUpload,
                 today: datetime.date | None = None) -> ClaimDocument:
    """Attach a document to an open claim (filed or under appeal); its documents check is
    looked at again."""
    claim = _lock(claim)
    require_claimant_or_officer(actor, claim)
    if claim.status not in (Claim.Status.FILED, Claim.Status.APPEALED):
        raise refuse("documents", "claim_documents_closed", status=claim.status,
                     status_lo=CLAIM_STATUS_LO[claim.status])
    problems = check_document(upload)
    if problems:
        raise BenefitsValidationError(problems)
    document = _save_document(actor, claim, upload)
    _recheck_documents(actor, claim)
    return document


def _recheck_documents(actor, claim: Claim) -> None:
    kinds = claim.documents.values_list("kind", flat=True)
    fresh = claim_checks.documents_check(claim.branch, kinds).as_json()
    checks = [fresh if entry.get("code") == "documents" else entry for entry in claim.checks]
    if fresh not in checks:
        checks.append(fresh)
    if checks != claim.checks:
        before = snapshot(claim)
        claim.checks = checks
        claim.save(update_fields=["checks", "updated_at"])
        record_change(actor, AuditEvent.Action.UPDATE, claim, before, note="documents checked")


# --- decision ---------------------------------------------------------------------------------

def _require_decider(actor, claim: Claim) -> None:
    require_officer_for(actor, claim.member)
    if actor.pk == claim.filed_by_id:
        raise refuse("decided_by", "claim_maker_cannot_decide")


def _qualifying_review(claim: Claim, today: datetime.date) -> claim_checks.Review:
    """The claim checked again and assessed on the decision date's record; refused unless it
    has no hard failure and the rules grant the benefit."""
    found = claim_checks.review(claim_checks.claim_input(claim, today))
    if found.refusals:
        raise BenefitsValidationError(found.refusals)
    assessed = found.assessed
    if not assessed.qualifies:
        raise refuse("branch", "claim_does_not_qualify", reason_en=assessed.refusal_en,
                     reason_lo=assessed.refusal_lo)
    return found


def _payment_details(claim: Claim, bank: str | None, bank_account: str | None) -> None:
    """Bank details given at the decision replace those given at filing."""
    if bank is not None:
        claim.bank = bank
        claim.bank_account = (bank_account or "").strip().upper()
    problems = check_bank(claim.bank, claim.bank_account)
    if problems:
        raise BenefitsValidationError(problems)


def _record_decision(actor, claim: Claim, status: str, today: datetime.date, *, note: str,
                     reason: str = "") -> None:
    claim.status = status
    claim.decided_by = actor
    claim.decided_on = today
    claim.rejection_reason = reason
    claim.decision_note = (note or "").strip()[:MAX_NOTE_LENGTH]
    claim.save()


def _approve(actor, claim: Claim, today: datetime.date, *, note: str, bank: str | None,
             bank_account: str | None) -> list[Award]:
    found = _qualifying_review(claim, today)
    failed = [entry.code for entry in found.checks if not entry.passed]
    if failed and not (note or "").strip():
        raise refuse("decision_note", "claim_note_needed", checks=", ".join(failed))
    _payment_details(claim, bank, bank_account)
    claim.checks = found.checks_json()
    claim.assessment = claim_checks.assessment_json(found.assessed)
    claim.event_details = found.facts
    _record_decision(actor, claim, Claim.Status.APPROVED, today, note=note)
    return award_services.create_awards(actor, claim, found.assessed, today=today)


def _notify_approval(actor, claim: Claim, awards: list[Award]) -> None:
    for award in awards:
        if award.kind == Award.Kind.LUMP_SUM:
            notify(claim.claimant, "claim_notice_approved_lump_sum", claim=claim, award=award,
                   actor=actor, number=claim.number, amount=kip(award.lump_sum_amount))
        else:
            notify(claim.claimant, "claim_notice_approved_periodic", claim=claim, award=award,
                   actor=actor, number=claim.number, start=award.start_on.isoformat(),
                   amount=kip(award.amounts.order_by("-effective_from").first().monthly_amount))


@transaction.atomic
def approve_claim(actor, claim: Claim, *, note: str = "", bank: str | None = None,
                  bank_account: str | None = None,
                  today: datetime.date | None = None) -> list[Award]:
    """Approve a filed claim (an officer other than its filer): the rules assess it again on
    today's record and its award(s) are created with the explanation."""
    today = _today(today)
    claim = _lock(claim)
    _require_decider(actor, claim)
    if claim.status != Claim.Status.FILED:
        raise _not_open(claim)
    before = snapshot(claim)
    awards = _approve(actor, claim, today, note=note, bank=bank, bank_account=bank_account)
    record_change(actor, AuditEvent.Action.UPDATE, claim, before, note="approved")
    add_step(claim, ClaimStep.Action.APPROVED, actor, note=claim.decision_note,
             awards=[award.pk for award in awards])
    _notify_approval(actor, claim, awards)
    return awards


def _not_open(claim: Claim) -> BenefitsValidationError:
    return refuse("status", "claim_not_open", status=claim.status,
                  status_lo=CLAIM_STATUS_LO[claim.status])


def _check_rejection(reason: str, note: str) -> None:
    if reason not in RejectionReason.values:
        raise refuse("rejection_reason", "claim_bad_rejection_reason",
                     reasons=", ".join(RejectionReason.values))
    if reason == RejectionReason.OTHER and not (note or "").strip():
        raise refuse("decision_note", "claim_other_reason_needs_note")


def appeal_deadline(claim: Claim) -> datetime.date:
    days = int(value_at(APPEAL_DAYS, claim.decided_on))
    return claim.decided_on + datetime.timedelta(days=days)


def _notify_rejection(actor, claim: Claim) -> None:
    english, lao = MESSAGES[f"claim_reason_{claim.rejection_reason}"]
    notify(claim.claimant, "claim_notice_rejected", claim=claim, actor=actor,
           number=claim.number, reason_en=english, reason_lo=lao,
           deadline=appeal_deadline(claim).isoformat())


@transaction.atomic
def reject_claim(actor, claim: Claim, *, reason: str, note: str = "",
                 today: datetime.date | None = None) -> Claim:
    """Reject a filed claim with a reason from the list (and a note; required for "other")."""
    today = _today(today)
    claim = _lock(claim)
    _require_decider(actor, claim)
    if claim.status != Claim.Status.FILED:
        raise _not_open(claim)
    _check_rejection(reason, note)
    before = snapshot(claim)
    _record_decision(actor, claim, Claim.Status.REJECTED, today, note=note, reason=reason)
    record_change(actor, AuditEvent.Action.UPDATE, claim, before, note="rejected")
    add_step(claim, ClaimStep.Action.REJECTED, actor, note=claim.decision_note, reason=reason)
    _notify_rejection(actor, claim)
    return claim


# --- appeal and decision again ----------------------------------------------------------------

@transaction.atomic
def appeal_claim(actor, claim: Claim, *, grounds: str,
                 today: datetime.date | None = None) -> Claim:
    """The claimant (or an officer for them) appeals a decision within the time limit (a dated
    parameter). One appeal per claim; it is decided by a third officer."""
    today = _today(today)
    claim = _lock(claim)
    require_claimant_or_officer(actor, claim)
    if claim.status not in (Claim.Status.APPROVED, Claim.Status.REJECTED):
        raise refuse("status", "claim_not_decided", status=claim.status,
                     status_lo=CLAIM_STATUS_LO[claim.status])
    if claim.steps.filter(action=ClaimStep.Action.REDECIDED).exists():
        raise refuse("status", "claim_already_appealed")
    deadline = appeal_deadline(claim)
    if today > deadline:
        raise refuse("grounds", "claim_appeal_too_late", deadline=deadline.isoformat(),
                     days=(deadline - claim.decided_on).days, decided=claim.decided_on)
    grounds = (grounds or "").strip()
    if not grounds:
        raise refuse("grounds", "claim_grounds_required")
    before = snapshot(claim)
    first = {"first_outcome": claim.status, "first_decided_by": claim.decided_by_id,
             "first_decided_on": claim.decided_on.isoformat()}
    claim.status = Claim.Status.APPEALED
    try:
        with transaction.atomic():
            claim.save(update_fields=["status", "updated_at"])
    except IntegrityError:
        live = live_claim_for_event(claim.member, claim.claimant_id, claim.branch,
                                    claim.event_date)
        raise refuse("status", "claim_appeal_clash", number=live.number if live else "") \
            from None
    record_change(actor, AuditEvent.Action.UPDATE, claim, before, note="appealed")
    add_step(claim, ClaimStep.Action.APPEALED, actor, note=grounds, **first)
    notify(claim.claimant, "claim_notice_appealed", claim=claim, actor=actor,
           number=claim.number, date=today.isoformat())
    return claim


def first_decider_id(claim: Claim) -> int | None:
    step = claim.steps.filter(action=ClaimStep.Action.APPEALED).order_by("-at", "-id").first()
    return step.details.get("first_decided_by") if step else claim.decided_by_id


@transaction.atomic
def redecide_claim(actor, claim: Claim, *, approve: bool, reason: str = "", note: str = "",
                   bank: str | None = None, bank_account: str | None = None,
                   today: datetime.date | None = None) -> Claim:
    """Decide an appealed claim again, by an officer who neither filed it nor decided it first.
    Approval assesses it on today's record and creates its award(s), or changes the existing
    ones (a dated amount with reason "redecision"); rejection ends any award it had."""
    today = _today(today)
    claim = _lock(claim)
    _require_decider(actor, claim)
    if claim.status != Claim.Status.APPEALED:
        raise refuse("status", "claim_not_appealed", status=claim.status,
                     status_lo=CLAIM_STATUS_LO[claim.status])
    if actor.pk == first_decider_id(claim):
        raise refuse("decided_by", "claim_redecider_must_differ")
    before = snapshot(claim)
    if approve:
        awards = _approve_on_appeal(actor, claim, today, note=note, bank=bank,
                                    bank_account=bank_account)
    else:
        _check_rejection(reason, note)
        _record_decision(actor, claim, Claim.Status.REJECTED, today, note=note, reason=reason)
        award_services.end_awards_of_claim(actor, claim, today, reason="rejected on appeal")
        awards = []
    record_change(actor, AuditEvent.Action.UPDATE, claim, before, note="decided on appeal")
    add_step(claim, ClaimStep.Action.REDECIDED, actor, note=claim.decision_note,
             outcome=claim.status, reason=claim.rejection_reason,
             awards=[award.pk for award in awards])
    if approve:
        _notify_approval(actor, claim, awards)
    else:
        _notify_rejection(actor, claim)
    return claim


def _approve_on_appeal(actor, claim: Claim, today: datetime.date, *, note: str,
                       bank: str | None, bank_account: str | None) -> list[Award]:
    if not claim.awards.exists():
        return _approve(actor, claim, today, note=note, bank=bank, bank_account=bank_account)
    found = _qualifying_review(claim, today)
    _payment_details(claim, bank, bank_account)
    claim.checks = found.checks_json()
    claim.assessment = claim_checks.assessment_json(found.assessed)
    _record_decision(actor, claim, Claim.Status.APPROVED, today, note=note)
    return award_services.apply_redecision(actor, claim, found.assessed, today=today)


# --- withdrawal -------------------------------------------------------------------------------

@transaction.atomic
def withdraw_claim(actor, claim: Claim, *, reason: str = "",
                   today: datetime.date | None = None) -> Claim:
    """The claimant (or an officer for them) withdraws a claim not yet decided."""
    today = _today(today)
    claim = _lock(claim)
    require_claimant_or_officer(actor, claim)
    if claim.status != Claim.Status.FILED:
        raise _not_open(claim)
    before = snapshot(claim)
    claim.status = Claim.Status.WITHDRAWN
    claim.save(update_fields=["status", "updated_at"])
    record_change(actor, AuditEvent.Action.UPDATE, claim, before, note="withdrawn")
    add_step(claim, ClaimStep.Action.WITHDRAWN, actor, note=(reason or "").strip())
    notify(claim.claimant, "claim_notice_withdrawn", claim=claim, actor=actor,
           number=claim.number, date=today.isoformat())
    return claim
