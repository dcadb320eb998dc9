"""Reading claims: the officers' queue (within their scope), a member's own claims and
notifications in self-service, and the contribution history the rules assess a claim on.

Who sees what: scoped staff see claims whose insured member lives inside their admin unit
(pakan.accounts.scope); an insured-member account sees the claims it is the claimant of or
that are made on its own record; every other account sees nothing. A single claim outside that
set raises OutOfScope, the same answer as for an id that does not exist.
"""

from __future__ import annotations

import datetime

import numpy as np
from django.db.models import Q, QuerySet, Sum

from pakan.accounts.scope import OutOfScope, restrict, scope_path
from pakan.benefits.models import Claim, ClaimDocument, Notification
from pakan.benefits.selectors.estimates import counted_records
from pakan.registry.models import AdminUnit, Person
from pakan.socialsecurity.models import InsuredMember, MembershipSpell
from pakan.socialsecurity.selectors.register import members_in_scope
from pakan.socialsecurity.selectors.voluntary import member_of_user


def claims_in_scope(user) -> QuerySet[Claim]:
    claims = Claim.objects.select_related("member__person__village", "claimant", "filed_by",
                                          "decided_by")
    if scope_path(user) is not None:
        return restrict(claims, user)
    own = member_of_user(user)
    if own is None:
        return claims.none()
    return claims.filter(Q(claimant_id=own.person_id) | Q(member=own))


def claim_for(user, claim_id: int) -> Claim:
    claim = claims_in_scope(user).filter(pk=claim_id).first()
    if claim is None:
        raise OutOfScope
    return claim


def filter_claims(user, *, status: str = "", branch: str = "", member_id: int | None = None,
                  district: str = "") -> QuerySet[Claim]:
    """The officers' queue: oldest filed first for open claims, newest first otherwise."""
    claims = claims_in_scope(user)
    if status in Claim.Status.values:
        claims = claims.filter(status=status)
    if branch:
        claims = claims.filter(branch=branch)
    if member_id is not None:
        claims = claims.filter(member_id=member_id)
    if district:
        claims = claims.filter(member__person__village__parent__code=district)
    if status in (Claim.Status.FILED, Claim.Status.APPEALED):
        return claims.order_by("filed_on", "id")
    return claims.order_by("-filed_on", "-id")


def districts_in_scope(user) -> QuerySet[AdminUnit]:
    prefix = scope_path(user)
    if prefix is None:
        return AdminUnit.objects.none()
    return AdminUnit.objects.filter(level=AdminUnit.Level.DISTRICT,
                                    path__startswith=prefix).order_by("code")


def find_insured(user, text: str) -> InsuredMember | Person | None:
    """An insured member in scope by social security number, or a person in scope by registry
    number (the insured member if the person is one; the person, to be refused as not
    insured, if not)."""
    text = (text or "").strip().upper()
    if not text:
        return None
    member = members_in_scope(user).filter(social_security_number=text).first()
    if member is not None or not text.isdigit():
        return member
    person = restrict(Person.objects.select_related("village"), user).filter(
        pk=int(text)).first()
    if person is None:
        return None
    return InsuredMember.objects.filter(person=person).first() or person


def find_claimant(user, member: InsuredMember, text: str) -> Person | None:
    """A claimant by registry number: a person in the officer's area, a registered family
    member of the insured person, or someone of the insured person's household (who may live
    elsewhere now)."""
    text = (text or "").strip()
    if not text.isdigit():
        return None
    people = Person.objects.select_related("village").filter(pk=int(text))
    person = restrict(people, user).first()
    if person is not None:
        return person
    family = Q(dependant_of__member=member)
    if member.person.household_id is not None:
        family |= Q(household_id=member.person.household_id)
    return people.filter(family).distinct().first()


def steps_of(claim: Claim):
    return claim.steps.select_related("actor").order_by("at", "id")


def documents_of(claim: Claim) -> QuerySet[ClaimDocument]:
    return claim.documents.select_related("uploaded_by").order_by("uploaded_at", "id")


def document_for(user, claim_id: int, document_id: int) -> ClaimDocument:
    claim = claim_for(user, claim_id)
    document = claim.documents.filter(pk=document_id).first()
    if document is None:
        raise OutOfScope
    return document


def notifications_of(user) -> QuerySet[Notification]:
    """A member account's own notifications, newest first."""
    own = member_of_user(user)
    if own is None:
        return Notification.objects.none()
    return Notification.objects.filter(person_id=own.person_id).order_by("-created_at", "-id")


def live_claim_for_event(member: InsuredMember, claimant_id: int, branch: str,
                         event_date: datetime.date) -> Claim | None:
    """The claim still alive (filed, approved or under appeal) for this very event, if any."""
    return Claim.objects.filter(
        member=member, claimant_id=claimant_id, branch=branch, event_date=event_date,
        status__in=(Claim.Status.FILED, Claim.Status.APPROVED, Claim.Status.APPEALED)).first()


# The contribution history the rules read -----------------------------------------------------

def member_category_on(member: InsuredMember, on: datetime.date) -> str | None:
    """The category of the membership covering `on`, else of the latest one begun before it."""
    spells = MembershipSpell.objects.filter(member=member, start_on__lte=on)
    covering = spells.filter(Q(end_on__isnull=True) | Q(end_on__gte=on)).order_by(
        "-start_on").first()
    spell = covering or spells.order_by("-start_on").first()
    return spell.category if spell else None


def membership_covers(member: InsuredMember, on: datetime.date) -> bool:
    return MembershipSpell.objects.filter(member=member, start_on__lte=on).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=on)).exists()


def counted_months(member: InsuredMember, until: datetime.date) -> tuple[np.ndarray, np.ndarray]:
    """The member's counted contribution months up to the month of `until`, oldest first, with
    the insurable wage of each (all employers of the month summed). Which months count is the
    estimator's rule, so an estimate and a decision agree (selectors.estimates.counted_records:
    paid months, and months billed to an employer that has not paid them yet)."""
    rows = list(counted_records().filter(
        member=member, month__lte=until.replace(day=1)).order_by()
        .values("month").annotate(wage=Sum("insurable_wage")).order_by("month")
        .values_list("month", "wage"))
    months = np.array([row[0] for row in rows], dtype="datetime64[M]")
    wages = np.array([row[1] for row in rows], dtype=np.int64)
    return months, wages
