"""Reading awards: officers see those whose beneficiary lives in their area; an insured-member
account sees the awards it is the beneficiary of. Outside that: OutOfScope, as for a missing id.
"""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.benefits.models import Award, AwardAmount
from pakan.socialsecurity.selectors.voluntary import member_of_user


def _with_current_amount(awards: QuerySet[Award], on: datetime.date) -> QuerySet[Award]:
    """Each award with its monthly amount valid on `on` (`monthly_amount`, None for a lump
    sum or before its start)."""
    amount = AwardAmount.objects.filter(award_id=OuterRef("pk"), effective_from__lte=on) \
        .order_by("-effective_from").values("monthly_amount")[:1]
    return awards.annotate(monthly_amount=Subquery(amount))


def awards_in_scope(user, *, on: datetime.date | None = None) -> QuerySet[Award]:
    awards = Award.objects.select_related("beneficiary__village", "member", "claim")
    awards = _with_current_amount(awards, on or timezone.localdate())
    if scope_path(user) is not None:
        return restrict(awards, user)
    own = member_of_user(user)
    return awards.filter(beneficiary_id=own.person_id) if own else awards.none()


def award_for(user, award_id: int) -> Award:
    award = awards_in_scope(user).filter(pk=award_id).first()
    if award is None:
        raise OutOfScope
    return award


def filter_awards(user, *, status: str = "", branch: str = "", kind: str = "",
                  member_id: int | None = None) -> QuerySet[Award]:
    awards = awards_in_scope(user)
    if status in Award.Status.values:
        awards = awards.filter(status=status)
    if branch:
        awards = awards.filter(branch=branch)
    if kind in Award.Kind.values:
        awards = awards.filter(kind=kind)
    if member_id is not None:
        awards = awards.filter(member_id=member_id)
    return awards.order_by("-decided_on", "-id")


def award_history(award: Award) -> dict:
    """Everything that happened to an award: dated amounts, status changes, payroll lines and
    recoveries, oldest first."""
    return {
        "amounts": award.amounts.order_by("effective_from"),
        "status_changes": award.status_changes.select_related("actor").order_by(
            "effective_on", "id"),
        "payroll_lines": award.payroll_lines.select_related("run").order_by("run__month"),
        "recoveries": award.recoveries.order_by("first_month"),
    }
