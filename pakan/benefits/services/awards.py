"""Awards: created by an approved claim, changed by a decision on appeal, suspended, resumed and
ended by an officer (or by the system after a death), each change in `AwardStatusChange` and
the audit trail. A periodic award's amounts are dated (`AwardAmount`): a change adds one, never
rewrites one. Lump sums are only created here; the next payroll run pays each once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from pakan.accounts.scope import require_change_permission, require_unit_in_scope
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.benefits.accounting import ensure_benefit_accounts, overpayment_posting
from pakan.benefits.messages.claims import AWARD_ACTION_LO, AWARD_STATUS_LO
from pakan.benefits.models import (
    Award,
    AwardAmount,
    AwardStatusChange,
    Claim,
    PayrollLine,
    Recovery,
)
from pakan.benefits.validation import BenefitsValidationError, error
from pakan.ledger.services import post
from pakan.rules.months import month_end

# Payroll lines whose money went out to the beneficiary (and did not come back).
MONEY_OUT = (PayrollLine.Status.PAID, PayrollLine.Status.REPAID)
MAX_REASON_LENGTH = 500


def refuse(field: str, code: str, **values: object) -> BenefitsValidationError:
    return BenefitsValidationError([error(field, code, **values)])


def _kip(amount: int) -> str:
    return f"{amount:,}"


def _notify(award: Award, code: str, actor, **values: object) -> None:
    from pakan.benefits.services.claims import notify  # claims imports this module

    notify(award.beneficiary, code, award=award, actor=actor, number=award.pk, **values)


# --- creation ---------------------------------------------------------------------------------

def _new_award(actor, claim: Claim, assessed, *, kind: str, today: datetime.date,
               lump_sum: int = 0, end_on: datetime.date | None = None) -> Award:
    award = Award.objects.create(
        claim=claim, member=claim.member, beneficiary=claim.claimant, branch=claim.branch,
        kind=kind, start_on=claim.event_date, end_on=end_on, lump_sum_amount=lump_sum,
        status=Award.Status.IN_PAYMENT, status_since=today, explanation=assessed.explanation,
        rules_version=assessed.rules_version, bank=claim.bank, bank_account=claim.bank_account,
        decided_by=actor, decided_on=today)
    record_change(actor, AuditEvent.Action.CREATE, award)
    return award


def _add_amount(actor, award: Award, monthly_amount: int, effective_from: datetime.date,
                reason: str, **source: object) -> AwardAmount:
    amount = AwardAmount.objects.create(award=award, effective_from=effective_from,
                                        monthly_amount=monthly_amount, reason=reason,
                                        source=source)
    record_change(actor, AuditEvent.Action.CREATE, amount)
    return amount


def _create_periodic(actor, claim: Claim, assessed, today: datetime.date) -> Award:
    end_on = max(assessed.end_date, claim.event_date) if assessed.end_date else None
    award = _new_award(actor, claim, assessed, kind=Award.Kind.PERIODIC, today=today,
                       end_on=end_on)
    _add_amount(actor, award, assessed.monthly_amount, award.start_on,
                AwardAmount.Reason.DECISION, claim=claim.pk, rules_version=assessed.rules_version)
    return award


def create_awards(actor, claim: Claim, assessed, *, today: datetime.date) -> list[Award]:
    """The award(s) of an approved claim: a periodic award with its first dated amount, and/or
    a lump sum, each with the rules' explanation and version and the claim's bank details."""
    awards = []
    if assessed.monthly_amount > 0:
        awards.append(_create_periodic(actor, claim, assessed, today))
    if assessed.lump_sum > 0:
        awards.append(_new_award(actor, claim, assessed, kind=Award.Kind.LUMP_SUM, today=today,
                                 lump_sum=assessed.lump_sum))
    return awards


# --- a decision again on appeal ---------------------------------------------------------------

def current_amount(award: Award) -> AwardAmount | None:
    return award.amounts.order_by("-effective_from").first()


def _redecide_periodic(actor, award: Award, assessed, today: datetime.date) -> None:
    if assessed.monthly_amount <= 0:
        _change_status(actor, award, Award.Status.ENDED, today, "decided again on appeal")
        return
    latest = current_amount(award)
    if latest is None or latest.monthly_amount != assessed.monthly_amount:
        # From the new decision's date on (a day after the latest amount at the earliest,
        # since an amount is never rewritten).
        start = today if latest is None else max(
            today, latest.effective_from + datetime.timedelta(days=1))
        _add_amount(actor, award, assessed.monthly_amount, start,
                    AwardAmount.Reason.REDECISION, claim=award.claim_id, step="redecided",
                    rules_version=assessed.rules_version)
        _notify(award, "award_notice_amount", actor, amount=_kip(assessed.monthly_amount),
                date=start.isoformat())


def lump_sum_paid(award: Award) -> PayrollLine | None:
    return award.payroll_lines.filter(status__in=MONEY_OUT).select_related("run").first()


def _set_lump_sum(actor, award: Award, amount: int, assessed) -> None:
    before = snapshot(award)
    award.lump_sum_amount = amount
    award.explanation, award.rules_version = assessed.explanation, assessed.rules_version
    award.save()
    record_change(actor, AuditEvent.Action.UPDATE, award, before, note="redecision")


def _redecide_lump_sums(actor, claim: Claim, assessed, today: datetime.date) -> list[Award]:
    """Bring the claim's lump sums to the new amount: an unpaid one takes the difference; what
    is still too little is a further lump sum, what was paid too much a recovery."""
    awards = list(claim.awards.filter(kind=Award.Kind.LUMP_SUM).order_by("id"))
    paid = [award for award in awards if lump_sum_paid(award) is not None]
    unpaid = [award for award in awards
              if award not in paid and award.status != Award.Status.ENDED]
    difference = assessed.lump_sum - sum(award.lump_sum_amount for award in paid + unpaid)
    if difference == 0:
        return []
    if unpaid:
        award = unpaid[-1]
        remaining = award.lump_sum_amount + difference
        if remaining > 0:
            _set_lump_sum(actor, award, remaining, assessed)
            return [award]
        _change_status(actor, award, Award.Status.ENDED, today, "decided again on appeal")
        difference = remaining
        if difference == 0:
            return [award]
    if difference > 0:
        return [_new_award(actor, claim, assessed, kind=Award.Kind.LUMP_SUM, today=today,
                           lump_sum=difference)]
    last = paid[-1]
    month = lump_sum_paid(last).run.month
    create_recovery(last, amount=-difference, first_month=month, last_month=month,
                    reason=f"lump sum decided again on appeal on {today.isoformat()}",
                    ledger_key=f"benefits:overpayment:award:{last.pk}:redecision:{today}",
                    established_on=today, actor=actor)
    return [last]


def apply_redecision(actor, claim: Claim, assessed, *, today: datetime.date) -> list[Award]:
    """Change the awards of a claim approved again on appeal to the new assessment; a kind of
    award the claim did not have yet is created."""
    touched = []
    periodic = list(claim.awards.filter(kind=Award.Kind.PERIODIC).exclude(
        status=Award.Status.ENDED).order_by("id"))
    for award in periodic:
        _redecide_periodic(actor, award, assessed, today)
        before = snapshot(award)
        award.explanation, award.rules_version = assessed.explanation, assessed.rules_version
        award.save(update_fields=["explanation", "rules_version", "updated_at"])
        record_change(actor, AuditEvent.Action.UPDATE, award, before, note="redecision")
        touched.append(award)
    if assessed.monthly_amount > 0 and not periodic:
        touched.append(_create_periodic(actor, claim, assessed, today))
    return touched + _redecide_lump_sums(actor, claim, assessed, today)


def end_awards_of_claim(actor, claim: Claim, on: datetime.date, *, reason: str) -> list[Award]:
    awards = list(claim.awards.exclude(status=Award.Status.ENDED))
    for award in awards:
        _change_status(actor, award, Award.Status.ENDED, on, reason)
    return awards


# --- status changes ---------------------------------------------------------------------------

TRANSITIONS = {  # action: (statuses it may start from, status it leads to)
    "suspended": ((Award.Status.IN_PAYMENT,), Award.Status.SUSPENDED),
    "resumed": ((Award.Status.SUSPENDED,), Award.Status.IN_PAYMENT),
    "ended": ((Award.Status.IN_PAYMENT, Award.Status.SUSPENDED), Award.Status.ENDED),
}


def _change_status(actor, award: Award, status: str, effective_on: datetime.date, reason: str,
                   *, by_system: bool = False) -> AwardStatusChange:
    """One status change of an award, its history row and its audit record. An end also
    closes the award's period (`end_on`), never before its start."""
    before = snapshot(award)
    award.status = status
    award.status_since = effective_on
    if status == Award.Status.ENDED:
        end_on = max(effective_on, award.start_on)
        award.end_on = end_on if award.end_on is None else min(award.end_on, end_on)
    award.save()
    record_change(actor, AuditEvent.Action.UPDATE, award, before, note=f"{status}: {reason}")
    return AwardStatusChange.objects.create(
        award=award, status=status, effective_on=effective_on,
        reason=reason[:MAX_REASON_LENGTH],
        actor=None if by_system or not getattr(actor, "is_authenticated", False) else actor)


