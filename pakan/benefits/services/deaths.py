"""What the benefits do when the registry records a death (pakan.registry.signals.person_died),
in the same transaction as the death:

1. every award of the dead person as beneficiary ends on the date of death;
2. payroll months paid after the month of death become a `Recovery` with its overpayment
   posting in the ledger (one per award and death: its key says so);
3. if the person was an insured member, a funeral claim and a survivors' claim for each
   registered family member (spouse, child, parent in `Dependant`) are opened, filed by the
   system account and waiting for an officer's decision.

The month of death is due in full: only months after it are recovered (docs/benefits-claims.md).
Everything is idempotent: the same death announced again (recorded, then brought by a merge, or
a receiver run twice) ends nothing twice, recovers nothing twice and opens no claim twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from pakan.accounts.models import Role, User
from pakan.benefits.models import Award, Branch, Claim, Recovery
from pakan.benefits.services import awards as award_services
from pakan.benefits.services import claims as claim_services
from pakan.registry.models import AdminUnit, Person
from pakan.socialsecurity.models import Dependant, InsuredMember

SYSTEM_USERNAME = "pakan-system"
# Who receives the funeral grant when the death opens the claim: the first registered family
# member in this order (the eldest of several children or parents); else the head of the
# household, if that is someone else. With nobody, no funeral claim is opened: an officer
# files it for whoever paid for the funeral.
FUNERAL_CLAIMANT_ORDER = ("spouse", "child", "parent")


def system_user() -> User:
    """The account the system files claims with; it cannot log in."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    country = AdminUnit.objects.filter(level=AdminUnit.Level.COUNTRY).order_by("path").first()
    user = User(username=SYSTEM_USERNAME, role=Role.SYSTEM_ADMIN, scope_unit=country,
                is_active=False, first_name="Pakan", last_name="system")
    user.set_unusable_password()
    user.save()
    return user


@dataclass
class DeathOutcome:
    ended: list[Award] = field(default_factory=list)
    recoveries: list[Recovery] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def on_person_died(sender, *, person: Person, date_of_death: datetime.date, actor=None,
                   **kwargs) -> None:
    """The receiver of pakan.registry.signals.person_died (connected in apps.py)."""
    react_to_death(person, date_of_death, actor=actor)


@transaction.atomic
def react_to_death(person: Person, date_of_death: datetime.date, *, actor=None,
                   today: datetime.date | None = None) -> DeathOutcome:
    today = today or timezone.localdate()
    outcome = DeathOutcome()
    outcome.ended = award_services.end_awards_after_death(person, date_of_death, actor)
    outcome.recoveries = _recover_paid_after_death(person, date_of_death, actor)
    member = InsuredMember.objects.select_related("person__village").filter(
        person=person).first()
    if member is not None:
        outcome.claims = _open_claims(member, date_of_death, today)
    return outcome


def death_ledger_key(award_id: int, date_of_death: datetime.date) -> str:
    return f"benefits:overpayment:award:{award_id}:death:{date_of_death.isoformat()}"


def _recover_paid_after_death(person: Person, date_of_death: datetime.date,
                              actor) -> list[Recovery]:
    month_of_death = date_of_death.replace(day=1)
    awards = {award.pk: award for award in Award.objects.filter(beneficiary=person)}
    recoveries = []
    for row in award_services.paid_after(person, month_of_death):
        first, last = row["first_month"], row["last_month"]
        recovery = award_services.create_recovery(
            awards[row["award_id"]], amount=row["amount"], first_month=first, last_month=last,
            reason=(f"{row['months']} month(s) paid from {first:%Y-%m} to {last:%Y-%m} after "
                    f"the death on {date_of_death.isoformat()}"),
            ledger_key=death_ledger_key(row["award_id"], date_of_death),
            established_on=timezone.localdate(), actor=actor)
        if recovery is not None:
            recoveries.append(recovery)
    return recoveries


def _family_at_death(member: InsuredMember, date_of_death: datetime.date) -> list[Dependant]:
    """Registered family members living when the member died, spouse first, eldest first."""
    dependants = list(Dependant.objects.select_related("person").filter(
        Q(end_on__isnull=True) | Q(end_on__gte=date_of_death), member=member,
        start_on__lte=date_of_death, person__date_of_death__isnull=True,
        person__status=Person.Status.ACTIVE))
    order = {relationship: rank for rank, relationship in enumerate(FUNERAL_CLAIMANT_ORDER)}
    dependants.sort(key=lambda dependant: (order.get(dependant.relationship, 9),
                                           dependant.person.date_of_birth, dependant.pk))
    unique: dict[int, Dependant] = {}
    for dependant in dependants:
        unique.setdefault(dependant.person_id, dependant)
    return list(unique.values())


def _funeral_claimant(member: InsuredMember, family: list[Dependant]) -> Person | None:
    if family:
        return family[0].person
    household = member.person.household
    head = household.head if household is not None else None
    if head is not None and head.pk != member.person_id and head.date_of_death is None:
        return head
    return None


def _open_claims(member: InsuredMember, date_of_death: datetime.date,
                 today: datetime.date) -> list[Claim]:
    system = system_user()
    existing = Claim.objects.filter(member=member, event_date=date_of_death)
    opened = []
    family = _family_at_death(member, date_of_death)
    claimant = _funeral_claimant(member, family)
    if claimant is not None and not existing.filter(branch=Branch.FUNERAL).exists():
        opened.append(claim_services.open_claim(
            system, member=member, claimant=claimant, branch=Branch.FUNERAL,
            event_date=date_of_death, facts={}, today=today))
    parents = sum(1 for dependant in family if dependant.relationship == "parent")
    for dependant in family:
        if existing.filter(branch=Branch.SURVIVORS, claimant=dependant.person).exists():
            continue
        facts: dict[str, object] = {"relationship": dependant.relationship}
        if dependant.relationship == "parent":
            facts["parents_supported"] = min(parents, 2)
        opened.append(claim_services.open_claim(
            system, member=member, claimant=dependant.person, branch=Branch.SURVIVORS,
            event_date=date_of_death, facts=facts, today=today))
    return opened
