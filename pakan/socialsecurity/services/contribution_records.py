"""The `paid` flag of the lifetime contribution record, set in one place: when allocation settles
an invoice, the records that invoice billed become paid, dated the day it was settled.

Which records an invoice billed depends on its kind: a month's contribution invoice billed the
employer's declared records of that month, a voluntary invoice the member's record of its month,
an assessment the records of its inspection's findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Subquery

from pakan.socialsecurity.models import ContributionRecord, Invoice

ID_CHUNK = 900  # under SQLite's variable limit


def _mark(records, settled) -> int:
    return records.filter(paid=False).filter(Exists(settled)).update(
        paid=True, paid_on=Subquery(settled.order_by("settled_on").values("settled_on")[:1]))


def mark_declared_contributions_paid(employer_ids: Iterable[int] | None = None) -> int:
    settled = Invoice.objects.filter(kind=Invoice.Kind.CONTRIBUTION, settled_on__isnull=False,
                                     employer_id=OuterRef("employer_id"), month=OuterRef("month"))
    records = ContributionRecord.objects.filter(source=ContributionRecord.Source.DECLARATION)
    if employer_ids is not None:
        records = records.filter(employer_id__in=list(employer_ids))
    return _mark(records, settled)


def mark_voluntary_contributions_paid(member_ids: Iterable[int] | None = None) -> int:
    settled = Invoice.objects.filter(kind=Invoice.Kind.VOLUNTARY, settled_on__isnull=False,
                                     member_id=OuterRef("member_id"), month=OuterRef("month"))
    records = ContributionRecord.objects.filter(source=ContributionRecord.Source.VOLUNTARY)
    if member_ids is not None:
        records = records.filter(member_id__in=list(member_ids))
    return _mark(records, settled)


def mark_assessment_contributions_paid(employer_ids: Iterable[int] | None = None) -> int:
    settled = Invoice.objects.filter(
        kind=Invoice.Kind.ASSESSMENT, settled_on__isnull=False,
        employer_id=OuterRef("employer_id"),
        inspection__findings__member_id=OuterRef("member_id"),
        inspection__findings__first_month__lte=OuterRef("month"),
        inspection__findings__last_month__gte=OuterRef("month"))
    records = ContributionRecord.objects.filter(source=ContributionRecord.Source.ASSESSMENT)
    if employer_ids is not None:
        records = records.filter(employer_id__in=list(employer_ids))
    return _mark(records, settled)


def mark_paid_for_debtors(employer_ids: Iterable[int], member_ids: Iterable[int]) -> int:
    """Mark paid every record of these debtors whose invoice is now settled; safe to repeat."""
    employer_ids, member_ids = sorted(set(employer_ids)), sorted(set(member_ids))
    marked = 0
    for start in range(0, len(employer_ids), ID_CHUNK):
        chunk = employer_ids[start:start + ID_CHUNK]
        marked += mark_declared_contributions_paid(chunk)
        marked += mark_assessment_contributions_paid(chunk)
    for start in range(0, len(member_ids), ID_CHUNK):
        marked += mark_voluntary_contributions_paid(member_ids[start:start + ID_CHUNK])
    return marked