def _lock(award: Award) -> Award:
    return (Award.objects.select_for_update()
            .select_related("beneficiary__village", "claim").get(pk=award.pk))


def _officer_change(actor, award: Award, action: str, effective_on: datetime.date | None,
                    reason: str, today: datetime.date | None) -> Award:
    today = today or timezone.localdate()
    effective_on = effective_on or today
    award = _lock(award)
    require_change_permission(actor)
    require_unit_in_scope(actor, award.beneficiary.village)
    allowed_from, status = TRANSITIONS[action]
    if award.status not in allowed_from:
        raise refuse("status", "award_bad_status_change", status=award.status,
                     status_lo=AWARD_STATUS_LO[award.status], action=action,
                     action_lo=AWARD_ACTION_LO[action])
    reason = (reason or "").strip()
    if not reason and action != "resumed":
        raise refuse("reason", "claim_reason_required")
    if effective_on > today:
        raise refuse("effective_on", "award_future_date")
    if effective_on < award.start_on:
        raise refuse("effective_on", "award_date_before_start", start=award.start_on)
    if effective_on < award.status_since:
        raise refuse("effective_on", "award_date_before_status", since=award.status_since)
    _change_status(actor, award, status, effective_on, reason or action)
    _notify(award, f"award_notice_{action}", actor, date=effective_on.isoformat(),
            reason=reason)
    return award


