"""Factories for the benefits' tests: a contribution record of any length, and awards in payment.

The record is written straight into the table (one bulk insert), the way billing leaves it,
so a test of a pension can have 30 years of paid months without billing 360 months.
"""

from __future__ import annotations

import datetime

from pakan.benefits.models import Award, AwardAmount, Branch, Claim
from pakan.socialsecurity.models import ContributionRecord, InsuredMember
from tests.factories import make_person, system_admin


def month_range(first: datetime.date, count: int) -> list[datetime.date]:
    """`count` consecutive first-of-month dates from `first`'s month."""
    year, month = first.year, first.month
    months = []
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def give_contribution_record(member: InsuredMember, first_month: datetime.date, months: int,
                             wage: int | list[int] = 3_000_000, *, paid: bool = True,
                             employer=None) -> list[ContributionRecord]:
    """`months` paid months from `first_month` at `wage` (one wage, or one per month), with the
    contributions billing would have computed at 5.5% insured and 6% employer (the enterprise
    rates; the amounts do not matter to the benefits, the months and wages do)."""
    wages = wage if isinstance(wage, list) else [wage] * months
    if len(wages) != months:
        raise ValueError("one wage per month, or one wage for all")
    records = [
        ContributionRecord(
            member=member, month=month, employer=employer, insurable_wage=amount,
            insured_amount=amount * 55 // 1000, employer_amount=amount * 60 // 1000,
            source=(ContributionRecord.Source.DECLARATION if employer
                    else ContributionRecord.Source.VOLUNTARY),
            paid=paid, paid_on=(month + datetime.timedelta(days=40)) if paid else None)
        for month, amount in zip(month_range(first_month, months), wages, strict=True)
    ]
    return ContributionRecord.objects.bulk_create(records)


def make_award_in_payment(member: InsuredMember, *, monthly_amount: int = 1_500_000,
                          branch: str = Branch.OLD_AGE, start_on: datetime.date,
                          end_on: datetime.date | None = None, beneficiary=None,
                          bank: str = "BCEL", bank_account: str | None = None,
                          decided_by=None) -> Award:
    """An approved claim and its periodic award in payment, written directly (for payroll
    tests, which start where the decision ends). The filer is the factory's administrator;
    the decider must be someone else, as the law of four eyes requires."""
    from pakan.accounts.models import Role, User

    beneficiary = beneficiary or member.person
    filer = system_admin()
    decider = decided_by or User.objects.get_or_create(
        username="factory_checker",
        defaults={"role": Role.CENTRAL_OFFICER, "scope_unit": filer.scope_unit})[0]
    claim = Claim.objects.create(
        member=member, claimant=beneficiary, branch=branch, event_date=start_on,
        filed_on=start_on, filed_by=filer, status=Claim.Status.APPROVED, decided_by=decider,
        decided_on=start_on)
    award = Award.objects.create(
        claim=claim, member=member, beneficiary=beneficiary, branch=branch,
        kind=Award.Kind.PERIODIC, start_on=start_on, end_on=end_on, status_since=start_on,
        explanation={"made_by": "tests.benefit_factories"}, rules_version="test",
        bank=bank, bank_account=bank_account if bank_account is not None
        else ("" if bank == "CASH" else f"0100{beneficiary.pk:012d}"),
        decided_by=decider, decided_on=start_on)
    AwardAmount.objects.create(award=award, effective_from=start_on,
                               monthly_amount=monthly_amount, reason=AwardAmount.Reason.DECISION)
    return award


def make_pensioner(village, *, monthly_amount: int = 1_500_000,
                   start_on: datetime.date = datetime.date(2025, 1, 1), **award_fields) -> Award:
    """A retired member (born 1960) with an old-age pension in payment from `start_on`."""
    from pakan.socialsecurity import services as fund_services

    person = make_person(village, date_of_birth="1960-03-01")
    member = fund_services.enrol_member(
        system_admin(), person, social_security_number=f"SSP{person.pk:09d}",
        category="enterprise_employee", start_on=datetime.date(1995, 1, 1))
    return make_award_in_payment(member, monthly_amount=monthly_amount, start_on=start_on,
                                 **award_fields)
