"""Voluntary and self-employed members: enrolment at a declared income class, changes of class,
the monthly billing run, lapse after too many unpaid months, and reinstatement.

Rules chosen here (docs/social-security-voluntary-inspections.md says which are provisional):

- A month is billed in full when the member's voluntary membership covers any day of it, at
  the income class in force on its last day (the class history is VoluntaryStatusChange).
- A class that is no longer valid in a later month (the lowest class rose with the minimum
  wage) is billed at the nearest valid class of that month, never refused in a batch.
- A month counts as unpaid for lapsing when its invoice was due by the end of the month looked
  at and was not settled by then; `rules.is_lapsed` says how many in a row lapse a membership.
  The membership then ends on the last day of that month.
- Reinstatement needs the member's account paid up (nothing owed in the ledger); the member
  comes back on a new membership spell from the day of reinstatement.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np
from django.db import transaction
from django.db.models import Count, DateField, Exists, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from pakan.accounts.scope import require_change_permission, require_unit_in_scope
from pakan.audit.models import AuditEvent
from pakan.audit.services import record_change, snapshot
from pakan.registry.models import Person
from pakan.rules import social_security as rules
from pakan.rules.legal_parameters import RulesError, entry_at
from pakan.rules.months import month_end
from pakan.socialsecurity.models import (
    BillingRun,
    ContributionRecord,
    InsuredMember,
    Invoice,
    MemberCategory,
    MembershipSpell,
    VoluntaryEnrolment,
    VoluntaryStatusChange,
)
from pakan.socialsecurity.selectors.voluntary import member_balance, member_of_user
from pakan.socialsecurity.services.contribution_records import (  # noqa: F401 (re-export)
    mark_voluntary_contributions_paid,
)
from pakan.socialsecurity.services.invoicing import invoice_key, issue_invoices
from pakan.socialsecurity.services.register import (
    add_membership,
    end_membership,
    enrol_member,
)
from pakan.socialsecurity.validation import refuse

# The voluntary scheme is for ages 15 to 60 [lao-facts §1, source 5].
VOLUNTARY_MINIMUM_AGE_YEARS = 15
VOLUNTARY_MAXIMUM_AGE_YEARS = 60
STATUS_LO = {"active": "ເຄື່ອນໄຫວ", "lapsed": "ຂາດສິດ", "ended": "ສິ້ນສຸດ"}
# History events that set the income class from their date on.
INCOME_EVENTS = (VoluntaryStatusChange.Event.ENROLLED, VoluntaryStatusChange.Event.INCOME_CHANGED,
                 VoluntaryStatusChange.Event.REINSTATED)
INSERT_BATCH = 5000


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _recorder(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _kip(amount: int) -> str:
    return f"{amount:,}"


def check_income_class(declared_income: object, month: datetime.date,
                       field: str = "declared_income") -> int:
    """The declared income if it is one of the month's income classes; a bilingual refusal
    listing the classes otherwise."""
    if isinstance(declared_income, bool) or not isinstance(declared_income, int):
        raise refuse(field, "voluntary_income_not_integer")
    try:
        classes = rules.voluntary_income_classes(month)
    except RulesError:
        raise refuse(field, "voluntary_no_rules", date=month.isoformat()) from None
    if declared_income not in classes:
        raise refuse(field, "voluntary_bad_income_class", income=_kip(declared_income),
                     month=f"{month:%Y-%m}", classes=", ".join(_kip(c) for c in classes))
    return declared_income


def _age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _history(actor, enrolment: VoluntaryEnrolment, event: str, effective_on: datetime.date, *,
             declared_income: int | None = None, reason: str = "") -> VoluntaryStatusChange:
    change = VoluntaryStatusChange.objects.create(
        enrolment=enrolment, event=event, effective_on=effective_on,
        declared_income=declared_income, reason=reason[:500], recorded_by=_recorder(actor))
    record_change(actor, AuditEvent.Action.CREATE, change)
    return change


# Enrolment ----------------------------------------------------------------------------------

@transaction.atomic
def enrol_voluntary(actor, person_or_member: Person | InsuredMember, *, occupation: str,
                    declared_income: int, start_on: datetime.date,
                    social_security_number: str = "",
                    today: datetime.date | None = None) -> VoluntaryEnrolment:
    """Enrol a person (made an insured member if not one yet) in the voluntary scheme."""
    person = (person_or_member.person if isinstance(person_or_member, InsuredMember)
              else person_or_member)
    person = Person.objects.select_related("village").get(pk=person.pk)
    require_change_permission(actor)
    require_unit_in_scope(actor, person.village)
    if occupation not in VoluntaryEnrolment.Occupation.values:
        raise refuse("occupation", "voluntary_bad_occupation")
    check_income_class(declared_income, month_of(start_on))
    if _age_on(person.date_of_birth, start_on) > VOLUNTARY_MAXIMUM_AGE_YEARS:
        raise refuse("start_on", "voluntary_too_old", years=VOLUNTARY_MAXIMUM_AGE_YEARS,
                     minimum=VOLUNTARY_MINIMUM_AGE_YEARS)
    member = InsuredMember.objects.filter(person=person).first()
    if member is None:
        if not social_security_number:
            raise refuse("social_security_number", "required")
        member = enrol_member(actor, person, social_security_number=social_security_number,
                              category=MemberCategory.VOLUNTARY, start_on=start_on, today=today)
        spell = member.membership_spells.get()
    else:
        _check_no_open_enrolment(member)
        open_spell = member.membership_spells.filter(
            Q(end_on__isnull=True) | Q(end_on__gte=start_on)).order_by("start_on").first()
        if open_spell is not None and open_spell.category != MemberCategory.VOLUNTARY:
            raise refuse("start_on", "voluntary_membership_open",
                         start=open_spell.start_on.isoformat())
        spell = add_membership(actor, member, category=MemberCategory.VOLUNTARY,
                               start_on=start_on, today=today)
    enrolment = VoluntaryEnrolment.objects.create(
        member=member, membership_spell=spell, occupation=occupation,
        declared_income=declared_income, start_on=start_on,
        status=VoluntaryEnrolment.Status.ACTIVE, status_since=start_on)
    record_change(actor, AuditEvent.Action.CREATE, enrolment)
    _history(actor, enrolment, VoluntaryStatusChange.Event.ENROLLED, start_on,
             declared_income=declared_income)
    return enrolment


def _check_no_open_enrolment(member: InsuredMember) -> None:
    current = member.voluntary_enrolments.exclude(
        status=VoluntaryEnrolment.Status.ENDED).first()
    if current is not None:
        raise refuse("person", "voluntary_already_enrolled", status=current.status)


def _lock(enrolment: VoluntaryEnrolment, actor) -> VoluntaryEnrolment:
    enrolment = (VoluntaryEnrolment.objects.select_for_update()
                 .select_related("member__person__village", "membership_spell")
                 .get(pk=enrolment.pk))
    require_change_permission(actor)
    require_unit_in_scope(actor, enrolment.member.person.village)
    return enrolment


@transaction.atomic
def change_income_class(actor, enrolment: VoluntaryEnrolment, *, declared_income: int,
                        from_month: datetime.date, reason: str = "") -> VoluntaryStatusChange:
    """Move an active member to another income class from the first day of a month not yet
    billed. The enrolment shows the newest class; billing reads the dated history."""
    enrolment = _lock(enrolment, actor)
    if enrolment.status != VoluntaryEnrolment.Status.ACTIVE:
        raise refuse("enrolment", "voluntary_not_active", status=enrolment.status,
                     status_lo=STATUS_LO[enrolment.status])
    if from_month.day != 1:
        raise refuse("from_month", "voluntary_not_month_start")
    last_change = enrolment.status_changes.filter(event__in=INCOME_EVENTS).aggregate(
        last=Max("effective_on"))["last"] or enrolment.start_on
    if from_month <= last_change:
        raise refuse("from_month", "voluntary_change_before_start",
                     start=f"{enrolment.start_on:%Y-%m}", last=last_change.isoformat())
    last_billed = Invoice.objects.filter(member=enrolment.member, kind=Invoice.Kind.VOLUNTARY,
                                         month__gte=from_month).aggregate(last=Max("month"))
    if last_billed["last"] is not None:
        following = month_end(last_billed["last"]) + datetime.timedelta(days=1)
        raise refuse("from_month", "voluntary_month_billed",
                     month=f"{last_billed['last']:%Y-%m}", next=f"{following:%Y-%m}")
    check_income_class(declared_income, from_month)
    if declared_income == enrolment.declared_income:
        raise refuse("declared_income", "voluntary_same_income", income=_kip(declared_income))
    before = snapshot(enrolment)
    enrolment.declared_income = declared_income
    enrolment.save(update_fields=["declared_income"])
    record_change(actor, AuditEvent.Action.UPDATE, enrolment, before, note="income class")
    return _history(actor, enrolment, VoluntaryStatusChange.Event.INCOME_CHANGED, from_month,
                    declared_income=declared_income, reason=reason)


@transaction.atomic
def end_voluntary(actor, enrolment: VoluntaryEnrolment, *, end_on: datetime.date, reason: str,
                  today: datetime.date | None = None) -> VoluntaryEnrolment:
    """The member leaves the scheme (takes a job, emigrates, retires): the enrolment ends, and
    its membership too if still open. What was billed stays owed."""
    enrolment = _lock(enrolment, actor)
    if enrolment.status == VoluntaryEnrolment.Status.ENDED:
        raise refuse("enrolment", "already_ended")
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", "required")
    if enrolment.membership_spell.end_on is None:
        end_membership(actor, enrolment.membership_spell, end_on=end_on, today=today)
    elif end_on < enrolment.start_on:
        raise refuse("end_on", "end_before_start")
    before = snapshot(enrolment)
    enrolment.status = VoluntaryEnrolment.Status.ENDED
    enrolment.status_since = end_on
    enrolment.end_on = end_on
    enrolment.save(update_fields=["status", "status_since", "end_on"])
    record_change(actor, AuditEvent.Action.UPDATE, enrolment, before, note="ended")
    _history(actor, enrolment, VoluntaryStatusChange.Event.ENDED, end_on, reason=reason)
    return enrolment


# Billing ------------------------------------------------------------------------------------

def _income_in_force(month: datetime.date) -> Subquery:
    """The income class of an enrolment on the last day of `month`, from its history."""
    return Subquery(VoluntaryStatusChange.objects.filter(
        enrolment_id=OuterRef("pk"), event__in=INCOME_EVENTS,
        effective_on__lte=month_end(month), declared_income__isnull=False,
    ).order_by("-effective_on", "-id").values("declared_income")[:1])


def billable_enrolments(month: datetime.date):
    """Enrolments whose member has a voluntary membership covering some day of `month`."""
    covering = MembershipSpell.objects.filter(
        Q(end_on__isnull=True) | Q(end_on__gte=month), member_id=OuterRef("member_id"),
        category=MemberCategory.VOLUNTARY, start_on__lte=month_end(month))
    return (VoluntaryEnrolment.objects
            .filter(Q(end_on__isnull=True) | Q(end_on__gte=month),
                    start_on__lte=month_end(month))
            .filter(Exists(covering))
            .annotate(income=_income_in_force(month)))


def nearest_income_class(incomes: np.ndarray, month: datetime.date) -> np.ndarray:
    """Each income moved to the month's nearest class: into [lowest, highest], then down to a
    whole step above the lowest (PROVISIONAL: the law says nothing of old classes)."""
    classes = np.array(rules.voluntary_income_classes(month), dtype=np.int64)
    lowest, highest = int(classes[0]), int(classes[-1])
    step = int(classes[1] - classes[0]) if classes.size > 1 else 1
    clipped = np.clip(incomes, lowest, highest)
    return lowest + (clipped - lowest) // step * step


def _parameters_used(names: Sequence[str], month: datetime.date) -> dict:
    used = {}
    for name in sorted(set(names)):
        entry = entry_at(name, month)
        used[name] = {"value": entry.value, "start": entry.start.isoformat(),
                      "provisional": entry.provisional}
    return used


def run_voluntary_billing(month: datetime.date, *, actor=None, today: datetime.date | None = None,
                          progress=None) -> BillingRun:
    """Bill every voluntary member for a month: one invoice each, posted to the ledger, and the
    month's contribution record. The run's key is (voluntary, month): a rerun, or a run after
    a crash, bills only those not billed yet."""
    rules.check_month(month)
    run, _ = BillingRun.objects.get_or_create(
        kind=BillingRun.Kind.VOLUNTARY, month=month,
        defaults={"status": BillingRun.Status.RUNNING, "started_by": _recorder(actor)})
    # A member who left and came back within the month has two enrolments: bill it once, at
    # the later enrolment's class.
    rows = list({row[0]: row for row in billable_enrolments(month).order_by(
        "member_id", "start_on").values_list(
        "member_id", "member__person__village_id", "income")}.values())
    if progress is not None:
        progress(0, len(rows))
    names: tuple[str, ...] = ()
    if rows:
        member_ids = np.array([row[0] for row in rows], dtype=np.int64)
        incomes = nearest_income_class(np.array([row[2] for row in rows], dtype=np.int64), month)
        result = rules.voluntary_contribution(incomes, month)
        names = result.parameter_names
        _bill(run, rows, member_ids, result, _today(today), actor)
    if progress is not None:
        progress(len(rows), len(rows))
    return _finish(run, names)


def _bill(run: BillingRun, rows: list, member_ids: np.ndarray, result, issued_on, actor) -> None:
    month = run.month
    due_on = rules.due_date(month)
    invoices, records = [], []
    for position, (member_id, village_id, _) in enumerate(rows):
        member_share = int(result.insured[position])
        state_share = int(result.employer[position])
        invoices.append(Invoice(
            kind=Invoice.Kind.VOLUNTARY, member_id=member_id, village_id=village_id,
            month=month, billing_run=run, number_of_workers=1, insured_amount=member_share,
            employer_amount=0, state_subsidy=state_share, total=member_share,
            issued_on=issued_on, due_on=due_on,
            ledger_key=invoice_key(Invoice.Kind.VOLUNTARY, f"{month:%Y-%m}",
                                   member_id=member_id)))
        records.append(ContributionRecord(
            member_id=member_id, month=month, employer=None,
            insurable_wage=int(result.insurable_wage[position]), insured_amount=member_share,
            employer_amount=state_share, source=ContributionRecord.Source.VOLUNTARY))
    with transaction.atomic():
        issue_invoices(invoices, created_by=_recorder(actor))
        ContributionRecord.objects.bulk_create(records, batch_size=INSERT_BATCH,
                                               ignore_conflicts=True)


def _finish(run: BillingRun, names: Sequence[str]) -> BillingRun:
    totals = run.invoices.aggregate(count=Count("id"), total=Sum("total"))
    run.number_of_invoices = totals["count"]
    run.number_of_workers = totals["count"]
    run.total_amount = totals["total"] or 0
    run.parameters_used = {**run.parameters_used, **_parameters_used(names, run.month)}
    run.status = BillingRun.Status.FINISHED
    run.finished_at = timezone.now()
    run.save(update_fields=["number_of_invoices", "number_of_workers", "total_amount",
                            "parameters_used", "status", "finished_at"])
    return run


# Paid flags ---------------------------------------------------------------------------------

def record_voluntary_payment(actor, member: InsuredMember, *, amount: int,
                             received_on: datetime.date, method: str,
                             payer_reference: str = ""):
    """A member's payment (at the office, or by the member in self-service): posted and
    allocated by the payments service, which also marks the paid months in the record."""
    own = member_of_user(actor)
    if own is None:
        require_change_permission(actor)
        require_unit_in_scope(actor, member.person.village)
    elif own.pk != member.pk:
        raise refuse("member", "voluntary_not_own_member")
    from pakan.socialsecurity.services.payments import record_payment

    return record_payment(actor, amount=amount, received_on=received_on, method=method,
                          member=member, payer_reference=payer_reference)


# Lapse and reinstatement --------------------------------------------------------------------

def unpaid_months(month: datetime.date):
    """Active enrolments with `unpaid`: voluntary invoices of the current membership due by the
    end of `month`, not settled by then, after the last month that was."""
    cutoff = month_end(month)
    voluntary = Invoice.objects.filter(kind=Invoice.Kind.VOLUNTARY,
                                       member_id=OuterRef("member_id"))
    paid_by_cutoff = Q(settled_on__isnull=False, settled_on__lte=cutoff)
    last_paid = Subquery(voluntary.filter(paid_by_cutoff).order_by("-month").values("month")[:1])
    # The spell's first month is billed whole: compare with the month of its first day.
    unpaid = (voluntary.filter(month__gte=OuterRef("spell_month"), due_on__lte=cutoff)
              .exclude(paid_by_cutoff)
              .filter(month__gt=Coalesce(last_paid, Value(datetime.date(1, 1, 1))))
              .order_by().values("member_id").annotate(count=Count("id")).values("count"))
    return (VoluntaryEnrolment.objects
            .filter(status=VoluntaryEnrolment.Status.ACTIVE,
                    membership_spell__start_on__lte=cutoff)
            .annotate(spell_month=TruncMonth("membership_spell__start_on",
                                             output_field=DateField()))
            .annotate(unpaid=Subquery(unpaid[:1])))


def run_lapses(month: datetime.date, *, actor=None,
               today: datetime.date | None = None) -> list[int]:
    """Lapse the voluntary memberships with too many unpaid months in a row at the end of
    `month` (a finished month): status lapsed, membership ended on its last day, history and
    audit rows. Set-based; a rerun finds nothing more to lapse. Returns the enrolment ids."""
    rules.check_month(month)
    cutoff = month_end(month)
    if cutoff > _today(today):
        raise refuse("month", "future_date")
    rows = [(pk, spell_id, count or 0) for pk, spell_id, count in
            unpaid_months(month).values_list("pk", "membership_spell_id", "unpaid")]
    if not rows:
        return []
    lapsed_mask = rules.is_lapsed(np.array([row[2] for row in rows], dtype=np.int64), month)
    lapsing = [row for row, lapsed in zip(rows, lapsed_mask, strict=True) if lapsed]
    if not lapsing:
        return []
    ids = [row[0] for row in lapsing]
    effective_on = cutoff + datetime.timedelta(days=1)
    with transaction.atomic():
        VoluntaryEnrolment.objects.filter(pk__in=ids, status=VoluntaryEnrolment.Status.ACTIVE) \
            .update(status=VoluntaryEnrolment.Status.LAPSED, status_since=effective_on)
        MembershipSpell.objects.filter(pk__in=[row[1] for row in lapsing], end_on__isnull=True) \
            .update(end_on=cutoff)
        VoluntaryStatusChange.objects.bulk_create([VoluntaryStatusChange(
            enrolment_id=pk, event=VoluntaryStatusChange.Event.LAPSED, effective_on=effective_on,
            reason=f"{count} unpaid months to {month:%Y-%m}", recorded_by=_recorder(actor))
            for pk, _, count in lapsing], batch_size=INSERT_BATCH)
        AuditEvent.objects.bulk_create([AuditEvent(
            actor=_recorder(actor), action=AuditEvent.Action.UPDATE,
            object_type=VoluntaryEnrolment._meta.label_lower, object_id=pk,
            before={"status": "active"}, after={"status": "lapsed",
                                                "status_since": effective_on.isoformat()},
            note=f"lapsed: {count} unpaid months") for pk, _, count in lapsing],
            batch_size=INSERT_BATCH)
    return ids


@transaction.atomic
def reinstate(actor, enrolment: VoluntaryEnrolment, on: datetime.date, *,
              declared_income: int | None = None,
              today: datetime.date | None = None) -> VoluntaryEnrolment:
    """Bring a lapsed member back, once nothing is owed, on a new membership spell from `on`.
    The enrolment (and its history) continues; it now points at the new spell."""
    enrolment = _lock(enrolment, actor)
    if enrolment.status != VoluntaryEnrolment.Status.LAPSED:
        raise refuse("enrolment", "voluntary_not_lapsed", status=enrolment.status,
                     status_lo=STATUS_LO[enrolment.status])
    ended = enrolment.membership_spell.end_on
    if ended is not None and on <= ended:
        raise refuse("on", "voluntary_before_lapse", ended=ended.isoformat())
    owed = member_balance(enrolment.member)
    if owed > 0:
        raise refuse("member", "voluntary_arrears_unpaid", arrears=_kip(owed))
    income = enrolment.declared_income if declared_income is None else declared_income
    check_income_class(income, month_of(on))
    spell = add_membership(actor, enrolment.member, category=MemberCategory.VOLUNTARY,
                           start_on=on, today=today)
    before = snapshot(enrolment)
    enrolment.membership_spell = spell
    enrolment.status = VoluntaryEnrolment.Status.ACTIVE
    enrolment.status_since = on
    enrolment.declared_income = income
    enrolment.save(update_fields=["membership_spell", "status", "status_since",
                                  "declared_income"])
    record_change(actor, AuditEvent.Action.UPDATE, enrolment, before, note="reinstated")
    _history(actor, enrolment, VoluntaryStatusChange.Event.REINSTATED, on,
             declared_income=income, reason="arrears paid")
    return enrolment