@transaction.atomic
def suspend_award(actor, award: Award, *, reason: str, effective_on: datetime.date | None = None,
                  today: datetime.date | None = None) -> Award:
    """Stop paying an award for a while (a check of the beneficiary's situation, say)."""
    return _officer_change(actor, award, "suspended", effective_on, reason, today)


@transaction.atomic
def resume_award(actor, award: Award, *, reason: str = "",
                 effective_on: datetime.date | None = None,
                 today: datetime.date | None = None) -> Award:
    return _officer_change(actor, award, "resumed", effective_on, reason, today)


@transaction.atomic
def end_award(actor, award: Award, *, reason: str, end_on: datetime.date | None = None,
              today: datetime.date | None = None) -> Award:
    """End an award for good (a child grown up, a spouse remarried...)."""
    return _officer_change(actor, award, "ended", end_on, reason, today)


def end_awards_after_death(person, date_of_death: datetime.date, actor=None) -> list[Award]:
    """Every award the dead person was the beneficiary of ends with the month of death, which is
    due in full (done by the system: no actor on the status change, the recording officer in the
    audit); the payroll pays an ended award up to its end. A lump sum
    that fell due while the person lived and is not paid yet stays owed (to the estate): the
    payroll pays it, as it pays a lump sum whose beneficiary was alive on its start."""
    awards = list(Award.objects.select_for_update().filter(beneficiary=person).exclude(
        status=Award.Status.ENDED).exclude(kind=Award.Kind.LUMP_SUM,
                                          start_on__lte=date_of_death))
    last_day_due = month_end(date_of_death)
    for award in awards:
        _change_status(actor, award, Award.Status.ENDED, last_day_due,
                       f"death of the beneficiary on {date_of_death.isoformat()}",
                       by_system=True)
    return awards


# --- recoveries -------------------------------------------------------------------------------

def create_recovery(award: Award, *, amount: int, first_month: datetime.date,
                    last_month: datetime.date, reason: str, ledger_key: str,
                    established_on: datetime.date, actor=None) -> Recovery | None:
    """An overpayment to recover and its ledger posting, once per key."""
    if amount <= 0 or Recovery.objects.filter(ledger_key=ledger_key).exists():
        return None
    recovery = Recovery.objects.create(
        award=award, amount=amount, first_month=first_month, last_month=last_month,
        reason=reason[:MAX_REASON_LENGTH], established_on=established_on,
        ledger_key=ledger_key)
    record_change(actor, AuditEvent.Action.CREATE, recovery)
    ensure_benefit_accounts()
    posting = overpayment_posting(ledger_key=ledger_key, branch=award.branch, amount=amount,
                                  established_on=established_on, description=reason[:200])
    post(posting.key, posting.lines, kind=posting.kind, effective_date=posting.effective_date,
         description=posting.description)
    return recovery


def paid_after(person, month: datetime.date) -> list[dict]:
    """Per award of `person`: the money paid out for payroll months after `month`."""
    return list(PayrollLine.objects.filter(
        award__beneficiary=person, run__month__gt=month, status__in=MONEY_OUT)
        .values("award_id").annotate(amount=Sum("amount"), first_month=Min("run__month"),
                                     last_month=Max("run__month"),
                                     months=Count("id")).order_by("award_id"))

