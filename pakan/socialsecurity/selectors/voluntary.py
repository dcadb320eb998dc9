"""Reading voluntary members: the officers' lists (within their scope) and a member's own view
in self-service (own enrolment, invoices, contributions and what is owed, nothing else).

A member account reaches its record through MemberUser; every other non-staff account sees
nothing. Outside the reader's reach raises OutOfScope, the same answer as for a missing id.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from pakan.accounts.models import Role
from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.ledger.models import Account
from pakan.ledger.selectors import balance
from pakan.rules import social_security as rules
from pakan.socialsecurity import accounting
from pakan.socialsecurity.models import (
    ContributionRecord,
    InsuredMember,
    Invoice,
    MemberUser,
    VoluntaryEnrolment,
    VoluntaryStatusChange,
)


def member_of_user(user) -> InsuredMember | None:
    """The member record a self-service (insured member) account belongs to, if linked."""
    if user is None or not user.is_authenticated or user.role != Role.INSURED_MEMBER:
        return None
    link = MemberUser.objects.filter(user=user).select_related("member__person").first()
    return link.member if link else None


def enrolments_in_scope(user) -> QuerySet[VoluntaryEnrolment]:
    enrolments = VoluntaryEnrolment.objects.select_related("member__person__village",
                                                           "membership_spell")
    if scope_path(user) is not None:
        return restrict(enrolments, user)
    own = member_of_user(user)
    return enrolments.filter(member=own) if own else enrolments.none()


def enrolment_for(user, enrolment_id: int) -> VoluntaryEnrolment:
    enrolment = enrolments_in_scope(user).filter(pk=enrolment_id).first()
    if enrolment is None:
        raise OutOfScope
    return enrolment


def enrolment_history(user, enrolment_id: int) -> QuerySet[VoluntaryStatusChange]:
    """Enrolled, class changes, lapses, reinstatements: oldest first."""
    enrolment = enrolment_for(user, enrolment_id)
    return enrolment.status_changes.order_by("effective_on", "id")


def voluntary_invoices_in_scope(user) -> QuerySet[Invoice]:
    """Invoices billed to voluntary members (their contributions and surcharges)."""
    invoices = Invoice.objects.filter(member__isnull=False, employer__isnull=True)
    if scope_path(user) is not None:
        return restrict(invoices, user).order_by("-month", "id")
    own = member_of_user(user)
    return invoices.filter(member=own).order_by("-month") if own else invoices.none()


# Self-service --------------------------------------------------------------------------------

def own_member(user) -> InsuredMember:
    member = member_of_user(user)
    if member is None:
        raise OutOfScope
    return member


def own_enrolment(user) -> VoluntaryEnrolment | None:
    """The member's open enrolment (active or lapsed), else the latest ended one."""
    member = own_member(user)
    enrolments = VoluntaryEnrolment.objects.filter(member=member).select_related(
        "membership_spell")
    return (enrolments.exclude(status=VoluntaryEnrolment.Status.ENDED).first()
            or enrolments.order_by("-start_on").first())


def own_invoices(user, *, open_only: bool = False) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(member=own_member(user)).order_by("-month", "id")
    return invoices.filter(settled_on__isnull=True) if open_only else invoices


def own_contributions(user) -> QuerySet[ContributionRecord]:
    return ContributionRecord.objects.filter(member=own_member(user)).order_by("month")


def member_balance(member: InsuredMember) -> int:
    """What a member owes (positive) or holds as credit (negative): the ledger balance of the
    member's receivable account (the caller has checked scope)."""
    account = Account.objects.filter(code=accounting.member_account_code(member.pk)).first()
    return balance(account) if account is not None else 0


def own_balance(user) -> int:
    return member_balance(own_member(user))


def income_classes(month: datetime.date) -> list[int]:
    """The incomes a member may declare for a month, for the enrolment and change forms."""
    return rules.voluntary_income_classes(month)
