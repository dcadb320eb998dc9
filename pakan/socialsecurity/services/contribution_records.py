"""The `paid` flag of the lifetime contribution record, set in one place: when allocation settles
an invoice, the records that invoice billed become paid, dated the day it was settled.

Which records an invoice billed depends on its kind: a month's contribution invoice billed the
employer's declared records of that month, a voluntary invoice the member's record of its month,
an assessment the records of its inspection's findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
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


# On PostgreSQL the records are reached from the settled invoices, through the (employer,
# month) and (member, month) indexes: one statement each, whatever the number of invoices.
_MARK_DECLARED_SQL = """
UPDATE socialsecurity_contributionrecord record SET paid = true, paid_on = invoice.settled_on
FROM socialsecurity_invoice invoice
WHERE invoice.id = ANY(%s) AND invoice.kind = 'contribution' AND invoice.settled_on IS NOT NULL
  AND record.source = 'declaration' AND NOT record.paid
  AND record.employer_id = invoice.employer_id AND record.month = invoice.month"""
_MARK_VOLUNTARY_SQL = """
UPDATE socialsecurity_contributionrecord record SET paid = true, paid_on = invoice.settled_on
FROM socialsecurity_invoice invoice
WHERE invoice.id = ANY(%s) AND invoice.kind = 'voluntary' AND invoice.settled_on IS NOT NULL
  AND record.source = 'voluntary' AND NOT record.paid AND record.employer_id IS NULL
  AND record.member_id = invoice.member_id AND record.month = invoice.month"""


def mark_paid_for_invoices(invoice_ids: Iterable[int]) -> int:
    """Mark paid every record these (just settled) invoices billed; safe to repeat."""
    invoice_ids = sorted(set(invoice_ids))
    if not invoice_ids:
        return 0
    if connection.vendor == "postgresql":
        return _mark_for_invoices_postgresql(invoice_ids)
    marked = 0
    for start in range(0, len(invoice_ids), ID_CHUNK):
        invoices = Invoice.objects.filter(pk__in=invoice_ids[start:start + ID_CHUNK])
        employer_ids = list(invoices.filter(employer__isnull=False)
                            .values_list("employer_id", flat=True).distinct())
        member_ids = list(invoices.filter(kind=Invoice.Kind.VOLUNTARY)
                          .values_list("member_id", flat=True).distinct())
        marked += mark_declared_contributions_paid(employer_ids)
        marked += mark_assessment_contributions_paid(employer_ids)
        marked += mark_voluntary_contributions_paid(member_ids)
    return marked


def _mark_for_invoices_postgresql(invoice_ids: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_MARK_DECLARED_SQL, [invoice_ids])
        marked = cursor.rowcount
        cursor.execute(_MARK_VOLUNTARY_SQL, [invoice_ids])
        marked += cursor.rowcount
        cursor.execute("SELECT DISTINCT employer_id FROM socialsecurity_invoice "
                       "WHERE id = ANY(%s) AND kind = 'assessment'", [invoice_ids])
        assessed = [row[0] for row in cursor.fetchall()]
    if assessed:
        marked += mark_assessment_contributions_paid(assessed)
    return marked
