"""Everything that reads the fund's register — always within the reader's scope.

Staff see what lies inside their admin unit: an employer by its village, a member by the
village of the registry person. An employer account sees its own enterprise and the people
who work or worked there, nothing else; other accounts see nothing. Anything outside raises
OutOfScope, the same answer as for an id that does not exist.

The place rule is pakan.accounts.scope's, as for the registry.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from pakan.accounts.models import Role
from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.socialsecurity.models import (
    ContributionRecord,
    Employer,
    EmployerUser,
    EmploymentSpell,
    InsuredMember,
    MembershipSpell,
)


def _restrict_by_place(queryset: QuerySet, user) -> QuerySet | None:
    """Rows inside a staff user's scope, or None when the user is not scoped staff."""
    if scope_path(user) is None:
        return None
    return restrict(queryset, user)


def employer_of_user(user) -> Employer | None:
    """The enterprise an employer account belongs to, if the account is linked to one."""
    if user is None or not user.is_authenticated or user.role != Role.EMPLOYER_USER:
        return None
    link = EmployerUser.objects.filter(user=user).select_related("employer").first()
    return link.employer if link else None


def employers_in_scope(user) -> QuerySet[Employer]:
    employers = Employer.objects.select_related("village")
    by_place = _restrict_by_place(employers, user)
    if by_place is not None:
        return by_place
    own = employer_of_user(user)
    return employers.filter(pk=own.pk) if own else employers.none()


def employer_for(user, employer_id: int) -> Employer:
    employer = employers_in_scope(user).filter(pk=employer_id).first()
    if employer is None:
        raise OutOfScope
    return employer


def members_in_scope(user) -> QuerySet[InsuredMember]:
    members = InsuredMember.objects.select_related("person__village")
    by_place = _restrict_by_place(members, user)
    if by_place is not None:
        return by_place
    own = employer_of_user(user)
    if own is None:
        return members.none()
    return members.filter(pk__in=EmploymentSpell.objects.filter(employer=own).values(
        "member_id"))


def member_for(user, member_id: int) -> InsuredMember:
    member = members_in_scope(user).filter(pk=member_id).first()
    if member is None:
        raise OutOfScope
    return member


def _covering(on_date: datetime.date) -> Q:
    return Q(start_on__lte=on_date) & (Q(end_on__isnull=True) | Q(end_on__gte=on_date))


def members_of_employer(employer: Employer,
                        on_date: datetime.date) -> QuerySet[InsuredMember]:
    """The members employed by `employer` on `on_date` (the caller has checked scope)."""
    spells = EmploymentSpell.objects.filter(_covering(on_date), employer=employer)
    return (InsuredMember.objects.filter(pk__in=spells.values("member_id"))
            .select_related("person").order_by("social_security_number"))


def category_on(member: InsuredMember, on_date: datetime.date) -> str | None:
    """The member's category on a date, or None when not a member then."""
    spell = MembershipSpell.objects.filter(_covering(on_date), member=member).first()
    return spell.category if spell else None


def contribution_history(member: InsuredMember) -> QuerySet[ContributionRecord]:
    """The member's lifetime record, oldest month first."""
    return (ContributionRecord.objects.filter(member=member).select_related("employer")
            .order_by("month", "employer_id"))


def months_contributed(member: InsuredMember, until: datetime.date) -> int:
    """Distinct months up to `until` with a paid contribution: two employers in one month
    count once, as the month is what benefits count."""
    return (ContributionRecord.objects.filter(member=member, paid=True, month__lte=until)
            .order_by().values("month").distinct().count())
